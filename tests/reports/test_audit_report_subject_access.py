"""The audit report's count of how the period's subject access requests went, against values
worked out by hand, on the page and in the CSV."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from workflow.subject_access import extend_request, record_answer, record_request

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")


@pytest.fixture
def requests(clock, school, dsl, other_school, other_school_dsl):
    """As at Monday 16 March 2026, the academic year from 1 September 2025. Each case:
    (received, due by hand, answered, answer).
    In time: A1 answered before its day, A2 on its day. Late: B1, which withheld part.
    Not answered: C1 (received on the year's first day) and C2 due Tuesday 10 March:
    overdue; D due today and X extended in its first month: still in time.
    Not counted: E received the day before the year began; F is another school's."""
    cases = {
        "A1": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 2, 27), "disclosed"),
        "A2": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 2), "disclosed"),
        "B1": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 3), "in_part"),
        "C1": (date(2025, 9, 1), date(2025, 10, 1), None, None),
        "C2": (date(2026, 2, 10), date(2026, 3, 10), None, None),
        "D": (date(2026, 2, 16), date(2026, 3, 16), None, None),
        "X": (date(2026, 3, 5), date(2026, 4, 7), None, None),  # 5 April is Easter Sunday
        "E": (date(2025, 8, 31), date(2025, 9, 30), date(2025, 9, 20), "disclosed"),
        "F": (date(2026, 2, 2), date(2026, 3, 2), None, None),
    }
    clock.set(2026, 3, 16, 10, 0)
    for name, (received, due, answered, answer) in cases.items():
        place, lead = (other_school, other_school_dsl) if name == "F" else (school, dsl)
        pupil = PupilFactory(school=place, given_name=name, date_of_birth=date(2015, 1, 1))
        request = record_request(pupil, by=lead, requester="A parent", received_on=received)
        assert request.due_on == due, name
        if name == "X":
            extend_request(request, by=lead, reason="Many records.")
        if answered:
            reason = "Serious harm test." if answer == "in_part" else ""
            record_answer(
                request, by=lead, answered_on=answered, answer=answer, withheld_reason=reason
            )


EXPECTED = [
    ["Measure", "Value"],
    ["Requests received for a pupil's records", "7"],
    ["Answered by the day due", "2"],
    ["Answered late", "1"],
    ["Not yet answered, and overdue", "2"],
    ["Not yet answered, still in time", "2"],
    ["Extended to three months, with the reason given", "1"],
    ["Answers that withheld some or all of the records", "1"],
]


def test_the_report_counts_how_each_request_went(requests, client_for, head):
    client = reauthenticate(client_for(head))
    assert html_tables(client.get(REPORT).text)["subject-access-summary"] == EXPECTED
    download = client.get(REPORT, {"format": "csv"}).content.decode("utf-8")
    assert csv_tables(download)[("Subject access requests", "Key figures")] == EXPECTED


def test_the_governors_version_hides_counts_under_5(requests, client_for, head):
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    assert [value for _, value in html_tables(text)["subject-access-summary"][1:]] == [
        "7",
        *["fewer than 5"] * 6,
    ]
