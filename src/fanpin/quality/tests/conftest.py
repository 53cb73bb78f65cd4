from __future__ import annotations

import pytest


@pytest.fixture
def fanpin_home(settings, tmp_path):
    """Uploaded files and exports go to a fresh data directory, not ./var."""
    home = tmp_path / "home"
    home.mkdir()
    settings.FANPIN_HOME = home
    return home
