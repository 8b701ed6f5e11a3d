"""The audit report's count of how the child protection files of the period's leavers went,
against values worked out by hand, on the page and in the CSV."""

from datetime import date

import pytest
from django.urls import reverse

from concerns.models import FileTransfer
from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import concern_data
from workflow.concerns import record_concern
from workflow.leavers import (
    record_file_received,
    record_file_sent,
    record_leaving,
    record_return,
)

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")


@pytest.fixture
def leavers(clock, school, teacher, dsl, other_school, other_school_dsl):
    """As at Monday 16 March 2026, the academic year from 1 September 2025 (school days:
    weekdays). Each case: (left, first day, due by hand, sent, received).
    In time: A1 sent before its day and received; A2 sent on its day and received; A3 sent on
    its day, not confirmed. Late: B1 received; B2 not confirmed. Not sent: C1 to C3 due Thu 12
    Mar, and C4, who left on the year's first day: overdue; D due today: still in time.
    Came back: G on Fri 6 Mar, before the file was due (never due), then left again, due Fri
    20 Mar (in time: G counts twice); H after it was sent in time, receipt not confirmed; I on
    Wed 11 Mar, its file unsent and overdue since Mon 9 Mar (overdue).
    Not counted: E left the day before the year began; F is another school's."""
    mar = lambda day: date(2026, 3, day)  # noqa: E731
    cases = {
        "A1": (mar(2), mar(3), mar(9), mar(6), mar(9)),
        "A2": (mar(2), mar(3), mar(9), mar(9), mar(10)),
        "A3": (mar(2), mar(3), mar(9), mar(9), None),
        "B1": (mar(2), mar(2), mar(6), mar(10), mar(11)),
        "B2": (mar(2), mar(2), mar(6), mar(10), None),
        "C1": (mar(5), mar(6), mar(12), None, None),
        "C2": (mar(5), mar(6), mar(12), None, None),
        "C3": (mar(5), mar(6), mar(12), None, None),
        "C4": (date(2025, 9, 1), date(2025, 9, 2), date(2025, 9, 8), None, None),
        "D": (mar(9), mar(10), mar(16), None, None),
        "E": (date(2025, 8, 31), date(2025, 9, 3), date(2025, 9, 9), date(2025, 9, 4), None),
        "F": (mar(2), mar(3), mar(9), None, None),
        "G": (mar(2), mar(3), mar(9), None, None),
        "H": (mar(2), mar(3), mar(9), mar(6), None),
        "I": (mar(2), mar(3), mar(9), None, None),
    }
    transfers = {}
    for name, (left, starts, due, sent, received) in cases.items():
        place, lead = (other_school, other_school_dsl) if name == "F" else (school, dsl)
        pupil = PupilFactory(school=place, given_name=name)
        clock.set(2025, 8, 1, 10, 0)  # the concern comes before the file is sent
        record_concern(by=lead if name == "F" else teacher, pupil=pupil, **concern_data())
        clock.set(2026, 3, 16, 10, 0)
        transfer = record_leaving(
            pupil, by=lead, left_on=left, starts_on=starts, new_school="Wardown Vale High School"
        )
        assert transfer.due_on == due, name
        if sent:
            record_file_sent(transfer, by=lead, sent_on=sent, sent_how="electronic")
        if received:
            record_file_received(transfer, by=lead, received_on=received, received_by="Sam")
        transfers[name] = transfer
    record_return(transfers["G"], by=dsl, returned_on=mar(6))
    record_return(transfers["H"], by=dsl, returned_on=mar(12))
    record_return(transfers["I"], by=dsl, returned_on=mar(11))
    again = record_leaving(
        transfers["G"].pupil,
        by=dsl,
        left_on=mar(13),
        starts_on=mar(16),
        new_school="Wardown Vale High School",
    )
    assert again.due_on == mar(20)


EXPECTED = [
    ["Measure", "Value"],
    ["Leavers with a child protection file", "14"],
    ["Files sent within 5 school days", "4"],  # A1, A2, A3, H
    ["Files sent late", "2"],  # B1, B2
    ["Files not sent, and overdue", "5"],  # C1 to C4, and I (overdue when they came back)
    ["Files not yet sent, still in time", "2"],  # D, G the second time
    ["Not sent: the pupil came back before it was due", "1"],  # G the first time
    ["Receipt confirmed by the new school", "3"],  # A1, A2, B1
    ["Sent, receipt not yet confirmed", "2"],  # A3, B2
    ["Sent, and the pupil came back before receipt was confirmed", "1"],  # H
]


def test_the_report_counts_how_each_leavers_file_went(leavers, client_for, head):
    client = reauthenticate(client_for(head))
    assert html_tables(client.get(REPORT).text)["leavers-summary"] == EXPECTED
    download = client.get(REPORT, {"format": "csv"}).content.decode("utf-8")
    section = (
        "Child protection files of pupils who left",
        "Key figures: leavers' child protection files",
    )
    assert csv_tables(download)[section] == EXPECTED


def test_the_governors_version_hides_counts_under_5_and_what_would_give_them_away(
    leavers, client_for, head
):
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    # The receipt rows add up to the first two rows: shown, they would give those back.
    assert [value for _, value in html_tables(text)["leavers-summary"][1:]] == [
        "14",
        "fewer than 5",
        "fewer than 5",
        "5",
        "fewer than 5",
        "fewer than 5",
        "not shown",
        "not shown",
        "not shown",
    ]


