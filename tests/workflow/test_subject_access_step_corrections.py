"""Correcting an extension or a clarification recorded wrongly, until the request is answered:
a mistyped day would otherwise set the wrong due day for good. The due day follows; a
correction that would make a step impossible is refused beside the date; a page drawn before a
colleague's correction is refused; the audit row names the fields changed, never their values."""

from datetime import date

import pytest

from audit.models import AuditEvent
from concerns.models import AccessAnswer, SubjectAccessRequest
from schools.models import Role
from tests.factories import member
from workflow.exceptions import Stale, TransitionRefused
from workflow.subject_access import (
    CLARIFICATION_FIELDS,
    EXTENSION_FIELDS,
    ask_to_clarify,
    correct_clarification,
    correct_extension,
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


def stored(request):
    return SubjectAccessRequest.objects.get(pk=request.pk)


def fix_extension(request, by, **fields):
    data = {"told_on": request.extended_on, "reason": request.extension_reason}
    drawn = request_version(request, EXTENSION_FIELDS)
    return correct_extension(request, by=by, drawn=drawn, **(data | fields))


def fix_clarification(request, by, **fields):
    data = {
        "asked_on": request.clarification_asked_on,
        "question": request.clarification_asked,
        "clarified_on": request.clarified_on,
    }
    drawn = request_version(request, CLARIFICATION_FIELDS)
    return correct_clarification(request, by=by, drawn=drawn, **(data | fields))


@pytest.fixture
def clarified(clock, request_, dsl):
    """Asked 10 September, their answer in 24 September: 15 days stood still, due Friday 23
    October."""
    clock.set(2026, 10, 1, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 9, 10), question="Which years?")
    request = record_clarification(request_, by=dsl, clarified_on=date(2026, 9, 24))
    assert request.due_on == date(2026, 10, 23)
    return request


def test_a_mistyped_day_the_clarification_arrived_is_corrected_and_the_due_day_follows(
    clarified, dsl, deputy_dsl
):
    corrected = fix_clarification(clarified, deputy_dsl, clarified_on=date(2026, 9, 17))
    # 10 to 17 September: 8 days stood still, 8 October and 8 days is Friday 16 October.
    assert corrected.due_on == date(2026, 10, 16)
    row = stored(clarified)
    assert (row.clarified_on, row.due_on, row.clarified_recorded_by) == (
        date(2026, 9, 17),
        date(2026, 10, 16),
        deputy_dsl,
    )
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert (event.actor, event.object_id) == (deputy_dsl, str(clarified.pupil_id))
    assert event.detail["changed"] == ["clarified_on"]
    assert "Which years" not in str(event.detail)


def test_a_mistyped_day_the_requester_was_asked_is_corrected(clarified, dsl):
    corrected = fix_clarification(clarified, dsl, asked_on=date(2026, 9, 14), question="Which?")
    # 14 to 24 September: 11 days, 8 October and 11 days is Monday 19 October.
    assert (corrected.due_on, stored(clarified).clarification_asked) == (
        date(2026, 10, 19),
        "Which?",
    )
    changed = AuditEvent.objects.get(action="pupil.access_request.correct").detail["changed"]
    assert changed == ["clarification_asked_on", "clarification_asked"]


def test_a_clarification_recorded_by_mistake_is_taken_back_and_the_clock_stands_still(
    clarified, dsl
):
    corrected = fix_clarification(clarified, dsl, clarified_on=None)
    row = stored(clarified)
    assert (row.clarified_on, row.clarified_recorded_by, row.waiting, row.late) == (
        None,
        None,
        True,
        False,
    )
    assert corrected.due_on == date(2026, 10, 8)  # until their answer is in


def test_a_clarification_before_the_requester_was_asked_is_refused_beside_it(clarified, dsl):
    with pytest.raises(TransitionRefused) as refused:
        fix_clarification(clarified, dsl, asked_on=date(2026, 9, 25))
    assert refused.value.field == "clarified_on"
    assert "on or after 25 September 2026, when they were asked" in refused.value.message
    assert stored(clarified).clarification_asked_on == date(2026, 9, 10)


def test_asking_after_the_answer_was_due_is_refused_beside_the_date(clock, request_, dsl):
    clock.set(2026, 10, 8, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 10, 8), question="Which years?")
    clock.set(2026, 10, 12, 10, 0)
    with pytest.raises(TransitionRefused) as refused:
        fix_clarification(stored(request_), dsl, asked_on=date(2026, 10, 9))
    assert refused.value.field == "asked_on"
    assert "on or before 8 October 2026, when the answer was due" in refused.value.message


