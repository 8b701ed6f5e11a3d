"""Correcting a subject access request recorded wrongly: who made it, or the day it arrived.
The due day follows the corrected date; a correction that would make a step already recorded
impossible is refused beside the date; once answered, it stands."""

from datetime import date

import pytest

from audit.models import AuditEvent
from concerns.models import AccessAnswer, SubjectAccessRequest
from schools.models import Role
from tests.factories import member
from workflow.exceptions import Stale, TransitionRefused
from workflow.subject_access import (
    ask_to_clarify,
    correct_request,
    extend_request,
    record_answer,
    record_clarification,
    record_request,
    request_version,
)


@pytest.fixture
def request_(clock, pupil, dsl):
    """Received Tuesday 8 September 2026: due Thursday 8 October. Today is 20 September."""
    clock.set(2026, 9, 20, 10, 0)
    return record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=date(2026, 9, 8)
    )


def correct(request, by, **fields):
    data = {"requester": request.requester, "received_on": request.received_on}
    return correct_request(request, by=by, drawn=request_version(request), **(data | fields))


def test_a_mistyped_date_received_is_corrected_and_the_due_day_follows(request_, dsl, deputy_dsl):
    corrected = correct(request_, deputy_dsl, received_on=date(2026, 9, 3))
    # 3 October 2026 is a Saturday: due Monday 5 October.
    assert (corrected.received_on, corrected.due_on) == (date(2026, 9, 3), date(2026, 10, 5))
    stored = SubjectAccessRequest.objects.get(pk=request_.pk)
    assert (stored.received_on, stored.due_on, stored.recorded_by) == (
        date(2026, 9, 3),
        date(2026, 10, 5),
        dsl,
    )
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert (event.actor, event.object_id) == (deputy_dsl, str(request_.pupil_id))
    assert event.detail["changed"] == ["received_on"]
    assert "Jane" not in str(event.detail)


def test_who_asked_is_corrected_and_the_due_day_stays(request_, dsl):
    corrected = correct(request_, dsl, requester="Jane Ahmed, grandmother")
    assert (corrected.requester, corrected.due_on) == ("Jane Ahmed, grandmother", date(2026, 10, 8))
    assert AuditEvent.objects.get(action="pupil.access_request.correct").detail["changed"] == [
        "requester"
    ]


def test_a_correction_that_changes_nothing_writes_nothing(request_, dsl):
    correct(request_, dsl)
    assert not AuditEvent.objects.filter(action="pupil.access_request.correct").exists()


def test_a_correction_drawn_before_a_colleagues_is_refused(request_, dsl, deputy_dsl):
    drawn = request_version(request_)
    correct(request_, deputy_dsl, received_on=date(2026, 9, 7))
    with pytest.raises(Stale) as refused:
        correct_request(
            request_, by=dsl, drawn=drawn, requester="Jane Ahmed", received_on=date(2026, 9, 8)
        )
    assert "Someone has corrected this request" in refused.value.message
    stored = SubjectAccessRequest.objects.get(pk=request_.pk)
    assert (stored.requester, stored.received_on) == ("Jane Ahmed, mother", date(2026, 9, 7))


def test_an_answered_request_is_not_corrected(request_, dsl):
    record_answer(
        request_,
        basis="pupil",
        by=dsl,
        answered_on=date(2026, 9, 20),
        answer=AccessAnswer.NONE_HELD,
    )
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 7))
    assert "already recorded the answer" in refused.value.message
    assert SubjectAccessRequest.objects.get(pk=request_.pk).received_on == date(2026, 9, 8)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"received_on": date(2026, 9, 21)}, "received_on", "must be today or in the past"),
        ({"received_on": None}, "received_on", "Enter the date the request was received"),
        ({"requester": "  "}, "requester", "Enter who made the request"),
    ],
)
def test_a_correction_is_checked_as_the_request_was(request_, dsl, fields, field, message):
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, **fields)
    assert (refused.value.field, message in refused.value.message) == (field, True)


def test_a_date_before_the_pupil_was_born_is_refused(request_, dsl):
    born = request_.pupil.date_of_birth
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(born.year - 1, 1, 1))
    assert "the pupil's date of birth" in refused.value.message


def test_a_correction_into_another_recorded_request_is_refused(request_, pupil, dsl):
    record_request(pupil, by=dsl, requester="Jane Ahmed, mother", received_on=date(2026, 9, 7))
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 7))
    assert "received on 7 September 2026 is already recorded" in refused.value.message
    assert SubjectAccessRequest.objects.get(pk=request_.pk).received_on == date(2026, 9, 8)


def test_received_after_the_extension_was_told_is_refused(request_, dsl):
    extend_request(request_, by=dsl, told_on=date(2026, 9, 15), reason="Many records.")
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 16))
    assert refused.value.field == "received_on"
    assert "on or before 15 September 2026, when the requester was told of the extension" in (
        refused.value.message
    )


def test_received_so_early_the_extension_came_too_late_is_refused(clock, request_, dsl):
    clock.set(2026, 10, 8, 10, 0)
    extend_request(request_, by=dsl, told_on=date(2026, 10, 8), reason="Many records.")
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 1))
    assert "had to be told of the extension by 1 October 2026, but was told on 8 October" in (
        refused.value.message
    )
    # A day that keeps the extension within the month is taken: three months from receipt.
    corrected = correct(
        SubjectAccessRequest.objects.get(pk=request_.pk), dsl, received_on=date(2026, 9, 9)
    )
    assert corrected.due_on == date(2026, 12, 9)


def test_received_after_the_requester_was_asked_to_clarify_is_refused(request_, dsl):
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 9, 10), question="Which years?")
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 11))
    assert "when the requester was asked to clarify it" in refused.value.message


def test_received_so_early_the_answer_was_due_before_asking_is_refused(clock, request_, dsl):
    clock.set(2026, 10, 8, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 10, 8), question="Which years?")
    with pytest.raises(TransitionRefused) as refused:
        correct(request_, dsl, received_on=date(2026, 9, 1))
    assert "the answer was due by 1 October 2026, before the requester was asked" in (
        refused.value.message
    )


def test_a_clarified_request_keeps_its_days_stood_still_after_a_correction(clock, request_, dsl):
    clock.set(2026, 10, 1, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 9, 10), question="Which years?")
    request = record_clarification(request_, by=dsl, clarified_on=date(2026, 9, 24))
    assert request.due_on == date(2026, 10, 23)  # 8 October and 15 days stood still
    # Received a day earlier: 7 October and the same 15 days, Thursday 22 October.
    assert correct(request, dsl, received_on=date(2026, 9, 7)).due_on == date(2026, 10, 22)


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_correct_a_request(request_, school, role):
    with pytest.raises(TransitionRefused):
        correct(request_, member(role, school), received_on=date(2026, 9, 7))


def test_another_schools_dsl_cannot_correct_one(request_, other_school_dsl):
    with pytest.raises(TransitionRefused):
        correct(request_, other_school_dsl, received_on=date(2026, 9, 7))
    assert SubjectAccessRequest.objects.get(pk=request_.pk).received_on == date(2026, 9, 8)
