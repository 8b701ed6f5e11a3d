"""Two DSLs record the answer to one subject access request at the same moment: one is
recorded, the other is told, and the request holds the first one's answer, with one audit
row."""

import time
from functools import partial

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import SubjectAccessRequest
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from tests.walk import concern_data
from workflow import concerns as workflow_concerns
from workflow import subject_access
from workflow.concerns import record_concern
from workflow.exceptions import TransitionRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


def test_two_dsls_answer_one_request_at_once_and_one_answer_is_recorded(
    walk, pupil, dsl, deputy_dsl, monkeypatch
):
    walk.recorded()
    today = timezone.localdate()
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=today
    )
    hold_locks_a_moment(monkeypatch, subject_access)
    outcomes = {}

    def answer(name, user, kind, reason):
        try:
            subject_access.record_answer(
                SubjectAccessRequest.objects.get(pk=request.pk),
                basis="pupil",
                by=user,
                answered_on=today,
                answer=kind,
                withheld_reason=reason,
            )
            outcomes[name] = kind
        except TransitionRefused as refused:
            outcomes[name] = refused.message

    failures = at_once(
        partial(answer, "dsl", dsl, "disclosed", ""),
        partial(answer, "deputy", deputy_dsl, "withheld", "Serious harm."),
    )

    assert failures == []
    recorded = [kind for kind in outcomes.values() if kind in {"disclosed", "withheld"}]
    assert len(recorded) == 1
    refused = next(message for message in outcomes.values() if message not in recorded)
    assert "already recorded the answer" in refused
    assert SubjectAccessRequest.objects.get().answer == recorded[0]
    assert AuditEvent.objects.filter(action="pupil.access_request.answer").count() == 1


def test_no_records_held_is_not_answered_while_a_concern_about_the_pupil_is_recorded(
    pupil, dsl, teacher, monkeypatch
):
    # The concern's recording holds the pupil a moment before it commits; the answer that
    # none are held waits for it, counts it, and is refused.
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=timezone.localdate()
    )
    real_next = workflow_concerns._next_reference

    def slow_next(*args):
        reference = real_next(*args)
        time.sleep(0.6)
        return reference

    monkeypatch.setattr(workflow_concerns, "_next_reference", slow_next)
    outcome = []

    def record():
        record_concern(by=teacher, pupil=pupil, **concern_data())

    def answer():
        time.sleep(0.2)
        try:
            subject_access.record_answer(
                request, basis="pupil", by=dsl, answered_on=timezone.localdate(), answer="none_held"
            )
            outcome.append("answered")
        except TransitionRefused as refused:
            outcome.append(refused.message)

    assert at_once(record, answer) == []
    assert outcome == [
        "1 concern about the pupil is recorded: say whether it was disclosed or withheld"
    ]
    assert SubjectAccessRequest.objects.get().answered_on is None


def test_two_dsls_correct_one_request_at_once_and_the_later_is_told(
    pupil, dsl, deputy_dsl, monkeypatch
):
    today = timezone.localdate()
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=today
    )
    drawn = subject_access.request_version(request)
    hold_locks_a_moment(monkeypatch, subject_access)
    outcomes = {}

    def correct(name, user, requester):
        try:
            subject_access.correct_request(
                SubjectAccessRequest.objects.get(pk=request.pk),
                by=user,
                drawn=drawn,
                requester=requester,
                received_on=today,
            )
            outcomes[name] = requester
        except TransitionRefused as refused:
            outcomes[name] = refused.message

    failures = at_once(
        partial(correct, "dsl", dsl, "Jane Ahmed, grandmother"),
        partial(correct, "deputy", deputy_dsl, "Jane Ahmed, aunt"),
    )

    assert failures == []
    saved = [who for who in outcomes.values() if who.startswith("Jane Ahmed, ")]
    assert len(saved) == 1
    refused = next(message for message in outcomes.values() if message not in saved)
    assert "Someone has corrected this request since this page was opened" in refused
    assert SubjectAccessRequest.objects.get().requester == saved[0]
    assert AuditEvent.objects.filter(action="pupil.access_request.correct").count() == 1


