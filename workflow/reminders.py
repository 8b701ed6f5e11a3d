"""Reminders of work gone overdue, queued once for each time it goes overdue.

`send_notifications` runs `remind_overdue` before it sends, so cron or `--loop` needs nothing
new. Three things are reminded:

- an advice request the hub has not answered by its due time: to the advisor who has it,
  while still on the hub's staff, else to the hub; a red request (a child who may be at risk)
  to the hub as well, and marked urgent;
- a concern waiting for a DSL's decision (advice asked, escalated or closed) a working day
  after it was recorded (Working Together 2023), or after it came back to them undecided
  (reopened, or its advice request withdrawn): to the school's DSLs, once each time;
- a referral to children's social care with no outcome a working day after it was made: to
  the school's DSLs, urgent (it was escalated for significant harm).

A reminder is a Notification of its own kind for the concern, queued at or after the moment
the item fell due: finding one is what stops the next run queuing it again. A referral's
reminder names its referral (`Notification.escalation`), as a concern may have several. A
request whose due time moves later (re-rated) and passes again is reminded again. Emails carry the
reference, the school's name for the hub, what is overdue since when, and a link: no child's
data.

Each pass looks back to a week before the last pass (`ReminderPass`), so work that went overdue
while send_notifications was stopped, for days or weeks, is reminded once when it runs again,
each email saying how overdue it is in working time, as its deadline is counted; what was
answered, decided or closed meanwhile is not, nor is a reminder the mail server held up while
its item was settled.
The very first pass looks back a week only, so a service that gains reminders with years of
records does not email all that is long past (the lists show it). Which items are newly overdue
is found by three queries, however many are open; only those found cost more, each in its own
transaction under its concern's lock, which checks again that no other run has just reminded it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from advice.models import AdviceRequest, AdviceStatus, claimant_left
from advice.presenters import working_time
from concerns.casework import DECISION_WITHIN_HOURS, decision_due_at, decision_overdue
from concerns.models import Concern, ConcernStatus, Escalation
from safeguarding import clock

from . import notify
from .advice import _tell_hub
from .core import lock_concern
from .exceptions import TransitionRefused
from .models import Notification, ReminderPass, WorkflowEvent
from .rules import Action
from .working_time import WORKING_DAY, add_working_hours, working_hours_between

ADVICE_OVERDUE = "advice_overdue"
REVIEW_OVERDUE = "review_overdue"
REFERRAL_OVERDUE = "referral_decision_overdue"

# How far before the last pass a pass looks: a first pass looks back this far only, so that a
# service gaining reminders on years of records does not email its whole backlog.
RECENT = timedelta(days=7)
# A DSL decides what to do about a new concern within one working day.
REVIEW_WITHIN_HOURS = WORKING_DAY.total_seconds() / 3600
# The moves that bring a concern back to waiting for a DSL's decision (RECORDED): a reopening,
# and a withdrawn request that leaves it as it was before it was asked. Each starts the working
# day again, as the concern is theirs to decide on again.
RETURNS = [Action.REOPEN, Action.WITHDRAW_REQUEST]


def _reminded(kind, since, concern="concern"):
    """A reminder of `kind` about the row's concern, queued at or after the row's `since`."""
    return Exists(
        Notification.objects.filter(
            kind=kind, concern=OuterRef(concern), created_at__gte=OuterRef(since)
        )
    )


def _overdue_requests(now, since):
    return (
        AdviceRequest.objects.filter(
            status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED],
            due_at__lt=now,
            due_at__gte=since,
        )
        .exclude(_reminded(ADVICE_OVERDUE, "due_at"))
        .annotate(claimant_left=claimant_left())
        .select_related("concern", "school", "local_authority")
    )


def _returns_to_dsl():
    """The concern's moves back to waiting for a DSL's decision, latest first."""
    return WorkflowEvent.objects.filter(
        concern=OuterRef("pk"), action__in=RETURNS, to_status=ConcernStatus.RECORDED
    ).order_by("-at", "-pk")


def awaiting_decision(concerns):
    """Those of `concerns` waiting for a DSL's decision (asking the hub, escalating, closing):
    still RECORDED, since `awaiting_since`, when they were recorded or came back undecided
    (`returned_by` says how). A note added is not a decision. The report lists these too."""
    returned = _returns_to_dsl()
    return concerns.filter(status=ConcernStatus.RECORDED).annotate(
        awaiting_since=Coalesce(
            Subquery(returned.values("at")[:1]), "recorded_at", output_field=DateTimeField()
        ),
        returned_by=Subquery(returned.values("action")[:1]),
    )


def _unreviewed_concerns(now, since):
    """Concerns waiting for a DSL's decision, newly a working day or more, not reminded since
    they began to wait. A working day is never less than 8 hours on the clock: the index on
    status and the time narrow it down, working_hours_between decides."""
    return (
        awaiting_decision(Concern.objects.filter(recorded_at__lte=now - WORKING_DAY))
        .filter(awaiting_since__lte=now - WORKING_DAY, awaiting_since__gte=since)
        .exclude(_reminded(REVIEW_OVERDUE, "awaiting_since", concern="pk"))
        .select_related("school")
    )


def _undecided_referrals(now, since):
    return (
        Escalation.objects.filter(
            outcome="",
            referred_to=Escalation.Target.CSC,
            referred_at__lte=now - timedelta(hours=DECISION_WITHIN_HOURS),
        )
        # Made lately, or recorded lately: a referral recorded days after it was made (the
        # DSL away) is older than the passes look back, and its outcome is still to come.
        .filter(Q(referred_at__gte=since) | Q(escalated_at__gte=since))
        .exclude(concern__status=ConcernStatus.CLOSED)
        # Each referral is reminded on its own: a concern may have more than one.
        .exclude(
            Exists(Notification.objects.filter(kind=REFERRAL_OVERDUE, escalation=OuterRef("pk")))
        )
        .select_related("concern__school")
    )


def remind_overdue(now=None):
    """Queue a reminder for each item newly overdue at `now`. Returns how many were queued."""
    now = now or timezone.now()
    _forget_settled(now)
    last = ReminderPass.objects.filter(pk=1).values_list("last_ran_at", flat=True).first()
    since = min(last or now, now) - RECENT
    requests = list(_overdue_requests(now, since))
    concerns = [
        concern
        for concern in _unreviewed_concerns(now, since)
        if working_hours_between(concern.awaiting_since, now) > REVIEW_WITHIN_HOURS
    ]
    referrals = [
        escalation
        for escalation in _undecided_referrals(now, since)
        if decision_overdue(escalation.referred_to, escalation.referred_at, now)
    ]
    queued = 0
    for request in requests:
        still_due = _overdue_requests(now, since).filter(pk=request.pk)
        queued += _once(request.concern, still_due, _advice, now)
    for concern in concerns:
        still_due = _unreviewed_concerns(now, since).filter(pk=concern.pk)
        queued += _once(concern, still_due, _review, now)
    for escalation in referrals:
        still_due = _undecided_referrals(now, since).filter(pk=escalation.pk)
        queued += _once(escalation.concern, still_due, _referral, now)
    # Only once every item found is reminded: a pass that fails part-way is looked back over.
    if not ReminderPass.objects.filter(pk=1, last_ran_at__lte=now).update(last_ran_at=now):
        ReminderPass.objects.get_or_create(pk=1, defaults={"last_ran_at": now})
    return queued


def _forget_settled(now):
    """Reminders not yet sent (the mail server refused them, perhaps for days) about items no
    longer overdue are not sent: a hub told late that a request answered yesterday is overdue
    is sent looking for work that is done. One UPDATE, however many are pending."""
    overdue_request = AdviceRequest.objects.filter(
        concern=OuterRef("concern"),
        status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED],
        due_at__lt=now,
    )
    # Undecided since the reminder: one about an earlier time it waited (decided, then
    # reopened) would give the wrong times; the new wait is reminded of its own.
    returned_since = _returns_to_dsl().filter(at__gt=OuterRef(OuterRef("created_at")))
    undecided = Concern.objects.filter(
        pk=OuterRef("concern"), status=ConcernStatus.RECORDED
    ).exclude(Exists(returned_since))
    undecided_referral = Escalation.objects.filter(pk=OuterRef("escalation"), outcome="").exclude(
        concern__status=ConcernStatus.CLOSED
    )
    settled = (
        (Q(kind=ADVICE_OVERDUE) & ~Exists(overdue_request))
        | (Q(kind=REVIEW_OVERDUE) & ~Exists(undecided))
        | (Q(kind=REFERRAL_OVERDUE) & ~Exists(undecided_referral))
    )
    notify.settle(Notification.objects.filter(settled))


def overdue_for(due, now):
    """How long past `due` it is at `now`, in working time, as every deadline reminded is
    counted ("3 working hours", "2 working days"), and as the hub's queue says it: a request
    due on Friday afternoon is hours overdue on Monday morning, not three days."""
    return working_time(working_hours_between(due, now))


def _once(concern, still_due, remind, now):
    """Under the concern's lock, read the item again from `still_due` and queue `remind(item)`,
    unless it is no longer due (answered, decided, closed, or reminded by another run
    meanwhile); a request re-rated meanwhile is told with its new due time."""
    with transaction.atomic():
        try:
            lock_concern(concern)
        except TransitionRefused:  # destroyed at review meanwhile
            return 0
        item = still_due.first()
        if item is None:
            return 0
        remind(item, now)
        return 1


def _advice(request, now):
    concern, authority = request.concern, request.local_authority
    # The advisor who has it, while still on the hub's staff; else the hub. A red request
    # goes to the hub too, whoever has it: a child may be at risk while they are away.
    # Nobody's, if they have left the hub since they claimed it (`claimant_left`), even if
    # they have come back.
    recipients = [] if request.claimant_left else notify.hub_staff(authority, [request.claimed_by])
    if not recipients or request.urgency == "red":
        recipients = [*recipients, *notify.hub(authority)]  # each once (notify.queue)
    _tell_hub(
        ADVICE_OVERDUE,
        recipients,
        request,
        subject=f"Advice request on {concern.reference} is overdue",
        opening=f"The advice request from {request.school.name} on concern "
        f"{concern.reference} has not been answered by its due time: it is "
        f"{overdue_for(request.due_at, now)} overdue.",
    )


def _review(concern, now):
    since = concern.awaiting_since
    due = add_working_hours(since, REVIEW_WITHIN_HOURS)
    came = {
        Action.REOPEN: f"was reopened on {clock.written(since)}",
        Action.WITHDRAW_REQUEST: "has been waiting for a DSL's decision since its advice "
        f"request was withdrawn on {clock.written(since)}",
    }.get(concern.returned_by, f"was recorded on {clock.written(since)}")
    notify.queue(
        REVIEW_OVERDUE,
        notify.school_leads(concern.school),
        subject=f"Safeguarding concern {concern.reference} is waiting for a DSL's decision",
        body=(
            f"Safeguarding concern {concern.reference} {came}. A DSL should have decided what "
            f"to do within one working day, by {clock.written(due)}, and it is "
            f"{overdue_for(due, now)} past that: ask the hub for advice, escalate it, or close it."
            f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
        urgent=concern.immediate_risk,
    )


def _referral(escalation, now):
    concern = escalation.concern
    due = decision_due_at(escalation.referred_to, escalation.referred_at)
    notify.queue(
        REFERRAL_OVERDUE,
        notify.school_leads(concern.school),
        subject=f"Referral on {concern.reference}: no decision recorded",
        body=(
            f"Safeguarding concern {concern.reference} was referred to children's social care "
            f"on {clock.written(escalation.referred_at)}. They should have decided what to do "
            f"within one working day, by {clock.written(due)}, and no outcome is recorded "
            f"{overdue_for(due, now)} later: follow up the referral, then record its outcome."
            f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
        escalation=escalation,
        urgent=True,
    )
