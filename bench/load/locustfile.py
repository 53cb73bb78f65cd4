"""Locust users of the load test (bench/load/run.sh runs it; BENCHMARKS.md has the results).

Four kinds of users, signed in with the accounts bench/load/prepare.py wrote to
$LOAD_ACCOUNTS (default /tmp/fanpin-load/accounts.json):

- VillageUser: a village cadre on a phone — home, the household list and a household, the plan list and a
  household's plan, the visit form (GET, then a CSRF-correct POST that records a visit), cases, visits.
- TownshipUser: the township reviewer — the township queue (乡镇审核), a case and its approval
  (POST "review"), leads, quality findings, the consistency problems, visit coverage, overdue cases.
- CountyUser: county dashboards — the reports overview with its map data (fetched as the page's script
  does), a township's report, overdue cases, coverage, leads, the quality runs.
- ApiReader: a program with a token (Authorization: Token …) reading households, members, leads, cases,
  indicators, visits and visit coverage.

Pages are fetched as a browser would, without static files (the browser caches them; WhiteNoise serves
them). Requests are named by route (ids replaced by {id}) so the statistics group per endpoint.
`run_tasks_once(user)` is used by the test that keeps this file valid (bench/load/test_locustfile.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from datetime import date

from locust import HttpUser, between, events, task

ACCOUNTS_PATH = os.environ.get("LOAD_ACCOUNTS", "/tmp/fanpin-load/accounts.json")
_accounts: dict | None = None
_counters: dict[str, itertools.count] = {}
_started = {"users": 0, "reset": False}
_logins: list[float] = []  # seconds each sign-in took (GET form + POST), before the statistics reset

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOUSEHOLD_LINK = re.compile(r'href="/households/(\d+)/"')
PLAN_LINK = re.compile(r'href="/assistance/households/(\d+)/"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
LEAD_LINK = re.compile(r'href="/monitoring/leads/(\d+)/"')
QUALITY_RUN_LINK = re.compile(r'href="/quality/runs/(\d+)/"')
MAP_URL = re.compile(r"/reports/map/(\d+)\.geojson")
PERSON_BOX = re.compile(r'name="persons" value="(\d+)"[^>]*checked')
FINDINGS = [
    "入户走访，家庭生活正常，帮扶措施已落实。",
    "户主按时服药，已签约家庭医生。",
    "了解务工收入情况，收入稳定。",
    "宣传防返贫政策和 12317 热线。",
]


def accounts() -> dict:
    global _accounts
    if _accounts is None:
        with open(ACCOUNTS_PATH, encoding="utf-8") as f:
            _accounts = json.load(f)
    return _accounts


def next_account(kind: str) -> dict:
    """Accounts of a kind in turn, so the users spread over the villages / townships / counties."""
    pool = accounts()[kind]
    counter = _counters.setdefault(kind, itertools.count())
    return pool[next(counter) % len(pool)]


def user_ready(environment) -> None:
    """Once every user has signed in, reset the statistics: the run measures the steady state, not the
    burst of sign-ins (each checks a PBKDF2 password hash, ~0.5 s of server CPU) at the start. The
    sign-in times are written separately (logins.json next to the CSV files)."""
    _started["users"] += 1
    runner = environment.runner
    target = getattr(environment.parsed_options, "num_users", None) if environment.parsed_options else None
    if runner is not None and target and _started["users"] >= target and not _started["reset"]:
        _started["reset"] = True
        environment.stats.reset_all()
        print(f"all {target} users signed in; statistics reset", flush=True)


@events.quitting.add_listener
def _write_logins(environment, **_kw) -> None:
    out = os.environ.get("LOAD_OUT")
    if out and _logins:
        values = sorted(_logins)
        pick = lambda p: round(values[min(len(values) - 1, int(p * len(values)))] * 1000)  # noqa: E731
        summary = {"signins": len(values), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": pick(1.0)}
        with open(os.path.join(out, "logins.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f)


def ids(pattern: re.Pattern, text: str) -> list[str]:
    return list(dict.fromkeys(pattern.findall(text)))


class Browser(HttpUser):
    """A signed-in person with a browser session (session cookie + CSRF token)."""

    abstract = True
    kind = ""
    wait_time = between(5, 15)  # reading the page, filling in the form

    def on_start(self) -> None:
        self.account = next_account(self.kind)
        self.area = self.account["area"]
        t = time.perf_counter()
        self.login()
        _logins.append(time.perf_counter() - t)
        user_ready(self.environment)

    def login(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF_INPUT.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": accounts()["password"],
                "csrfmiddlewaretoken": token,
            },
            name="/accounts/login/ [POST]",
            catch_response=True,
        ) as r:
            if "/accounts/login/" in r.url:
                r.failure(f"login failed for {self.account['username']}")

    def page(self, url: str, name: str | None = None, **kwargs):
        """GET a page; anything but a 200 (after redirects) or a bounce to the login page is an error."""
        with self.client.get(url, name=name or url, catch_response=True, **kwargs) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            elif "/accounts/login/" in r.url:
                r.failure("signed out")
            return r

    def post_form(self, url: str, form_page, data: dict, name: str, expect: str, also: str = ""):
        """POST a form with the CSRF token of the page it is on; a success redirects to a page naming
        `expect` (Django's messages show there) — or `also`, an answer that is right too (another user
        approved the same case a moment earlier: the service refuses the second approval)."""
        match = CSRF_INPUT.search(form_page.text or "")
        if match is None:
            return None
        with self.client.post(
            url, data={**data, "csrfmiddlewaretoken": match.group(1)}, name=name, catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            elif expect not in r.text and not (also and also in r.text):
                r.failure("no confirmation on the page after the POST")
            return r


class VillageUser(Browser):
    kind = "village"

    def on_start(self) -> None:
        super().on_start()
        self.households: list[str] = []
        self.plans: list[str] = []

    @task(2)
    def home(self):
        self.page("/")

    @task(3)
    def household_list(self):
        r = self.page("/households/")
        self.households = ids(HOUSEHOLD_LINK, r.text) or self.households
        if random.random() < 0.3:
            self.page("/households/?page=2", name="/households/?page=N")

    @task(3)
    def household_detail(self):
        if not self.households:
            return self.household_list()
        self.page(f"/households/{random.choice(self.households)}/", name="/households/{id}/")

    @task(2)
    def plan_list(self):
        r = self.page("/assistance/")
        self.plans = ids(PLAN_LINK, r.text) or self.plans

    @task(3)
    def plan_detail(self):
        if not self.plans:
            return self.plan_list()
        self.page(f"/assistance/households/{random.choice(self.plans)}/", name="/assistance/households/{id}/")

    @task(2)
    def record_visit(self):
        """The 375-px visit form: open it from the plan, fill it in, save; back on the plan page."""
        if not self.plans:
            return self.plan_list()
        hid = random.choice(self.plans)
        url = f"/assistance/households/{hid}/visits/new/"
        form = self.page(url, name="/assistance/households/{id}/visits/new/")
        data = {
            "visited_on": date.today().isoformat(),
            "visitors": "驻村工作队 张三",
            "findings": random.choice(FINDINGS),
            "follow_up": "",
            "persons": PERSON_BOX.findall(form.text)[:1],
        }
        self.post_form(url, form, data, "/assistance/households/{id}/visits/new/ [POST]", "已登记")

    @task(1)
    def visits(self):
        self.page("/assistance/visits/")

    @task(1)
    def cases(self):
        r = self.page("/cases/")
        found = ids(CASE_LINK, r.text)
        if found:
            self.page(f"/cases/{random.choice(found)}/", name="/cases/{id}/")


class TownshipUser(Browser):
    kind = "township"

    @task(1)
    def home(self):
        self.page("/")

    @task(4)
    def review_case(self):
        """Open the township queue, a case in it, and approve it at the township (乡镇审核)."""
        queue = self.page("/cases/?status=township", name="/cases/?status=township")
        found = ids(CASE_LINK, queue.text)
        if not found:
            return
        cid = random.choice(found)
        case = self.page(f"/cases/{cid}/", name="/cases/{id}/")
        if 'value="review"' not in case.text:
            return  # someone else approved it meanwhile
        self.post_form(
            f"/cases/{cid}/act/",
            case,
            {"action": "review", "on": date.today().isoformat(), "reason": "经审核，符合纳入条件。"},
            "/cases/{id}/act/ [POST review]",
            "已办理",
            also="不能“乡镇审核",
        )

    @task(2)
    def leads(self):
        r = self.page("/monitoring/leads/")
        found = ids(LEAD_LINK, r.text)
        if found:
            self.page(f"/monitoring/leads/{random.choice(found)}/", name="/monitoring/leads/{id}/")

    @task(2)
    def quality(self):
        r = self.page("/quality/")
        found = ids(QUALITY_RUN_LINK, r.text)
        if found:
            self.page(f"/quality/runs/{found[0]}/", name="/quality/runs/{id}/")

    @task(1)
    def problems(self):
        self.page("/assistance/problems/")

    @task(1)
    def coverage(self):
        self.page("/assistance/coverage/")

    @task(1)
    def overdue(self):
        self.page("/cases/overdue/")


class CountyUser(Browser):
    kind = "county"

    @task(1)
    def home(self):
        self.page("/")

    @task(3)
    def overview(self):
        r = self.page("/reports/")
        found = MAP_URL.findall(r.text)
        if found:  # the page's script fetches the map data (province and city pages have a map)
            self.page(f"/reports/map/{found[0]}.geojson", name="/reports/map/{code}.geojson")

    @task(2)
    def township_report(self):
        townships = [a["area"] for a in accounts()["township"] if a["area"].startswith(self.area)]
        if townships:
            self.page(f"/reports/area/{random.choice(townships)}/", name="/reports/area/{code}/")

    @task(1)
    def overdue(self):
        self.page("/cases/overdue/")

    @task(1)
    def county_queue(self):
        self.page("/cases/?status=county", name="/cases/?status=county")

    @task(1)
    def coverage(self):
        self.page("/assistance/coverage/")

    @task(1)
    def leads(self):
        self.page("/monitoring/leads/")

    @task(1)
    def quality(self):
        r = self.page("/quality/")
        found = ids(QUALITY_RUN_LINK, r.text)
        if found:
            self.page(f"/quality/runs/{found[0]}/", name="/quality/runs/{id}/")


class ApiReader(HttpUser):
    """A program reading the API with a token."""

    kind = "api"
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.account = next_account("api")
        self.area = self.account["area"]
        self.client.headers["Authorization"] = f"Token {self.account['token']}"
        self.households: list[int] = []
        user_ready(self.environment)

    def get(self, url: str, name: str | None = None):
        with self.client.get(url, name=name or url, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return None
            return r.json()

    @task(3)
    def households_page(self):
        page = random.randint(1, 5)
        data = self.get(f"/api/households/?page={page}", name="/api/households/?page=N")
        if data and data.get("results"):
            self.households = [h["id"] for h in data["results"]]

    @task(3)
    def household(self):
        if not self.households:
            return self.households_page()
        self.get(f"/api/households/{random.choice(self.households)}/", name="/api/households/{id}/")

    @task(2)
    def members(self):
        if not self.households:
            return self.households_page()
        self.get(
            f"/api/members/?household={random.choice(self.households)}", name="/api/members/?household={id}"
        )

    @task(1)
    def leads(self):
        self.get("/api/leads/")

    @task(1)
    def cases(self):
        self.get("/api/cases/")

    @task(2)
    def indicators(self):
        self.get(f"/api/indicators/?area={self.area}", name="/api/indicators/?area={code}")

    @task(1)
    def visits(self):
        self.get("/api/visits/")

    @task(1)
    def coverage(self):
        self.get("/api/visit-coverage/")

    @task(1)
    def me(self):
        self.get("/api/me/")


# The mix (weights): of 200 users 110 village, 40 township, 30 county, 20 API readers.
VillageUser.weight = 110
TownshipUser.weight = 40
CountyUser.weight = 30
ApiReader.weight = 20
