from fanpin.assistance.models.catalogue import MeasureItem
from fanpin.assistance.models.measure import Measure
from fanpin.assistance.models.unit import ResponsiblePerson, ResponsibleUnit
from fanpin.assistance.models.visit import Visit

__all__ = ["Measure", "MeasureItem", "ResponsiblePerson", "ResponsibleUnit", "Visit"]
