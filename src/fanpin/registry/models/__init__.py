from fanpin.registry.models.household import Household
from fanpin.registry.models.import_batch import ImportBatch, ImportIssue
from fanpin.registry.models.income import IncomeRecord
from fanpin.registry.models.member import Member

__all__ = ["Household", "ImportBatch", "ImportIssue", "IncomeRecord", "Member"]