def test_a_request_sent_twice_at_once_by_one_dsl_is_recorded_once_and_both_are_told_so(
    walk, pupil, dsl, monkeypatch
):
    """A double click on Record the request: the second waits on the first's unique row, then
    is answered with the request the first recorded, not refused as already recorded."""
    walk.recorded()
    hold_locks_a_moment(monkeypatch, subject_access, name="_audit_step")
    recorded = []

    def send():
        recorded.append(
            subject_access.record_request(
                pupil, by=dsl, requester="Jane Ahmed", received_on=timezone.localdate()
            ).pk
        )

    assert at_once(send, send) == []
    assert len(recorded) == 2
    assert len(set(recorded)) == 1
    assert SubjectAccessRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="pupil.access_request.record").count() == 1


def test_an_answer_sent_twice_at_once_by_one_dsl_is_recorded_once_and_both_are_told_so(
    walk, pupil, dsl, monkeypatch
):
    """A double click on Record the answer: the second waits for the first's lock, then is
    answered with the answer the first recorded, not told someone else recorded one."""
    walk.recorded()
    today = timezone.localdate()
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed", received_on=today
    )
    hold_locks_a_moment(monkeypatch, subject_access, name="_audit_step")

    def answer():
        subject_access.record_answer(
            SubjectAccessRequest.objects.get(pk=request.pk),
            basis="pupil",
            by=dsl,
            answered_on=today,
            answer="withheld",
            withheld_reason="Serious harm. ",
        )

    assert at_once(answer, answer) == []
    assert SubjectAccessRequest.objects.get().withheld_reason == "Serious harm."
    assert AuditEvent.objects.filter(action="pupil.access_request.answer").count() == 1


def test_an_extension_sent_twice_at_once_by_one_dsl_is_recorded_once_and_both_are_told_so(
    pupil, dsl, deputy_dsl, monkeypatch
):
    """A double click on Extend the request: the second waits for the first's lock, then is
    answered with the extension the first recorded; a colleague's at the same moment is
    refused."""
    today = timezone.localdate()
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed", received_on=today
    )
    hold_locks_a_moment(monkeypatch, subject_access, name="_audit_step")

    def extend(user):
        subject_access.extend_request(
            SubjectAccessRequest.objects.get(pk=request.pk),
            by=user,
            told_on=today,
            reason="Many records. ",
        )

    assert at_once(partial(extend, dsl), partial(extend, dsl)) == []
    saved = SubjectAccessRequest.objects.get()
    assert (saved.extension_reason, saved.extended_by) == ("Many records.", dsl)
    assert AuditEvent.objects.filter(action="pupil.access_request.extend").count() == 1
    with pytest.raises(TransitionRefused, match="already been extended"):
        extend(deputy_dsl)


def test_asking_to_clarify_sent_twice_at_once_by_one_dsl_is_recorded_once_and_both_are_told(
    pupil, dsl, deputy_dsl, monkeypatch
):
    """A double click on Record that they were asked: the second waits for the first's lock,
    then is answered with what the first recorded; a colleague's is refused."""
    today = timezone.localdate()
    request = subject_access.record_request(
        pupil, by=dsl, requester="Jane Ahmed", received_on=today
    )
    hold_locks_a_moment(monkeypatch, subject_access, name="_audit_step")

    def ask(user):
        subject_access.ask_to_clarify(
            SubjectAccessRequest.objects.get(pk=request.pk),
            by=user,
            asked_on=today,
            question=" Which years?",
        )

    assert at_once(partial(ask, dsl), partial(ask, dsl)) == []
    saved = SubjectAccessRequest.objects.get()
    assert (saved.clarification_asked, saved.clarification_asked_by) == ("Which years?", dsl)
    assert AuditEvent.objects.filter(action="pupil.access_request.clarify").count() == 1
    with pytest.raises(TransitionRefused, match="already recorded asking"):
        ask(deputy_dsl)
