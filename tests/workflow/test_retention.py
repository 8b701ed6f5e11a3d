"""The review of a pupil's child protection records at their 25th birthday (UK GDPR; DESIGN
§1): kept for longer with a reason and a day to look again, or destroyed whole, with nothing
about the child left behind but the file reference in the school's log."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditEvent
from audit.verify import first_broken_link
from concerns.attachments import store_attachment
from concerns.inbox import mark_read
from concerns.models import (
    AccessAnswer,
    Addendum,
    Attachment,
    Closure,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ConcernRead,
    Escalation,
    FileToDelete,
    FileTransfer,
    ParentConversation,
    RecordsReview,
    SubjectAccessRequest,
)
from schools.models import Pupil, Role
from schools.selectors import pupils_for
from tests.factories import PupilFactory, kept_review, member
from tests.notices import words
from workflow import retention
from workflow.concerns import add_addendum, close_concern, escalate_significant_harm
from workflow.exceptions import TransitionRefused
from workflow.leavers import record_leaving
from workflow.models import Notification, WorkflowEvent
from workflow.retention import (
    born_on_or_before,
    destroy_records,
    due_for_review,
    keep_records,
    review_due_on,
    review_records,
)
from workflow.subject_access import record_answer, record_request

from ..walk import closing, escalation_data

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def today():
    return timezone.localdate()


def aged(pupil, years, days=0):
    """Make `pupil` `years` old today (less `days`)."""
    born = today() - timedelta(days=days)
    try:
        born = born.replace(year=born.year - years)
    except ValueError:
        born = date(born.year - years, 2, 28)
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=born)
    pupil.refresh_from_db()
    return pupil


@pytest.fixture
def former(pupil):
    """The walk's pupil, 26 now."""
    return aged(pupil, 26)


def keep(pupil, by, **overrides):
    data = {
        "reason": "The police asked for the records while a prosecution is pending.",
        "review_again_on": today() + timedelta(days=365),
    }
    return keep_records(pupil, by=by, **(data | overrides))


@pytest.mark.parametrize(
    ("born", "due"),
    [
        (date(2001, 9, 3), date(2026, 9, 3)),
        (date(2000, 2, 29), date(2025, 3, 1)),  # no 29 February in 2025: the day after the 28th
        (date(2004, 2, 29), date(2029, 3, 1)),
        (date(2003, 2, 28), date(2028, 2, 28)),
    ],
)
def test_records_are_due_for_review_on_the_25th_birthday(born, due):
    assert review_due_on(born) == due


def test_who_is_25_on_a_day_agrees_with_the_birthday_for_every_day_of_eight_years():
    # An independent count: a pupil is 25 on `day` when 25 birthdays have passed by then.
    first = date(1999, 1, 1)
    births = [first + timedelta(days=n) for n in range(366 * 8)]
    for day in [date(2024, 2, 28), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)]:
        for born in births:
            had = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            assert (born <= born_on_or_before(day)) == (review_due_on(born) <= day), (born, day)
            if (born.month, born.day) != (2, 29):
                assert (born <= born_on_or_before(day)) == (had >= 25), (born, day)


def test_a_pupil_is_due_once_25_with_records_and_not_kept_past_today(walk, school, former, dsl):
    walk.closed()
    younger = aged(PupilFactory(school=school), 25, days=-1)  # 25 tomorrow
    walk.pupil = younger
    walk.closed()
    aged(PupilFactory(school=school), 30)  # no concerns: nothing to review
    membership = dsl.memberships.get()
    assert list(due_for_review(pupils_for(membership))) == [former]

    review = keep(former, dsl, review_again_on=today() + timedelta(days=1))
    assert list(due_for_review(pupils_for(membership))) == []
    RecordsReview.objects.filter(pk=review.pk).update(review_again_on=today())
    assert list(due_for_review(pupils_for(membership))) == [former]  # the day to look again


