"""Downloads of reports ask for the second factor again; reading them on screen does not."""

import time

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate


@pytest.mark.parametrize(
    ("persona", "url", "output"),
    [
        ("head", "reports:audit", "csv"),
        ("head", "reports:audit", "pdf"),
        ("hub_manager", "reports:hub_overview", "csv"),
    ],
)
def test_a_download_asks_for_the_second_factor_first(request, client_for, persona, url, output):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(url)).status_code == 200
    download = client.get(reverse(url), {"format": output})
    assert download.status_code == 302
    assert download["Location"].startswith(reverse("mfa_reauthenticate"))
    reauthenticate(client)
    assert client.get(reverse(url), {"format": output}).status_code == 200


def test_the_confirmation_lasts_five_minutes(client_for, head, monkeypatch):
    client = reauthenticate(client_for(head))
    assert client.get(reverse("reports:audit"), {"format": "csv"}).status_code == 200
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(reverse("reports:audit"), {"format": "csv"}).status_code == 302
