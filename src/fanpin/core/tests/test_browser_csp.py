"""The strict Content Security Policy holds in a real browser: the pages people use load their scripts,
styles, charts and the API docs without a single violation (Chromium reports each one on the console)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import login

pytestmark = pytest.mark.browser


def test_pages_run_under_the_content_security_policy(new_page):
    page = new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text[:160]}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    login(page, "demo_county")
    # Every page the menu leads to (so a new module's pages are covered the day it joins the menu).
    menu = page.locator("nav a.dropdown-item[href^='/'], nav a.nav-link[href^='/']")
    paths = sorted({href for href in menu.evaluate_all("els => els.map(e => e.getAttribute('href'))")})
    assert len(paths) >= 10, paths
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")

    # A household page draws its income chart (ECharts from a file, data from a JSON block).
    page.goto("/households/")
    page.locator("table a[href*='/households/']").first.click()
    expect(page.locator("#income-chart canvas")).to_have_count(1)

    # A finished job's progress bar gets its width from data-percent (no inline style attribute).
    page.goto("/jobs/")
    page.locator("table a[href*='/jobs/']").first.click()
    bar = page.locator(".progress-bar")
    expect(bar).to_have_text("100%")
    width = bar.evaluate("el => el.getBoundingClientRect().width")
    track = page.locator(".progress").evaluate("el => el.getBoundingClientRect().width")
    assert width > 0.95 * track

    # The API documentation (Swagger UI, its script served as a file) renders.
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("fanpin API", exact=False).first).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")

    assert not violations, "\n".join(violations)
