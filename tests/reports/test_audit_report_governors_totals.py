"""The governors' version hides a total whose parts, all shown as 'fewer than 5', it would
fix: five concerns in five year groups is one child in each."""

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import concern_data
from workflow.concerns import record_concern

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")
GOVERNORS = {"audience": "governors"}
STEP_1 = ("Step 1: recording concerns", "Key figures: step 1, recording concerns")
YEAR_GROUPS = ("Step 1: recording concerns", "Concerns recorded by year group")
MONTHS = ("Step 1: recording concerns", "Concerns recorded by month")
STEP_2 = (
    "Step 2: advice from the Early Help Hub",
    "Key figures: step 2, advice from the Early Help Hub",
)
RECORDED = "Concerns recorded"
SOUGHT = "Concerns recorded where hub advice was sought"


@pytest.fixture
def one_concern_in_each_of_five_year_groups(clock, school, teacher):
    for n, year_group in enumerate(["3", "4", "5", "6", "7"]):
        clock.set(2026, 3, 2, 10, n)
        pupil = PupilFactory(school=school, year_group=year_group)
        record_concern(by=teacher, pupil=pupil, **concern_data())
    clock.set(2026, 3, 16, 12, 0)


@pytest.mark.usefixtures("one_concern_in_each_of_five_year_groups")
def test_five_concerns_in_five_year_groups_are_not_given_away(client_for, head):
    client = reauthenticate(client_for(head))
    page = html_tables(client.get(REPORT, GOVERNORS).text)
    download = csv_tables(
        client.get(REPORT, {**GOVERNORS, "format": "csv"}).content.decode("utf-8")
    )
    for summary, groups, months, step_2 in (
        (
            page["step-1-summary"],
            page["step-1-year-group"],
            page["step-1-month"],
            page["step-2-summary"],
        ),
        (download[STEP_1], download[YEAR_GROUPS], download[MONTHS], download[STEP_2]),
    ):
        assert [row[1] for row in groups[1:] if len(row) == 2] == ["fewer than 5"] * 5
        figures = dict(row for row in summary[1:] if len(row) == 2)
        assert figures[RECORDED] == "not shown"
        # All five were recorded in March: "March 2026: 5" would give the number back.
        assert dict(row for row in months[1:] if len(row) == 2)["March 2026"] == "not shown"
        # "0% (0 of 5)" would give the 5 back.
        assert dict(row for row in step_2[1:] if len(row) == 2)[SOUGHT] == "not shown"
    full = dict(html_tables(client.get(REPORT).text)["step-1-summary"][1:])
    assert full[RECORDED] == "5"
