import pytest


@pytest.fixture(autouse=True)
def fanpin_home(settings, tmp_path):
    """Uploaded ledger files go to a fresh data directory, not ./var."""
    home = tmp_path / "home"
    home.mkdir()
    settings.FANPIN_HOME = home
    return home
