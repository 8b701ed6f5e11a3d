"""Fixtures for the DSL's pages: uploaded files land in a temporary directory, and helpers to
count the queries a page makes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queries_for():
    """The number of queries a GET of `url` by `client` makes (the page must answer 200).

    The page is fetched once first, so what a session does only on its first request (choosing
    the membership, stamping the session) is not counted against the page."""

    def count(client, url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    return count


def audit_actions(**filters):
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))
