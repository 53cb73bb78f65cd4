from __future__ import annotations

import pytest


@pytest.fixture
def fanpin_home(settings, tmp_path):
    """Uploaded files, staging files and exports go to a fresh data directory, not ./var."""
    home = tmp_path / "home"
    home.mkdir()
    settings.FANPIN_HOME = home
    return home


@pytest.fixture
def county_user(make_user, fanpin_home):
    """A county clerk of 平定县 (140321)."""
    return make_user("county", "140321", username="pd_county")
