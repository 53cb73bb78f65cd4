"""Fixtures for browser tests: the real demo server in a subprocess, and Debian's Chromium.

The server is started exactly as a person would start it (`python -m fanpin.cli demo --port N`), with
a fresh FANPIN_HOME. When DATABASE_URL is set (the suite also runs on PostgreSQL) the server gets its
own fresh database on the same PostgreSQL server, created here and dropped afterwards.

Tests using these fixtures talk to the server over HTTP only; they never touch the test database, so
they do not request pytest-django's `db` fixture (whose transactional flush would not reach the
server's database anyway).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = os.environ.get("FANPIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 120.0
PROJECT_ROOT = Path(__file__).resolve().parents[4]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

DEMO_PASSWORD = "Demo@2026"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _libpq_url(url: str) -> str:
    """dj-database-url accepts schemes libpq does not (pgsql://, postgis://); psycopg needs postgresql://."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    # Connect to the maintenance database: the URL's own database need not exist (pytest-django
    # creates test_<name>, never <name> itself).
    with psycopg.connect(_libpq_url(_with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def separate_postgres_database(url: str, suffix: str = "browser") -> Iterator[str]:
    """A fresh database next to the one in `url`; yields its URL and drops it afterwards."""
    name = f"fanpin_{suffix}_{os.getpid()}"
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _log_tail(path: Path, n: int = 60) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-n:])


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"fanpin demo exited with code {proc.returncode} before serving:\n{_log_tail(log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = exc
        time.sleep(0.5)
    raise RuntimeError(
        f"fanpin demo did not answer {url} within {timeout:.0f} s ({last_error}):\n{_log_tail(log)}"
    )


def _stop(proc: subprocess.Popen) -> None:
    """Stop the demo and its gunicorn: the whole process group we started."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # gunicorn's arbiter is in the same group; make sure nothing of ours lingers.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def demo_process(home: Path, database_url: str | None) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ)
    # As a person starts it: default settings, not the test settings pytest-django put in our environment.
    for key in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(key, None)
    env["FANPIN_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    if database_url:
        env["DATABASE_URL"] = database_url
    log = home / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fanpin.cli", "demo", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, base_url + "/accounts/login/", log, START_TIMEOUT)
        yield base_url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """Base URL of a running `fanpin demo` (Shanxi divisions, demo accounts, a job worker)."""
    home = tmp_path_factory.mktemp("fanpin_home")
    url = os.environ.get("DATABASE_URL")
    if url:
        with separate_postgres_database(url) as server_db, demo_process(home, server_db) as base_url:
            yield base_url
    else:
        with demo_process(home, None) as base_url:
            yield base_url


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never `playwright install`: no downloads)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium, demo_server):
    """new_page(**context_options) -> a Page in a fresh browser context (own cookies) on the demo server."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = chromium.new_context(base_url=demo_server, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form as a person would, and wait for the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
