"""Profile pages of the load test in-process: time, number of SQL queries and the slowest queries of each
URL, as a given user (Django's test client, force_login), against the load database.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/fanpin_load \\
      .venv/bin/python bench/load/profile_pages.py USERNAME URL [URL …] [--repeat 3] [--explain]

--explain prints PostgreSQL's EXPLAIN ANALYZE of the slowest query of each URL.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("username")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    os.environ.setdefault("FANPIN_HOME", "/tmp/fanpin-load")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fanpin.accounts.models import User

    client = Client()
    user = User.objects.get(username=args.username)
    client.force_login(user)
    for url in args.urls:
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                r = client.get(url, HTTP_AUTHORIZATION="")
                times.append((time.perf_counter() - t) * 1000)
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        total = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(
            f"{url}  {r.status_code}  ms {' '.join(f'{t:.0f}' for t in times)}  queries {len(queries)} ({total:.0f} ms)"
        )
        for q in queries[: args.top]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
        if args.explain and queries:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN ANALYZE " + queries[0]["sql"])
                print("\n".join("      " + row[0] for row in cur.fetchall()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
