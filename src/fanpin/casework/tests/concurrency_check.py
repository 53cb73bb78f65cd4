"""Concurrent casework writes against a real PostgreSQL database, run by test_concurrency.py in a
subprocess (so the threads' transactions really commit, in a database of their own):

    DATABASE_URL=postgres://…/fresh_db python -m fanpin.casework.tests.concurrency_check

Prints one JSON object with what happened; the test checks it."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from fanpin.core.tests.concurrency_check import DIVISIONS, _together


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print(json.dumps({"error": "needs PostgreSQL"}))
        return 2
    call_command("migrate", verbosity=0)

    from fanpin.accounts.services.users import user_create
    from fanpin.casework.models import Case, CaseStep
    from fanpin.casework.services.cases import case_act, case_document_add, case_open
    from fanpin.core.models import AuditEvent
    from fanpin.divisions.services.load import divisions_load
    from fanpin.registry.models import Household
    from fanpin.registry.services.households import household_create

    folder = Path(tempfile.mkdtemp())
    for name, text in DIVISIONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    divisions_load(actor="测试", paths=sorted(folder.iterdir()))
    county = user_create(
        actor="测试", username="xian", password="Concurrency@2026", role="county", area_code="140321",
        check_password=False,
    )  # fmt: skip
    village = user_create(
        actor="测试", username="cun", password="Concurrency@2026", role="village", area_code="140321201249",
        check_password=False,
    )  # fmt: skip
    out: dict = {}

    # 1. Eight county clerks press 县级审定通过 on the same case at the same moment: one approval.
    h = household_create(
        actor="测试", code="140321201249800001", village_code="140321201249", household_type="脱贫户"
    )
    case = case_open(actor="测试", household=h, kind="identification", channel="cadre", on=date(2021, 6, 1),
                     summary="排查发现", category="脱贫不稳定户", risk_types=["因病", "因残"])  # fmt: skip
    for kind, action, on in (
        ("authorisation", "verify", date(2021, 6, 2)),
        ("meeting_record", "appraise", date(2021, 6, 3)),
        (None, "close_notice", date(2021, 6, 8)),
        (None, "review", date(2021, 6, 9)),
    ):
        if kind:
            case_document_add(
                actor="测试", case=case, kind=kind, file=SimpleUploadedFile("材料.pdf", b"%PDF-1.4")
            )
        case = case_act(actor="测试", case=case, action=action, on=on, reason="属实")
    results = _together(
        lambda i: case_act(actor=county, case=case, action="approve", on=date(2021, 6, 10)).status
    )
    h = Household.objects.get(pk=h.pk)
    out["approve"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "refused": [r[1] for r in results if r[0] == "refused"],
        "steps": CaseStep.objects.filter(case=case, action="approve").count(),
        "audit": AuditEvent.objects.filter(action="case.approve", subject=h.code).count(),
        "household_updates": AuditEvent.objects.filter(action="household.update", subject=h.code).count(),
        "identified_month": h.identified_month,
    }

    # 2. Eight village cadres register a clue for the same household at the same moment: one case.
    h2 = household_create(
        actor="测试", code="140321201249800002", village_code="140321201249", household_type="一般农户"
    )
    results = _together(
        lambda i: (
            case_open(
                actor=village,
                household=h2,
                kind="identification",
                channel="cadre",
                on=date(2021, 6, 1),
                summary=f"排查发现（第 {i} 人录入）",
            ).pk
        )  # fmt: skip
    )
    out["open"] = {
        "ok": sum(1 for r in results if r[0] == "ok"),
        "refused": [r[1] for r in results if r[0] == "refused"],
        "cases": Case.objects.filter(household=h2).count(),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
