"""ID numbers, phones and the 一卡通 account are stored encrypted; found by blind index; shown masked."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from fanpin.core import crypto
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent
from fanpin.registry import idnumber
from fanpin.registry.models import Member
from fanpin.registry.selectors import household_list
from fanpin.registry.services.households import household_create, member_add, member_update

QLZ = "140321201249"
NUMBER = idnumber.make("140321", date(1971, 4, 5), 17)


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cur.fetchone()[0]


@pytest.fixture
def member(county_user):
    h = household_create(actor=county_user, code="EF-1", village_code=QLZ, household_type="一般农户")
    return member_add(
        actor=county_user,
        household=h,
        name="周密",
        id_number=NUMBER.lower(),
        relation="户主",
        phone="13612345678",
    )


@pytest.mark.django_db
def test_values_are_stored_as_tokens_with_index_and_masked_copy(member):
    token = stored("registry_member", "id_number", member.pk)
    assert crypto.is_token(token) and NUMBER not in token
    assert crypto.decrypt(token, column="registry.member.id_number") == NUMBER
    assert crypto.is_token(stored("registry_member", "phone", member.pk))
    assert stored("registry_member", "id_number_masked", member.pk) == NUMBER[:6] + "********" + NUMBER[-4:]
    assert stored("registry_member", "id_number_index", member.pk) == crypto.blind_index(NUMBER, kind="id")
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.id_number, fresh.phone) == (NUMBER, "13612345678")


@pytest.mark.django_db
def test_search_by_full_id_number_finds_the_household(member, county_user):
    found = list(household_list(user=county_user, filters={"q": NUMBER}))
    assert found == [member.household]
    # full-width digits and a lower-case x are the same number
    assert list(household_list(user=county_user, filters={"q": NUMBER.upper()})) == found
    other = idnumber.make("140321", date(1971, 4, 5), 19)
    assert list(household_list(user=county_user, filters={"q": other})) == []


@pytest.mark.django_db
def test_search_by_id_stays_inside_the_users_area(member, make_user):
    outsider = make_user("county", "140322")
    assert list(household_list(user=outsider, filters={"q": NUMBER})) == []


@pytest.mark.django_db
def test_comparing_an_encrypted_column_in_sql_is_refused(member):
    with pytest.raises(ValueError, match="盲索引"):
        list(Member.objects.filter(id_number=NUMBER))
    assert Member.objects.filter(phone="").count() == 0  # "is it empty?" still works
    assert Member.objects.with_id_number(NUMBER).get() == member


@pytest.mark.django_db
def test_one_person_one_household_by_blind_index(member, county_user):
    other = household_create(actor=county_user, code="EF-2", village_code=QLZ, household_type="一般农户")
    with pytest.raises(ApplicationError, match="已登记在户 EF-1"):
        member_add(actor=county_user, household=other, name="周密", id_number=NUMBER, relation="户主")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Member.objects.create(household=other, name="周密", id_number=" " + NUMBER + " ", relation="户主")


@pytest.mark.django_db
def test_bank_account_is_encrypted_masked_in_the_form_and_kept_when_unchanged(member, county_user):
    from fanpin.registry.forms import MemberForm

    member = member_update(actor=county_user, member=member, bank_account="6217000011112222333")
    assert crypto.is_token(stored("registry_member", "bank_account", member.pk))
    assert "6217000011112222333" not in str(AuditEvent.objects.filter(action="member.update").values("after"))
    form = MemberForm(instance=member)
    assert form.initial["bank_account"] == "***************2333"
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(birth_date="", sex="")
    bound = MemberForm(data=data, instance=Member.objects.get(pk=member.pk))
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["bank_account"] == "6217000011112222333"
    bad = MemberForm(data={**data, "bank_account": "12ab"}, instance=Member.objects.get(pk=member.pk))
    assert not bad.is_valid() and "一卡通账号" in str(bad.errors)