def test_a_clarification_that_would_leave_the_extension_told_too_late_is_refused(
    clock, request_, dsl
):
    clock.set(2026, 10, 20, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 10, 5), question="Which years?")
    # Stood still from 5 October: told on 15 October, within the first month.
    extend_request(request_, by=dsl, told_on=date(2026, 10, 15), reason="Many records.")
    request = record_clarification(request_, by=dsl, clarified_on=date(2026, 10, 16))
    with pytest.raises(TransitionRefused) as refused:
        fix_clarification(request, dsl, clarified_on=date(2026, 10, 6))
    # 2 days stood still: the first month ran to Saturday 10 October, so Monday 12 October.
    assert refused.value.field == "clarified_on"
    assert "told of the extension by 12 October 2026, but was told on 15 October 2026" in (
        refused.value.message
    )
    assert stored(request).clarified_on == date(2026, 10, 16)


def test_a_mistyped_day_the_requester_was_told_of_the_extension_is_corrected(
    request_, dsl, deputy_dsl
):
    extend_request(request_, by=dsl, told_on=date(2026, 9, 15), reason="Many records.")
    corrected = fix_extension(
        stored(request_), deputy_dsl, told_on=date(2026, 9, 14), reason="Others to ask."
    )
    row = stored(request_)
    assert (row.extended_on, row.extension_reason, row.extended_by, row.due_on) == (
        date(2026, 9, 14),
        "Others to ask.",
        dsl,
        date(2026, 12, 8),
    )
    assert corrected.due_on == date(2026, 12, 8)
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert event.detail["changed"] == ["extended_on", "extension_reason"]
    assert "Others" not in str(event.detail)


def test_an_extension_told_after_the_first_month_is_refused_beside_the_date(clock, request_, dsl):
    extend_request(request_, by=dsl, told_on=date(2026, 9, 15), reason="Many records.")
    clock.set(2026, 10, 12, 10, 0)
    with pytest.raises(TransitionRefused) as refused:
        fix_extension(stored(request_), dsl, told_on=date(2026, 10, 9))
    assert refused.value.field == "told_on"
    assert "had to be told by 8 October 2026" in refused.value.message
    assert stored(request_).extended_on == date(2026, 9, 15)


def test_an_extension_moved_after_asking_once_the_month_had_run_is_refused(clock, request_, dsl):
    clock.set(2026, 10, 1, 10, 0)
    extend_request(request_, by=dsl, told_on=date(2026, 10, 1), reason="Many records.")
    clock.set(2026, 10, 25, 10, 0)
    # Asked on 20 October, in the extended time.
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 10, 20), question="Which years?")
    with pytest.raises(TransitionRefused) as refused:
        fix_extension(stored(request_), dsl, told_on=date(2026, 10, 21))
    assert refused.value.field == "told_on"
    assert "on or before 20 October 2026, when they were asked to clarify" in (
        refused.value.message
    )


def test_a_correction_that_changes_nothing_writes_nothing(clarified, dsl):
    extend_request(clarified, by=dsl, told_on=date(2026, 9, 15), reason="Many records.")
    fix_extension(stored(clarified), dsl)
    fix_clarification(stored(clarified), dsl)
    assert not AuditEvent.objects.filter(action="pupil.access_request.correct").exists()


def test_a_correction_drawn_before_a_colleagues_is_refused(clarified, dsl, deputy_dsl):
    drawn = request_version(clarified, CLARIFICATION_FIELDS)
    fix_clarification(clarified, deputy_dsl, clarified_on=date(2026, 9, 17))
    with pytest.raises(Stale) as refused:
        correct_clarification(
            stored(clarified),
            by=dsl,
            drawn=drawn,
            asked_on=date(2026, 9, 10),
            question="Which years?",
            clarified_on=date(2026, 9, 24),
        )
    assert "Someone has recorded or corrected the clarification" in refused.value.message
    assert stored(clarified).clarified_on == date(2026, 9, 17)


def test_an_extension_correction_drawn_before_a_colleagues_is_refused(request_, dsl, deputy_dsl):
    request = extend_request(request_, by=dsl, told_on=date(2026, 9, 15), reason="Many.")
    drawn = request_version(request, EXTENSION_FIELDS)
    fix_extension(request, deputy_dsl, told_on=date(2026, 9, 14))
    with pytest.raises(Stale):
        correct_extension(
            stored(request), by=dsl, drawn=drawn, told_on=date(2026, 9, 16), reason="Many."
        )
    assert stored(request).extended_on == date(2026, 9, 14)


