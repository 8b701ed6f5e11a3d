"""A pupil leaving, and their child protection file sent to the new school within 5 school
days of their first day there, with confirmation of receipt (KCSIE)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import FileTransfer
from schools.models import Role
from tests.factories import PupilFactory, member
from tests.walk import concern_data
from workflow.concerns import record_concern
from workflow.exceptions import Stale, TransitionRefused
from workflow.leavers import (
    correct_leaving,
    due_on,
    leaving_version,
    record_file_received,
    record_file_sent,
    record_leaving,
    record_return,
)


def today():
    return timezone.localdate()


@pytest.mark.parametrize(
    ("first_day", "due"),
    [
        (date(2026, 3, 2), date(2026, 3, 6)),  # a Monday: that Friday
        (date(2026, 3, 5), date(2026, 3, 11)),  # a Thursday: over the weekend
        (date(2026, 3, 7), date(2026, 3, 13)),  # a Saturday: from the Monday
        # Christmas Eve 2026: Christmas Day, the Boxing Day holiday (Monday 28) and New
        # Year's Day are not school days.
        (date(2026, 12, 24), date(2027, 1, 4)),
    ],
)
def test_the_file_is_due_on_the_5th_school_day_from_the_first_day(first_day, due):
    assert due_on(first_day) == due


def leave(pupil, dsl, **overrides):
    data = {
        "left_on": today() - timedelta(days=3),
        "starts_on": today() - timedelta(days=1),
        "new_school": "Wardown Vale High School",
    }
    return record_leaving(pupil, by=dsl, **(data | overrides))


@pytest.fixture
def leaver(walk, pupil):
    walk.recorded()
    return pupil


def test_a_dsl_records_a_pupil_leaving_and_the_file_becomes_due(leaver, dsl):
    transfer = leave(leaver, dsl, starts_on=date(2026, 3, 2), left_on=date(2026, 2, 27))
    assert (transfer.due_on, transfer.new_school, transfer.recorded_by) == (
        date(2026, 3, 6),
        "Wardown Vale High School",
        dsl,
    )
    audit = AuditEvent.objects.get(action="pupil.leaving.record")
    assert (audit.object_type, audit.object_id, audit.actor) == ("pupil", str(leaver.pk), dsl)
    assert "Wardown" not in str(audit.detail)


def test_then_the_file_is_sent_and_its_receipt_confirmed(leaver, dsl, deputy_dsl):
    transfer = leave(leaver, dsl)
    record_file_sent(transfer, by=deputy_dsl, sent_on=today(), sent_how="electronic")
    record_file_received(transfer, by=deputy_dsl, received_on=today(), received_by="Sam Patel, DSL")
    transfer.refresh_from_db()
    assert (transfer.sent_on, transfer.sent_how, transfer.sent_recorded_by) == (
        today(),
        "electronic",
        deputy_dsl,
    )
    assert (transfer.received_on, transfer.received_by, transfer.receipt_recorded_by) == (
        today(),
        "Sam Patel, DSL",
        deputy_dsl,
    )
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["pupil.leaving.record", "pupil.file.sent", "pupil.file.received"]


def test_a_file_sent_after_its_due_day_is_audited_as_late(leaver, dsl):
    transfer = leave(
        leaver, dsl, left_on=today() - timedelta(days=30), starts_on=today() - timedelta(days=28)
    )
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    assert AuditEvent.objects.get(action="pupil.file.sent").detail["late"] is True


def test_a_pupil_with_no_concerns_has_no_file_to_send(walk, school, dsl):
    walk.recorded()  # about another pupil of the school
    pupil = PupilFactory(school=school)
    with pytest.raises(TransitionRefused) as refused:
        leave(pupil, dsl)
    assert "no child protection file to send" in refused.value.message
    assert not FileTransfer.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_record_it(leaver, school, dsl, role):
    someone = member(role, school)
    with pytest.raises(TransitionRefused):
        leave(leaver, someone)
    transfer = leave(leaver, dsl)
    with pytest.raises(TransitionRefused):
        record_file_sent(transfer, by=someone, sent_on=today(), sent_how="post")
    assert FileTransfer.objects.get().sent_on is None
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    with pytest.raises(TransitionRefused):
        record_file_received(transfer, by=someone, received_on=today(), received_by="Sam")
    assert FileTransfer.objects.get().received_on is None


def test_another_schools_dsl_cannot_record_it(leaver, other_school_dsl):
    with pytest.raises(TransitionRefused):
        leave(leaver, other_school_dsl)
    assert not FileTransfer.objects.exists()


@pytest.mark.parametrize(
    ("left", "starts", "new_school", "field", "message"),
    [
        (1, 2, "Wardown Vale", "left_on", "The date the pupil left must be today or in the past"),
        (
            -3,
            -4,
            "Wardown Vale",
            "starts_on",
            "The first day at the new school must be on or after the date the pupil left",
        ),
        (
            -3,
            364,
            "Wardown Vale",
            "starts_on",
            "The first day at the new school must be within a year of the date the pupil left",
        ),
        (-3, -1, "  ", "new_school", "Enter the name of the new school"),
    ],
)
def test_what_cannot_be_right_is_refused_beside_its_field(
    leaver, dsl, left, starts, new_school, field, message
):
    with pytest.raises(TransitionRefused) as refused:
        leave(
            leaver,
            dsl,
            left_on=today() + timedelta(days=left),
            starts_on=today() + timedelta(days=starts),
            new_school=new_school,
        )
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not FileTransfer.objects.exists()


def test_each_step_is_recorded_once_a_second_form_is_refused(leaver, dsl, deputy_dsl):
    transfer = leave(leaver, dsl)
    with pytest.raises(TransitionRefused) as refused:
        leave(leaver, deputy_dsl)
    assert "already recorded as having left" in refused.value.message
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    with pytest.raises(TransitionRefused):
        record_file_sent(transfer, by=deputy_dsl, sent_on=today(), sent_how="electronic")
    record_file_received(transfer, by=dsl, received_on=today(), received_by="Sam Patel")
    with pytest.raises(TransitionRefused):
        record_file_received(transfer, by=deputy_dsl, received_on=today(), received_by="Jo")
    transfer.refresh_from_db()
    assert (transfer.sent_how, transfer.received_by) == ("post", "Sam Patel")
    assert AuditEvent.objects.filter(action__startswith="pupil.").count() == 3


def test_receipt_comes_after_sending(leaver, dsl):
    transfer = leave(leaver, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_file_received(transfer, by=dsl, received_on=today(), received_by="Sam Patel")
    assert "before recording that it arrived" in refused.value.message
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    with pytest.raises(TransitionRefused) as refused:
        record_file_received(
            transfer, by=dsl, received_on=today() - timedelta(days=1), received_by="Sam Patel"
        )
    assert refused.value.field == "received_on"
    assert FileTransfer.objects.get().received_on is None


def test_a_file_cannot_be_sent_or_received_tomorrow(leaver, dsl):
    transfer = leave(leaver, dsl)
    with pytest.raises(TransitionRefused) as refused:
        record_file_sent(transfer, by=dsl, sent_on=today() + timedelta(days=1), sent_how="post")
    assert (refused.value.field, refused.value.message) == (
        "sent_on",
        "The date the file was sent must be today or in the past",
    )
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    with pytest.raises(TransitionRefused) as refused:
        record_file_received(
            transfer, by=dsl, received_on=today() + timedelta(days=1), received_by="Sam"
        )
    assert (refused.value.field, refused.value.message) == (
        "received_on",
        "The date the file was received must be today or in the past",
    )


def test_a_file_sent_on_its_due_day_is_in_time(clock, pupil, walk, dsl):
    clock.set(2026, 2, 2, 10, 0)
    walk.recorded()
    clock.set(2026, 3, 16, 10, 0)
    transfer = leave(pupil, dsl, left_on=date(2026, 3, 2), starts_on=date(2026, 3, 3))
    assert transfer.due_on == date(2026, 3, 9)
    record_file_sent(transfer, by=dsl, sent_on=date(2026, 3, 9), sent_how="post")
    assert AuditEvent.objects.get(action="pupil.file.sent").detail["late"] is False


def test_a_pupil_cannot_leave_before_they_were_born(leaver, dsl):
    born = leaver.date_of_birth
    with pytest.raises(TransitionRefused) as refused:
        leave(leaver, dsl, left_on=born, starts_on=born + timedelta(days=1))
    assert (refused.value.field, refused.value.message) == (
        "left_on",
        "The date the pupil left must be after their date of birth",
    )


def test_no_file_was_sent_before_its_first_concern(clock, pupil, walk, dsl):
    clock.set(2026, 3, 2, 10, 0)
    walk.recorded()
    clock.set(2026, 3, 16, 10, 0)
    transfer = leave(pupil, dsl, left_on=date(2026, 3, 6), starts_on=date(2026, 3, 9))
    with pytest.raises(TransitionRefused) as refused:
        record_file_sent(transfer, by=dsl, sent_on=date(2026, 3, 1), sent_how="post")
    assert (refused.value.field, refused.value.message) == (
        "sent_on",
        "The date the file was sent must be on or after 2 March 2026, when the first concern "
        "about the pupil was recorded",
    )
    assert FileTransfer.objects.get().sent_on is None


def test_a_pupil_who_comes_back_can_leave_again_with_a_new_file_to_send(leaver, dsl, deputy_dsl):
    first = leave(
        leaver,
        dsl,
        left_on=today() - timedelta(days=60),
        starts_on=today() - timedelta(days=59),
    )
    record_file_sent(first, by=dsl, sent_on=today(), sent_how="post")
    back = record_return(first, by=deputy_dsl, returned_on=today())
    assert (back.returned_on, back.return_recorded_by) == (today(), deputy_dsl)
    audit = AuditEvent.objects.get(action="pupil.return.record")
    assert (audit.object_id, audit.actor, audit.detail) == (
        str(leaver.pk),
        deputy_dsl,
        {"sent": True},
    )
    # Away once at a time: leaving again is recorded afresh, with its own file due.
    second = leave(leaver, dsl, left_on=today(), starts_on=today())
    assert second.pk != first.pk
    assert second.due_on == due_on(today())
    assert list(FileTransfer.objects.filter(pupil=leaver, returned_on__isnull=True)) == [second]
    with pytest.raises(TransitionRefused, match="already recorded as having left"):
        leave(leaver, deputy_dsl, left_on=today(), starts_on=today())
    # The same leaving sent again by the DSL who recorded it (a double click) is that one.
    assert leave(leaver, dsl, left_on=today(), starts_on=today()) == second


def test_coming_back_ends_the_leaving_and_its_steps(leaver, dsl, deputy_dsl):
    transfer = leave(leaver, dsl)
    record_return(transfer, by=dsl, returned_on=today())
    for step in (
        lambda: record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post"),
        lambda: record_return(transfer, by=deputy_dsl, returned_on=today()),
        lambda: record_return(transfer, by=dsl, returned_on=today() - timedelta(days=1)),
    ):
        with pytest.raises(TransitionRefused, match=r"already recorded that .* came back"):
            step()
    transfer.refresh_from_db()
    assert (transfer.sent_on, transfer.returned_on) == (None, today())
    assert AuditEvent.objects.filter(action="pupil.return.record").count() == 1


def test_a_file_sent_cannot_be_confirmed_once_the_pupil_came_back(leaver, dsl):
    transfer = leave(leaver, dsl)
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    record_return(transfer, by=dsl, returned_on=today())
    with pytest.raises(TransitionRefused, match="came back"):
        record_file_received(transfer, by=dsl, received_on=today(), received_by="Sam")


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (None, "Enter the date the pupil came back"),
        (1, "must be today or in the past"),
        (-4, "must be on or after"),  # before they left, 3 days ago
    ],
)
def test_the_day_they_came_back_is_checked_beside_its_field(leaver, dsl, returned, message):
    transfer = leave(leaver, dsl)
    day = None if returned is None else today() + timedelta(days=returned)
    with pytest.raises(TransitionRefused, match=message) as refused:
        record_return(transfer, by=dsl, returned_on=day)
    assert refused.value.field == "returned_on"
    transfer.refresh_from_db()
    assert transfer.returned_on is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_record_a_return(leaver, school, dsl, other_school_dsl, role):
    transfer = leave(leaver, dsl)
    for someone in (member(role, school), other_school_dsl):
        with pytest.raises(TransitionRefused, match="Only the school's DSL"):
            record_return(transfer, by=someone, returned_on=today())
    transfer.refresh_from_db()
    assert transfer.returned_on is None


def test_leaving_again_cannot_be_dated_before_they_came_back(leaver, dsl):
    first = leave(leaver, dsl, left_on=today() - timedelta(days=30))
    record_return(first, by=dsl, returned_on=today() - timedelta(days=10))
    with pytest.raises(TransitionRefused, match=r"on or after .* when they came back") as refused:
        leave(leaver, dsl, left_on=today() - timedelta(days=11), starts_on=today())
    assert refused.value.field == "left_on"
    assert leave(leaver, dsl, left_on=today() - timedelta(days=10), starts_on=today())


def test_a_leaving_is_corrected_until_the_file_is_sent_and_the_due_day_follows(leaver, dsl):
    transfer = leave(leaver, dsl, left_on=today() - timedelta(days=3), starts_on=today())
    drawn, first_due = leaving_version(transfer), transfer.due_on
    starts = today() + timedelta(days=7)  # a week later than first typed
    corrected = correct_leaving(
        transfer,
        by=dsl,
        drawn=drawn,
        new_school="Stopsley High School",
        left_on=today() - timedelta(days=3),
        starts_on=starts,
    )
    assert (corrected.new_school, corrected.starts_on, corrected.due_on) == (
        "Stopsley High School",
        starts,
        due_on(starts),
    )
    assert corrected.due_on > first_due
    transfer.refresh_from_db()
    assert transfer.due_on == due_on(starts)
    audit = AuditEvent.objects.get(action="pupil.leaving.correct")
    assert audit.detail == {"changed": ["new_school", "starts_on"]}  # names, not values
    # A page drawn before that correction would undo it: refused.
    with pytest.raises(TransitionRefused, match=r"changed the details .* since this page"):
        correct_leaving(
            transfer,
            by=dsl,
            drawn=drawn,
            new_school="Wardown Vale High School",
            left_on=today() - timedelta(days=3),
            starts_on=today(),
        )
    transfer.refresh_from_db()
    assert transfer.new_school == "Stopsley High School"
    assert AuditEvent.objects.filter(action="pupil.leaving.correct").count() == 1


@pytest.fixture
def long_known(clock, pupil, walk):
    """A leaver whose first concern was recorded 40 days ago."""
    now = clock.moment
    clock.moment = now - timedelta(days=40)
    walk.recorded()
    clock.moment = now
    return pupil


def sent_leaver(pupil, dsl, *, sent_on, received_on=None):
    transfer = leave(pupil, dsl, left_on=today() - timedelta(days=20), starts_on=today())
    transfer = record_file_sent(transfer, by=dsl, sent_on=sent_on, sent_how="post")
    if received_on is not None:
        transfer = record_file_received(transfer, by=dsl, received_on=received_on, received_by="S")
    return transfer


def as_recorded(transfer, **changes):
    names = ("new_school", "left_on", "starts_on", "sent_on", "sent_how")
    return {name: getattr(transfer, name) for name in names} | changes


def test_once_the_file_is_sent_a_mistyped_first_day_or_sending_is_corrected(long_known, dsl):
    # The first day was typed three weeks late, so the file sent today read as in time.
    transfer = leave(long_known, dsl, left_on=today() - timedelta(days=20), starts_on=today())
    transfer = record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    assert not transfer.late
    starts = today() - timedelta(days=19)
    corrected = correct_leaving(
        transfer,
        by=dsl,
        drawn=leaving_version(transfer),
        **as_recorded(transfer, starts_on=starts, sent_how="by_hand"),
    )
    transfer.refresh_from_db()
    assert (transfer.starts_on, transfer.due_on, transfer.sent_how) == (
        starts,
        due_on(starts),
        "by_hand",
    )
    assert transfer.late  # the report now counts it as sent late
    audit = AuditEvent.objects.get(action="pupil.leaving.correct")
    assert audit.detail == {"changed": ["starts_on", "sent_how"]}  # names, not values
    # The day it was sent, corrected to the day before: in time after all.
    correct_leaving(
        transfer,
        by=dsl,
        drawn=leaving_version(corrected),
        **as_recorded(corrected, sent_on=due_on(starts)),
    )
    transfer.refresh_from_db()
    assert transfer.sent_on == due_on(starts)
    assert not transfer.late


def test_a_sending_day_after_the_recorded_receipt_is_refused_beside_it(long_known, dsl):
    received = today() - timedelta(days=2)
    transfer = sent_leaver(
        long_known, dsl, sent_on=today() - timedelta(days=3), received_on=received
    )
    with pytest.raises(TransitionRefused, match=r"on or before .*, when the new school") as refused:
        correct_leaving(
            transfer,
            by=dsl,
            drawn=leaving_version(transfer),
            **as_recorded(transfer, sent_on=today() - timedelta(days=1)),
        )
    assert refused.value.field == "sent_on"
    with pytest.raises(TransitionRefused, match="today or in the past") as refused:
        correct_leaving(
            transfer,
            by=dsl,
            drawn=leaving_version(transfer),
            **as_recorded(transfer, sent_on=today() + timedelta(days=1)),
        )
    assert refused.value.field == "sent_on"
    with pytest.raises(TransitionRefused, match="Select how the file was sent") as refused:
        correct_leaving(
            transfer, by=dsl, drawn=leaving_version(transfer), **as_recorded(transfer, sent_how="")
        )
    assert refused.value.field == "sent_how"
    transfer.refresh_from_db()
    assert transfer.sent_on == today() - timedelta(days=3)
    assert not AuditEvent.objects.filter(action="pupil.leaving.correct").exists()
    # On the day it was received, it could have been sent.
    correct_leaving(
        transfer, by=dsl, drawn=leaving_version(transfer), **as_recorded(transfer, sent_on=received)
    )
    assert FileTransfer.objects.get().sent_on == received


def test_a_corrected_sending_day_is_still_after_the_first_concern(clock, pupil, walk, dsl):
    clock.set(2026, 3, 2, 10, 0)
    walk.recorded()
    clock.set(2026, 3, 16, 10, 0)
    transfer = leave(pupil, dsl, left_on=date(2026, 3, 6), starts_on=date(2026, 3, 9))
    transfer = record_file_sent(transfer, by=dsl, sent_on=date(2026, 3, 10), sent_how="post")
    with pytest.raises(TransitionRefused, match="on or after 2 March 2026, when the first concern"):
        correct_leaving(
            transfer,
            by=dsl,
            drawn=leaving_version(transfer),
            **as_recorded(transfer, sent_on=date(2026, 3, 1)),
        )
    assert FileTransfer.objects.get().sent_on == date(2026, 3, 10)


def test_a_correction_drawn_before_the_file_was_sent_is_stale(leaver, dsl, deputy_dsl):
    transfer = leave(leaver, dsl)
    drawn = leaving_version(transfer)
    record_file_sent(FileTransfer.objects.get(), by=deputy_dsl, sent_on=today(), sent_how="post")
    with pytest.raises(Stale):
        correct_leaving(
            FileTransfer.objects.get(),
            by=dsl,
            drawn=drawn,
            **as_recorded(transfer, new_school="Stopsley High School"),
        )
    assert FileTransfer.objects.get().new_school == "Wardown Vale High School"


def test_a_correction_is_checked_as_the_leaving_was(leaver, dsl, school, other_school_dsl):
    transfer = leave(leaver, dsl)
    fields = {"new_school": "Stopsley", "left_on": today(), "starts_on": today()}
    drawn = leaving_version(transfer)
    with pytest.raises(TransitionRefused, match="must be on or after the date") as refused:
        correct_leaving(
            transfer, by=dsl, drawn=drawn, **fields | {"starts_on": today() - timedelta(1)}
        )
    assert refused.value.field == "starts_on"
    for someone in (member(Role.HEAD_TEACHER, school), other_school_dsl):
        with pytest.raises(TransitionRefused, match="Only the school's DSL"):
            correct_leaving(transfer, by=someone, drawn=drawn, **fields)
    # Nothing changed: nothing recorded.
    same = {name: getattr(transfer, name) for name in ("new_school", "left_on", "starts_on")}
    correct_leaving(transfer, by=dsl, drawn=drawn, **same)
    assert not AuditEvent.objects.filter(action="pupil.leaving.correct").exists()
    transfer.refresh_from_db()
    assert transfer.new_school == "Wardown Vale High School"


def test_a_pupil_may_come_back_on_the_day_they_left(leaver, dsl):
    transfer = leave(leaver, dsl, left_on=today() - timedelta(days=2), starts_on=today())
    back = record_return(transfer, by=dsl, returned_on=today() - timedelta(days=2))
    assert back.returned_on == today() - timedelta(days=2)


def test_leaving_again_is_dated_against_the_latest_return_of_this_pupil(leaver, school, dsl):
    days = lambda n: today() - timedelta(days=n)  # noqa: E731
    first = leave(leaver, dsl, left_on=days(40), starts_on=days(40))
    record_return(first, by=dsl, returned_on=days(30))
    second = leave(leaver, dsl, left_on=days(20), starts_on=days(20))
    record_return(second, by=dsl, returned_on=days(10))
    with pytest.raises(TransitionRefused, match="when they came back"):
        leave(leaver, dsl, left_on=days(15), starts_on=today())
    # Another pupil's later return does not date this pupil's leaving.
    other = PupilFactory(school=school)
    record_concern(by=dsl, pupil=other, **concern_data())
    record_return(
        leave(other, dsl, left_on=days(1), starts_on=today()), by=dsl, returned_on=today()
    )
    assert leave(leaver, dsl, left_on=days(10), starts_on=today()).left_on == days(10)


def test_a_colleagues_correction_of_the_first_day_alone_makes_a_page_stale(leaver, dsl, deputy_dsl):
    transfer = leave(leaver, dsl)
    drawn, first = leaving_version(transfer), transfer.starts_on
    later = today() + timedelta(days=7)
    fields = {"new_school": transfer.new_school, "left_on": transfer.left_on}
    correct_leaving(transfer, by=deputy_dsl, drawn=drawn, **fields, starts_on=later)
    with pytest.raises(Stale):
        correct_leaving(
            FileTransfer.objects.get(),
            by=dsl,
            drawn=drawn,
            **fields | {"new_school": "X"},
            starts_on=first,
        )
    assert FileTransfer.objects.get().starts_on == later


def test_a_correction_once_the_pupil_came_back_is_told_so_even_on_the_day_they_left(
    leaver, dsl, deputy_dsl
):
    transfer = leave(leaver, dsl, left_on=today() - timedelta(days=2), starts_on=today())
    drawn = leaving_version(transfer)
    record_return(FileTransfer.objects.get(), by=deputy_dsl, returned_on=transfer.left_on)
    with pytest.raises(TransitionRefused, match="came back"):
        correct_leaving(
            transfer,
            by=dsl,
            drawn=drawn,
            new_school="Stopsley",
            left_on=transfer.left_on,
            starts_on=transfer.starts_on,
        )
    assert FileTransfer.objects.get().new_school == "Wardown Vale High School"