def test_a_dsl_keeps_the_records_with_a_reason_and_a_day_to_review_them_again(
    walk, former, deputy_dsl
):
    walk.closed()
    again = today() + timedelta(days=400)
    review = keep(former, deputy_dsl, review_again_on=again)
    assert (review.pupil, review.file_reference, review.decision, review.review_again_on) == (
        former,
        former.pk,
        "keep",
        again,
    )
    assert (review.concerns, review.decided_by) == (1, deputy_dsl)
    assert Concern.objects.filter(pupil=former).count() == 1
    audit = AuditEvent.objects.get(action="pupil.records.keep")
    assert (audit.object_type, audit.object_id, audit.actor) == (
        "pupil",
        str(former.pk),
        deputy_dsl,
    )
    assert "prosecution" not in str(audit.detail)
    with pytest.raises(TransitionRefused, match="already decided to keep these records until"):
        keep(former, deputy_dsl)
    assert RecordsReview.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Enter why the records are kept for longer"),
        ({"review_again_on": None}, "review_again_on", "Enter when to review"),
        ({"review_again_on": 0}, "review_again_on", "must be in the future"),
        (
            {"review_again_on": 3653 + 3},
            "review_again_on",
            "within 10 years",
        ),
    ],
)
def test_keeping_needs_a_reason_and_a_day_within_ten_years(
    walk, former, dsl, overrides, field, message
):
    walk.closed()
    if isinstance(overrides.get("review_again_on"), int):  # days from today
        overrides = {"review_again_on": today() + timedelta(days=overrides["review_again_on"])}
    with pytest.raises(TransitionRefused, match=message) as refused:
        keep(former, dsl, **overrides)
    assert refused.value.field == field
    assert not RecordsReview.objects.exists()


def test_nothing_is_reviewed_before_the_25th_birthday(walk, pupil, dsl):
    aged(pupil, 25, days=-1)
    walk.closed()
    due = review_due_on(pupil.date_of_birth)
    with pytest.raises(TransitionRefused) as refused:
        keep(pupil, dsl)
    assert f"kept until Amelia is 25, on {due.day} " in words(refused.value.message)
    with pytest.raises(TransitionRefused) as refused:
        destroy_records(pupil, by=dsl, confirmed=True)
    assert "kept until Amelia is 25" in words(refused.value.message)
    assert not RecordsReview.objects.exists()
    assert Concern.objects.filter(pupil=pupil).exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
def test_only_the_schools_leads_review_records(walk, school, former, role):
    walk.closed()
    someone = member(role, school)
    with pytest.raises(TransitionRefused, match="Only the school's DSL"):
        keep(former, someone)
    with pytest.raises(TransitionRefused, match="Only the school's DSL"):
        destroy_records(former, by=someone, confirmed=True)
    assert Concern.objects.filter(pupil=former).exists()


def test_another_schools_dsl_cannot_review_the_records(walk, former, other_school):
    walk.closed()
    with pytest.raises(TransitionRefused, match="Only the school's DSL"):
        destroy_records(former, by=member(Role.DSL, other_school), confirmed=True)
    assert Concern.objects.filter(pupil=former).exists()


def _everything_about(walk, pupil, dsl):
    """A closed concern with advice, a conversation, an addendum and an attachment; an
    escalated one, closed; a leaver's transfer, an answered request and a draft."""
    first = walk.closed()
    add_addendum(first, by=walk.teacher, text="I remembered one more thing.")
    mark_read(dsl.memberships.get(), first, timezone.now())  # the DSL opened it since
    attachment = store_attachment(first, by=dsl, upload=SimpleUploadedFile("note.pdf", PDF))
    second = walk.recorded()
    escalate_significant_harm(second, by=dsl, **escalation_data())
    close_concern(second, by=dsl, **closing(outcome="csc", rationale="Social care lead."))
    record_leaving(
        pupil,
        by=dsl,
        left_on=today() - timedelta(days=3000),
        starts_on=today() - timedelta(days=2990),
        new_school="Wardown Vale High School",
    )
    request = record_request(
        pupil, by=dsl, requester="Jordan, themself", received_on=today() - timedelta(days=5)
    )
    record_answer(
        request, basis="pupil", by=dsl, answered_on=today(), answer=AccessAnswer.DISCLOSED
    )
    ConcernDraft.objects.create(author=walk.teacher, school=pupil.school, pupil=pupil)
    return [first.pk, second.pk], attachment


