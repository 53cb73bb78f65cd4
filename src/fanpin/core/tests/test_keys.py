"""`fanpin keys rotate` / `status` and the data migration's sealing step, on the real test database."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from fanpin.core import crypto
from fanpin.core.keys_commands import keys_rotate, keys_status
from fanpin.core.models import AuditEvent
from fanpin.core.sealing import key_counts, migration_seal, reseal_model
from fanpin.registry import idnumber
from fanpin.registry.models import Household, Member
from fanpin.registry.selectors import household_list
from fanpin.registry.services.households import household_create, member_add

QLZ = "140321201249"


@pytest.fixture
def key_file(monkeypatch, tmp_path):
    monkeypatch.delenv("FANPIN_DATA_KEYS", raising=False)
    monkeypatch.delenv("FANPIN_INDEX_KEY", raising=False)
    path = tmp_path / "keys" / "data-keys"
    monkeypatch.setenv("FANPIN_KEY_FILE", str(path))
    crypto.reset()
    crypto.create_key_file(path)
    yield path
    crypto.reset()


def people(actor, n=4):
    h = household_create(
        actor=actor, code="KR-1", village_code=QLZ, household_type="一般农户", phone="13511112222"
    )
    numbers = []
    for i in range(n):
        number = idnumber.make("140321", date(1960 + i, 1, 2), 101 + 2 * i)
        member_add(
            actor=actor, household=h, name=f"成员{i}", id_number=number,
            relation="户主" if i == 0 else "之子", phone=f"1390000000{i}",
        )  # fmt: skip
        numbers.append(number)
    return h, numbers


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(f'SELECT "{column}" FROM "{table}" ORDER BY id')
        return [r[0] for r in cur.fetchall()]


def kids(table: str, column: str) -> set[str]:
    return {kid for t, c, kid, n in key_counts() if t == table and c == column and n and kid != "（空）"}


@pytest.mark.django_db
def test_rotation_reencrypts_everything_then_the_old_key_can_go(key_file, make_user, capsys):
    actor = make_user("county", "140321")
    actor.phone = "13700001111"
    actor.save()
    h, numbers = people(actor)
    old = crypto.keyring().primary
    assert kids("registry_member", "id_number") == {old}
    before = raw("registry_member", "id_number")

    assert keys_rotate(argparse.Namespace(index=False)) == 0
    new = crypto.keyring().primary
    assert new != old and set(crypto.keyring().data) == {new, old}
    for table, column in [
        ("registry_member", "id_number"),
        ("registry_member", "phone"),
        ("registry_household", "phone"),
        ("accounts_user", "phone"),
    ]:
        assert kids(table, column) == {new}, (table, column)
    assert all(a != b for a, b in zip(before, raw("registry_member", "id_number"), strict=True))
    assert AuditEvent.objects.filter(action="keys.rotate").exists()

    # Running it again (an interrupted run resumed) changes nothing: every row is under the new key.
    assert reseal_model(Member, kr=crypto.keyring())["changed"] == 0

    # The old key removed from the file: everything still decrypts, lookups still work.
    found = crypto.read_key_file(key_file)
    found["data"] = [(k, v) for k, v in found["data"] if k == new]
    crypto.write_key_file(key_file, found)
    crypto.reset()
    assert sorted(m.id_number for m in Member.objects.all()) == sorted(numbers)
    assert Household.objects.get(pk=h.pk).phone == "13511112222"
    assert list(household_list(user=actor, filters={"q": numbers[2]})) == [h]
    capsys.readouterr()
    assert keys_status(argparse.Namespace()) == 0
    assert f"registry_member.id_number  {new}  4" in capsys.readouterr().out


@pytest.mark.django_db
def test_index_rotation_recomputes_every_blind_index(key_file, make_user):
    actor = make_user("county", "140321")
    h, numbers = people(actor, n=3)
    old_index = set(raw("registry_member", "id_number_index"))
    old_kid = crypto.keyring().index_kid

    assert keys_rotate(argparse.Namespace(index=True)) == 0
    kr = crypto.keyring()
    assert kr.index_kid != old_kid and kr.index_next is None
    new_index = set(raw("registry_member", "id_number_index"))
    assert new_index.isdisjoint(old_index) and len(new_index) == 3
    assert new_index == {crypto.blind_index(n, kind="id") for n in numbers}
    assert list(household_list(user=actor, filters={"q": numbers[0]})) == [h]
    assert AuditEvent.objects.filter(action="keys.rotate_index").exists()


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes_with_the_same_new_key(key_file, make_user):
    actor = make_user("county", "140321")
    people(actor, n=2)
    # As if `keys rotate` had written its new key and re-encrypted one table before being killed.
    found = crypto.read_key_file(key_file)
    found["data"] = [("kresume", b"\x07" * 32), *found["data"]]
    crypto.write_key_file(key_file, found)
    crypto.reset()
    reseal_model(Household, kr=crypto.keyring())
    assert kids("registry_household", "phone") == {"kresume"}
    assert len(kids("registry_member", "id_number")) == 1 and kids("registry_member", "id_number") != {
        "kresume"
    }

    assert keys_rotate(argparse.Namespace(index=False)) == 0
    assert crypto.keyring().primary == "kresume"  # no third key: the run finished the first one's work
    assert kids("registry_member", "id_number") == {"kresume"}


@pytest.mark.django_db
def test_migration_encrypts_rows_written_before_encryption(make_user):
    """The data migration's step on rows that hold plaintext (a database from before this change)."""
    actor = make_user("county", "140321")
    h, numbers = people(actor, n=2)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE registry_member SET id_number = %s, id_number_index = '', id_number_masked = '', phone = %s "
            "WHERE id = (SELECT MIN(id) FROM registry_member)",
            [numbers[0], "13900000000"],
        )
        cur.execute("UPDATE registry_household SET phone = %s", ["13511112222"])
    assert numbers[0] in raw("registry_member", "id_number")
    migration_seal("registry", "Household", "Member")(apps, None)
    stored = raw("registry_member", "id_number")
    assert all(crypto.is_token(v) for v in stored) and numbers[0] not in stored
    assert "13511112222" not in raw("registry_household", "phone")
    first = Member.objects.order_by("id").first()
    assert (first.id_number, first.phone) == (numbers[0], "13900000000")
    assert first.id_number_masked == numbers[0][:6] + "********" + numbers[0][-4:]
    assert Member.objects.with_id_number(numbers[0]).get() == first
