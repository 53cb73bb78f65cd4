"""Division selectors never show anything outside the user's area."""

from __future__ import annotations

import pytest
from django.http import Http404

from fanpin.divisions.models import Division
from fanpin.divisions.selectors import (
    division_breadcrumbs,
    division_children,
    division_get,
    division_level_counts,
    division_list,
    division_search,
)

pytestmark = pytest.mark.django_db

QIULINZHUANG = "140321201249"  # 平定县 岔口乡 秋林庄村
CHAKOU_PINGDING = "140321201"  # 平定县 岔口乡
CHAKOU_GUJIAO = "140181203"  # 古交市 岔口乡


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pingding_county")


def codes(divisions) -> list[str]:
    return [d.code for d in divisions]


def test_search_data_has_namesakes_outside_the_area():
    # The tests below only mean something if the names also exist elsewhere in Shanxi.
    assert Division.objects.filter(name="岔口乡").count() >= 2
    assert Division.objects.filter(name__contains="秋林").count() >= 2


def test_village_user_search_by_name_stays_in_village(village_user):
    assert division_search(user=village_user, query="岔口") == []
    assert codes(division_search(user=village_user, query="秋林")) == [QIULINZHUANG]
    assert codes(division_search(user=village_user, query="村")) == [QIULINZHUANG]


def test_village_user_search_by_code_prefix_stays_in_village(village_user):
    assert codes(division_search(user=village_user, query="14")) == [QIULINZHUANG]
    assert codes(division_search(user=village_user, query="1403")) == [QIULINZHUANG]
    assert division_search(user=village_user, query="140181") == []


def test_county_user_finds_own_chakou_not_gujiao(county_user):
    found = codes(division_search(user=county_user, query="岔口", limit=100))
    assert CHAKOU_PINGDING in found
    assert "140321201204" in found  # 岔口村委会 in 平定县
    assert CHAKOU_GUJIAO not in found
    assert all(c.startswith("140321") for c in found)
    # results come highest level first
    assert found[0] == CHAKOU_PINGDING


def test_county_user_search_by_code_prefix(county_user):
    found = codes(division_search(user=county_user, query="1401", limit=100))
    assert found == []
    found = codes(division_search(user=county_user, query="140321201", limit=100))
    assert found[0] == CHAKOU_PINGDING
    assert len(found) == 1 + 22  # the township and its 22 villages
    assert all(c.startswith(CHAKOU_PINGDING) for c in found)


def test_search_within_subtree(county_user):
    township = division_get(user=county_user, code=CHAKOU_PINGDING)
    found = codes(division_search(user=county_user, query="村", within=township, limit=100))
    assert found and all(c.startswith(CHAKOU_PINGDING) for c in found)


def test_province_user_sees_both_chakou(make_user):
    user = make_user("province", "14")
    found = codes(division_search(user=user, query="岔口乡", limit=100))
    assert CHAKOU_PINGDING in found
    assert CHAKOU_GUJIAO in found


def test_empty_query_finds_nothing(county_user):
    assert division_search(user=county_user, query="   ") == []


def test_breadcrumbs_never_above_user_area(village_user, county_user, make_user):
    village = Division.objects.get(code=QIULINZHUANG)
    assert codes(division_breadcrumbs(user=village_user, division=village)) == [QIULINZHUANG]
    assert codes(division_breadcrumbs(user=county_user, division=village)) == [
        "140321",
        CHAKOU_PINGDING,
        QIULINZHUANG,
    ]
    province_user = make_user("province", "14")
    assert codes(division_breadcrumbs(user=province_user, division=village)) == [
        "14",
        "1403",
        "140321",
        CHAKOU_PINGDING,
        QIULINZHUANG,
    ]


def test_division_get_outside_area_is_404(village_user, county_user):
    assert division_get(user=village_user, code=QIULINZHUANG).code == QIULINZHUANG
    for code in ("14", "140321", CHAKOU_PINGDING, "140321201204", CHAKOU_GUJIAO):
        with pytest.raises(Http404):
            division_get(user=village_user, code=code)
    assert division_get(user=county_user, code=CHAKOU_PINGDING).name == "岔口乡"
    with pytest.raises(Http404):
        division_get(user=county_user, code=CHAKOU_GUJIAO)
    with pytest.raises(Http404):
        division_get(user=county_user, code="1403")


def test_expired_or_inactive_user_sees_nothing(make_user):
    from datetime import timedelta

    from django.utils import timezone

    expired = make_user("county", "140321", valid_until=timezone.now() - timedelta(days=1))
    assert division_list(user=expired).count() == 0
    with pytest.raises(Http404):
        division_get(user=expired, code="140321")
    inactive = make_user("county", "140321")
    inactive.is_active = False
    assert division_list(user=inactive).count() == 0


def test_children_and_level_counts_are_scoped(county_user, village_user):
    county = division_get(user=county_user, code="140321")
    children = list(division_children(user=county_user, division=county))
    assert children and all(c.parent_id == "140321" for c in children)
    township = next(c for c in children if c.code == CHAKOU_PINGDING)
    assert township.child_count == 22
    counts = division_level_counts(user=county_user, division=county)
    assert counts[3] == 1
    assert counts[5] == Division.objects.filter(level=5, code__startswith="140321").count()
    assert 1 not in counts and 2 not in counts
    # a village user asking about the whole county sees only their village
    assert division_level_counts(user=village_user, division=county) == {5: 1}


def test_division_pages_are_scoped(client_for, village_user):
    client = client_for(village_user)
    assert client.get(f"/divisions/{QIULINZHUANG}/").status_code == 200
    assert client.get(f"/divisions/{CHAKOU_PINGDING}/").status_code == 404
    assert client.get(f"/divisions/{CHAKOU_GUJIAO}/").status_code == 404
    data = client.get("/divisions/pick/", {"q": "岔口"}).json()
    assert data == {"results": []}
    data = client.get("/divisions/pick/", {"q": "秋林"}).json()
    assert [r["code"] for r in data["results"]] == [QIULINZHUANG]
