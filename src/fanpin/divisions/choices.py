from django.db import models


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村"


# Code length for each level (统计用区划代码).
CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
