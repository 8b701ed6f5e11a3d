"""The governors' version of the audit report gives no count of fewer than 5 away, however the
figures shown are added up or taken from each other."""

from datetime import date, timedelta

from django.urls import reverse

from reports.services import add_values_evidence
from tests.conftest import reauthenticate
from tests.walk import held_conversation
from workflow.concerns import log_parent_conversation

from .tables import csv_tables, html_tables, without_notes

REPORT = reverse("reports:audit")
GOVERNORS = {"audience": "governors"}
STEP_3 = (
    "Step 3: talking with the parent or carer",
    "Key figures: step 3, talking with the parent or carer",
)


def test_conversations_held_after_the_advice_are_not_given_away(clock, walk, dsl, client_for, head):
    """6 conversations held, 5 of them before the hub's advice came: shown as they are, the
    two would give away the 1 held after it, which the version hides as 'fewer than 5'. With
    the 5 withheld (so 5 or more) and the 1 hidden, the 6 would still fix them at 5 and 1:
    it is not shown either."""
    for n in range(6):
        clock.set(2026, 3, 2, 10, n)
        concern = walk.advice_received()
        advised_at = concern.advice_requests.get().advised_at
        held_at = advised_at + timedelta(minutes=1) if n == 0 else advised_at - timedelta(hours=1)
        clock.set(2026, 3, 2, 12, n)
        log_parent_conversation(concern, by=dsl, **held_conversation(held_at=held_at))
    client = reauthenticate(client_for(head))
    page = html_tables(client.get(REPORT, GOVERNORS).text)["step-3-summary"]
    download = csv_tables(
        client.get(REPORT, {**GOVERNORS, "format": "csv"}).content.decode("utf-8")
    )[STEP_3]
    for rows in (page, download):
        figures = dict(row for row in rows[1:] if len(row) == 2)
        assert figures["Conversations held"] == "not shown"
        assert figures["Of those, held before the hub's advice came"] == "not shown"
        assert figures["Median time from hub advice to the conversation (working hours)"] == (
            "not shown (fewer than 5)"
        )
    full = dict(html_tables(client.get(REPORT).text)["step-3-summary"][1:])
    assert full["Of those, held before the hub's advice came"] == "5"
    assert full["Conversations held"] == "6"


def test_british_values_activities_are_counted_in_full(clock, client_for, head, dsl, school):
    """A curriculum activity is about no child and names nobody: 3 assemblies on democracy
    are shown as 3, not hidden as 'fewer than 5', or the governors, who hold the school to
    account for step 5, could not tell one activity in a term from four."""
    clock.set(2026, 3, 16, 12, 0)
    for day in (2, 9, 10):
        add_values_evidence(
            school,
            by=dsl,
            activity_date=date(2026, 3, day),
            title=f"Assembly {day}",
            description="Why we vote.",
            year_groups=["5"],
            values=["democracy"],
        )
    client = reauthenticate(client_for(head))
    page = html_tables(client.get(REPORT, GOVERNORS).text)["evidence-values"]
    download = csv_tables(
        client.get(REPORT, {**GOVERNORS, "format": "csv"}).content.decode("utf-8")
    )["Evidence for steps 1, 4 and 5", "British values: activities per value per term (step 5)"]
    for rows in (page, download):
        assert rows[0] == ["Value", "Autumn 2025", "Spring 2026", "Summer 2026", "Whole period"]
        figures = {row[0]: row[1:] for row in without_notes(rows[1:])}
        assert figures["Democracy"] == ["0", "3", "0", "3"]
        assert figures["The rule of law"] == ["0", "0", "0", "0"]
        assert figures["Activities (any value)"] == ["0", "3", "0", "3"]
