"""Colleagues writing about one pupil at the same moment, on PostgreSQL: each write waits its
turn or is told what happened, and none deadlocks into a server error. A transition locks the
concern's (or the leaving's) row alone, not the pupil's and school's it reads with it: those
are held by a colleague recording about the pupil (workflow.core.lock_pupil), or by the
destruction of the pupil's records (workflow.retention)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from concerns.models import ConcernDraft, FileTransfer
from concerns.recording import start_draft
from schools.models import Membership, Pupil
from tests.concurrency import at_once, simultaneous_writers
from tests.walk import concern_data
from workflow import concerns as workflow_concerns
from workflow import leavers, notify, retention
from workflow.concerns import add_addendum, record_concern
from workflow.core import DESTROYED
from workflow.exceptions import TransitionRefused

pytestmark = [pytest.mark.django_db(transaction=True), simultaneous_writers]


def _slowed(monkeypatch, module, name, seconds=0.6):
    """`module.name` holding its transaction's locks a moment longer, once it has run."""
    real = getattr(module, name)

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.mark.parametrize(
    "held",
    [
        (workflow_concerns, "_next_reference"),  # holding the pupil
        (notify, "queue"),  # holding the pupil and the audit chain's head
    ],
    ids=["pupil", "audit-chain"],
)
def test_a_concern_recorded_while_a_dsl_adds_to_another_about_the_pupil_both_land(
    walk, pupil, dsl, deputy_dsl, monkeypatch, held
):
    existing = walk.recorded()
    _slowed(monkeypatch, *held)

    def record():
        record_concern(by=deputy_dsl, pupil=Pupil.objects.get(pk=pupil.pk), **concern_data())

    def add():
        time.sleep(0.2)
        add_addendum(existing, by=dsl, text="Her brother says the same.")

    assert at_once(record, add) == []
    assert pupil.concerns.count() == 2
    assert existing.addenda.count() == 1


@pytest.mark.parametrize("step", ["sent", "returned"])
def test_a_leavers_step_while_the_records_are_destroyed_is_done_or_told(
    walk, pupil, dsl, deputy_dsl, monkeypatch, step
):
    today = timezone.localdate()
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=today - timedelta(days=26 * 366))
    walk.closed()
    transfer = leavers.record_leaving(
        Pupil.objects.get(pk=pupil.pk),
        by=dsl,
        left_on=today,
        starts_on=today,
        new_school="Wardown Vale High School",
    )
    _slowed(monkeypatch, retention, "_still_needed")
    outcome = []

    def destroy():
        retention.destroy_records(Pupil.objects.get(pk=pupil.pk), by=dsl, confirmed=True)

    def act():
        time.sleep(0.3)
        try:
            if step == "sent":
                leavers.record_file_sent(transfer, by=deputy_dsl, sent_on=today, sent_how="post")
            else:
                leavers.record_return(transfer, by=deputy_dsl, returned_on=today)
            outcome.append("done")
        except TransitionRefused as refused:
            outcome.append(refused.message)

    assert at_once(destroy, act) == []
    assert outcome[0] in {"done", DESTROYED}
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not FileTransfer.objects.exists()


def test_a_draft_started_while_the_records_are_destroyed_is_refused(
    walk, pupil, dsl, teacher, monkeypatch
):
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    walk.closed()
    _slowed(monkeypatch, retention, "_still_needed")
    outcome = []

    def destroy():
        retention.destroy_records(Pupil.objects.get(pk=pupil.pk), by=dsl, confirmed=True)

    def draft():
        time.sleep(0.3)
        try:
            start_draft(Membership.objects.get(user=teacher), pupil)
            outcome.append("started")
        except TransitionRefused as refused:
            outcome.append(refused.message)

    assert at_once(destroy, draft) == []
    assert outcome == [DESTROYED]
    assert not ConcernDraft.objects.exists()
