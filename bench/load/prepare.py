"""Build the load-test database: 2.5M people (1M synthetic households of 山西省) on PostgreSQL, last month's
monitoring run, casework queues, plans and visits, quality findings, indicator rollups and the accounts
Locust signs in with. Idempotent: each step (bench/load/steps.py) skips what is there, so running it
again after a failure, or before another load run (to refill the township queues), only does what is
missing.

    .venv/bin/python bench/load/prepare.py [--db fanpin_load] [--households 1000000] [--only cases,accounts]

Database postgres://postgres@127.0.0.1:55432/<db> (LOAD_PG changes the server part); data directory
FANPIN_HOME (default /tmp/fanpin-load); the accounts go to $FANPIN_HOME/accounts.json. About 20 minutes
on the 2-core machine. Loopback only; never point this at real data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="fanpin_load")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rollup-months", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated step names (default: all)")
    args = parser.parse_args()
    server = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:55432")
    os.environ["DATABASE_URL"] = f"{server}/{args.db}"
    os.environ.setdefault("FANPIN_HOME", "/tmp/fanpin-load")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")

    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone():
            conn.execute(f'CREATE DATABASE "{args.db}"')
            log(f"created database {args.db}")

    import django

    django.setup()
    from django.core.management import call_command

    sys.path.insert(0, str(HERE))
    import steps

    call_command("migrate", interactive=False, verbosity=0)
    config = steps.Config(
        accounts_path=Path(os.environ["FANPIN_HOME"]) / "accounts.json",
        households=args.households,
        rollup_months=args.rollup_months,
    )
    only = {s for s in args.only.split(",") if s}
    for name, step in steps.STEPS:
        if only and name not in only:
            continue
        t = time.perf_counter()
        log(f"step {name} …")
        log(f"  {name}: {step(config)} ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