RECORDS_ABOUT_A_CONCERN = [
    (ConcernCategory, "concern"),
    (Addendum, "concern"),
    (Attachment, "concern"),
    (AdviceRequest, "concern"),
    (ParentConversation, "concern"),
    (Escalation, "concern"),
    (Closure, "concern"),
    (WorkflowEvent, "concern"),
    (Notification, "concern"),
    (ConcernRead, "concern"),
]


def test_destroying_deletes_every_record_about_the_pupil_and_only_theirs(
    walk, school, former, dsl, django_capture_on_commit_callbacks
):
    other = PupilFactory(school=school, given_name="Oscar", family_name="Other")
    walk.pupil = other
    others_concern = walk.closed()
    walk.pupil = former
    concerns, attachment = _everything_about(walk, former, dsl)
    for model, field in RECORDS_ABOUT_A_CONCERN:
        assert model.objects.filter(**{f"{field}__in": concerns}).exists(), model
    before = {
        m: m.objects.filter(concern=others_concern).count() for m, _ in RECORDS_ABOUT_A_CONCERN
    }
    reference = former.pk

    with django_capture_on_commit_callbacks(execute=True):
        review = destroy_records(former, by=dsl, confirmed=True)

    assert not Pupil.objects.filter(pk=reference).exists()
    assert not Concern.objects.filter(pk__in=concerns).exists()
    for model, field in RECORDS_ABOUT_A_CONCERN:
        assert not model.objects.filter(**{f"{field}__in": concerns}).exists(), model
    assert not FileTransfer.objects.filter(pupil_id=reference).exists()
    assert not SubjectAccessRequest.objects.filter(pupil_id=reference).exists()
    assert not ConcernDraft.objects.exists()  # a colleague's unsent draft about them too
    assert not default_storage.exists(attachment.stored_name)
    assert not FileToDelete.objects.exists()  # nothing left to delete later
    # The other pupil's records are untouched.
    assert Concern.objects.get(pk=others_concern.pk).pupil == other
    after = {
        m: m.objects.filter(concern=others_concern).count() for m, _ in RECORDS_ABOUT_A_CONCERN
    }
    assert after == before
    # The log: the file's reference, the count, who and when; nothing about the child.
    assert (review.file_reference, review.concerns, review.decision, review.decided_by) == (
        reference,
        2,
        "destroy",
        dsl,
    )
    assert (review.pupil, review.reason, review.review_again_on) == (None, "", None)
    audit = AuditEvent.objects.get(action="pupil.records.destroy")
    assert (audit.object_type, audit.object_id, audit.actor) == ("pupil", str(reference), dsl)
    assert (audit.detail["concerns"], audit.detail["attachments"], audit.detail["drafts"]) == (
        2,
        1,
        1,
    )
    assert "Amelia" not in str(audit.detail)
    assert "Ahmed" not in str(audit.detail)
    assert first_broken_link() is None


def test_destroying_needs_the_dsls_confirmation(walk, former, dsl):
    walk.closed()
    with pytest.raises(TransitionRefused, match="cannot be recovered") as refused:
        destroy_records(former, by=dsl, confirmed=False)
    assert refused.value.field == "confirmed"
    assert Concern.objects.filter(pupil=former).exists()


