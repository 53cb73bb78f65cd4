"""Casework: time of the services (open → six transitions → approval) and of the pages people wait on.

    FANPIN_HOME=/tmp/bench-casework fanpin demo --no-serve      # a throwaway demo database first
    FANPIN_HOME=/tmp/bench-casework python bench/casework_bench.py [--cases 200] [--requests 30]

Takes --cases households of 平定县 that are not monitored and runs each through the whole identification
procedure as the system actor (documents included), timing each service call; then requests the queue,
the overdue list, a case page, a household page and the notice PDF --requests times each through Django's
test client (the full request) as demo_county / demo_village after 3 warm-ups; prints p50 / p95 / max ms.
It writes to the database it is given: never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from datetime import timedelta


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from fanpin.accounts.models import User
    from fanpin.casework.models import Case
    from fanpin.casework.services.cases import case_act, case_document_add, case_open
    from fanpin.registry.models import Household

    actor = "基准测试"
    today = timezone.localdate()
    households = list(
        Household.objects.filter(county_code="140321", category="")
        .exclude(cases__isnull=False)
        .order_by("code")[: args.cases]
    )
    timings: dict[str, list[float]] = defaultdict(list)

    def timed(name, call):
        t = time.perf_counter()
        result = call()
        timings[name].append((time.perf_counter() - t) * 1000)
        return result

    last = None
    for h in households:
        case = timed("open", lambda h=h: case_open(
            actor=actor, household=h, kind="identification", channel="cadre", on=today - timedelta(days=8),
            summary="基准测试", category="边缘易致贫户", risk_types=["因病"],
        ))  # fmt: skip
        for kind, action, days in (
            ("authorisation", "verify", 7),
            ("meeting_record", "appraise", 6),
            (None, "close_notice", 1),
            (None, "review", 1),
            (None, "approve", 0),
        ):
            if kind:
                f = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 bench")
                timed(
                    "document",
                    lambda c=case, k=kind, f=f: case_document_add(actor=actor, case=c, kind=k, file=f),
                )
            case = timed(action, lambda c=case, a=action, d=days: case_act(
                actor=actor, case=c, action=a, on=today - timedelta(days=d), reason="基准测试"
            ))  # fmt: skip
        last = case
    print(f"database: {connection.vendor}; cases run through the procedure: {len(households)}; "
          f"cases now: {Case.objects.count()}")  # fmt: skip
    print("| service call | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for name, values in timings.items():
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {_pct(values, 95):.1f} | {max(values):.1f} |"
        )

    notice_case = Case.objects.filter(
        notice_start__isnull=False, household__village_id="140321201249"
    ).first()
    pages = [
        ("demo_county", "queue /cases/", "/cases/"),
        ("demo_county", "overdue list (county)", "/cases/overdue/"),
        ("demo_village", "overdue list (village)", "/cases/overdue/"),
        ("demo_county", "case page", f"/cases/{last.pk}/" if last else "/cases/"),
        ("demo_county", "household page with timeline", f"/households/{last.household_id}/" if last else "/"),
    ]
    if notice_case:
        pages.append(("demo_village", "notice PDF", f"/cases/{notice_case.pk}/notice.pdf"))
    print("\n| page | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for username, label, path in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(3):
            client.get(path)
        values = []
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get(path)
            values.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"| {label} | {len(values)} | {statistics.median(values):.1f} | {_pct(values, 95):.1f} | {max(values):.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
