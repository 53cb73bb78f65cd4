"""监测范围测算: households and people under another threshold, by county, from the month-end snapshots."""

from fanpin.monitoring.tests.world import GUANSHAN, QLZ, YUXIAN, household, policy_2025, run_month


def test_what_if_counts_households_and_people_by_county(client, make_user, db):
    policy_2025()
    # Per-capita income (2 adults): 12 × wage / 2.
    household("W1", village=QLZ, monthly={"wage": 1100})  # 6,600 — under 7,100 and under 9,000
    household("W2", village=GUANSHAN, adults=3, monthly={"wage": 2000})  # 8,000 — under 9,000 only
    household("W3", village=QLZ, monthly={"wage": 2000})  # 12,000 — under neither
    household(
        "W4", village=QLZ, monthly={"wage": 1000}, months=[(2025, m) for m in range(2, 13)]
    )  # 11 months: left out
    household("W5", village=YUXIAN, monthly={"wage": 500})  # another county: not in 平定县's figures
    county = make_user("county", "140321")
    run, _job = run_month(county)
    assert run.status == "done"

    client.force_login(county)
    html = client.get("/monitoring/what-if/", {"month": "2025-12", "threshold": "9000"}).content.decode()
    assert "平定县" in html and "盂县" not in html
    assert 'id="total-x-households">2<' in html  # W1, W2
    assert 'id="total-x-people">5<' in html  # 2 + 3
    row = html[html.index("平定县") :]
    assert ">3<" in row  # households with a full year: W1, W2, W3


def test_what_if_explains_a_bad_request_in_chinese(client, make_user, db):
    policy_2025()
    client.force_login(make_user("county", "140321"))
    html = client.get("/monitoring/what-if/", {"month": "2025-12", "threshold": "-5"}).content.decode()
    assert "请填写正确的月份" in html