@pytest.mark.parametrize(
    ("still_open", "message"),
    [
        (1, "1 concern about the pupil is still open. Close it"),
        (2, "2 concerns about the pupil are still open. Close them"),
    ],
)
def test_records_are_not_destroyed_while_a_concern_is_open(walk, former, dsl, still_open, message):
    walk.closed()
    for _ in range(still_open):
        walk.with_hub()
    with pytest.raises(TransitionRefused, match=message):
        destroy_records(former, by=dsl, confirmed=True)
    assert Concern.objects.filter(pupil=former).count() == 1 + still_open
    assert not RecordsReview.objects.exists()
    assert not AuditEvent.objects.filter(action="pupil.records.destroy").exists()


def test_records_are_not_destroyed_while_a_subject_access_request_waits(walk, former, dsl):
    walk.closed()
    record_request(former, by=dsl, requester="Jordan", received_on=today())
    with pytest.raises(TransitionRefused, match=r"has not been answered.*an offence"):
        destroy_records(former, by=dsl, confirmed=True)
    assert Concern.objects.filter(pupil=former).exists()


def test_the_form_keeps_or_destroys_and_leaves_nothing_about_the_child_in_the_log(
    walk, former, dsl
):
    walk.closed()
    with pytest.raises(TransitionRefused, match="Select whether") as refused:
        review_records(former, by=dsl, decision="")
    assert refused.value.field == "decision"
    with pytest.raises(TransitionRefused, match="Select whether") as refused:
        review_records(former, by=dsl, decision="kep", confirmed=True)  # nothing but the two
    assert refused.value.field == "decision"
    with pytest.raises(TransitionRefused, match="Leave the reason empty") as refused:
        review_records(former, by=dsl, decision="destroy", reason="Amelia is fine", confirmed=True)
    assert refused.value.field == "reason"
    with pytest.raises(TransitionRefused, match="Leave the review date empty") as refused:
        review_records(former, by=dsl, decision="destroy", review_again_on=today(), confirmed=True)
    assert refused.value.field == "review_again_on"
    assert Concern.objects.filter(pupil=former).exists()
    kept = review_records(
        former,
        by=dsl,
        decision="keep",
        reason="An inquiry asked for them.",
        review_again_on=today() + timedelta(days=30),
    )
    assert kept.decision == "keep"
    RecordsReview.objects.filter(pk=kept.pk).update(review_again_on=today())
    destroyed = review_records(former, by=dsl, decision="destroy", confirmed=True, since=kept.pk)
    assert destroyed.decision == "destroy"
    kept.refresh_from_db()
    assert (kept.pupil, kept.file_reference) == (None, destroyed.file_reference)
    assert kept.reason == ""  # it may have named the child: it went with the records


def test_a_form_drawn_before_a_colleague_destroyed_the_records_is_refused(walk, former, dsl):
    walk.closed()
    stale = Pupil.objects.get(pk=former.pk)
    destroy_records(former, by=dsl, confirmed=True)
    with pytest.raises(TransitionRefused, match="Someone has already destroyed these records"):
        keep(stale, dsl)
    with pytest.raises(TransitionRefused, match="Someone has already destroyed these records"):
        destroy_records(stale, by=dsl, confirmed=True)
    assert RecordsReview.objects.count() == 1


def test_records_are_due_on_the_25th_birthday_itself(walk, pupil, dsl):
    aged(pupil, 25)
    walk.closed()
    assert destroy_records(pupil, by=dsl, confirmed=True).decision == "destroy"


def test_the_last_day_within_ten_years_is_accepted_and_the_next_refused(walk, former, dsl):
    walk.closed()
    today_ = today()
    try:
        latest = today_.replace(year=today_.year + 10)
    except ValueError:
        latest = date(today_.year + 10, 3, 1)
    with pytest.raises(TransitionRefused, match="within 10 years"):
        keep(former, dsl, review_again_on=latest + timedelta(days=1))
    assert keep(former, dsl, review_again_on=latest).review_again_on == latest


def _failing_audit(*args, **kwargs):
    raise RuntimeError("the audit table is unavailable")


