"""Markdown table of a load run's Locust statistics: per endpoint count, failures, p50/p95/p99/max (ms),
requests/s, and whether it meets its target (pages p95 ≤ 500 ms, API reads p95 ≤ 300 ms).

    .venv/bin/python bench/load/summarize.py bench/results/load-<time>
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

PAGE_TARGET, API_TARGET = 500, 300


def main(folder: str) -> int:
    rows = list(csv.DictReader((Path(folder) / "stats_stats.csv").open(encoding="utf-8")))
    print("| endpoint | requests | failures | p50 | p95 | p99 | max | req/s | target p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    worst = {"page": 0.0, "api": 0.0}
    for r in rows:
        name = r["Name"]
        if name == "Aggregated":
            continue
        kind = "api" if name.startswith("/api/") else "page"
        target = API_TARGET if kind == "api" else PAGE_TARGET
        if r["95%"] == "N/A":
            continue
        p95 = float(r["95%"])
        worst[kind] = max(worst[kind], p95)
        mark = "ok" if p95 <= target else "**missed**"
        label = f"{r['Type']} {name}" if r["Type"] != "GET" else name
        print(
            f"| {label} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} | {r['99%']} | "
            f"{float(r['Max Response Time']):.0f} | {float(r['Requests/s']):.2f} | {target} {mark} |"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(
        f"| **all** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | {total['95%']} | "
        f"{total['99%']} | {float(total['Max Response Time']):.0f} | {float(total['Requests/s']):.2f} | |"
    )
    print(
        f"\nworst p95: pages {worst['page']:.0f} ms (target {PAGE_TARGET}), API {worst['api']:.0f} ms (target {API_TARGET})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
