"""Personal data encrypted at rest, shown the way an inspector would: run the real `fanpin demo` and a
real national-format import on a fresh machine (no keys given), then search the database's own bytes —
the SQLite file, or a `pg_dump` of the PostgreSQL database — for every ID number, phone number and
bank account the application holds. None may appear."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest

from fanpin.core.tests.browser_server import _libpq_url, separate_postgres_database
from fanpin.core.tests.test_backup import fanpin
from fanpin.registry.tests.national_files import household, pid, standard_rows, write_xlsx

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])

ACCOUNT = "6217000012345678901"

# Printed by `fanpin shell -c`: every personal value the application holds, decrypted through the ORM.
DUMP = """
import json
from fanpin.registry.models import Household, Member
from fanpin.accounts.models import User
from fanpin.assistance.models import ResponsiblePerson
from datetime import date
from fanpin.ledgers.work_teams import TeamMember
m = Member.objects.order_by("id").first()
m.bank_account = "ACCOUNT"
m.save()
TeamMember.objects.create(
    area=m.household.village, name="驻村队员", role="工作队员",
    unit="县农业农村局", phone="13700001234", start_on=date(2026, 1, 1),
)
values = {"id": [], "phone": [], "account": []}
for m in Member.objects.all():
    values["id"].append(m.id_number)
    values["phone"].append(m.phone)
    values["account"].append(m.bank_account)
for h in Household.objects.all():
    values["phone"] += [h.phone, h.collector_phone]
values["phone"] += [u.phone for u in User.objects.all()]
values["phone"] += [p.phone for p in ResponsiblePerson.objects.all()]
values["phone"] += [t.phone for t in TeamMember.objects.all()]
print(json.dumps({k: sorted({x for x in v if x}) for k, v in values.items()}))
""".replace("ACCOUNT", ACCOUNT)


def import_file(tmp_path: Path) -> tuple[Path, set[str], set[str]]:
    rows = standard_rows()
    extra = household(
        "140321201249990001",
        [("孙保密", pid(date(1975, 6, 1), 731), "户主"), ("钱加密", pid(date(1978, 2, 3), 742), "配偶")],
        户联系电话="13912345678",
    )
    extra[0]["家庭成员联系电话"] = "15987654321"
    rows += extra
    path = write_xlsx(tmp_path / "监测对象信息.xlsx", rows)
    ids = {r["证件号码"] for r in rows}
    phones = {"13912345678", "15987654321"}
    return path, ids, phones


def runs(data: bytes) -> set[str]:
    """Every run of digits (and X) of 7 or more characters in the bytes."""
    return {m.decode() for m in re.findall(rb"[0-9X]{7,}", data)}


def leaked(data: bytes, values: set[str]) -> set[str]:
    found = set()
    for run in runs(data):
        for value in values:
            if value in run:
                found.add(value)
    return found


def database_bytes(home: Path, url: str | None) -> bytes:
    if url:
        out = subprocess.run(
            ["pg_dump", "--no-owner", _libpq_url(url)], capture_output=True, check=True, timeout=600
        )
        return out.stdout
    db = home / "fanpin.sqlite3"
    conn = sqlite3.connect(str(db))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db.read_bytes()
    wal = home / "fanpin.sqlite3-wal"
    return data + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_plaintext_id_phone_or_account_in_the_database(tmp_path, backend):
    with ExitStack() as stack:
        url = None
        if backend == "postgresql":
            url = stack.enter_context(
                separate_postgres_database(os.environ["DATABASE_URL"], suffix="crypto_scan")
            )
        home = tmp_path / "home"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "FANPIN_DATA_KEYS", "FANPIN_INDEX_KEY")
        }
        env["FANPIN_HOME"] = str(home)
        if url:
            env["DATABASE_URL"] = url

        # A fresh machine: the demo creates the key file itself, says so, and keeps it private.
        demo = fanpin(env, "demo", "--no-serve")
        key_file = home / "keys" / "data-keys"
        assert "已生成加密密钥文件" in demo.stdout and str(key_file) in demo.stdout
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

        path, file_ids, file_phones = import_file(tmp_path)
        fanpin(env, "import", "national", str(path), "--merge", "all", "--year", "2025", "--area", "140321")
        held = json.loads(fanpin(env, "shell", "-c", DUMP).stdout.strip().splitlines()[-1])
        # The application itself reads them all back (decrypting), including the imported ones.
        assert file_ids <= set(held["id"]) and file_phones <= set(held["phone"])
        assert len(held["id"]) > 1000 and len(held["phone"]) > 500
        assert ACCOUNT in held["account"] and len(held["account"]) > 10  # the demo's 一卡通 accounts too
        assert "13700001234" in held["phone"]  # a 驻村工作队 member's phone (ledgers)

        data = database_bytes(home, url)
        assert len(data) > 100_000
        # A control: the search finds what is stored in the clear (household codes of the import).
        assert leaked(data, {"140321201249990001"}) == {"140321201249990001"}
        assert leaked(data, set(held["id"])) == set()
        assert leaked(data, set(held["phone"])) == set()
        assert leaked(data, set(held["account"])) == set()

        # The same database without the key file: the application refuses, it does not write plaintext.
        key_file.rename(tmp_path / "elsewhere")
        refused = fanpin(env, "shell", "-c", DUMP, ok=False)
        assert refused.returncode != 0 and "找不到加密密钥" in refused.stderr
        served = fanpin(env, "serve", "--port", "1", ok=False)
        assert served.returncode == 1 and "找不到加密密钥" in served.stderr
