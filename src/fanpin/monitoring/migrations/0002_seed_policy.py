"""Seed the published monitoring thresholds known for Shanxi (domain.md §2): the 2021 national floor
of about 6,000 yuan and Shanxi's 2023 range of 7,100 yuan. Other years are set by people, never guessed."""

from datetime import date

from django.db import migrations

from fanpin.monitoring.choices import DEFAULT_PARAMS

SEEDS = [
    (2021, "6000", "2021 年国家底线：约 6,000 元（2016–2020 年贫困线的 1.5 倍）"),
    (2023, "7100", "山西省 2023 年防止返贫监测范围 7,100 元"),
]


def seed(apps, schema_editor):
    PolicySetting = apps.get_model("monitoring", "PolicySetting")
    for year, threshold, source in SEEDS:
        PolicySetting.objects.get_or_create(
            province_code="14",
            year=year,
            version=1,
            defaults={
                "effective_from": date(year, 1, 1),
                "threshold": threshold,
                "params": {k: str(v) if k != "months_considered" else v for k, v in DEFAULT_PARAMS.items()},
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
