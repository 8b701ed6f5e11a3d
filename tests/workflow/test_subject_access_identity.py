"""Proof of identity: where the school needed proof of who the requester is, or that they act
for the pupil, and asked for it, the time limit starts on the day it arrives (UK GDPR article
12A(3)(b)), not the day the request was received. Recorded with the request, or later by
correcting it; the due day, the last day to extend, and the days the clock stood still all
count from that day."""

from datetime import date

import pytest

from audit.models import AuditEvent
from concerns.models import SubjectAccessRequest
from workflow.exceptions import TransitionRefused
from workflow.subject_access import (
    ask_to_clarify,
    correct_request,
    extend_request,
    last_day_to_extend,
    record_clarification,
    record_request,
    request_version,
)

RECEIVED = date(2026, 9, 8)  # a Tuesday: due Thursday 8 October without proof asked for


@pytest.fixture
def today_(clock):
    clock.set(2026, 9, 25, 10, 0)


def record(pupil, dsl, **fields):
    data = {"requester": "Jane Ahmed, mother", "received_on": RECEIVED}
    return record_request(pupil, by=dsl, **(data | fields))


def correct(request, by, **fields):
    data = {name: getattr(request, name) for name in ("requester", "received_on")}
    data["identity_confirmed_on"] = request.identity_confirmed_on
    return correct_request(request, by=by, drawn=request_version(request), **(data | fields))


def test_the_month_runs_from_the_day_proof_of_identity_arrived(today_, pupil, dsl):
    request = record(pupil, dsl, identity_confirmed_on=date(2026, 9, 15))
    assert request.due_on == date(2026, 10, 15)
    stored = SubjectAccessRequest.objects.get(pk=request.pk)
    assert (stored.received_on, stored.identity_confirmed_on, stored.due_on) == (
        RECEIVED,
        date(2026, 9, 15),
        date(2026, 10, 15),
    )


def test_proof_that_arrives_later_is_added_by_correcting_and_the_due_day_moves(
    today_, pupil, dsl, deputy_dsl
):
    request = record(pupil, dsl)
    assert request.due_on == date(2026, 10, 8)
    corrected = correct(request, deputy_dsl, identity_confirmed_on=date(2026, 9, 17))
    # 17 October 2026 is a Saturday: due Monday 19 October.
    assert corrected.due_on == date(2026, 10, 19)
    assert SubjectAccessRequest.objects.get(pk=request.pk).due_on == date(2026, 10, 19)
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert event.detail["changed"] == ["identity_confirmed_on"]


def test_proof_the_same_day_as_the_request_changes_nothing(today_, pupil, dsl):
    assert record(pupil, dsl, identity_confirmed_on=RECEIVED).due_on == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("arrived", "message"),
    [
        (
            date(2026, 9, 7),
            "The date proof of identity arrived must be on or after 8 September 2026, when "
            "the request was received",
        ),
        (date(2026, 9, 26), "The date proof of identity arrived must be today or in the past"),
    ],
)
def test_proof_arrives_between_the_request_and_today(today_, pupil, dsl, arrived, message):
    with pytest.raises(TransitionRefused) as refused:
        record(pupil, dsl, identity_confirmed_on=arrived)
    assert (refused.value.field, refused.value.message) == ("identity_confirmed_on", message)
    assert not SubjectAccessRequest.objects.exists()


def test_an_extension_may_be_told_within_a_month_of_the_proof(today_, clock, pupil, dsl):
    request = record(pupil, dsl, identity_confirmed_on=date(2026, 9, 15))
    assert last_day_to_extend(request) == date(2026, 10, 15)
    clock.set(2026, 10, 12, 10, 0)  # past a month from receipt, within one from the proof
    extended = extend_request(request, by=dsl, told_on=date(2026, 10, 12), reason="Many records.")
    assert extended.due_on == date(2026, 12, 15)


def test_days_asked_to_clarify_before_the_clock_started_do_not_move_the_due_day(today_, pupil, dsl):
    """Asked on the 10th, clarified on the 20th; proof arrived on the 15th. Only the 15th to
    the 20th stood still: the clock was not running before."""
    request = record(pupil, dsl, identity_confirmed_on=date(2026, 9, 15))
    request = ask_to_clarify(request, by=dsl, asked_on=date(2026, 9, 10), question="Which years?")
    clarified = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 20))
    # 15 October + 6 days = Wednesday 21 October.
    assert clarified.due_on == date(2026, 10, 21)


def test_a_clarification_finished_before_the_proof_arrived_moves_nothing(today_, pupil, dsl):
    request = record(pupil, dsl, identity_confirmed_on=date(2026, 9, 15))
    request = ask_to_clarify(request, by=dsl, asked_on=date(2026, 9, 9), question="Which years?")
    clarified = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 11))
    assert clarified.due_on == date(2026, 10, 15)


