"""The outbox: written with the transition, sent after commit, never lost, and never carrying
a child's name or any case content."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schools.models import Pupil, Role
from tests.concurrency import at_once, simultaneous_writers
from tests.factories import PupilFactory, member
from tests.walk import concern_data
from workflow import notify
from workflow.advice import reassign_advice_request
from workflow.models import Notification
from workflow.notify import deliver
from workflow.retention import destroy_records


class RefusingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_notifications_are_sent_after_commit(walk, dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        walk.recorded()
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[dsl.email]]
    assert Notification.objects.get().status == Notification.Status.SENT


def test_nothing_is_sent_if_the_transaction_does_not_commit(
    walk, dsl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        walk.recorded()
    assert mail.outbox == []
    assert Notification.objects.get().status == Notification.Status.PENDING


def test_a_failing_mail_server_leaves_the_notification_pending_and_a_later_send_succeeds(
    walk, dsl, django_capture_on_commit_callbacks
):
    with (
        override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        concern = walk.recorded()
    notification = Notification.objects.get()
    assert concern.status == "recorded"  # the person who acted was not held up
    assert notification.status == Notification.Status.PENDING
    assert (notification.attempts, notification.last_error) == (1, "ConnectionRefusedError")
    assert notification.next_attempt_at > notification.created_at

    Notification.objects.update(next_attempt_at=notification.created_at)  # the retry is due
    call_command("send_notifications")
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert [m.to for m in mail.outbox] == [[dsl.email]]


def test_a_notification_not_yet_due_for_retry_waits(walk):
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        walk.recorded()
        deliver()
    assert deliver() == (0, 0)
    assert Notification.objects.get().status == Notification.Status.PENDING


@pytest.mark.parametrize(("urgent", "wait"), [(False, 60), (True, 5)])
def test_an_urgent_notification_is_retried_every_few_minutes_while_mail_is_down(
    walk, clock, urgent, wait
):
    # After an hour or two of a mail server being down, an urgent notice (a child who may be at
    # immediate risk) waited up to an hour after it came back, as any other did.
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        walk.recorded(immediate_risk=urgent)
        for _ in range(8):
            Notification.objects.update(next_attempt_at=clock.now())  # due again
            deliver()
    notification = Notification.objects.get()
    assert (notification.urgent, notification.attempts) == (urgent, 8)
    assert notification.next_attempt_at == clock.now() + timedelta(minutes=wait)


@pytest.mark.parametrize("urgent", [False, True])
def test_emails_carry_no_pupil_name_and_no_case_content(
    walk, dsl, head, hub_advisor, django_capture_on_commit_callbacks, urgent
):
    secrets = concern_data(immediate_risk=urgent)
    with django_capture_on_commit_callbacks(execute=True):
        concern = walk.closed(walk.recorded(**secrets))
        walk.escalated(walk.recorded(**secrets))
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"concern_recorded", "advice_requested", "advice_given", "concern_escalated"}
    assert len(mail.outbox) == Notification.objects.count()
    pupil = walk.pupil
    forbidden = [
        pupil.given_name,
        pupil.family_name,
        pupil.upn,
        secrets["what_happened"][:20],
        secrets["child_words"],
        secrets["location"],
        "Mrs Ahmed",
        "belt",
        "Breakfast club",
    ]
    for message in mail.outbox:
        text = message.subject + message.body
        for word in forbidden:
            assert word not in text, f"{word!r} leaked into {message.subject!r}"
        assert "Sign in" in message.body
    assert concern.reference in "".join(m.subject for m in mail.outbox)


class Stop(Exception):
    """Ends `send_notifications --loop` in a test, in place of its wait between runs."""


@pytest.mark.django_db(transaction=True)  # each run starts on a fresh connection, as in service
def test_the_sending_loop_carries_on_after_the_database_fails_a_run(walk, dsl, monkeypatch):
    # The database restarting under `send_notifications --loop` ended the loop: nothing was
    # sent again, urgent notices included, until someone noticed and restarted it.
    from workflow.management.commands import send_notifications

    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        walk.recorded()  # one notification, left pending by a mail server that was down
    Notification.objects.update(next_attempt_at=timezone.now())  # and due again now
    runs = []

    def deliver_once_failing():
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return deliver()

    def wait(seconds):
        if len(runs) == 2:
            raise Stop

    monkeypatch.setattr(send_notifications, "deliver", deliver_once_failing)
    monkeypatch.setattr(send_notifications.time, "sleep", wait)
    with pytest.raises(Stop):
        call_command("send_notifications", loop=60)

    assert [m.to for m in mail.outbox] == [[dsl.email]]
    assert Notification.objects.get().status == Notification.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", ["-5", "0"])
def test_a_loop_wait_that_is_not_a_positive_number_of_seconds_is_refused_before_any_run(
    seconds, monkeypatch
):
    # A negative wait crashed the loop after its first run, with a traceback; 0 ran once only.
    from workflow.management.commands import send_notifications

    runs = []
    monkeypatch.setattr(send_notifications, "remind_overdue", lambda: runs.append(1) or 0)
    with pytest.raises(CommandError, match="--loop"):
        call_command("send_notifications", "--loop", seconds)
    assert runs == []


class WatchingBackend:
    """A mail server that notes whether the sender had a database transaction open while it
    talked to it."""

    seen = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        WatchingBackend.seen.append(connection.in_atomic_block)
        return len(messages)


@pytest.mark.django_db(transaction=True)  # as in service: no test transaction around it all
def test_no_database_transaction_is_held_open_while_the_mail_server_is_talked_to(walk, dsl):
    # A mail server slow to answer (up to EMAIL_TIMEOUT, for each email) held a transaction
    # open, and on SQLite the database's one write lock with it, so a teacher saving a
    # concern meanwhile waited, and could be refused with "database is locked".
    WatchingBackend.seen = []
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.WatchingBackend"):
        walk.recorded()

    assert WatchingBackend.seen == [False]
    assert Notification.objects.get().status == Notification.Status.SENT


@pytest.mark.django_db(transaction=True)
@simultaneous_writers
def test_two_senders_at_once_send_each_notification_once(walk, dsl):
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        for _ in range(10):
            walk.recorded()  # ten notifications, left pending by a mail server that was down
    Notification.objects.update(next_attempt_at=timezone.now())  # all due again now

    assert at_once(deliver, deliver) == []

    assert len(mail.outbox) == 10
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}


def _left_pending_by_a_mail_server_that_was_down(walk):
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        walk.recorded()
    Notification.objects.update(next_attempt_at=timezone.now())  # the retry is due


def _role_ended(user):
    user.memberships.update(is_active=False)


def _account_switched_off(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.mark.parametrize("leaves", [_role_ended, _account_switched_off])
def test_a_retry_is_not_sent_to_someone_who_left_the_service_meanwhile(
    walk, dsl, deputy_dsl, leaves
):
    # A DSL whose role ended (or whose account was switched off) while the mail server was
    # down was still emailed about the school's concern when it came back.
    _left_pending_by_a_mail_server_that_was_down(walk)
    leaves(dsl)

    assert deliver() == (1, 0)

    assert [m.to for m in mail.outbox] == [[deputy_dsl.email]]
    statuses = dict(Notification.objects.values_list("recipient", "status"))
    assert statuses == {
        dsl.email: Notification.Status.SETTLED,
        deputy_dsl.email: Notification.Status.SENT,
    }
    assert deliver() == (0, 0)  # and is not tried again


def test_a_retry_is_sent_to_someone_who_still_leads_the_school_and_holds_another_role(
    walk, dsl, other_school
):
    _left_pending_by_a_mail_server_that_was_down(walk)
    member(Role.DSL, other_school, email=dsl.email)  # leads another school as well

    assert deliver() == (1, 0)
    assert [m.to for m in mail.outbox] == [[dsl.email]]


def _moved_to_another_school(user, other_school):
    member(Role.DSL, other_school, email=user.email)
    user.memberships.exclude(school=other_school).update(is_active=False)


def _made_staff_at_the_same_school(user, other_school):
    school = user.memberships.get().school
    member(Role.STAFF, school, email=user.email)
    user.memberships.exclude(role=Role.STAFF).update(is_active=False)


@pytest.mark.parametrize("moves_on", [_moved_to_another_school, _made_staff_at_the_same_school])
def test_a_retry_about_a_concern_is_not_sent_to_someone_whose_role_there_ended(
    walk, dsl, other_school, moves_on
):
    # A DSL who had moved on to lead another school, or was now a member of staff who may
    # not see the school's concerns, was still emailed about the school's new concern when
    # the mail server came back: any role anywhere counted as still being told.
    _left_pending_by_a_mail_server_that_was_down(walk)
    moves_on(dsl, other_school)

    assert deliver() == (0, 0)

    assert mail.outbox == []
    told = Notification.objects.get(user=dsl)
    assert told.status == Notification.Status.SETTLED


def test_a_retry_about_a_concern_is_sent_to_hub_staff_still_at_its_authority(walk, hub_advisor):
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        concern = walk.recorded()
        notify.queue("k", [hub_advisor], subject="s", body="b", concern=concern)
    Notification.objects.update(next_attempt_at=timezone.now())  # the retries are due

    deliver()

    assert hub_advisor.email in [address for m in mail.outbox for address in m.to]


def test_a_reassignment_is_not_sent_to_an_advisor_whose_hub_role_ended_meanwhile(
    walk, authority, hub_manager
):
    # The email telling an advisor they had been given a request was queued to their address
    # alone, as if to the hub's shared mailbox: sent once the mail server was back, after
    # their hub role had ended, telling someone who had left of the hub's work.
    concern = walk.claimed()
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Cal Colleague")
    with override_settings(EMAIL_BACKEND="tests.workflow.test_notifications.RefusingBackend"):
        reassign_advice_request(walk.request(concern), by=hub_manager, to=colleague)
    Notification.objects.update(next_attempt_at=timezone.now())  # the retry is due
    _role_ended(colleague)

    deliver()

    assert colleague.email not in [address for m in mail.outbox for address in m.to]
    told = Notification.objects.get(kind="advice_reassigned")
    assert (told.user, told.status) == (colleague, Notification.Status.SETTLED)


def test_a_retry_to_the_hubs_shared_mailbox_is_sent(authority):
    # The hub's mailbox is no user's account: it has no role to end.
    notification = Notification.objects.create(
        kind="advice_requested", recipient=authority.hub_email, subject="Advice", body="Sign in"
    )

    assert deliver() == (1, 0)
    assert [m.to for m in mail.outbox] == [[authority.hub_email]]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_delivery_checks_every_recipient_in_one_query(school):
    # One query for the batch, however many recipients have left.
    def queries_to_deliver(leavers):
        Notification.objects.all().delete()
        for n in range(leavers):
            user = member(Role.DEPUTY_DSL, school, email=f"leaver{leavers}.{n}@example.org")
            _account_switched_off(user)
            Notification.objects.create(
                kind="k", user=user, recipient=user.email, subject="s", body="b"
            )
        with CaptureQueriesContext(connection) as queries:
            assert deliver() == (0, 0)
        assert Notification.objects.filter(status=Notification.Status.SETTLED).count() == leavers
        return len(queries)

    assert queries_to_deliver(1) == queries_to_deliver(20)


def test_a_retry_goes_to_the_persons_address_as_it_is_when_sent(walk, dsl, deputy_dsl):
    # A DSL's address corrected while the mail server was down: the retry went to the old,
    # wrong address, which may be someone else's, with the school's concern reference in it.
    _left_pending_by_a_mail_server_that_was_down(walk)
    wrong = dsl.email
    dsl.email = "j.smith@school.example.org"
    dsl.save(update_fields=["email"])

    assert deliver() == (2, 0)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, deputy_dsl.email])
    assert wrong not in [m.to[0] for m in mail.outbox]
    told = Notification.objects.get(user=dsl)
    assert (told.recipient, told.status) == (dsl.email, Notification.Status.SENT)


def test_a_retry_is_settled_for_someone_who_left_even_if_their_address_changed(
    walk, dsl, deputy_dsl
):
    # Matched by address, a leaver whose address had changed too was no longer found as a
    # user, and the retry was sent to the old address as if it were the hub's mailbox.
    _left_pending_by_a_mail_server_that_was_down(walk)
    old = dsl.email
    dsl.email = "left.school@example.org"
    dsl.save(update_fields=["email"])
    _role_ended(dsl)

    assert deliver() == (1, 0)

    assert [m.to for m in mail.outbox] == [[deputy_dsl.email]]
    told = Notification.objects.get(user=dsl)
    assert (told.recipient, told.status) == (old, Notification.Status.SETTLED)


def test_each_notification_names_its_person_and_the_hubs_mailbox_names_no_one(walk, dsl, authority):
    walk.with_hub()

    assert Notification.objects.get(kind="concern_recorded").user == dsl
    to_hub = Notification.objects.get(kind="advice_requested")
    assert (to_hub.user, to_hub.recipient) == (None, authority.hub_email)


backfill = importlib.import_module("workflow.migrations.0006_notification_user")


def test_notifications_queued_before_are_pointed_at_their_person_by_address(dsl, authority):
    def queued_to(address):
        return Notification.objects.create(kind="k", recipient=address, subject="s", body="b")

    to_dsl = queued_to(dsl.email.upper())  # an address typed in capitals still finds them
    to_hub = queued_to(authority.hub_email)
    to_no_one = queued_to("someone.else@example.org")

    backfill.point_at_people(apps, None)

    assert Notification.objects.get(pk=to_dsl.pk).user == dsl
    assert Notification.objects.get(pk=to_hub.pk).user is None
    assert Notification.objects.get(pk=to_no_one.pk).user is None


def test_records_destroyed_while_their_notifications_are_sent_do_not_stop_the_others(
    walk, school, dsl, pupil, monkeypatch
):
    # The review at 25 deletes the outbox's rows about the pupil's concerns (ADR 012). One
    # destroyed while the sender was talking to the mail server made the sender fail on the
    # row it had just sent, and every notification after it in the run waited for the next.
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    destroyed = walk.closed()  # its notifications still pending: no commit in this test
    walk.pupil = PupilFactory(school=school, given_name="Oscar", family_name="Other")
    other = walk.recorded()
    others = Notification.objects.filter(concern=other).count()
    real_send = notify.send_mail

    def send_while_a_dsl_destroys(*args, **kwargs):
        if Pupil.objects.filter(pk=pupil.pk).exists():
            destroy_records(Pupil.objects.get(pk=pupil.pk), by=dsl, confirmed=True)
        return real_send(*args, **kwargs)

    monkeypatch.setattr(notify, "send_mail", send_while_a_dsl_destroys)

    assert deliver() == (1 + others, 0)

    assert not Notification.objects.filter(concern=destroyed.pk).exists()
    assert list(Notification.objects.values_list("concern", "status").distinct()) == [
        (other.pk, Notification.Status.SENT)
    ]
    assert len(mail.outbox) == 1 + others
