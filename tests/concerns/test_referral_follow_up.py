"""A referral to children's social care is acknowledged and decided within one working day of
it being made (Working Together 2023; Keeping Children Safe in Education), and the referrer
follows it up when that decision has not come. The DSL's inbox and the concern page say so
once a working day has passed with no outcome recorded; referrals elsewhere set no such time."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.casework import decision_due_at, decision_overdue
from concerns.models import Escalation
from concerns.models import Escalation as E
from reports.figures import audit_figures
from reports.periods import Period
from workflow.concerns import escalate_significant_harm, record_escalation_outcome
from workflow.working_time import LONDON, add_working_hours

from ..walk import escalation_data

INBOX = reverse("concerns:inbox")
FOLLOW_UP = (
    "Follow up the referral: children&#x27;s social care should have decided what to do within "
    "one working day. Then record the outcome"
)
WAITING = "Record the outcome of the referral when you hear it"


def london(*parts):
    return datetime(*parts, tzinfo=LONDON)


FRIDAY_4PM = london(2026, 11, 20, 16, 0)


@pytest.mark.parametrize(
    ("referred_at", "due"),
    [
        (FRIDAY_4PM, london(2026, 11, 23, 16, 0)),  # an hour on Friday, seven on Monday
        (london(2026, 11, 20, 20, 0), london(2026, 11, 23, 17, 0)),  # after hours: all Monday
        (london(2026, 12, 24, 12, 0), london(2026, 12, 29, 12, 0)),  # Christmas, Boxing Day off
    ],
)
def test_the_decision_is_due_a_working_day_after_the_referral(referred_at, due):
    assert decision_due_at(E.Target.CSC, referred_at) == due
    assert not decision_overdue(E.Target.CSC, referred_at, due)
    a_working_minute_later = add_working_hours(referred_at, 8 + 1 / 60)
    assert decision_overdue(E.Target.CSC, referred_at, a_working_minute_later)


@pytest.mark.parametrize("target", [E.Target.POLICE, E.Target.PREVENT, E.Target.LADO])
def test_referrals_elsewhere_set_no_such_time(target):
    assert decision_due_at(target, FRIDAY_4PM) is None
    assert not decision_overdue(target, FRIDAY_4PM, london(2026, 12, 20, 10, 0))


def escalate(walk, clock, **data):
    clock.set(2026, 11, 20, 16, 5)
    concern = walk.recorded()
    escalate_significant_harm(
        concern, by=walk.dsl, **escalation_data(referred_at=FRIDAY_4PM, **data)
    )
    return concern


def test_the_inbox_asks_the_dsl_to_follow_up_a_referral_undecided_after_a_working_day(
    walk, clock, client_for, dsl
):
    concern = escalate(walk, clock)
    clock.set(2026, 11, 23, 15, 55)  # Monday, before the day is up
    client = client_for(dsl)
    page = client.get(INBOX).text
    assert WAITING in page
    assert FOLLOW_UP not in page
    clock.set(2026, 11, 23, 16, 5)
    page = client.get(INBOX).text
    assert FOLLOW_UP in page
    assert concern.reference in page


def test_the_inbox_stops_asking_once_the_outcome_is_recorded(walk, clock, client_for, dsl):
    concern = escalate(walk, clock)
    clock.set(2026, 11, 25, 10, 0)
    escalation = Escalation.objects.get(concern=concern)
    record_escalation_outcome(escalation, by=dsl, outcome=E.Outcome.SECTION_17)
    page = client_for(dsl).get(INBOX).text
    assert FOLLOW_UP not in page
    assert "Close it, now the referral&#x27;s outcome is known" in page


def test_a_police_referral_is_not_chased_as_children_s_social_care(walk, clock, client_for, dsl):
    escalate(walk, clock, referred_to=E.Target.POLICE)
    clock.set(2026, 11, 27, 10, 0)
    page = client_for(dsl).get(INBOX).text
    assert WAITING in page
    assert FOLLOW_UP not in page


def test_the_concern_page_says_when_the_decision_was_due(walk, clock, client_for, dsl):
    concern = escalate(walk, clock)
    clock.set(2026, 11, 24, 9, 30)
    response = client_for(dsl).get(reverse("concerns:detail", args=[concern.pk]))
    lines = response.context["steps"][2].lines
    assert (
        "Children's social care should have decided what to do within one working day of the "
        "referral, by 23 November 2026 at 4:00pm: follow it up, then record the outcome"
    ) in lines


def test_the_head_teachers_report_lists_referrals_undecided_after_a_working_day(
    walk, clock, school
):
    waiting = escalate(walk, clock)
    decided = escalate(walk, clock)
    record_escalation_outcome(
        Escalation.objects.get(concern=decided), by=walk.dsl, outcome=E.Outcome.SECTION_47
    )
    escalate(walk, clock, referred_to=E.Target.POLICE)
    recent = walk.recorded()
    clock.set(2026, 11, 24, 10, 0)  # Tuesday: a working day and an hour after the first three
    escalate_significant_harm(
        recent, by=walk.dsl, **escalation_data(referred_at=london(2026, 11, 24, 9, 0))
    )
    figures = audit_figures(school, Period.academic_year(date(2026, 11, 24)), now=timezone.now())
    # Friday 4pm to Tuesday 10am: an hour, a day, an hour.
    assert figures.undecided_referrals == [(waiting.pk, waiting.reference, FRIDAY_4PM, 10.0)]
