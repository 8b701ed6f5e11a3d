import pytest

from tests.hubcases import HubCases


@pytest.fixture
def cases(db):
    """Advice requests at any school, at any moment, through the real workflow."""
    return HubCases()
