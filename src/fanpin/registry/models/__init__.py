from fanpin.registry.models.household import Household
from fanpin.registry.models.income import IncomeRecord
from fanpin.registry.models.member import Member

__all__ = ["Household", "IncomeRecord", "Member"]
