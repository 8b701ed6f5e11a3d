"""Figures of the head teacher's report a review found untrue, each against a count made by
hand: who looked at the records due for review, advice sought on a withdrawn request, the time
from advice to the conversation that followed it, a hidden count given away by escalation
outcomes in the governors' version, and the tables' names for a screen reader."""

import re
from collections import Counter
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports.figures import VIEW_ACTIONS, audit_figures
from reports.periods import Period
from tests.factories import PupilFactory
from tests.security.test_audit_walk import AUDITED
from tests.walk import concern_data, escalation_data
from workflow.advice import (
    claim_advice_request,
    give_advice,
    request_hub_advice,
    withdraw_advice_request,
)
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    record_escalation_outcome,
)

from .conftest import LONDON
from .tables import html_tables

REPORT = reverse("reports:audit")
NFA = "The mark was explained by the PE teacher who saw the fall happen."


def test_every_page_that_shows_a_child_is_counted_among_the_reads():
    # The audit walk lists the row each page writes; all but the reports' show a child.
    shown = {action for action, _, _ in AUDITED.values() if action != "report.view"}
    assert shown - set(VIEW_ACTIONS) == set()


def test_opening_the_records_due_for_review_counts_as_reading_them(
    clock, school, dsl, head, client_for
):
    clock.set(2026, 3, 2, 9, 0)
    pupil = PupilFactory(school=school, date_of_birth=date(1990, 1, 1), given_name="Zed")
    concern = record_concern(by=dsl, pupil=pupil, **concern_data())
    close_concern(concern, by=dsl, outcome="nfa", rationale=NFA)
    clock.set(2026, 3, 3, 9, 0)
    client = client_for(dsl)
    client.get(reverse("concerns:records_reviews"))
    assert "Zed" in client.get(reverse("concerns:records_review", args=[pupil.pk])).text
    assert AuditEvent.objects.filter(actor=dsl, action__startswith="pupil.review").count() == 2
    clock.set(2026, 3, 4, 9, 0)
    viewers = html_tables(client_for(head).get(REPORT).text)["access-viewers"]
    rows = {row[0]: row for row in viewers[1:]}
    assert rows[dsl.full_name][-1] == "2"


def test_a_request_the_school_withdrew_is_not_advice_sought(clock, school, teacher, dsl):
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    asked = record_concern(by=teacher, pupil=pupil, **concern_data())
    clock.set(2026, 3, 2, 10, 0)
    request = request_hub_advice(concern, by=dsl, summary="S.", question="Q?", urgency="amber")
    request_hub_advice(asked, by=dsl, summary="S.", question="Q?", urgency="amber")
    clock.set(2026, 3, 2, 11, 0)
    withdraw_advice_request(request, by=dsl, reason="Sent by mistake.")
    clock.set(2026, 3, 2, 12, 0)
    close_concern(concern, by=dsl, outcome="nfa", rationale=NFA)
    figures = audit_figures(school, Period.academic_year(date(2026, 3, 2)), now=timezone.now())
    assert (figures.recorded, figures.advice_sought) == (2, 1)
    assert figures.closed_without_advice_count == 1


def test_the_time_to_the_conversation_counts_from_the_advice_it_followed(
    clock, school, teacher, dsl, hub_advisor
):
    # Advice at noon on Monday 2 March; the talk on Tuesday at 11; follow-up advice on
    # Wednesday; the talk logged on Thursday. From the first advice: 7 working hours.
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    for asked, advised in [((2, 10), (2, 12)), ((3, 14), (4, 10))]:
        clock.set(2026, 3, *asked, 0)
        request = request_hub_advice(concern, by=dsl, summary="S.", question="Q?", urgency="amber")
        claim_advice_request(request, by=hub_advisor)
        clock.set(2026, 3, *advised, 0)
        give_advice(
            request, by=hub_advisor, advice="Talk.", next_step="talk_to_parent", level_of_need=2
        )
    clock.set(2026, 3, 5, 9, 0)
    log_parent_conversation(
        concern,
        by=dsl,
        held=True,
        held_at=datetime(2026, 3, 3, 11, 0, tzinfo=LONDON),
        with_name="Mrs A",
        with_relationship="Mother",
        method="in_person",
        discussed="Things.",
    )
    figures = audit_figures(school, Period.academic_year(date(2026, 3, 5)), now=timezone.now())
    assert figures.advice_to_conversation.values == (7.0,)


def test_the_governors_version_hides_an_outcome_that_would_give_away_a_small_count(
    clock, client_for, head, school, teacher, dsl
):
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    for n in range(7):
        concern = record_concern(by=teacher, pupil=pupil, **concern_data())
        escalation = escalate_significant_harm(concern, by=dsl, **escalation_data())
        if n < 5:
            record_escalation_outcome(escalation, by=dsl, outcome="section_47")
    clock.set(2026, 3, 16, 12, 0)
    client = client_for(head)
    full = html_tables(client.get(REPORT).text)["escalations-outcome"][1:]
    assert [row[1:] for row in full] == [
        ["Section 47 child protection enquiry", "5"],
        ["Not yet recorded", "2"],
    ]
    tables = html_tables(client.get(REPORT, {"audience": "governors"}).text)
    total = dict(tables["escalations-target"][1:])["Children's social care (MASH)"]
    outcomes = [row[2] for row in tables["escalations-outcome"][1:]]
    assert total == "7"
    # 7 shown beside 5 and "fewer than 5" would say the hidden count is 2.
    assert "5" not in outcomes
    assert "fewer than 5" in outcomes


@pytest.mark.parametrize("audience", ["", "governors"])
def test_each_table_region_has_its_own_name(clock, client_for, head, audience):
    page = client_for(head).get(REPORT, {"audience": audience} if audience else {}).text
    labels = re.findall(r'role="region" aria-label="([^"]*)"', page)
    assert labels
    assert {label: n for label, n in Counter(labels).items() if n > 1} == {}