def test_a_step_correction_sent_twice_is_not_refused_as_a_colleagues(clarified, dsl):
    """The same form sent again (a double click) finds the step as it says: nothing to do."""
    drawn = request_version(clarified, CLARIFICATION_FIELDS)
    again = {"asked_on": date(2026, 9, 10), "question": "Which years?"}
    fix = {**again, "clarified_on": date(2026, 9, 17)}
    correct_clarification(stored(clarified), by=dsl, drawn=drawn, **fix)
    events = AuditEvent.objects.filter(action="pupil.access_request.correct").count()
    assert correct_clarification(stored(clarified), by=dsl, drawn=drawn, **fix).clarified_on == (
        date(2026, 9, 17)
    )
    assert AuditEvent.objects.filter(action="pupil.access_request.correct").count() == events
    request = extend_request(stored(clarified), by=dsl, told_on=date(2026, 9, 15), reason="Many.")
    drawn = request_version(request, EXTENSION_FIELDS)
    for _ in range(2):
        correct_extension(
            stored(request), by=dsl, drawn=drawn, told_on=date(2026, 9, 14), reason="Many."
        )
    assert stored(request).extended_on == date(2026, 9, 14)


def test_an_answered_request_is_not_corrected(clarified, dsl):
    record_answer(
        clarified, basis="pupil", by=dsl, answered_on=date(2026, 10, 1), answer="none_held"
    )
    with pytest.raises(TransitionRefused) as refused:
        fix_clarification(clarified, dsl, clarified_on=date(2026, 9, 17))
    assert "already recorded the answer" in refused.value.message
    assert stored(clarified).answer == AccessAnswer.NONE_HELD
    assert stored(clarified).clarified_on == date(2026, 9, 24)


def test_steps_not_taken_are_not_corrected(request_, dsl):
    with pytest.raises(TransitionRefused, match="has not been extended"):
        correct_extension(
            request_,
            by=dsl,
            drawn=request_version(request_, EXTENSION_FIELDS),
            told_on=date(2026, 9, 15),
            reason="Many.",
        )
    with pytest.raises(TransitionRefused, match="has not been asked to clarify"):
        correct_clarification(
            request_,
            by=dsl,
            drawn=request_version(request_, CLARIFICATION_FIELDS),
            asked_on=date(2026, 9, 15),
            question="Which?",
        )
    assert stored(request_).due_on == date(2026, 10, 8)


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_correct_a_step(clarified, school, role):
    with pytest.raises(TransitionRefused):
        fix_clarification(clarified, member(role, school), clarified_on=date(2026, 9, 17))
    assert stored(clarified).clarified_on == date(2026, 9, 24)


def test_another_schools_dsl_cannot_correct_a_step(clarified, other_school_dsl):
    with pytest.raises(TransitionRefused):
        fix_clarification(clarified, other_school_dsl, clarified_on=date(2026, 9, 17))
    assert stored(clarified).clarified_on == date(2026, 9, 24)


def test_an_extension_recorded_by_mistake_is_taken_back_and_the_month_is_due_again(request_, dsl):
    request = extend_request(request_, by=dsl, told_on=date(2026, 9, 15), reason="Many.")
    assert request.due_on == date(2026, 12, 8)
    corrected = fix_extension(request, dsl, told_on=None, reason="", withdrawn=True)
    row = stored(request_)
    assert (row.extension_reason, row.extended_on, row.extended_by, row.due_on) == (
        "",
        None,
        None,
        date(2026, 10, 8),
    )
    assert corrected.due_on == date(2026, 10, 8)
    event = AuditEvent.objects.get(action="pupil.access_request.correct")
    assert event.detail["changed"] == ["extended_on", "extension_reason"]


def test_an_extension_that_asking_to_clarify_needed_is_not_taken_back(clock, request_, dsl):
    clock.set(2026, 10, 1, 10, 0)
    extend_request(request_, by=dsl, told_on=date(2026, 10, 1), reason="Many records.")
    clock.set(2026, 10, 25, 10, 0)
    ask_to_clarify(request_, by=dsl, asked_on=date(2026, 10, 20), question="Which years?")
    with pytest.raises(TransitionRefused) as refused:
        fix_extension(stored(request_), dsl, withdrawn=True)
    assert refused.value.field == "withdrawn"
    assert "after the first month had run out" in refused.value.message
    assert stored(request_).extension_reason == "Many records."
