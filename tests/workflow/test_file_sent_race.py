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