def test_removing_the_proof_is_refused_beside_it_when_the_extension_was_then_too_late(
    today_, clock, pupil, dsl
):
    request = record(pupil, dsl, identity_confirmed_on=date(2026, 9, 15))
    clock.set(2026, 10, 12, 10, 0)
    request = extend_request(request, by=dsl, told_on=date(2026, 10, 12), reason="Many records.")
    with pytest.raises(TransitionRefused) as refused:
        correct(request, dsl, identity_confirmed_on=date(2026, 9, 9))
    assert refused.value.field == "identity_confirmed_on"
    assert refused.value.message == (
        "With the time limit starting when proof of identity arrived, the requester had to be "
        "told of the extension by 9 October 2026, but was told on 12 October 2026. Check the "
        "date proof of identity arrived"
    )
    with pytest.raises(TransitionRefused) as refused:
        correct(request, dsl, identity_confirmed_on=None)
    assert refused.value.field == "received_on"
    stored = SubjectAccessRequest.objects.get(pk=request.pk)
    assert (stored.identity_confirmed_on, stored.due_on) == (date(2026, 9, 15), date(2026, 12, 15))


def test_a_correction_drawn_before_the_proof_was_added_is_stale(today_, pupil, dsl, deputy_dsl):
    request = record(pupil, dsl)
    drawn = request_version(request)
    correct(request, deputy_dsl, identity_confirmed_on=date(2026, 9, 17))
    with pytest.raises(TransitionRefused):
        correct_request(
            SubjectAccessRequest.objects.get(pk=request.pk),
            by=dsl,
            drawn=drawn,
            requester="Jane Ahmed, grandmother",
            received_on=RECEIVED,
            identity_confirmed_on=None,
        )
    assert SubjectAccessRequest.objects.get(pk=request.pk).identity_confirmed_on == date(
        2026, 9, 17
    )


def test_the_day_the_school_asked_for_proof_is_recorded_and_corrected(today_, pupil, dsl):
    # Asked for proof the day after the request came: the head teacher sees it was prompt.
    request = record(pupil, dsl, identity_requested_on=date(2026, 9, 9))
    assert (request.identity_requested_on, request.due_on) == (date(2026, 9, 9), date(2026, 10, 8))
    request = correct(
        request,
        dsl,
        identity_requested_on=date(2026, 9, 10),
        identity_confirmed_on=date(2026, 9, 14),
    )
    stored = SubjectAccessRequest.objects.get()
    assert (stored.identity_requested_on, stored.due_on) == (date(2026, 9, 10), date(2026, 10, 14))
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert event.detail["changed"] == ["identity_requested_on", "identity_confirmed_on"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"identity_requested_on": date(2026, 9, 7)}, "on or after 8 September 2026, when the"),
        ({"identity_requested_on": date(2026, 9, 26)}, "must be today or in the past"),
        (
            {
                "identity_requested_on": date(2026, 9, 15),
                "identity_confirmed_on": date(2026, 9, 14),
            },
            "must be on or before 14 September 2026, when it arrived",
        ),
    ],
)
def test_the_day_proof_was_asked_for_is_refused_beside_it_when_impossible(
    today_, pupil, dsl, fields, message
):
    with pytest.raises(TransitionRefused) as refused:
        record(pupil, dsl, **fields)
    assert refused.value.field == "identity_requested_on"
    assert message in refused.value.message
    assert not SubjectAccessRequest.objects.exists()


def test_while_proof_is_awaited_the_requester_may_be_asked_to_clarify_or_told_of_an_extension(
    today_, clock, pupil, dsl
):
    """Asked for on 9 September, the proof has not arrived by 20 October, past a month from
    receipt: the time limit has not started, so it has not run out, and the school may still
    ask which information is wanted, or tell of an extension."""
    request = record(pupil, dsl, identity_requested_on=date(2026, 9, 9))
    clock.set(2026, 10, 20, 10, 0)
    asked = ask_to_clarify(request, by=dsl, asked_on=date(2026, 10, 20), question="Which years?")
    assert asked.clarification_asked_on == date(2026, 10, 20)
    extended = extend_request(asked, by=dsl, told_on=date(2026, 10, 20), reason="Many records.")
    assert extended.extended_on == date(2026, 10, 20)
    # Once the proof arrives the month starts: both were in time.
    corrected = correct(
        extended,
        dsl,
        identity_requested_on=date(2026, 9, 9),
        identity_confirmed_on=date(2026, 10, 19),
    )
    assert corrected.identity_confirmed_on == date(2026, 10, 19)
