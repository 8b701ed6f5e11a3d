"""The audit report over a concern whose steps fall in two academic years: each year's report
counts what happened in it, and does not change when something is recorded after it ended."""

from datetime import date

import pytest
from django.urls import reverse

from reports.figures import audit_figures
from reports.periods import Period
from reports.services import confirm_prevent_policy, set_policy_url
from tests.conftest import reauthenticate
from tests.walk import held_conversation
from workflow.concerns import log_parent_conversation

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")
YEAR_2025 = Period.academic_year(date(2026, 7, 1))
YEAR_2026 = Period.academic_year(date(2026, 9, 1))
STEP_3 = (
    "Step 3: talking with the parent or carer",
    "Key figures: step 3, talking with the parent or carer",
)
EXCEPTIONS = ("Exceptions", "Key figures: exceptions")


def _query(period):
    return {
        "start_0": period.start.day,
        "start_1": period.start.month,
        "start_2": period.start.year,
        "end_0": period.end.day,
        "end_1": period.end.month,
        "end_2": period.end.year,
    }


@pytest.fixture
def summer_then_autumn(clock, walk, dsl):
    """Advice in July 2026; the mother could not be reached before the summer holiday (logged
    Tuesday 14 July 2026), and was talked with in the new school year (logged Tuesday 8
    September 2026). The report is run on Monday 14 September 2026."""
    clock.set(2026, 7, 13, 10, 0)
    concern = walk.advice_received()
    clock.set(2026, 7, 14, 15, 0)
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason="unreachable",
        attempts="Two calls and a letter home.",
        details="No answer before the holiday.",
    )
    clock.set(2026, 9, 8, 11, 0)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    clock.set(2026, 9, 14, 12, 0)
    return concern


def test_a_conversation_not_held_before_the_summer_stays_in_that_years_report(
    summer_then_autumn, school, clock
):
    """The July conversation not held was the last step 3 of the 2025 to 2026 year: talking
    with the mother in September does not take it out of that year's report, which would
    then show neither, nor put it in the next year's."""
    last_year = audit_figures(school, YEAR_2025, now=clock.now())
    assert last_year.conversations_held == 0
    assert dict(last_year.not_held_by_reason)["unreachable"] == 1
    assert last_year.not_held_count == 1
    assert [row[1] for row in last_year.not_held] == [summer_then_autumn.reference]
    this_year = audit_figures(school, YEAR_2026, now=clock.now())
    assert this_year.conversations_held == 1
    assert this_year.conversations_not_held == 0
    assert this_year.not_held_count == 0


def test_last_years_step_3_reads_the_same_on_the_page_and_in_the_csv(
    summer_then_autumn, client_for, head
):
    client = reauthenticate(client_for(head))
    page = html_tables(client.get(REPORT, _query(YEAR_2025)).text)
    download = csv_tables(
        client.get(REPORT, {**_query(YEAR_2025), "format": "csv"}).content.decode("utf-8")
    )
    for rows in (page["step-3-summary"], download[STEP_3]):
        assert ["Conversations held", "0"] in rows
        assert ["Conversations not held (with a reason)", "1"] in rows
    for rows in (page["exceptions-summary"], download[EXCEPTIONS]):
        assert ["Parent conversations not held", "1"] in rows
    assert [row[0] for row in page["exceptions-not-held"][1:]] == [summer_then_autumn.reference]


OLD_ADDRESS = "https://school.example/safeguarding-policy"
NEW_ADDRESS = "https://school.example/safeguarding-policy-2026"
STEP_4 = "Policy covers Prevent, with no separate Prevent policy (step 4)"


@pytest.fixture
def policy_moved(clock, school, head, dsl):
    """Confirmed in October 2024 for the address then published; the policy moved to a new
    address in January 2026 and was confirmed there in March 2026. Run on 16 March 2026."""
    school.safeguarding_policy_url = OLD_ADDRESS
    school.save(update_fields=["safeguarding_policy_url"])
    clock.set(2024, 10, 1, 10, 0)
    confirm_prevent_policy(school, by=head, expected_url=OLD_ADDRESS)
    clock.set(2026, 1, 12, 10, 0)
    set_policy_url(school, by=dsl, url=NEW_ADDRESS, expected_url=OLD_ADDRESS)
    clock.set(2026, 3, 16, 10, 0)
    confirm_prevent_policy(school, by=head, expected_url=NEW_ADDRESS)


def _policy(client, period, **extra):
    response = client.get(REPORT, {**_query(period), **extra})
    if extra.get("format") == "csv":
        rows = csv_tables(response.content.decode("utf-8"))[
            ("Evidence for steps 1, 4 and 5", "Safeguarding policy")
        ]
    else:
        rows = html_tables(response.text)["evidence-policy"]
    return {row[0]: row[1] for row in rows[1:] if len(row) > 1}


def test_a_past_year_is_judged_by_the_policy_published_then(policy_moved, client_for, head):
    """The 2024 to 2025 year's policy was the old address, which the head confirmed that
    October: moving the policy since does not make that year's report say it was never
    confirmed, nor name an address the school did not publish until later."""
    client = reauthenticate(client_for(head))
    year_2024 = Period.academic_year(date(2025, 1, 1))
    for policy in (_policy(client, year_2024), _policy(client, year_2024, format="csv")):
        assert policy["Published safeguarding policy (step 1)"] == OLD_ADDRESS
        assert policy[STEP_4] == "Confirmed by Hana Head, head teacher, on 1 October 2024"
        assert policy["Policy address confirmed"] == OLD_ADDRESS
    this_year = _policy(client, YEAR_2025)
    assert this_year["Published safeguarding policy (step 1)"] == NEW_ADDRESS
    assert this_year[STEP_4] == "Confirmed by Hana Head, head teacher, on 16 March 2026"


def test_a_year_ended_before_the_move_but_confirmed_after_it_is_not_confirmed(
    policy_moved, client_for, head, clock
):
    """A period that ended on 31 December 2025, before the move: its policy was the old
    address, confirmed in October 2024, more than 12 months before the period's end."""
    client = client_for(head)
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    policy = _policy(client, period)
    assert policy["Published safeguarding policy (step 1)"] == OLD_ADDRESS
    assert policy[STEP_4] == (
        "Not confirmed in the 12 months to 31 December 2025: the last confirmation, by Hana "
        "Head, head teacher, on 1 October 2024, is more than 12 months old"
    )
