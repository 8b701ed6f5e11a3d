"""The notification outbox: queue in the transition's transaction, deliver after commit.

Delivery never blocks the person who acted: it runs in a background thread once the
transaction has committed. A failure leaves the row pending with a later retry time;
`python manage.py send_notifications` (run by cron or `--loop`) retries whatever is due. A
notification is never deleted, but with the records it is about when they are destroyed at
the review at 25 (workflow.retention, docs/adr/012): even while it is being sent.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import close_old_connections, connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator

from schools.models import DSL_ROLES, HUB_ROLES, Membership, Role, User

from .models import Notification

logger = logging.getLogger(__name__)

FOOTER = (
    "\n\nThis email holds no details about any child. Sign in to read the record; "
    "do not forward this email."
)


def link(url_name, *args):
    """An absolute link to a page of the service, or to the start page if it has none yet."""
    try:
        path = reverse(url_name, args=args)
    except NoReverseMatch:
        path = reverse("home")
    return settings.SITE_URL + path


def _people(memberships, but=None):
    """The active people in `memberships`, leaving out `but`: whoever acted is not emailed
    about what they did themselves (it is on the concern's history)."""
    memberships = memberships.filter(is_active=True, user__is_active=True)
    if but is not None:
        memberships = memberships.exclude(user=but)
    return list(User.objects.filter(pk__in=memberships.values("user")).order_by("email"))


def school_leads(school, but=None):
    roles = [Role.DSL, Role.DEPUTY_DSL]
    return _people(Membership.objects.filter(school=school, role__in=roles), but)


def school_leads_and_head(school, but=None):
    roles = [Role.DSL, Role.DEPUTY_DSL, Role.HEAD_TEACHER]
    return _people(Membership.objects.filter(school=school, role__in=roles), but)


def has_head_teacher(school):
    """Whether a head teacher of `school` uses the service, to be emailed (`school_leads_and_head`):
    else whoever escalates a concern is told to tell the head themselves."""
    return bool(_people(Membership.objects.filter(school=school, role=Role.HEAD_TEACHER)))


def hub_managers(authority, but=None):
    return _people(Membership.objects.filter(local_authority=authority, role=Role.HUB_MANAGER), but)


def hub_staff(authority, users):
    """Those of `users` still on the authority's hub staff: not someone whose hub role has
    ended or whose account is switched off."""
    users = [user for user in users if user is not None]
    return _people(
        Membership.objects.filter(local_authority=authority, role__in=HUB_ROLES, user__in=users)
    )


def hub(authority):
    """The authority's shared hub mailbox (an address, no one's account), or else its hub staff."""
    if authority.hub_email:
        return [authority.hub_email]
    return _people(Membership.objects.filter(local_authority=authority, role__in=HUB_ROLES))


def _addressed(recipients):
    """(user, address) for each of `recipients`, people (users) or mailboxes (addresses), once
    each."""
    seen = set()
    for recipient in recipients:
        if isinstance(recipient, str):
            user, address = None, recipient
        else:
            user, address = recipient, recipient.email
        key = user.pk if user is not None else address.lower()
        if key not in seen:
            seen.add(key)
            yield user, address


def queue(
    kind,
    recipients,
    *,
    subject,
    body,
    concern=None,
    urgent=False,
    escalation=None,
    footer=FOOTER,
):
    """Write one notification per recipient now, a person (a user) or a shared mailbox (an
    address); deliver them after the transaction commits."""
    if urgent:
        subject = f"URGENT: {subject}"
    # A subject naming a person and a school with long names must still be kept (on
    # PostgreSQL a longer one failed what was being done): the body says it all in full.
    subject = Truncator(subject).chars(Notification._meta.get_field("subject").max_length)
    rows = Notification.objects.bulk_create(
        Notification(
            kind=kind,
            user=user,
            recipient=address,
            subject=subject,
            body=body + footer,
            concern=concern,
            escalation=escalation,
            urgent=urgent,
        )
        for user, address in _addressed(recipients)
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: dispatch(ids))
    return rows


def dispatch(ids):
    if settings.NOTIFICATIONS_IN_BACKGROUND:
        threading.Thread(target=_deliver_in_background, args=(ids,), daemon=True).start()
    else:
        deliver(ids)


def _deliver_in_background(ids):
    close_old_connections()
    try:
        deliver(ids)
    finally:
        connection.close()


def _retry_delay(attempts, urgent):
    # Backing off spares a mail server that is down; an urgent one (a child who may be at
    # immediate risk) is still tried every few minutes, so it goes soon after it is back up.
    return timedelta(minutes=min(2**attempts, 5 if urgent else 60))


# How long a sender has a notification to itself while it sends: far longer than a send takes
# (EMAIL_TIMEOUT is 10 s), so another sender never sends it too; a sender that died mid-send
# leaves it to be sent again after this.
CLAIM = timedelta(minutes=5)


def settle(notifications):
    """Of `notifications`, those not yet sent are not to be sent: what they tell of is done."""
    return notifications.filter(status=Notification.Status.PENDING).update(
        status=Notification.Status.SETTLED
    )


# The kind of every sign-in notice (schools/adapters.py), each telling a person of a change to
# their own account. It tells of no one's work, so it is sent whatever roles they hold by then:
# a system operator holds none, and a notice of a change they did not make is theirs to have.
SIGN_IN = "sign_in_"


def _still_told(notifications):
    """`notifications`, each saying whether its person, if it is for one, still has an active
    account with an active role (`active`), and for one about a concern, a role that reads
    it: a DSL's, deputy's or head teacher's at its school, or the hub's at its authority. One
    query for the whole batch. A retry sent after the person's role ended or their account
    was switched off would reach someone no longer entitled to know of the work, as would
    one sent to a DSL who has moved on to another school, or become a member of staff there.
    A shared mailbox is no one's, and has no role to end."""
    roles = Membership.objects.filter(user=OuterRef("user"), user__is_active=True, is_active=True)
    reads_the_concern = Q(
        school=OuterRef("concern__school"), role__in=[*DSL_ROLES, Role.HEAD_TEACHER]
    ) | Q(local_authority=OuterRef("concern__school__local_authority"), role__in=HUB_ROLES)
    return notifications.annotate(
        active=Case(
            When(concern__isnull=True, then=Exists(roles)),
            default=Exists(roles.filter(reads_the_concern)),
        )
    )


def deliver(ids=None):
    """Send the pending notifications that are due (only `ids`, if given), each to its person's
    address as it is now. Returns the number sent and the number that failed and wait for a
    retry. One to a person who no longer has an active account with an active role (for one
    about a concern, a role that reads it: `_still_told`) is settled, not sent, unless it is
    a sign-in notice about their own account; the hub's shared mailbox is no one's, and is
    sent to.

    Each is claimed first, by one UPDATE that moves its next attempt on (only one sender's
    UPDATE finds it still due), and sent outside any transaction: a mail server slow to answer
    holds no lock on the database (on SQLite, its only write lock) while everyone else works."""
    now = timezone.now()
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    rows = list(_still_told(due).values_list("pk", "user", "active", "kind"))
    gone = {
        pk
        for pk, user, active, kind in rows
        if user is not None and not active and not kind.startswith(SIGN_IN)
    }
    if gone:
        # Not one claimed by another sender meanwhile: `due` no longer finds it.
        settle(due.filter(pk__in=gone))
        logger.info("Notifications %s not sent: their recipients left the service", gone)
    sent = failed = 0
    for pk in [row[0] for row in rows if row[0] not in gone]:
        claimed = due.filter(pk=pk).update(next_attempt_at=timezone.now() + CLAIM)
        if not claimed:
            continue  # another sender has it, or has sent it
        # A row may go at any moment with the records it is about, destroyed at review
        # (workflow.retention): gone before it is read, it is not sent; gone while it is
        # being sent, there is nothing to write back. Either way the rest go on.
        row = Notification.objects.select_related("user").filter(pk=pk).first()
        if row is None:
            continue
        address = row.user.email if row.user is not None else row.recipient
        this = Notification.objects.filter(pk=pk)
        try:
            send_mail(row.subject, row.body, None, [address])
        except Exception as error:  # any failure of the mail backend: keep it and retry
            row.attempts += 1
            row.last_error = type(error).__name__[:200]
            row.next_attempt_at = timezone.now() + _retry_delay(row.attempts, row.urgent)
            this.update(
                attempts=row.attempts,
                last_error=row.last_error,
                next_attempt_at=row.next_attempt_at,
            )
            logger.warning("Notification %s not sent (%s); will retry", row.pk, row.last_error)
            failed += 1
        else:
            this.update(
                status=Notification.Status.SENT,
                # Where it went, if the person's address changed meanwhile.
                recipient=address,
                attempts=row.attempts + 1,
                sent_at=timezone.now(),
            )
            sent += 1
    return sent, failed