def left_on_2_march(clock, school, teacher, dsl, *, starts_on):
    """A new pupil of `school` with a concern from February, recorded on Monday 16 March 2026
    as having left on 2 March, starting at the new school on `starts_on`."""
    pupil = PupilFactory(school=school)
    clock.set(2026, 2, 2, 10, 0)
    record_concern(by=teacher, pupil=pupil, **concern_data())
    clock.set(2026, 3, 16, 10, 0)
    return record_leaving(
        pupil,
        by=dsl,
        left_on=date(2026, 3, 2),
        starts_on=starts_on,
        new_school="Wardown Vale High School",
    )


def test_the_governors_version_cannot_work_out_a_hidden_count_from_the_total(
    clock, school, teacher, dsl, head, client_for
):
    # Six leavers: five files sent in time and one late. Showing "6" and "5" would give the
    # hidden late one away; and so would "6" beside a withheld 5 (5 or more) and a hidden 1.
    for n in range(6):
        transfer = left_on_2_march(clock, school, teacher, dsl, starts_on=date(2026, 3, 2))
        sent = date(2026, 3, 10 if n == 5 else 4)
        record_file_sent(transfer, by=dsl, sent_on=sent, sent_how="post")
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    rows = dict(html_tables(text)["leavers-summary"][1:])
    assert rows["Leavers with a child protection file"] == "not shown"
    assert rows["Files sent late"] == "fewer than 5"
    assert rows["Files sent within 5 school days"] == "not shown"


def test_a_pupil_back_on_the_files_due_day_is_counted_as_back_before_it_was_due(
    clock, school, teacher, dsl, head, client_for
):
    # Due on Mon 9 Mar: back that day, the file was never overdue; back on Tue 10, it was.
    for back in (date(2026, 3, 9), date(2026, 3, 10)):
        transfer = left_on_2_march(clock, school, teacher, dsl, starts_on=date(2026, 3, 3))
        assert transfer.due_on == date(2026, 3, 9)
        record_return(transfer, by=dsl, returned_on=back)
    client = reauthenticate(client_for(head))
    rows = dict(html_tables(client.get(REPORT).text)["leavers-summary"][1:])
    assert rows["Not sent: the pupil came back before it was due"] == "1"
    assert rows["Files not sent, and overdue"] == "1"
    assert rows["Leavers with a child protection file"] == "2"


def sent_files(school, dsl, n, **outcome):
    """`n` leavers of `school` who left on 2 March 2026, their files sent on 6 March."""
    for _ in range(n):
        FileTransfer.objects.create(
            pupil=PupilFactory(school=school),
            school=school,
            left_on=date(2026, 3, 2),
            starts_on=date(2026, 3, 3),
            due_on=date(2026, 3, 9),
            new_school="Wardown Vale High School",
            recorded_by=dsl,
            sent_on=date(2026, 3, 6),
            **outcome,
        )


def receipt_rows(client, query=""):
    rows = html_tables(client.get(REPORT + query).text)["leavers-summary"]
    return [value for _, value in rows[-3:]]


def test_a_file_received_before_the_pupil_came_back_counts_as_received_once(
    clock, school, dsl, head, client_for
):
    clock.set(2026, 3, 16, 10, 0)
    sent_files(school, dsl, 1, received_on=date(2026, 3, 9), received_by="Sam")
    sent_files(school, dsl, 1, received_on=date(2026, 3, 9), returned_on=date(2026, 3, 12))
    sent_files(school, dsl, 1, returned_on=date(2026, 3, 12))
    assert receipt_rows(reauthenticate(client_for(head))) == ["2", "0", "1"]


def test_the_governors_version_hides_a_small_came_back_row_and_what_gives_it_away(
    clock, school, dsl, head, client_for
):
    # 10 files sent, none awaiting receipt: showing 6 received would give away the 4 whose
    # pupils came back first.
    clock.set(2026, 3, 16, 10, 0)
    sent_files(school, dsl, 6, received_on=date(2026, 3, 9), received_by="Sam")
    sent_files(school, dsl, 4, returned_on=date(2026, 3, 12))
    assert receipt_rows(reauthenticate(client_for(head))) == ["6", "0", "4"]
    governors = receipt_rows(client_for(head), "?audience=governors")
    assert governors == ["not shown", "0", "fewer than 5"]


def test_the_governors_version_hides_receipts_the_files_sent_would_give_away(
    clock, school, dsl, head, client_for
):
    # 6 files sent in time, 5 received and 1 awaited: "not shown" (5 or more) and "fewer than
    # 5" beside the 6 sent would say 5 and 1.
    clock.set(2026, 3, 16, 10, 0)
    sent_files(school, dsl, 5, received_on=date(2026, 3, 9), received_by="Sam")
    sent_files(school, dsl, 1)
    assert receipt_rows(reauthenticate(client_for(head))) == ["5", "1", "0"]
    rows = dict(
        html_tables(client_for(head).get(f"{REPORT}?audience=governors").text)["leavers-summary"][
            1:
        ]
    )
    assert rows["Files sent within 5 school days"] == "6"
    assert list(rows.values())[-3:] == ["not shown"] * 3
