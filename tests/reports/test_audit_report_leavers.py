"""The audit report's count of how the child protection files of the period's leavers went,
against values worked out by hand, on the page and in the CSV."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import concern_data
from workflow.concerns import record_concern
from workflow.leavers import record_file_received, record_file_sent, record_leaving

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")


@pytest.fixture
def leavers(clock, school, teacher, dsl):
    """As at Monday 16 March 2026 (school days: weekdays):
    A left 2 Mar, starts Tue 3 Mar, due Mon 9 Mar: sent Fri 6 (in time), received Mon 9.
    B left 2 Mar, starts Mon 2 Mar, due Fri 6 Mar: sent Tue 10 (late), not confirmed.
    C left 5 Mar, starts Fri 6 Mar, due Thu 12 Mar: not sent, overdue.
    D left 13 Mar, starts Mon 16 Mar, due Fri 20 Mar: not sent, still in time.
    E left 31 Aug 2025, before the academic year: not counted."""
    clock.set(2026, 3, 16, 10, 0)
    cases = {
        "A": (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 9)),
        "B": (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 10), None),
        "C": (date(2026, 3, 5), date(2026, 3, 6), None, None),
        "D": (date(2026, 3, 13), date(2026, 3, 16), None, None),
        "E": (date(2025, 8, 31), date(2025, 9, 3), date(2025, 9, 4), None),
    }
    for name, (left, starts, sent, received) in cases.items():
        pupil = PupilFactory(school=school, given_name=name)
        record_concern(by=teacher, pupil=pupil, **concern_data())
        transfer = record_leaving(
            pupil, by=dsl, left_on=left, starts_on=starts, new_school="Wardown Vale High School"
        )
        if sent:
            record_file_sent(transfer, by=dsl, sent_on=sent, sent_how="electronic")
        if received:
            record_file_received(transfer, by=dsl, received_on=received, received_by="Sam")


EXPECTED = [
    ["Measure", "Value"],
    ["Pupils with a child protection file who left", "4"],
    ["Files sent within 5 school days", "1"],
    ["Files sent late", "1"],
    ["Files not yet sent, and overdue", "1"],
    ["Files not yet sent, still in time", "1"],
    ["Receipt confirmed by the new school", "1"],
    ["Sent, receipt not yet confirmed", "1"],
]


def test_the_report_counts_how_each_leavers_file_went(leavers, client_for, head):
    client = reauthenticate(client_for(head))
    assert html_tables(client.get(REPORT).text)["leavers-summary"] == EXPECTED
    download = client.get(REPORT, {"format": "csv"}).content.decode("utf-8")
    section = ("Child protection files of pupils who left", "Key figures")
    assert csv_tables(download)[section] == EXPECTED


def test_the_governors_version_hides_counts_under_5(leavers, client_for, head):
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    rows = html_tables(text)["leavers-summary"]
    assert rows[1] == ["Pupils with a child protection file who left", "fewer than 5"]


def test_the_governors_version_cannot_work_out_a_hidden_count_from_the_total(
    clock, school, teacher, dsl, head, client_for
):
    # Six leavers: five files sent in time and one late. Showing "6" and "5" would give the
    # hidden late one away.
    clock.set(2026, 3, 16, 10, 0)
    for n in range(6):
        pupil = PupilFactory(school=school)
        record_concern(by=teacher, pupil=pupil, **concern_data())
        transfer = record_leaving(
            pupil,
            by=dsl,
            left_on=date(2026, 3, 2),
            starts_on=date(2026, 3, 2),
            new_school="Wardown Vale High School",
        )
        sent = date(2026, 3, 10 if n == 5 else 4)
        record_file_sent(transfer, by=dsl, sent_on=sent, sent_how="post")
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    rows = dict(html_tables(text)["leavers-summary"][1:])
    assert rows["Pupils with a child protection file who left"] == "6"
    assert rows["Files sent late"] == "fewer than 5"
    assert rows["Files sent within 5 school days"] == "not shown"