def test_a_failure_part_way_through_destroying_leaves_everything(walk, former, dsl, monkeypatch):
    walk.closed()
    monkeypatch.setattr(retention, "audit", _failing_audit)
    with pytest.raises(RuntimeError):
        destroy_records(former, by=dsl, confirmed=True)
    assert Pupil.objects.filter(pk=former.pk).exists()
    assert Concern.objects.filter(pupil=former).count() == 1
    assert not RecordsReview.objects.exists()


def test_a_failure_while_keeping_leaves_no_review(walk, former, dsl, monkeypatch):
    walk.closed()
    monkeypatch.setattr(retention, "audit", _failing_audit)
    with pytest.raises(RuntimeError):
        keep(former, dsl)
    assert not RecordsReview.objects.exists()


@pytest.mark.parametrize(
    "status",
    ["recorded", "with_hub", "advice_received", "parent_conversation_logged", "escalated"],
)
def test_a_concern_at_any_open_step_stops_destruction(walk, former, dsl, status):
    walk.closed()
    walk.to(status)
    with pytest.raises(TransitionRefused, match="still open"):
        destroy_records(former, by=dsl, confirmed=True)
    assert Concern.objects.filter(pupil=former).count() == 2


def test_a_pupil_kept_twice_is_named_with_the_later_date(walk, former, dsl):
    walk.closed()
    first = keep(former, dsl, review_again_on=today() + timedelta(days=30))
    kept_review(former, by=dsl, reason="Another claim.", days=90)
    later = today() + timedelta(days=90)
    with pytest.raises(TransitionRefused, match=f"until {later.day} {later:%B %Y}"):
        keep(former, dsl)
    assert first.review_again_on < later


