"""Two DSLs record at the same moment that a leaver's file was sent: one is recorded, the
other is told, and the file holds the first one's date and method, with one audit row."""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import FileTransfer
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from workflow import leavers
from workflow.exceptions import TransitionRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


def test_two_dsls_record_the_file_sent_at_once_and_one_is_recorded(
    walk, pupil, dsl, deputy_dsl, monkeypatch
):
    walk.recorded()
    today = timezone.localdate()
    transfer = leavers.record_leaving(
        pupil,
        by=dsl,
        left_on=today - timedelta(days=2),
        starts_on=today - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    hold_locks_a_moment(monkeypatch, leavers)
    outcomes = {}

    def send(name, user, how):
        try:
            leavers.record_file_sent(
                FileTransfer.objects.get(pk=transfer.pk), by=user, sent_on=today, sent_how=how
            )
            outcomes[name] = how
        except TransitionRefused as refused:
            outcomes[name] = refused.message

    failures = at_once(
        partial(send, "dsl", dsl, "post"), partial(send, "deputy", deputy_dsl, "by_hand")
    )

    assert failures == []
    recorded = [how for how in outcomes.values() if how in {"post", "by_hand"}]
    assert len(recorded) == 1
    refused = next(message for message in outcomes.values() if message not in recorded)
    assert "already recorded that" in refused
    assert FileTransfer.objects.get().sent_how == recorded[0]
    assert AuditEvent.objects.filter(action="pupil.file.sent").count() == 1


def test_a_double_click_sending_the_form_twice_at_once_is_recorded_once_and_told_so(
    walk, pupil, dsl, monkeypatch
):
    """Each step of a leaving, sent twice at the same moment by one DSL (a double click): the
    second waits for the first's lock, then is answered with what the first recorded, not told
    that someone else recorded it and nothing was saved."""
    walk.recorded()
    today = timezone.localdate()
    hold_locks_a_moment(monkeypatch, leavers)
    steps = [
        (
            "leaving.record",
            lambda: leavers.record_leaving(
                pupil,
                by=dsl,
                left_on=today - timedelta(days=2),
                starts_on=today - timedelta(days=1),
                new_school="Wardown Vale High School",
            ),
        ),
        (
            "file.sent",
            lambda: leavers.record_file_sent(
                FileTransfer.objects.get(), by=dsl, sent_on=today, sent_how="post"
            ),
        ),
        (
            "file.received",
            lambda: leavers.record_file_received(
                FileTransfer.objects.get(), by=dsl, received_on=today, received_by="Sam Patel"
            ),
        ),
        (
            "return.record",
            lambda: leavers.record_return(FileTransfer.objects.get(), by=dsl, returned_on=today),
        ),
    ]
    for action, step in steps:
        assert at_once(step, step) == [], action
        assert AuditEvent.objects.filter(action=f"pupil.{action}").count() == 1, action
    transfer = FileTransfer.objects.get()
    assert (transfer.sent_how, transfer.received_by, transfer.returned_on) == (
        "post",
        "Sam Patel",
        today,
    )
