"""The home page's household figures are the registry's own counts for the current area."""

import re
from datetime import date

from fanpin.registry import idnumber
from fanpin.registry.services.households import household_create, member_add


def _household(code, village, n_members, **fields):
    h = household_create(actor="测试", code=code, village_code=village, **fields)
    for i in range(n_members):
        member_add(
            actor="测试",
            household=h,
            name=f"成员{i}",
            relation="户主" if i == 0 else "之子",
            id_number=idnumber.make(village[:6], date(1960 + i, 1, 1), int(code[-3:]) * 5 + i),
        )
    return h


def _figure(html: str, key: str) -> int:
    return int(re.search(rf'id="fig-{key}"[^>]*>(\d+)<', html).group(1))


def test_home_counts_match_the_registry_for_the_users_area(client, make_user):
    village = "140321201249"
    _household("H001", village, 3, household_type="脱贫户", category="脱贫不稳定户")
    _household("H002", village, 2, household_type="一般农户", category="边缘易致贫户", risk_eliminated=True)
    _household("H003", village, 1, household_type="脱贫户")
    _household("H004", "140105001001", 4, household_type="脱贫户", category="脱贫不稳定户")  # 太原: outside
    client.force_login(make_user("township", "140321201"))
    html = client.get("/").content.decode()
    assert _figure(html, "households") == 3
    assert _figure(html, "people") == 6
    assert _figure(html, "formerly_poor") == 2
    assert _figure(html, "monitored") == 1
    assert _figure(html, "eliminated") == 1