def test_a_file_that_cannot_be_deleted_is_logged_and_the_others_still_go(
    walk, former, dsl, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    concern = walk.closed()
    first, second = (
        store_attachment(concern, by=dsl, upload=SimpleUploadedFile(name, PDF))
        for name in ("a.pdf", "b.pdf")
    )
    real_delete = default_storage.delete

    def delete(name):
        if name == first.stored_name:
            raise PermissionError("read-only")
        return real_delete(name)

    monkeypatch.setattr(default_storage, "delete", delete)
    with django_capture_on_commit_callbacks(execute=True):
        destroy_records(former, by=dsl, confirmed=True)
    assert not Concern.objects.filter(pk=concern.pk).exists()
    assert default_storage.exists(first.stored_name)
    assert not default_storage.exists(second.stored_name)
    assert first.stored_name in caplog.text
    assert "Amelia" not in caplog.text


def test_the_database_finds_the_25th_birthday_as_python_does_for_every_day_of_eight_years(
    school,
):
    # The due list sorts by the day records fell due, worked out in the query.
    first = date(1999, 1, 1)
    Pupil.objects.bulk_create(
        PupilFactory.build(school=school, date_of_birth=first + timedelta(days=n))
        for n in range(366 * 8)
    )
    found = retention.due_since(Pupil.objects.filter(school=school)).values_list(
        "date_of_birth", "due_since"
    )
    assert len(found) == 366 * 8
    assert [(born, due) for born, due in found if review_due_on(born) != due] == []


def test_kept_records_are_reviewed_again_before_the_day_set_and_the_latest_review_counts(
    walk, school, former, dsl
):
    walk.closed()
    membership = dsl.memberships.get()
    mistaken = keep(former, dsl, review_again_on=today() + timedelta(days=3000))
    # The year was mistyped: the DSL reviews the records again, and the nearer day stands.
    corrected = keep(former, dsl, review_again_on=today() + timedelta(days=30), since=mistaken.pk)
    assert list(due_for_review(pupils_for(membership))) == []
    RecordsReview.objects.filter(pk=corrected.pk).update(review_again_on=today())
    assert list(due_for_review(pupils_for(membership))) == [former]  # not kept to the 3000th
    # The court case is over: the records are destroyed before the day the keep set.
    again = keep(former, dsl, review_again_on=today() + timedelta(days=300), since=corrected.pk)
    destroyed = destroy_records(former, by=dsl, confirmed=True, since=again.pk)
    assert not Pupil.objects.filter(pk=former.pk).exists()
    assert list(RecordsReview.objects.order_by("pk").values_list("decision", "reason")) == [
        ("keep", ""),
        ("keep", ""),
        ("keep", ""),
        ("destroy", ""),
    ]
    assert destroyed.file_reference == mistaken.file_reference


def test_a_review_drawn_before_a_colleagues_review_is_refused(walk, former, dsl, deputy_dsl):
    walk.closed()
    first = keep(former, deputy_dsl, review_again_on=today() + timedelta(days=60))
    # Drawn before the deputy's keep (no review then): neither decision is applied over it.
    with pytest.raises(TransitionRefused, match="already decided to keep these records until"):
        keep(former, dsl, review_again_on=today() + timedelta(days=5))
    with pytest.raises(TransitionRefused, match="already decided to keep these records until"):
        destroy_records(former, by=dsl, confirmed=True)
    second = keep(former, deputy_dsl, review_again_on=today() + timedelta(days=90), since=first.pk)
    with pytest.raises(TransitionRefused, match="already decided to keep these records until"):
        destroy_records(former, by=dsl, confirmed=True, since=first.pk)
    # Kept until a day now passed, then reviewed by someone else: still refused, and why.
    RecordsReview.objects.filter(pk=second.pk).update(review_again_on=today())
    with pytest.raises(TransitionRefused, match="reviewed these records since this page"):
        destroy_records(former, by=dsl, confirmed=True, since=first.pk)
    assert list(RecordsReview.objects.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert Concern.objects.filter(pupil=former).exists()


def test_a_file_the_destruction_left_behind_is_deleted_by_the_daily_command(
    walk, school, former, dsl, settings, tmp_path, monkeypatch
):
    """The server stopped between the commit and the files' deletion, or a file could not be
    deleted then: nothing named the file any more, so nothing would ever have deleted it. The
    destruction lists its files in its own transaction; the daily command deletes those still
    listed, and only those (never a file merely because no record names it), saying how many."""
    settings.MEDIA_ROOT = tmp_path / "media"
    first, second = (
        store_attachment(walk.closed(), by=dsl, upload=SimpleUploadedFile(name, PDF))
        for name in ("map.pdf", "note.pdf")
    )
    walk.pupil = PupilFactory(school=school, given_name="Oscar", family_name="Other")
    kept = store_attachment(walk.closed(), by=dsl, upload=SimpleUploadedFile("o.pdf", PDF))
    unnamed = default_storage.save("attachments/unnamed", SimpleUploadedFile("u.pdf", PDF))

    destroy_records(former, by=dsl, confirmed=True)  # its files' deletion never ran

    assert default_storage.exists(first.stored_name)
    assert default_storage.exists(second.stored_name)
    real_delete = default_storage.delete

    def delete(name):
        if name == second.stored_name:
            raise PermissionError("read-only")
        return real_delete(name)

    monkeypatch.setattr(default_storage, "delete", delete)
    # A child's file still on the disk after their records were destroyed is an error for the
    # operator to see: the run fails (cron and monitoring alert on a non-zero exit), once it
    # has deleted every other file it could.
    with pytest.raises(CommandError) as failed:
        call_command("delete_destroyed_files", stdout=io.StringIO())
    assert str(failed.value) == (
        "1 file of destroyed records could not be deleted (the log says why); it will be "
        "tried again on the next run. 1 file was deleted."
    )
    assert not default_storage.exists(first.stored_name)
    assert default_storage.exists(second.stored_name)  # tried again on the next run
    monkeypatch.undo()  # the storage deletes again
    out = io.StringIO()
    call_command("delete_destroyed_files", stdout=out)
    assert out.getvalue() == "Deleted 1 file of destroyed records.\n"
    assert not default_storage.exists(second.stored_name)
    assert not FileToDelete.objects.exists()
    assert default_storage.exists(kept.stored_name)
    assert default_storage.exists(unnamed)
