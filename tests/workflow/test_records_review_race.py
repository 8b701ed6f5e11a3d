"""Two DSLs review one former pupil's records at the same moment, one keeping them and one
destroying them: one decision is recorded, the other is told, with one review and one audit
row."""

import time
from datetime import timedelta
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from concerns.attachments import store_attachment
from concerns.models import Attachment, Concern, FileTransfer, RecordsReview, SubjectAccessRequest
from schools.models import Pupil
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from tests.factories import kept_review
from tests.walk import concern_data
from workflow import retention
from workflow.concerns import record_concern, reopen_concern
from workflow.exceptions import TransitionRefused
from workflow.leavers import record_leaving
from workflow.subject_access import record_request

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


@pytest.mark.parametrize("kept_before", [False, True])
def test_two_dsls_review_one_pupils_records_at_once_and_one_decision_is_recorded(
    walk, pupil, dsl, deputy_dsl, monkeypatch, kept_before
):
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    walk.closed()
    # Or both review again records kept for longer, each from a page drawn after that keep.
    since = kept_review(pupil, by=dsl, reason="A claim.", days=90).pk if kept_before else None
    hold_locks_a_moment(monkeypatch, retention)
    outcomes = {}

    def review(name, user, **decision):
        try:
            retention.review_records(
                Pupil.objects.get(pk=pupil.pk), by=user, since=since, **decision
            )
            outcomes[name] = decision["decision"]
        except TransitionRefused as refused:
            outcomes[name] = refused.message

    failures = at_once(
        partial(review, "dsl", dsl, decision="destroy", confirmed=True),
        partial(
            review,
            "deputy",
            deputy_dsl,
            decision="keep",
            reason="A claim is pending.",
            review_again_on=timezone.localdate() + timedelta(days=30),
        ),
    )

    assert failures == []
    recorded = [kind for kind in outcomes.values() if kind in {"keep", "destroy"}]
    assert len(recorded) == 1
    refused = next(message for message in outcomes.values() if message not in recorded)
    assert "Someone has already" in refused
    assert RecordsReview.objects.exclude(pk=since).get().decision == recorded[0]
    assert Concern.objects.filter(pupil_id=pupil.pk).exists() == (recorded[0] == "keep")
    actions = AuditEvent.objects.filter(action__startswith="pupil.records.")
    assert actions.count() == 1


def test_a_colleague_acting_on_a_concern_while_the_records_are_destroyed_is_told(
    walk, pupil, dsl, deputy_dsl, monkeypatch
):
    # The destruction locks the concerns before the pupil, as every transition does, so the
    # colleague waits (no deadlock) and then hears the records are gone.
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    concern = walk.closed()
    real_check = retention._still_needed

    def slow_check(*args):
        why = real_check(*args)
        time.sleep(0.6)  # the colleague arrives meanwhile
        return why

    monkeypatch.setattr(retention, "_still_needed", slow_check)
    outcomes = {}

    def destroy():
        retention.destroy_records(Pupil.objects.get(pk=pupil.pk), by=dsl, confirmed=True)
        outcomes["destroy"] = "done"

    def reopen():
        time.sleep(0.3)
        try:
            reopen_concern(Concern.objects.get(pk=concern.pk), by=deputy_dsl, reason="New.")
            outcomes["reopen"] = "done"
        except TransitionRefused as refused:
            outcomes["reopen"] = refused.message

    failures = at_once(destroy, reopen)

    assert failures == []
    assert outcomes == {
        "destroy": "done",
        "reopen": "The records about this pupil have been destroyed. Nothing was saved.",
    }
    assert not Concern.objects.filter(pk=concern.pk).exists()


def _destroy_slowly(monkeypatch, dsl, pupil):
    """A destruction that holds the pupil's row a moment after locking it."""
    real_check = retention._still_needed

    def slow_check(*args):
        why = real_check(*args)
        time.sleep(0.6)  # the colleague arrives meanwhile
        return why

    monkeypatch.setattr(retention, "_still_needed", slow_check)
    return lambda: retention.destroy_records(Pupil.objects.get(pk=pupil.pk), by=dsl, confirmed=True)


def _write(kind, pupil, by):
    today = timezone.localdate()
    if kind == "concern":
        return record_concern(by=by, pupil=pupil, **concern_data())
    if kind == "subject access request":
        return record_request(pupil, by=by, requester="Their solicitor", received_on=today)
    return record_leaving(
        pupil, by=by, left_on=today, starts_on=today, new_school="Wardown Vale High School"
    )


@pytest.mark.parametrize("kind", ["concern", "subject access request", "leaving"])
def test_a_colleague_recording_about_the_pupil_while_the_records_are_destroyed_is_told(
    walk, pupil, dsl, deputy_dsl, monkeypatch, kind
):
    # What a colleague records about the pupil waits for the destruction holding the pupil's
    # row, then hears the records are gone: nothing is left pointing at a pupil who is not.
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    walk.closed()
    destroy = _destroy_slowly(monkeypatch, dsl, pupil)
    outcomes = {}

    def write():
        time.sleep(0.3)
        try:
            _write(kind, Pupil.objects.get(pk=pupil.pk), deputy_dsl)
            outcomes[kind] = "done"
        except TransitionRefused as refused:
            outcomes[kind] = refused.message

    failures = at_once(destroy, write)

    assert failures == []
    assert outcomes == {
        kind: "The records about this pupil have been destroyed. Nothing was saved."
    }
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    for model in (Concern, SubjectAccessRequest, FileTransfer):
        assert not model.objects.filter(pupil_id=pupil.pk).exists()


def test_a_file_attached_while_the_records_are_destroyed_is_told_and_not_kept(
    walk, pupil, dsl, deputy_dsl, monkeypatch, settings, tmp_path
):
    # The upload takes the concern's row as every step on a concern does, so it waits for the
    # destruction and hears the records are gone; its file is not kept.
    settings.MEDIA_ROOT = tmp_path
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    concern = walk.closed()
    destroy = _destroy_slowly(monkeypatch, dsl, pupil)
    outcomes = {}

    def attach():
        time.sleep(0.3)
        upload = SimpleUploadedFile("body map.pdf", PDF)
        try:
            store_attachment(concern, by=deputy_dsl, upload=upload)
            outcomes["attach"] = "done"
        except TransitionRefused as refused:
            outcomes["attach"] = refused.message

    failures = at_once(destroy, attach)

    assert failures == []
    assert outcomes == {
        "attach": "The records about this pupil have been destroyed. Nothing was saved."
    }
    assert not Attachment.objects.exists()
    assert not any((tmp_path / "attachments").iterdir())
