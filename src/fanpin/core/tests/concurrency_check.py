"""Concurrent writes against a real PostgreSQL database, run by test_concurrency.py in a subprocess:

    DATABASE_URL=postgres://…/fresh_db python -m fanpin.core.tests.concurrency_check

(a subprocess so that the threads' transactions really commit, in a database of their own). Prints one
JSON object with what happened; the test checks it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

THREADS = 8
DIVISIONS = {
    "provinces.csv": "code,name\n14,山西省\n",
    "cities.csv": "code,name,provinceCode\n1403,阳泉市,14\n",
    "areas.csv": "code,name,cityCode,provinceCode\n140321,平定县,1403,14\n",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode\n140321201,岔口乡,140321,14,1403\n",
    "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    "140321201249,秋林庄村委会,140321201,14,1403,140321\n",
}


def _together(work, n: int = THREADS) -> list:
    """Run work(i) in n threads released at the same moment; each result or the error's message."""
    from django.db import connection

    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except Exception as exc:  # noqa: BLE001 — reported to the test, which decides
            results[i] = ("refused", getattr(exc, "message", str(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print(json.dumps({"error": "needs PostgreSQL"}))
        return 2
    call_command("migrate", verbosity=0)

    from fanpin.accounts.services.users import user_create
    from fanpin.casework.services.cases import case_open_green
    from fanpin.core.models import AuditEvent
    from fanpin.divisions.services.load import divisions_load
    from fanpin.registry import idnumber
    from fanpin.registry.models import Household
    from fanpin.registry.services.households import (
        household_create,
        household_update,
        income_record_set,
        member_add,
    )

    folder = Path(tempfile.mkdtemp())
    for name, text in DIVISIONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    divisions_load(actor="测试", paths=sorted(folder.iterdir()))
    county = user_create(
        actor="测试", username="xian", password="Concurrency@2026", role="county", area_code="140321",
        check_password=False,
    )  # fmt: skip
    out: dict = {}

    # 1. Eight editors saved the same version of one household at the same moment.
    h = household_create(
        actor=county, code="140321201249900001", village_code="140321201249", household_type="一般农户"
    )
    seen = Household.objects.get(pk=h.pk).version
    results = _together(
        lambda i: household_update(actor=county, household=h, version=seen, address=f"地址{i}")
    )
    h = Household.objects.get(pk=h.pk)
    out["edit"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "refused": [r[1] for r in results if r[0] == "refused"],
        "version_before": seen,
        "version_after": h.version,
        "address": h.address,
        "addresses_tried": [f"地址{i}" for i in range(THREADS)],
        "audit_updates": AuditEvent.objects.filter(action="household.update", subject=h.code).count(),
    }

    # 2. Eight cadres added a different person each to one household at the same moment.
    h2 = household_create(
        actor=county, code="140321201249900002", village_code="140321201249", household_type="一般农户"
    )
    results = _together(
        lambda i: member_add(
            actor=county,
            household=h2,
            name=f"成员{i}",
            relation="之子" if i else "户主",
            id_number=idnumber.make("140321", date(1980 + i, 1, 1), 100 + i),
        )  # fmt: skip
    )
    h2 = Household.objects.get(pk=h2.pk)
    out["members"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "refused": [r[1] for r in results if r[0] == "refused"],
        "size": h2.size,
        "rows": h2.members.count(),
        "heads": h2.members.filter(relation="户主").count(),
    }

    # 3. Eight heads of the same household at the same moment: one head only.
    h3 = household_create(
        actor=county, code="140321201249900003", village_code="140321201249", household_type="一般农户"
    )
    results = _together(
        lambda i: member_add(
            actor=county,
            household=h3,
            name=f"户主{i}",
            relation="户主",
            id_number=idnumber.make("140321", date(1960 + i, 1, 1), 200 + i),
        )  # fmt: skip
    )
    out["heads"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "heads": Household.objects.get(pk=h3.pk).members.filter(relation="户主").count(),
    }

    # 4. Eight county staff put one household on the green channel at the same moment: one case.
    h4 = household_create(
        actor=county, code="140321201249900004", village_code="140321201249", household_type="脱贫户"
    )
    results = _together(
        lambda i: (
            case_open_green(
                actor=county,
                household=h4,
                on=date.today(),
                category="突发严重困难户",
                risk_types=["因病"],
                summary=f"突发重病（第 {i} 人录入）",
            ).pk
        )  # fmt: skip
    )
    h4 = Household.objects.get(pk=h4.pk)
    out["green"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "refused": [r[1] for r in results if r[0] == "refused"],
        "cases": h4.cases.count() if hasattr(h4, "cases") else None,
        "category": h4.category,
    }
    # 5. Eight clerks entered a different month's wage of one household at the same moment.
    h5 = household_create(
        actor=county, code="140321201249900005", village_code="140321201249", household_type="一般农户"
    )
    member_add(actor=county, household=h5, name="户主", relation="户主",
               id_number=idnumber.make("140321", date(1970, 5, 5), 300))  # fmt: skip
    results = _together(
        lambda i: income_record_set(
            actor=county, household=h5, year=2025, month=i + 1, wage=Decimal("1000") * (i + 1)
        )
    )
    h5 = Household.objects.get(pk=h5.pk)
    out["incomes"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "records": h5.incomes.count(),
        "net_income": str(h5.net_income),
        "expected": str(sum(Decimal("1000") * (i + 1) for i in range(THREADS))),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
