"""A period chosen for the audit report that has not begun has nothing to report: every figure
of it would be 0, read as a school that recorded nothing, so it is refused, saying why."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent

from .tables import html_tables

REPORT = reverse("reports:audit")


def _period(start, end):
    return {
        "start_0": start[0],
        "start_1": start[1],
        "start_2": start[2],
        "end_0": end[0],
        "end_1": end[1],
        "end_2": end[2],
    }


@pytest.fixture
def monday_16_march_2026(clock):
    clock.set(2026, 3, 16, 12, 0)


def test_a_period_that_starts_after_today_is_refused(monday_16_march_2026, client_for, head):
    """The next academic year typed for this one: the report would say 0 concerns recorded."""
    response = client_for(head).get(REPORT, _period((1, 9, 2026), (31, 8, 2027)))
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "The first day must be today or in the past" in response.text
    assert "Key figures" not in response.text
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((1, 9, 2025), (31, 8, 2026)),  # this academic year, not over yet
        ((16, 3, 2026), (16, 3, 2026)),  # today alone
    ],
)
def test_a_period_that_has_begun_is_reported(monday_16_march_2026, client_for, head, start, end):
    tables = html_tables(client_for(head).get(REPORT, _period(start, end)).text)
    assert tables["step-1-summary"][1] == ["Concerns recorded", "0"]
