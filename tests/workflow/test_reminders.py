"""Reminders of overdue work: each item told once, to its own people, only once it is overdue
and only while it still is, with no child's data in the email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.models import Escalation
from schools.models import Membership, Role
from schools.services import add_member, end_membership
from tests.factories import PupilFactory, member
from tests.walk import Walker, closing, escalation_data
from workflow import reminders
from workflow.advice import (
    claim_advice_request,
    give_advice,
    rerate_advice_request,
    withdraw_advice_request,
)
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    record_escalation_outcome,
    reopen_concern,
)
from workflow.core import lock_concern
from workflow.management.commands import send_notifications
from workflow.models import Notification
from workflow.reminders import (
    ADVICE_OVERDUE,
    REFERRAL_OVERDUE,
    REVIEW_OVERDUE,
    remind_overdue,
)

MONDAY = (2026, 3, 2)  # a working week with no bank holiday


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def other_walk(other_la_school):
    pupil = PupilFactory(school=other_la_school, given_name="Zara", family_name="Zed")
    return Walker(
        member(Role.STAFF, other_la_school),
        member(Role.DSL, other_la_school),
        member(Role.HUB_ADVISOR, other_la_school.local_authority),
        pupil,
    )


def claimed(walk, urgency):
    concern = walk.with_hub(urgency=urgency)
    claim_advice_request(walk.request(concern), by=walk.advisor)
    return concern


# (a) Advice requests past their due time


def test_a_red_request_is_told_to_the_hub_once_only_after_its_due_time(walk, clock, authority):
    clock.set(*MONDAY, 10, 0)
    walk.with_hub(urgency="red")  # due at 14:00
    clock.set(*MONDAY, 14, 0)
    assert remind_overdue() == 0
    clock.set(*MONDAY, 14, 1)
    assert remind_overdue() == 1
    clock.set(*MONDAY, 16, 0)
    assert remind_overdue() == 0
    reminder = Notification.objects.get(kind=ADVICE_OVERDUE)
    assert reminder.recipient == authority.hub_email
    assert reminder.urgent
    assert reminder.subject.startswith("URGENT: ")
    assert "Lea Bank Primary School" in reminder.body
    assert "due 2 March 2026 at 2:00pm" in reminder.body


def test_a_first_run_does_not_email_what_fell_due_over_a_week_ago(walk, clock, dsl):
    # A service gaining reminders with years of records must not email every old item at
    # once: the lists show them.
    clock.set(*MONDAY, 10, 0)
    walk.with_hub(urgency="red")
    walk.recorded()
    walk.escalated()
    clock.set(2026, 3, 10, 10, 0)  # eight days on
    assert remind_overdue() == 0
    assert not Notification.objects.filter(
        kind__in=[ADVICE_OVERDUE, REVIEW_OVERDUE, REFERRAL_OVERDUE]
    ).exists()


def test_work_gone_overdue_while_the_sender_was_stopped_is_told_once_each_saying_how_late(
    walk, clock, dsl, hub_advisor, authority
):
    clock.set(*MONDAY, 9, 0)
    assert remind_overdue() == 0  # the sender runs, then stops (a server left down)
    clock.set(*MONDAY, 10, 0)
    walk.recorded()  # a DSL should decide by Tuesday 10:00
    walk.with_hub(urgency="red")  # the hub should answer by Monday 14:00
    walk.escalated()  # children's social care should decide by Tuesday 10:00
    answered = claimed(walk, "red")
    clock.set(*MONDAY, 15, 0)
    give_advice(
        walk.request(answered),
        by=hub_advisor,
        advice="Talk with mum.",
        next_step="talk_to_parent",
        level_of_need=2,
    )
    clock.set(2026, 3, 16, 11, 0)  # two weeks on, send_notifications runs again
    assert remind_overdue() == 3
    assert remind_overdue() == 0
    assert told(ADVICE_OVERDUE) == [authority.hub_email]  # not the one answered late
    assert told(REVIEW_OVERDUE) == [dsl.email]
    assert told(REFERRAL_OVERDUE) == [dsl.email]
    advice = Notification.objects.get(kind=ADVICE_OVERDUE).body
    # Two weeks on the calendar, nine working days past each deadline.
    assert "has not been answered by its due time: it is 9 working days overdue." in advice
    review = Notification.objects.get(kind=REVIEW_OVERDUE).body
    assert "by 3 March 2026 at 10:00am, and it is 9 working days past that" in review
    referral = Notification.objects.get(kind=REFERRAL_OVERDUE).body
    assert "and no outcome is recorded 9 working days later" in referral


@pytest.mark.parametrize("end", ["answered", "re-rated"])
def test_a_reminder_the_mail_server_held_up_is_not_sent_once_the_request_is_settled(
    walk, clock, hub_advisor, hub_manager, end
):
    clock.set(*MONDAY, 10, 0)
    concern = claimed(walk, "red")
    clock.set(*MONDAY, 14, 5)
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        call_command("send_notifications")  # queued, refused by the mail server
    reminders = Notification.objects.filter(kind=ADVICE_OVERDUE)  # the advisor and the hub
    assert set(reminders.values_list("status", flat=True)) == {Notification.Status.PENDING}
    clock.set(*MONDAY, 16, 0)
    if end == "answered":
        give_advice(
            walk.request(concern),
            by=hub_advisor,
            advice="Talk with mum.",
            next_step="talk_to_parent",
            level_of_need=2,
        )
    else:
        rerate_advice_request(
            walk.request(concern), by=hub_manager, urgency="green", reason="Not as urgent."
        )
    mail.outbox.clear()
    clock.set(*MONDAY, 17, 0)
    call_command("send_notifications")  # the mail server is back
    assert set(reminders.values_list("status", flat=True)) == {Notification.Status.SETTLED}
    assert not [m for m in mail.outbox if "is overdue" in m.subject]


def test_an_unsent_reminder_of_a_concern_still_undecided_is_sent_when_the_mail_server_is_back(
    walk, clock, dsl
):
    clock.set(*MONDAY, 10, 0)
    walk.recorded()
    walk.escalated()
    clock.set(2026, 3, 3, 11, 0)
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        call_command("send_notifications")
    mail.outbox.clear()
    Notification.objects.update(next_attempt_at=timezone.now())
    call_command("send_notifications")
    subjects = [m.subject for m in mail.outbox]
    assert len([s for s in subjects if "waiting for a DSL's decision" in s]) == 1
    assert len([s for s in subjects if "no decision recorded" in s]) == 1


def test_a_reminder_soon_after_the_due_time_says_so_in_hours(walk, clock, authority):
    clock.set(*MONDAY, 10, 0)
    walk.with_hub(urgency="red")
    clock.set(*MONDAY, 14, 30)
    assert remind_overdue() == 1
    body = Notification.objects.get(kind=ADVICE_OVERDUE).body
    assert "it is less than 1 working hour overdue." in body


def test_a_request_due_before_a_weekend_is_told_how_overdue_in_working_time(walk, clock, authority):
    # The hub's targets are working time, as its queue counts them: due on Friday and still
    # unanswered on Monday morning is a couple of working hours late, not "three days".
    clock.set(2026, 3, 3, 11, 0)  # a Tuesday
    walk.with_hub(urgency="green")  # due Friday 11:00
    clock.set(2026, 3, 6, 10, 0)
    assert remind_overdue() == 0
    clock.set(2026, 3, 6, 12, 0)
    walk.with_hub(urgency="red")  # due Friday 16:00; the sender is stopped over the weekend
    clock.set(2026, 3, 9, 11, 30)  # Monday
    assert remind_overdue() == 2
    bodies = sorted(Notification.objects.filter(kind=ADVICE_OVERDUE).values_list("body", flat=True))
    red = [b for b in bodies if "Urgency: Red" in b]
    green = [b for b in bodies if "Urgency: Green" in b]
    # Friday 16:00-17:00 and Monday 9:00-11:30.
    assert "it is 3 working hours overdue." in red[0]
    # Friday 11:00-17:00 and Monday 9:00-11:30: past a working day.
    assert "it is 1 working day overdue." in green[0]


def test_work_due_before_a_bank_holiday_weekend_is_told_how_overdue_in_working_days(
    walk, clock, dsl
):
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are not working days.
    clock.set(2026, 4, 1, 10, 0)  # a Wednesday
    walk.recorded()  # a DSL should decide by Thursday 10:00
    walk.escalated()  # children's social care should decide by Thursday 9:55
    clock.set(2026, 4, 7, 11, 0)  # Tuesday, the sender back after the long weekend
    assert remind_overdue() == 2
    review = Notification.objects.get(kind=REVIEW_OVERDUE).body
    # Thursday 10:00-17:00 and Tuesday 9:00-11:00: nine working hours, not five days.
    assert "by 2 April 2026 at 10:00am, and it is 1 working day past that" in review
    referral = Notification.objects.get(kind=REFERRAL_OVERDUE).body
    assert "by 2 April 2026 at 9:55am, and no outcome is recorded 1 working day later" in referral


def test_a_claimed_request_is_told_to_its_advisor_and_a_red_one_to_the_hub_too(
    walk, clock, authority, hub_advisor, hub_manager
):
    clock.set(*MONDAY, 10, 0)
    amber = claimed(walk, "amber")
    clock.set(*MONDAY, 11, 0)
    red = claimed(walk, "red")
    clock.set(*MONDAY, 15, 5)  # red due 15:00; amber due Tuesday 10:00
    remind_overdue()
    assert told(ADVICE_OVERDUE) == sorted([authority.hub_email, hub_advisor.email])
    assert set(
        Notification.objects.filter(kind=ADVICE_OVERDUE).values_list("concern", flat=True)
    ) == {red.pk}
    clock.set(2026, 3, 3, 10, 5)
    remind_overdue()
    amber_told = Notification.objects.filter(kind=ADVICE_OVERDUE, concern=amber)
    assert [n.recipient for n in amber_told] == [hub_advisor.email]
    assert not amber_told.get().urgent


def test_a_request_whose_advisor_has_left_the_hub_is_told_to_the_hub(
    walk, clock, authority, hub_advisor
):
    clock.set(*MONDAY, 10, 0)
    claimed(walk, "amber")
    Membership.objects.filter(user=hub_advisor).update(is_active=False)
    clock.set(2026, 3, 3, 10, 5)
    remind_overdue()
    assert told(ADVICE_OVERDUE) == [authority.hub_email]


def test_a_request_whose_advisor_left_the_hub_and_came_back_is_told_to_the_hub(
    walk, clock, authority, hub_advisor, la_admin
):
    # Their claim went back to the queue when the role ended: the role given again does not
    # make the request theirs, so the hub is told it is overdue, not only them.
    clock.set(*MONDAY, 10, 0)
    claimed(walk, "amber")
    clock.set(*MONDAY, 11, 0)
    end_membership(hub_advisor.memberships.get(), by=la_admin)
    clock.set(*MONDAY, 12, 0)
    add_member(
        authority, by=la_admin, email=hub_advisor.email, role=Role.HUB_ADVISOR, full_name="A"
    )
    clock.set(2026, 3, 3, 10, 5)
    remind_overdue()
    assert told(ADVICE_OVERDUE) == [authority.hub_email]


@pytest.mark.parametrize("end", ["answered", "withdrawn"])
def test_a_request_answered_or_withdrawn_in_time_is_not_told(walk, clock, dsl, hub_advisor, end):
    clock.set(*MONDAY, 10, 0)
    concern = claimed(walk, "red")
    clock.set(*MONDAY, 13, 0)
    if end == "answered":
        give_advice(
            walk.request(concern),
            by=hub_advisor,
            advice="Talk with mum.",
            next_step="talk_to_parent",
            level_of_need=2,
        )
    else:
        withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent about the wrong child.")
    clock.set(*MONDAY, 16, 0)
    assert remind_overdue() == 0
    assert told(ADVICE_OVERDUE) == []


def test_a_request_given_more_time_is_told_again_when_that_passes(walk, clock, hub_manager):
    clock.set(*MONDAY, 10, 0)
    concern = walk.with_hub(urgency="red")
    clock.set(*MONDAY, 14, 5)
    assert remind_overdue() == 1
    rerate_advice_request(
        walk.request(concern), by=hub_manager, urgency="amber", reason="Not as urgent."
    )
    assert remind_overdue() == 0
    clock.set(2026, 3, 3, 10, 5)  # due again at Tuesday 10:00
    assert remind_overdue() == 1


def test_a_request_answered_while_the_pass_runs_is_not_told(walk, clock, monkeypatch):
    # Found overdue, then answered by the advisor before the pass reaches it: the pass checks
    # again under the concern's lock, as it does for another pass that reminded it first.
    clock.set(*MONDAY, 10, 0)
    concern = claimed(walk, "red")
    clock.set(*MONDAY, 14, 5)

    def answered_first(row):
        give_advice(
            walk.request(concern),
            by=walk.advisor,
            advice="Talk with mum.",
            next_step="talk_to_parent",
            level_of_need=2,
        )
        return lock_concern(row)

    monkeypatch.setattr(reminders, "lock_concern", answered_first)
    assert remind_overdue() == 0
    assert told(ADVICE_OVERDUE) == []


def test_a_request_rerated_while_the_pass_runs_is_told_with_its_new_due_time(
    walk, clock, monkeypatch, hub_manager
):
    clock.set(*MONDAY, 10, 0)
    concern = walk.with_hub(urgency="red")  # due Monday 14:00
    clock.set(2026, 3, 3, 15, 0)

    def rerated_first(row):
        rerate_advice_request(
            walk.request(concern), by=hub_manager, urgency="amber", reason="Not as urgent."
        )
        return lock_concern(row)

    monkeypatch.setattr(reminders, "lock_concern", rerated_first)
    assert remind_overdue() == 1
    reminder = Notification.objects.get(kind=ADVICE_OVERDUE)
    assert "Urgency: Amber, due 3 March 2026 at 10:00am" in reminder.body
    assert not reminder.urgent


# (b) New concerns with no DSL decision after a working day


def test_a_concern_with_no_dsl_decision_after_a_working_day_is_told_to_its_dsls_once(
    walk, clock, dsl, deputy_dsl, teacher, head, other_school_dsl
):
    clock.set(*MONDAY, 16, 0)
    concern = walk.recorded()
    clock.set(2026, 3, 3, 16, 0)  # one working day: not yet over
    assert remind_overdue() == 0
    clock.set(2026, 3, 3, 16, 1)
    assert remind_overdue() == 1
    assert remind_overdue() == 0
    assert told(REVIEW_OVERDUE) == sorted([dsl.email, deputy_dsl.email])
    reminder = Notification.objects.filter(kind=REVIEW_OVERDUE).first()
    assert reminder.concern == concern
    assert "by 3 March 2026 at 4:00pm" in reminder.body


def test_a_concern_on_which_a_dsl_decided_is_not_told(walk, clock, dsl):
    clock.set(*MONDAY, 10, 0)
    walk.with_hub(walk.recorded())
    closed = walk.recorded()
    close_concern(
        closed,
        by=dsl,
        outcome="nfa",
        rationale="The child was collected by her aunt as arranged with the office.",
    )
    clock.set(2026, 3, 4, 10, 0)
    remind_overdue()
    assert told(REVIEW_OVERDUE) == []


def test_a_reopened_concern_undecided_a_working_day_later_is_told_again_once(walk, clock, dsl):
    # Reopened on new information, it waits for a DSL's decision again, as a new concern does:
    # if nobody asks the hub, escalates or closes it within a working day, they are told.
    clock.set(*MONDAY, 10, 0)
    concern = walk.recorded()
    clock.set(2026, 3, 3, 10, 1)
    assert remind_overdue() == 1  # its first wait
    close_concern(concern, by=dsl, **closing(outcome="nfa"))
    clock.set(2026, 3, 9, 10, 0)
    reopen_concern(concern, by=dsl, reason="New disclosure from her brother.")
    clock.set(2026, 3, 10, 10, 0)  # a working day since the reopening: not yet over
    assert remind_overdue() == 0
    clock.set(2026, 3, 10, 10, 1)
    assert remind_overdue() == 1
    assert remind_overdue() == 0
    clock.set(2026, 3, 12, 10, 0)
    assert remind_overdue() == 0
    latest = Notification.objects.filter(kind=REVIEW_OVERDUE).latest("created_at", "pk")
    assert latest.recipient == dsl.email
    assert "was reopened on 9 March 2026 at 10:00am" in latest.body
    assert "by 10 March 2026 at 10:00am, and it is less than 1 working hour past" in latest.body
    assert "New disclosure" not in latest.body


def test_a_reopened_concern_decided_within_a_working_day_is_not_told(walk, clock, dsl):
    clock.set(*MONDAY, 10, 0)
    concern = walk.closed()
    clock.set(2026, 3, 9, 10, 0)
    reopen_concern(concern, by=dsl, reason="New disclosure from her brother.")
    clock.set(2026, 3, 9, 15, 0)
    walk.with_hub(concern)
    clock.set(2026, 3, 11, 10, 0)
    remind_overdue()
    assert told(REVIEW_OVERDUE) == []


def test_a_concern_whose_request_is_withdrawn_is_told_a_working_day_after_the_withdrawal(
    walk, clock, dsl
):
    # Asking the hub was the DSL's decision; withdrawn (sent about the wrong child, say), the
    # concern waits for one again, and the working day starts from the withdrawal.
    clock.set(*MONDAY, 10, 0)
    concern = walk.with_hub(walk.recorded())
    clock.set(*MONDAY, 15, 0)
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent about the wrong child.")
    clock.set(2026, 3, 3, 10, 1)  # a working day since it was recorded, not since it came back
    assert remind_overdue() == 0
    clock.set(2026, 3, 3, 15, 1)
    assert remind_overdue() == 1
    assert remind_overdue() == 0
    body = Notification.objects.get(kind=REVIEW_OVERDUE).body
    assert "since its advice request was withdrawn on 2 March 2026 at 3:00pm" in body
    assert "by 3 March 2026 at 3:00pm" in body
    assert "wrong child" not in body


def test_a_withdrawn_follow_up_request_leaves_nothing_to_review(walk, clock, dsl):
    # A request withdrawn after earlier advice returns the concern to that advice: the DSL
    # decided long ago, and step 3 is next.
    clock.set(*MONDAY, 10, 0)
    concern = walk.with_hub(walk.advice_received())
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Asked twice by mistake.")
    clock.set(2026, 3, 4, 10, 0)
    remind_overdue()
    assert told(REVIEW_OVERDUE) == []


def test_an_unsent_reminder_of_an_earlier_wait_is_not_sent_once_the_concern_is_reopened(
    walk, clock, dsl
):
    # Its times are the earlier wait's: the reopened concern is reminded of its own, later.
    clock.set(*MONDAY, 10, 0)
    concern = walk.recorded()
    clock.set(2026, 3, 3, 10, 5)
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        call_command("send_notifications")
    first = Notification.objects.get(kind=REVIEW_OVERDUE)
    clock.set(2026, 3, 3, 11, 0)
    close_concern(concern, by=dsl, **closing(outcome="nfa"))
    clock.set(2026, 3, 3, 11, 30)
    reopen_concern(concern, by=dsl, reason="New disclosure from her brother.")
    Notification.objects.update(next_attempt_at=timezone.now())
    mail.outbox.clear()
    call_command("send_notifications")
    first.refresh_from_db()
    assert first.status == Notification.Status.SETTLED
    assert not [m for m in mail.outbox if "waiting for a DSL's decision" in m.subject]


# (c) Referrals to children's social care with no outcome after a working day


def test_an_undecided_referral_is_told_to_the_dsls_once_after_a_working_day(walk, clock, dsl):
    clock.set(*MONDAY, 10, 0)
    escalated = walk.escalated()  # referred at 09:55
    police = walk.recorded()
    escalate_significant_harm(police, by=dsl, **escalation_data(referred_to="police"))
    clock.set(2026, 3, 3, 9, 55)
    remind_overdue()
    assert told(REFERRAL_OVERDUE) == []
    clock.set(2026, 3, 3, 9, 56)
    remind_overdue()
    remind_overdue()
    reminder = Notification.objects.get(kind=REFERRAL_OVERDUE)
    assert (reminder.recipient, reminder.concern, reminder.urgent) == (dsl.email, escalated, True)
    assert "by 3 March 2026 at 9:55am" in reminder.body


def test_each_undecided_referral_on_a_concern_is_told_on_its_own(walk, clock, dsl):
    # Two referrals to children's social care on one concern, neither decided: each is
    # followed up, the second whether it fell due in the same run as the first or later.
    clock.set(*MONDAY, 10, 0)
    concern = walk.escalated()  # referred at 09:55
    clock.set(*MONDAY, 11, 0)
    escalate_significant_harm(concern, by=dsl, **escalation_data(reference_number="MASH-2"))
    clock.set(*MONDAY, 15, 0)
    escalate_significant_harm(concern, by=dsl, **escalation_data(reference_number="MASH-3"))
    clock.set(2026, 3, 3, 11, 0)  # the first two are overdue, the third not yet
    assert remind_overdue() == 2
    clock.set(2026, 3, 3, 15, 0)
    assert remind_overdue() == 1
    assert remind_overdue() == 0
    reminded = Notification.objects.filter(kind=REFERRAL_OVERDUE).values_list("body", flat=True)
    assert len(reminded) == 3  # one DSL, three referrals
    assert len(set(reminded)) == 3  # each names its own referral's time


def test_a_referral_recorded_more_than_a_week_after_it_was_made_is_still_followed_up(
    walk, clock, dsl
):
    """A DSL away after a referral records it on their return: its outcome is still to be
    recorded, and the reminder that asks for it must not be skipped because the referral is
    older than the passes look back."""
    clock.set(*MONDAY, 10, 0)
    concern = walk.recorded()
    clock.set(2026, 3, 16, 9, 0)  # two weeks on, the passes running as every few minutes
    remind_overdue()
    clock.set(2026, 3, 16, 10, 0)
    made = timezone.now() - timedelta(days=10)
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_at=made))

    remind_overdue()

    reminder = Notification.objects.get(kind=REFERRAL_OVERDUE)
    assert (reminder.recipient, reminder.concern) == (dsl.email, concern)


@pytest.mark.parametrize("end", ["outcome", "closed"])
def test_a_referral_with_its_outcome_or_closed_is_not_told(walk, clock, dsl, end):
    clock.set(*MONDAY, 10, 0)
    concern = walk.escalated()
    if end == "outcome":
        record_escalation_outcome(
            Escalation.objects.get(concern=concern), by=dsl, outcome="section_47"
        )
    else:
        close_concern(concern, by=dsl, **closing(outcome="csc"))
    clock.set(2026, 3, 4, 10, 0)
    remind_overdue()
    assert told(REFERRAL_OVERDUE) == []


# All three


def _overdue_of_each_kind(walk, clock):
    clock.set(*MONDAY, 10, 0)
    walk.recorded()
    walk.with_hub(urgency="red")
    walk.escalated()
    clock.set(2026, 3, 4, 10, 0)


def test_another_authority_and_school_are_told_only_of_their_own(
    walk, other_walk, clock, dsl, authority, other_authority, other_school_dsl, other_la_advisor
):
    clock.set(*MONDAY, 10, 0)
    other_walk.recorded()
    other_walk.with_hub(urgency="red")
    _overdue_of_each_kind(walk, clock)
    remind_overdue()
    ours = {dsl.email, authority.hub_email}
    theirs = {other_walk.dsl.email, other_authority.hub_email}
    by_school = {
        (n.concern.school_id, n.recipient)
        for n in Notification.objects.filter(kind__endswith="due")
    }
    assert {r for s, r in by_school if s == walk.pupil.school_id} == ours
    assert {r for s, r in by_school if s == other_walk.pupil.school_id} == theirs
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert other_school_dsl.email not in recipients
    assert other_la_advisor.email not in recipients


def test_reminders_carry_no_child_data(walk, clock, pupil):
    _overdue_of_each_kind(walk, clock)
    assert remind_overdue() == 3
    reminders = Notification.objects.filter(
        kind__in=[ADVICE_OVERDUE, REVIEW_OVERDUE, REFERRAL_OVERDUE]
    )
    assert {n.kind for n in reminders} == {ADVICE_OVERDUE, REVIEW_OVERDUE, REFERRAL_OVERDUE}
    for reminder in reminders:
        text = reminder.subject + reminder.body
        for private in [pupil.given_name, pupil.family_name, "Playground", "coat", "belt"]:
            assert private not in text
        assert "Sign in to see it: http" in text


def test_the_send_notifications_command_sends_the_reminders(walk, clock, dsl):
    _overdue_of_each_kind(walk, clock)
    mail.outbox.clear()
    call_command("send_notifications")
    call_command("send_notifications")
    subjects = [m.subject for m in mail.outbox]
    assert len([s for s in subjects if "waiting for a DSL's decision" in s]) == 1
    assert len([s for s in subjects if "no decision recorded" in s]) == 1
    assert len([s for s in subjects if "is overdue" in s]) == 1


def test_a_fault_in_the_reminders_does_not_stop_what_is_queued_being_sent(
    walk, clock, dsl, monkeypatch, django_capture_on_commit_callbacks
):
    # An urgent notice already queued must go whatever goes wrong in finding overdue work.
    with (
        override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        walk.recorded(immediate_risk=True)
    Notification.objects.update(next_attempt_at=timezone.now())

    def broken():
        raise RuntimeError("a bug in the reminders")

    monkeypatch.setattr(send_notifications, "remind_overdue", broken)
    call_command("send_notifications")
    assert Notification.objects.get().status == Notification.Status.SENT
    assert dsl.email in mail.outbox[-1].to


def test_a_pass_costs_the_same_queries_however_many_are_overdue_and_told(walk, clock):
    clock.set(*MONDAY, 10, 0)
    walk.with_hub(urgency="red")
    clock.set(*MONDAY, 15, 0)
    remind_overdue()
    with CaptureQueriesContext(connection) as one:
        assert remind_overdue() == 0
    clock.set(*MONDAY, 10, 0)
    for _ in range(20):
        walk.with_hub(urgency="red")
        walk.escalated()
    clock.set(2026, 3, 4, 15, 0)
    remind_overdue()
    with CaptureQueriesContext(connection) as many:
        assert remind_overdue() == 0
    # Unsent reminders settled meanwhile, when the last pass ran, the three searches, and the
    # pass noted.
    assert len(many) == len(one) == 6
