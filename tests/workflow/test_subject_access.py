"""Subject access requests for a pupil's child protection records (UK GDPR article 15): due
within one calendar month as the ICO counts it, extendable to three within the first month,
answered once, with the reason for anything withheld."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import AccessAnswer, SubjectAccessRequest
from schools.models import Role
from tests.factories import PupilFactory, member
from workflow.exceptions import TransitionRefused
from workflow.subject_access import (
    _due,
    ask_to_clarify,
    due_on,
    extend_request,
    record_answer,
    record_clarification,
    record_request,
)


def today():
    return timezone.localdate()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 9, 3), date(2026, 10, 5)),  # 3 October 2026 is a Saturday: the Monday
        (date(2026, 9, 8), date(2026, 10, 8)),  # the same date next month, a Thursday
        (date(2027, 1, 31), date(2027, 3, 1)),  # no 31 February; the 28th is a Sunday
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year: the 29th, a Tuesday
        (date(2026, 3, 31), date(2026, 4, 30)),  # no 31 April: the 30th, a Thursday
        (date(2026, 11, 25), date(2026, 12, 29)),  # 25 and 26 December off, the 28th too
        (date(2026, 12, 15), date(2027, 1, 15)),  # over the new year
    ],
)
def test_the_answer_is_due_a_calendar_month_after_receipt_on_a_working_day(received, due):
    assert due_on(received) == due


def test_an_extension_runs_three_months_from_receipt():
    assert due_on(date(2026, 11, 30), 3) == date(2027, 3, 1)  # 28 Feb 2027 is a Sunday
    assert due_on(date(2026, 9, 8), 3) == date(2026, 12, 8)


def ask(pupil, by, **overrides):
    data = {"requester": "Jane Ahmed, mother", "received_on": today() - timedelta(days=2)}
    return record_request(pupil, by=by, **(data | overrides))


def test_a_dsl_records_a_request_and_its_answer_becomes_due(pupil, dsl):
    received = today() - timedelta(days=2)
    request = ask(pupil, dsl, received_on=received)
    assert (request.requester, request.received_on, request.due_on, request.recorded_by) == (
        "Jane Ahmed, mother",
        received,
        due_on(received),
        dsl,
    )
    assert request.due_on > received + timedelta(days=27)
    audit = AuditEvent.objects.get(action="pupil.access_request.record")
    assert (audit.object_type, audit.object_id, audit.actor) == ("pupil", str(pupil.pk), dsl)
    assert "Jane" not in str(audit.detail)


def test_a_request_is_answered_once_with_the_reason_anything_was_withheld(
    walk, pupil, dsl, deputy_dsl
):
    walk.recorded()
    request = ask(pupil, dsl)
    record_answer(
        request,
        basis="pupil",
        by=deputy_dsl,
        answered_on=today(),
        answer=AccessAnswer.IN_PART,
        withheld_reason="A third party's account; serious harm test.",
    )
    request.refresh_from_db()
    assert (request.answered_on, request.answer, request.answer_recorded_by) == (
        today(),
        "in_part",
        deputy_dsl,
    )
    assert request.withheld_reason == "A third party's account; serious harm test."
    audit = AuditEvent.objects.get(action="pupil.access_request.answer")
    assert audit.detail["answer"] == "in_part"
    assert audit.detail["late"] is False
    assert "third party" not in str(audit.detail)

    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.DISCLOSED
        )
    assert "already recorded the answer" in refused.value.message
    request.refresh_from_db()
    assert request.answer == "in_part"


@pytest.mark.parametrize("answer", [AccessAnswer.IN_PART, AccessAnswer.WITHHELD])
def test_withholding_needs_its_reason(walk, pupil, dsl, answer):
    walk.recorded()
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request, basis="pupil", by=dsl, answered_on=today(), answer=answer, withheld_reason=" "
        )
    assert refused.value.field == "withheld_reason"
    assert SubjectAccessRequest.objects.get().answered_on is None


def test_a_reason_for_withholding_with_nothing_withheld_is_queried(walk, pupil, dsl):
    walk.recorded()
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request,
            basis="pupil",
            by=dsl,
            answered_on=today(),
            answer=AccessAnswer.DISCLOSED,
            withheld_reason="Serious harm.",
        )
    assert refused.value.field == "withheld_reason"


def test_none_held_is_refused_when_concerns_are_recorded(walk, pupil, dsl):
    request = ask(pupil, dsl)
    record_answer(
        ask(pupil, dsl, requester="The pupil"),
        basis="pupil",
        by=dsl,
        answered_on=today(),
        answer=AccessAnswer.NONE_HELD,
    )  # nothing recorded yet: a true answer
    walk.recorded()
    walk.recorded()
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD
        )
    assert (refused.value.field, refused.value.message) == (
        "answer",
        "2 concerns about the pupil are recorded: say whether they were disclosed or withheld",
    )


def test_none_held_with_one_concern_recorded_says_so_in_the_singular(walk, pupil, dsl):
    walk.recorded()
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD
        )
    assert refused.value.message == (
        "1 concern about the pupil is recorded: say whether it was disclosed or withheld"
    )


@pytest.mark.parametrize(
    ("received", "field", "message"),
    [
        (1, "received_on", "The date the request was received must be today or in the past"),
        (None, "received_on", "Enter the date the request was received"),
    ],
)
def test_a_request_received_tomorrow_or_on_no_day_is_refused(pupil, dsl, received, field, message):
    day = None if received is None else today() + timedelta(days=received)
    with pytest.raises(TransitionRefused) as refused:
        ask(pupil, dsl, received_on=day)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not SubjectAccessRequest.objects.exists()


def test_a_request_cannot_come_before_the_pupil_was_born(pupil, dsl):
    born = pupil.date_of_birth
    with pytest.raises(TransitionRefused) as refused:
        ask(pupil, dsl, received_on=born - timedelta(days=1))
    assert refused.value.field == "received_on"
    assert f"on or after {born.day} {born:%B %Y}" in refused.value.message
    assert ask(pupil, dsl, received_on=born).received_on == born


def test_who_asked_is_required(pupil, dsl):
    with pytest.raises(TransitionRefused) as refused:
        ask(pupil, dsl, requester="   ")
    assert (refused.value.field, refused.value.message) == (
        "requester",
        "Enter who made the request",
    )


def test_an_answer_comes_between_receipt_and_today(pupil, dsl):
    request = ask(pupil, dsl, received_on=today() - timedelta(days=5))
    for day, message in [
        (today() + timedelta(days=1), "must be today or in the past"),
        (today() - timedelta(days=6), "when the request was received"),
    ]:
        with pytest.raises(TransitionRefused) as refused:
            record_answer(
                request, basis="pupil", by=dsl, answered_on=day, answer=AccessAnswer.NONE_HELD
            )
        assert refused.value.field == "answered_on"
        assert message in refused.value.message
    record_answer(
        request,
        basis="pupil",
        by=dsl,
        answered_on=today() - timedelta(days=5),
        answer=AccessAnswer.NONE_HELD,
    )


def test_an_answer_after_its_due_day_is_audited_as_late(clock, pupil, dsl):
    clock.set(2026, 11, 20, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 10, 1))  # due Monday 2 November
    assert request.due_on == date(2026, 11, 2)
    assert request.late
    record_answer(
        request, basis="pupil", by=dsl, answered_on=date(2026, 11, 2), answer=AccessAnswer.NONE_HELD
    )
    request.refresh_from_db()
    assert not request.late  # answered on its due day: in time
    late = ask(pupil, dsl, received_on=date(2026, 10, 1), requester="The pupil")
    record_answer(
        late, basis="pupil", by=dsl, answered_on=date(2026, 11, 3), answer=AccessAnswer.NONE_HELD
    )
    assert (
        AuditEvent.objects.filter(action="pupil.access_request.answer")
        .order_by("pk")[1]
        .detail["late"]
    )


def test_an_extension_is_given_once_with_its_reason_told_within_the_first_month(clock, pupil, dsl):
    clock.set(2026, 10, 20, 10, 0)  # recorded later than the requester was told: allowed
    request = ask(pupil, dsl, received_on=date(2026, 9, 8))  # first month ends 8 October
    extend_request(
        request, by=dsl, told_on=date(2026, 10, 8), reason="Many records, others to consult."
    )
    request.refresh_from_db()
    assert (request.due_on, request.extension_reason, request.extended_on) == (
        date(2026, 12, 8),
        "Many records, others to consult.",
        date(2026, 10, 8),
    )
    assert request.extended_by == dsl
    audit = AuditEvent.objects.get(action="pupil.access_request.extend")
    assert audit.detail["request"] == request.pk
    assert "consult" not in str(audit.detail)
    with pytest.raises(TransitionRefused) as refused:
        extend_request(request, by=dsl, told_on=date(2026, 10, 8), reason="Again.")
    assert "already been extended" in refused.value.message


@pytest.mark.parametrize(
    ("told", "message"),
    [
        (date(2026, 10, 9), "The requester had to be told by 8 October 2026, within a month"),
        (date(2026, 9, 7), "must be on or after 8 September 2026, when the request was received"),
        (date(2026, 10, 21), "The date the requester was told must be today or in the past"),
        (None, "Enter the date the requester was told"),
    ],
)
def test_an_extension_told_outside_the_first_month_is_refused(clock, pupil, dsl, told, message):
    clock.set(2026, 10, 20, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 8))
    with pytest.raises(TransitionRefused) as refused:
        extend_request(request, by=dsl, told_on=told, reason="Many records.")
    assert refused.value.field == "told_on"
    assert refused.value.message.startswith(message) or message in refused.value.message
    request.refresh_from_db()
    assert (request.due_on, request.extension_reason) == (date(2026, 10, 8), "")


def test_an_extension_counts_three_months_from_receipt(clock, pupil, dsl):
    # 3 October 2026 is a Saturday, so the first due day is Monday 5 October; three months
    # from receipt is Thursday 3 December, not two months from the first due day.
    clock.set(2026, 9, 10, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 3))
    extended = extend_request(request, by=dsl, told_on=date(2026, 9, 10), reason="Many.")
    assert extended.due_on == date(2026, 12, 3)


def test_three_months_into_a_leap_february():
    assert due_on(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_the_same_request_submitted_twice_is_recorded_once(pupil, dsl, deputy_dsl):
    first = ask(pupil, dsl, received_on=today() - timedelta(days=1))
    with pytest.raises(TransitionRefused) as refused:
        ask(pupil, deputy_dsl, received_on=today() - timedelta(days=1))
    assert "is already recorded. Nothing was saved." in refused.value.message
    assert list(SubjectAccessRequest.objects.all()) == [first]
    assert AuditEvent.objects.filter(action="pupil.access_request.record").count() == 1
    # Someone else asking the same day is another request.
    ask(pupil, dsl, received_on=today() - timedelta(days=1), requester="The pupil")
    assert SubjectAccessRequest.objects.count() == 2


def test_none_held_counts_only_this_pupils_concerns(walk, school, pupil, dsl):
    other = PupilFactory(school=school)
    walk.pupil = other
    walk.recorded()
    request = ask(pupil, dsl)
    record_answer(
        request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD
    )
    assert SubjectAccessRequest.objects.get().answer == "none_held"


def test_an_answered_request_is_not_extended_and_a_reason_is_required(pupil, dsl):
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        extend_request(request, by=dsl, told_on=today(), reason="  ")
    assert (refused.value.field, refused.value.message) == (
        "reason",
        "Enter why the request needs more time",
    )
    record_answer(
        request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD
    )
    with pytest.raises(TransitionRefused) as refused:
        extend_request(request, by=dsl, told_on=today(), reason="Many records.")
    assert "already recorded the answer" in refused.value.message


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_record_each_step(pupil, school, dsl, role):
    someone = member(role, school)
    with pytest.raises(TransitionRefused):
        ask(pupil, someone)
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused):
        extend_request(request, by=someone, told_on=today(), reason="Many records.")
    with pytest.raises(TransitionRefused):
        record_answer(
            request, basis="pupil", by=someone, answered_on=today(), answer=AccessAnswer.NONE_HELD
        )
    with pytest.raises(TransitionRefused):
        ask_to_clarify(request, by=someone, asked_on=today(), question="Which years?")
    ask_to_clarify(request, by=dsl, asked_on=today(), question="Which years?")
    with pytest.raises(TransitionRefused):
        record_clarification(request, by=someone, clarified_on=today())
    request.refresh_from_db()
    assert (request.extension_reason, request.answered_on) == ("", None)
    assert (request.clarification_asked_by, request.clarified_on) == (dsl, None)


def test_another_schools_dsl_cannot_record_one(pupil, dsl, other_school_dsl):
    with pytest.raises(TransitionRefused):
        ask(pupil, other_school_dsl)
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused):
        record_answer(
            request,
            basis="pupil",
            by=other_school_dsl,
            answered_on=today(),
            answer=AccessAnswer.NONE_HELD,
        )
    assert SubjectAccessRequest.objects.get().answered_on is None


# Asking the requester to clarify: the time limit stands still from the day they are asked to
# the day their clarification arrives, both days counted (ICO guidance; DPA 2018 s.54(3C) and
# UK GDPR article 12A). Received Tuesday 8 September 2026: due Thursday 8 October.


def asked(clock, pupil, dsl, *, on=date(2026, 9, 10)):
    clock.set(2026, 10, 8, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 8))
    return ask_to_clarify(request, by=dsl, asked_on=on, question="Which school years?")


def test_asking_to_clarify_stops_the_clock_and_the_due_day_moves_on_by_the_days_waited(
    clock, pupil, dsl
):
    request = asked(clock, pupil, dsl)
    assert (request.clarification_asked_on, request.clarification_asked) == (
        date(2026, 9, 10),
        "Which school years?",
    )
    assert request.clarification_asked_by == dsl
    clock.set(2026, 10, 20, 10, 0)  # past the first due day, and still waiting
    request.refresh_from_db()
    assert request.waiting
    assert not request.late
    clarified = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 24))
    # 10 to 24 September: 15 days stood still; 8 October + 15 = Friday 23 October.
    assert clarified.due_on == date(2026, 10, 23)
    assert not clarified.waiting
    assert clarified.clarified_recorded_by == dsl
    events = AuditEvent.objects.filter(action__startswith="pupil.access_request.clar")
    assert [(e.action, e.detail.get("days_stood_still")) for e in events.order_by("pk")] == [
        ("pupil.access_request.clarify", None),
        ("pupil.access_request.clarified", 15),
    ]
    assert "school years" not in str([e.detail for e in events])


@pytest.mark.parametrize(
    ("clarified_on", "due"),
    [
        (date(2026, 9, 10), date(2026, 10, 9)),  # clarified the day asked: that day counts
        (date(2026, 9, 11), date(2026, 10, 12)),  # two days, to Saturday 10 October: Monday
        (date(2026, 9, 14), date(2026, 10, 13)),  # five days
    ],
)
def test_the_moved_due_day_lands_on_a_working_day(clock, pupil, dsl, clarified_on, due):
    request = asked(clock, pupil, dsl)
    assert record_clarification(request, by=dsl, clarified_on=clarified_on).due_on == due


def test_days_stood_still_move_an_extended_due_day_on_too(clock, pupil, dsl):
    # Extended while waiting, then clarified: 10 to 20 September is 11 days; three months
    # from receipt is Tuesday 8 December, and 11 days more Saturday 19: Monday 21 December.
    request = asked(clock, pupil, dsl)
    clock.set(2026, 10, 15, 10, 0)
    # Told after the first month would have ended (8 October): the clock stood still from
    # 10 September, so the first month has 35 days more to run.
    request = extend_request(request, by=dsl, told_on=date(2026, 10, 15), reason="Many.")
    request = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 20))
    assert request.due_on == date(2026, 12, 21)


def test_an_extension_after_clarification_counts_the_days_stood_still(clock, pupil, dsl):
    request = asked(clock, pupil, dsl)
    request = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 20))
    assert request.due_on == date(2026, 10, 19)  # 8 October + 11 days
    clock.set(2026, 10, 20, 10, 0)
    with pytest.raises(TransitionRefused) as refused:
        extend_request(request, by=dsl, told_on=date(2026, 10, 20), reason="Many.")
    assert "had to be told by 19 October 2026" in refused.value.message
    request = extend_request(request, by=dsl, told_on=date(2026, 10, 19), reason="Many.")
    assert request.due_on == date(2026, 12, 21)


def test_an_answer_given_while_still_waiting_is_not_late(clock, pupil, dsl):
    # The requester never answered; the school answered with what it could, after the first
    # due day: the clock had stopped before it ran out.
    request = asked(clock, pupil, dsl, on=date(2026, 10, 8))
    clock.set(2026, 11, 2, 10, 0)
    request = record_answer(
        request, basis="pupil", by=dsl, answered_on=date(2026, 11, 2), answer=AccessAnswer.NONE_HELD
    )
    assert not request.late
    assert AuditEvent.objects.get(action="pupil.access_request.answer").detail["late"] is False


@pytest.mark.parametrize(
    ("asked_on", "question", "field", "message"),
    [
        (date(2026, 10, 9), "Which?", "asked_on", "must be on or before 8 October 2026, when"),
        (date(2026, 9, 7), "Which?", "asked_on", "on or after 8 September 2026, when the"),
        (date(2026, 10, 21), "Which?", "asked_on", "must be today or in the past"),
        (None, "Which?", "asked_on", "Enter the date the requester was asked"),
        (date(2026, 9, 10), "  ", "question", "Enter what the requester was asked"),
    ],
)
def test_asking_to_clarify_is_checked(clock, pupil, dsl, asked_on, question, field, message):
    clock.set(2026, 10, 20, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 8))
    with pytest.raises(TransitionRefused) as refused:
        ask_to_clarify(request, by=dsl, asked_on=asked_on, question=question)
    assert refused.value.field == field
    assert message in refused.value.message
    request.refresh_from_db()
    assert request.clarification_asked_on is None


def test_the_requesters_answer_comes_once_after_they_were_asked(clock, pupil, dsl):
    clock.set(2026, 9, 10, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 8))
    with pytest.raises(TransitionRefused) as refused:
        record_clarification(request, by=dsl, clarified_on=date(2026, 9, 10))
    assert "has not been asked to clarify" in refused.value.message
    ask_to_clarify(request, by=dsl, asked_on=date(2026, 9, 9), question="Which years?")
    with pytest.raises(TransitionRefused) as refused:
        ask_to_clarify(request, by=dsl, asked_on=date(2026, 9, 10), question="Again?")
    assert "already recorded asking the requester" in refused.value.message
    with pytest.raises(TransitionRefused) as refused:
        record_clarification(request, by=dsl, clarified_on=date(2026, 9, 8))
    assert refused.value.field == "clarified_on"
    assert "on or after 9 September 2026, when they were asked" in refused.value.message
    record_clarification(request, by=dsl, clarified_on=date(2026, 9, 10))
    with pytest.raises(TransitionRefused) as refused:
        record_clarification(request, by=dsl, clarified_on=date(2026, 9, 10))
    assert "already recorded the requester's clarification" in refused.value.message
    request.refresh_from_db()
    assert request.due_on == date(2026, 10, 12)  # two days: Saturday 10 October, so Monday


def test_an_answered_request_is_not_sent_back_to_clarify(pupil, dsl):
    request = ask(pupil, dsl)
    record_answer(
        request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD
    )
    for step in (
        lambda: ask_to_clarify(request, by=dsl, asked_on=today(), question="Which?"),
        lambda: record_clarification(request, by=dsl, clarified_on=today()),
    ):
        with pytest.raises(TransitionRefused) as refused:
            step()
        assert "already recorded the answer" in refused.value.message


def test_asked_on_a_day_the_weekend_added_the_answer_is_due_after_the_clarification(
    clock, pupil, dsl
):
    # Received Thursday 10 September: the month ends Saturday 10 October, so the answer is due
    # Monday 12 October. Asked that Monday, the month had already run: the answer is due the
    # first working day after the requester's clarification, never before it.
    clock.set(2026, 10, 12, 10, 0)
    request = ask(pupil, dsl, received_on=date(2026, 9, 10))
    assert request.due_on == date(2026, 10, 12)
    request = ask_to_clarify(request, by=dsl, asked_on=date(2026, 10, 12), question="Which?")
    clock.set(2026, 10, 13, 10, 0)
    # Meanwhile the time limit stands still: an extension may still be given.
    request = extend_request(request, by=dsl, told_on=date(2026, 10, 13), reason="Many.")
    clock.set(2026, 10, 14, 10, 0)
    request = record_clarification(request, by=dsl, clarified_on=date(2026, 10, 14))
    # Three months from receipt, 10 December, and 3 days: Sunday 13, so Monday 14 December.
    assert request.due_on == date(2026, 12, 14)
    other = ask(PupilFactory(school=pupil.school), dsl, received_on=date(2026, 9, 10))
    ask_to_clarify(other, by=dsl, asked_on=date(2026, 10, 12), question="Which?")
    other = record_clarification(other, by=dsl, clarified_on=date(2026, 10, 14))
    assert other.due_on == date(2026, 10, 15)
    assert not other.late


def test_the_days_stood_still_are_added_to_the_month_before_the_weekend_moves_it():
    # Received 10 September, asked 1 October, clarified 2 October: two days on Saturday 10
    # October is Monday 12 October (not the working day first, then two days more).
    request = SubjectAccessRequest(
        received_on=date(2026, 9, 10),
        due_on=date(2026, 10, 12),
        clarification_asked_on=date(2026, 10, 1),
        clarified_on=date(2026, 10, 2),
    )
    assert _due(request) == date(2026, 10, 12)


def test_the_database_refuses_a_clarification_never_asked_for_or_an_unsaid_question(pupil, dsl):
    request = ask(pupil, dsl)
    rows = SubjectAccessRequest.objects.filter(pk=request.pk)
    for change in ({"clarified_on": today()}, {"clarification_asked_on": today()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)


@pytest.mark.parametrize(
    "answer", [AccessAnswer.DISCLOSED, AccessAnswer.IN_PART, AccessAnswer.NONE_HELD]
)
def test_nothing_is_disclosed_to_a_requester_the_pupil_did_not_agree_to(pupil, dsl, answer):
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request,
            by=dsl,
            answered_on=today(),
            answer=answer,
            basis="not_agreed",
            withheld_reason="x" if answer == AccessAnswer.IN_PART else "",
        )
    assert refused.value.field == "answer"
    assert SubjectAccessRequest.objects.get().answered_on is None


@pytest.mark.parametrize(("basis", "field"), [("", "basis"), ("parent", "basis")])
def test_whose_request_it_was_is_required_and_one_of_the_choices(pupil, dsl, basis, field):
    request = ask(pupil, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request, by=dsl, answered_on=today(), answer=AccessAnswer.NONE_HELD, basis=basis
        )
    assert refused.value.field == field
    assert SubjectAccessRequest.objects.get().answered_on is None


def test_an_answer_dated_before_the_clarification_recorded_is_refused_beside_the_date(
    clock, pupil, dsl
):
    # Asked 10 September; a mistyped answer day before it would stand for good, the record
    # saying the school answered before it asked.
    request = asked(clock, pupil, dsl, on=date(2026, 9, 10))
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request,
            basis="pupil",
            by=dsl,
            answered_on=date(2026, 9, 9),
            answer=AccessAnswer.NONE_HELD,
        )
    assert refused.value.field == "answered_on"
    assert "on or after 10 September 2026, when the requester was asked" in refused.value.message
    request = record_clarification(request, by=dsl, clarified_on=date(2026, 9, 20))
    with pytest.raises(TransitionRefused) as refused:
        record_answer(
            request,
            basis="pupil",
            by=dsl,
            answered_on=date(2026, 9, 19),
            answer=AccessAnswer.NONE_HELD,
        )
    assert "on or after 20 September 2026, when the requester's clarification arrived" in (
        refused.value.message
    )
    assert SubjectAccessRequest.objects.get().answered_on is None
    record_answer(
        request, basis="pupil", by=dsl, answered_on=date(2026, 9, 20), answer=AccessAnswer.NONE_HELD
    )
