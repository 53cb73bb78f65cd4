"""Time the assistance reads over a synthesized area (DATABASE_URL, or SQLite under FANPIN_HOME):
the list of households failing a §5 consistency rule, the monthly visit coverage per village, the
plan list count, and the plans export.

    fanpin synth --households 200000 --area 14      # once, in a scratch FANPIN_HOME
    python bench/assistance_bench.py --area 14

The first run gives every monitored household in the area a plan (bulk: the demo's rules, one unit
per area) and visits 7 in 10 of them this month; later runs reuse them. Prints counts and seconds.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--area", default="14")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.db import connection, transaction

    from fanpin.accounts.models import User
    from fanpin.assistance import selectors
    from fanpin.assistance.demo import UNIT_FOR, _plan
    from fanpin.assistance.models import Measure, ResponsiblePerson, ResponsibleUnit, Visit
    from fanpin.registry.models import Household

    today = date.today()
    area = args.area
    monitored = Household.objects.filter(selectors.MONITORED, village__code__startswith=area)
    if not Measure.objects.filter(household__village__code__startswith=area).exists():
        t = time.perf_counter()
        with transaction.atomic():
            units = {}
            for name in set(UNIT_FOR.values()):
                unit, _ = ResponsibleUnit.objects.get_or_create(area_code=area, name=f"基准测试{name}")
                person, _ = ResponsiblePerson.objects.get_or_create(unit=unit, name="基准责任人")
                units[name] = (unit, person)
            households = list(monitored)
            facts = selectors.households_facts(households, today)
            measures, visits, links = [], [], []
            for i, h in enumerate(households):
                mode = "none" if i % 12 == 0 else "inconsistent" if i % 12 == 5 else "consistent"
                for category, item, amount in [] if mode == "none" else _plan(facts[h.pk], mode):
                    unit, person = units[UNIT_FOR[category]]
                    measures.append(
                        Measure(
                            household=h,
                            category=category,
                            item=item,
                            amount=amount,
                            start=date(2021, 7, 1),
                            unit=unit,
                        )
                    )
                    links.append(person)
                if i % 10 < 7:
                    visits.append(
                        Visit(household=h, visited_on=today.replace(day=1), visitors="基准", findings="正常")
                    )
            Measure.objects.bulk_create(measures, batch_size=5000)
            Measure.persons.through.objects.bulk_create(
                [
                    Measure.persons.through(measure_id=m.pk, responsibleperson_id=p.pk)
                    for m, p in zip(measures, links, strict=True)
                ],
                batch_size=5000,
            )
            Visit.objects.bulk_create(visits, batch_size=5000)
        print(f"seeded {len(measures)} measures, {len(visits)} visits in {time.perf_counter() - t:.1f} s")

    user = User(username="bench", role="province", area_id=area, is_active=True)
    print(f"database: {connection.vendor}; area {area}; monitored households {monitored.count()}")

    def timed(label, fn):
        t = time.perf_counter()
        result = fn()
        print(f"{label:<40} {time.perf_counter() - t:7.2f} s   {result}")

    timed(
        "inconsistent_households (all rules)",
        lambda: len(selectors.inconsistent_households(user=user, area_code=area)),
    )
    timed(
        "visit_coverage (this month, per village)",
        lambda: len(selectors.visit_coverage(user=user, year=today.year, month=today.month, area_code=area)),
    )
    timed("plan_list count", lambda: selectors.plan_list(user=user, filters={"area": area}).count())
    timed("plans export rows", lambda: sum(1 for _ in selectors.plan_export_rows(user=user, area_code=area)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
