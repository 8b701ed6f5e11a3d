"""How a concern's working reads on a page: the step tracker and the chronology.

The chronology's spine is the WorkflowEvents (one per transition, in time order). Each event
is paired with the record its transition wrote: an addendum, an advice request and its
advice, a parent conversation, an escalation or its outcome, a closure. A transition writes
its record and its event in one transaction, so the n-th "parent conversation logged" event
belongs to the n-th conversation, and so on; nothing is ever deleted, so the pairing holds.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models.query import QuerySet
from django.utils import timezone
from django.utils.html import format_html

from advice.models import AdviceRequest, AdviceStatus, claimant_left
from safeguarding.templatetags.presenters import typed, uk_date, uk_datetime
from schools.models import User
from workflow.concerns import referral_missing
from workflow.models import WorkflowEvent
from workflow.rules import Action, conversation_refused, reopened_at
from workflow.working_time import WORKING_DAY, add_working_hours, working_hours_between

from .models import (
    Addendum,
    Attachment,
    Closure,
    ConcernCategory,
    ConcernStatus,
    Escalation,
    ParentConversation,
)

S = ConcernStatus


# Each kind of record a concern may have, how to fetch it, and the workflow events that mean
# the concern has one: a transition writes its record and its event in one transaction, so a
# concern without such an event has none of that kind, and the query is not made.
_USERS = {
    "addenda": ("author",),
    "advice_requests": ("requested_by", "claimed_by", "advised_by", "withdrawn_by"),
    "conversations": ("logged_by",),
    "escalations": ("escalated_by", "outcome_recorded_by"),
    "closures": ("closed_by",),
    "attachments": ("uploaded_by",),
}
_WRITTEN_BY = {
    "addenda": {Action.ADD_ADDENDUM},
    "advice_requests": {Action.REQUEST_ADVICE},
    "conversations": {Action.LOG_CONVERSATION},
    "escalations": {Action.ESCALATE},
    "closures": {Action.CLOSE},
}
_MODELS = {
    "addenda": Addendum,
    "advice_requests": AdviceRequest,
    "conversations": ParentConversation,
    "escalations": Escalation,
    "closures": Closure,
    "attachments": Attachment,
}
_ORDER = {"advice_requests": ("requested_at", "pk")}


def _store(concerns, name, model, rows):
    """Keep each concern's `rows` as Django's prefetch keeps them, so `concern.<name>.all()`
    answers from memory, without the copy of the queryset per concern that
    prefetch_related makes (a third of the chronology's time)."""
    grouped = {concern.pk: [] for concern in concerns}
    for row in rows:
        grouped[row.concern_id].append(row)
    for concern in concerns:
        cached = QuerySet(model)
        cached._result_cache = grouped[concern.pk]
        cached._prefetch_done = True
        concern._prefetched_objects_cache[name] = cached


def load_casework(concerns, *, attachments=True, every_kind=False):
    """Everything the concern page and the pupil chronology show about `concerns`, in a fixed
    number of queries however many concerns, events and records there are: the categories
    and the workflow events, then the kinds of record the events say exist (a concern just
    recorded needs none of them), and attachments unless a concern is known to have none
    (`has_attachments`), and last the people they name. A list passes `every_kind`, so that
    its queries are the same whatever its rows hold. The chronology shows no attachments, so
    it asks for none. Categories come with the concerns when they were read
    `with_categories()`; otherwise they are one query more."""
    concerns = list(concerns)
    if not concerns:
        return concerns
    for concern in concerns:
        if not hasattr(concern, "_prefetched_objects_cache"):
            concern._prefetched_objects_cache = {}
    pks = [concern.pk for concern in concerns]
    unlisted = [c for c in concerns if not hasattr(c, "category_list")]
    if unlisted:  # not read with ConcernQuerySet.with_categories()
        categories = ConcernCategory.objects.filter(
            concern_id__in=[c.pk for c in unlisted]
        ).order_by("category")
        _store(unlisted, "categories", ConcernCategory, categories)
    events = list(WorkflowEvent.objects.filter(concern_id__in=pks).order_by("at", "pk"))
    _store(concerns, "events", WorkflowEvent, events)
    named = [(events, ("actor",))]
    kinds = list(_WRITTEN_BY) + (["attachments"] if attachments else [])
    for name in kinds:
        model = _MODELS[name]
        if every_kind:
            having = pks
        elif name in _WRITTEN_BY:
            having = {e.concern_id for e in events if e.action in _WRITTEN_BY[name]}
        else:  # attachments: those not known to have none (get_concern_page_for knows)
            having = {c.pk for c in concerns if getattr(c, "has_attachments", True)}
        rows = []
        if having:
            rows = model.objects.filter(concern_id__in=sorted(having))
            if name == "advice_requests":  # whether whoever claimed each has left the hub
                rows = rows.annotate(claimant_left=claimant_left())
            rows = list(rows.order_by(*_ORDER[name]) if name in _ORDER else rows)
        _store(concerns, name, model, rows)
        named.append((rows, _USERS[name]))
    _attach_people(named)
    return concerns


def _attach_people(named):
    """Give each row the people its fields name (who acted, wrote, claimed...), fetched in one
    query: a page names a handful of people hundreds of times, and a join for each field
    built a copy of each person for every row that named them (the chronology: 4 ms)."""
    ids = {getattr(row, f"{name}_id") for rows, names in named for row in rows for name in names}
    ids.discard(None)
    people = User.objects.in_bulk(ids) if ids else {}
    for rows, names in named:
        for row in rows:
            for name in names:
                person = people.get(getattr(row, f"{name}_id"))
                if person is not None:
                    setattr(row, name, person)


@dataclass
class Entry:
    at: datetime
    action: str
    title: str
    actor: object
    note: str = ""
    record: object = None


def chronology(concern, *, full=True):
    """The concern's history in time order. Without `full` (the person who recorded it), only
    the recording and the addenda: not the DSL's working."""
    requests_by_id = {r.pk: r for r in concern.advice_requests.all()}
    escalations = list(concern.escalations.all())
    outcomes = sorted(
        (e for e in escalations if e.outcome), key=lambda e: (e.outcome_recorded_at, e.pk)
    )
    records = {
        Action.ADD_ADDENDUM: iter(concern.addenda.all()),
        Action.LOG_CONVERSATION: iter(concern.conversations.all()),
        Action.ESCALATE: iter(escalations),
        Action.RECORD_OUTCOME: iter(outcomes),
        Action.CLOSE: iter(concern.closures.all()),
    }
    entries = []
    for event in concern.events.all():
        if event.action in records:
            record = next(records[event.action], None)
        else:
            record = requests_by_id.get(event.advice_request_id)
        if not full and event.action not in {Action.RECORD, Action.ADD_ADDENDUM}:
            continue
        entries.append(
            Entry(
                at=event.at,
                action=event.action,
                title=Action(event.action).label,
                actor=event.actor,
                note=event.note,
                record=record,
            )
        )
    return entries


@dataclass
class Step:
    title: str
    state: str  # done, in_progress, due, not_started, not_needed, cannot_start
    lines: list = field(default_factory=list)

    @property
    def state_label(self):
        return {
            "done": "Completed",
            "in_progress": "In progress",
            "due": "To do now",
            "not_started": "Not started",
            "not_needed": "Not needed",
            "cannot_start": "Cannot start yet",
        }[self.state]


def _name(user):
    """Who did it, as a line of a step says it: their name as typed, in its own direction."""
    return typed(user.full_name) if user else "someone"


def _since(moment, reopened):
    return reopened is None or moment >= reopened


def _hub_step(concern, requests, zone, reopened):
    open_request = next((r for r in requests if r.is_open), None)
    answered = [r for r in requests if r.status == AdviceStatus.ANSWERED]
    withdrawn = [r for r in requests if r.status == AdviceStatus.WITHDRAWN]
    step = Step("Step 2: Early Help Hub advice", "not_started")
    for request in answered:
        step.lines.append(
            format_html(
                "Advice given {} by {}",
                uk_datetime(request.advised_at, zone),
                _name(request.advised_by),
            )
        )
    for request in withdrawn:
        step.lines.append(f"A request was withdrawn {uk_datetime(request.withdrawn_at, zone)}")
    answered = [r for r in answered if _since(r.advised_at, reopened)]
    escalations = [e for e in concern.escalations.all() if _since(e.escalated_at, reopened)]
    if open_request is not None:
        step.state = "in_progress"
        step.lines.append(
            format_html(
                "Asked {} by {} ({}), due {}",
                uk_datetime(open_request.requested_at, zone),
                _name(open_request.requested_by),
                open_request.get_urgency_display(),
                uk_datetime(open_request.due_at, zone),
            )
        )
        if getattr(open_request, "claimant_left", False):
            # Nobody is working on it: the hub's queue offers it to anyone there to claim.
            step.lines.append(
                format_html(
                    "Waiting for a hub advisor to pick it up ({}, who claimed it, has left the "
                    "hub)",
                    _name(open_request.claimed_by),
                )
            )
        else:
            step.lines.append(
                format_html("Being answered by {}", _name(open_request.claimed_by))
                if open_request.claimed_by_id
                else "Waiting for a hub advisor to pick it up"
            )
        if open_request.due_at < timezone.now():
            # As the inbox says: past the hub's own target, the school chases it.
            step.lines.append(
                f"Overdue: the hub's advice was due {uk_datetime(open_request.due_at, zone)}: "
                "follow the request up with the hub"
            )
    elif answered:
        step.state = "done"
    elif concern.status == S.ESCALATED or escalations:
        step.state = "not_needed"
        step.lines.append("Escalated without waiting for the hub's advice")
    elif concern.status == S.CLOSED:
        step.state = "not_needed"
        step.lines.append("Closed by the DSL with no further action, without the hub's advice")
    return step


def _parent_step(concern, zone, reopened):
    step = Step("Step 3: parent or carer conversation, or escalation", "cannot_start")
    for conversation in concern.conversations.all():
        if _since(conversation.logged_at, reopened):
            step.state = "done"
        if conversation.held:
            # The names as typed, perhaps in Arabic or Urdu: each in its own direction.
            step.lines.append(
                format_html(
                    'Conversation held {} with <span dir="auto">{}</span> '
                    '(<span dir="auto">{}</span>)',
                    uk_datetime(conversation.held_at, zone),
                    conversation.with_name,
                    conversation.with_relationship,
                )
            )
        else:
            step.lines.append(
                format_html(
                    "Conversation not held: {} (logged {} by {})",
                    conversation.get_not_held_reason_display(),
                    uk_datetime(conversation.logged_at, zone),
                    _name(conversation.logged_by),
                )
            )
    for escalation in concern.escalations.all():
        target = (
            format_html('<span dir="auto">{}</span>', escalation.referred_to_other)
            if escalation.referred_to_other
            else escalation.get_referred_to_display()
        )
        step.lines.append(
            format_html(
                "Escalated {} by {}: referred to {}",
                uk_datetime(escalation.escalated_at, zone),
                _name(escalation.escalated_by),
                target,
            )
        )
        current = _since(escalation.escalated_at, reopened)
        if escalation.outcome:
            if current:
                step.state = "done"
            step.lines.append(
                f"Outcome: {escalation.get_outcome_display()} "
                f"({uk_date(escalation.outcome_recorded_at, zone)})"
            )
        else:
            if current:
                step.state = "done" if step.state == "done" else "in_progress"
            step.lines.append("Outcome of the referral awaited")
            if decision_overdue(escalation.referred_to, escalation.referred_at, timezone.now()):
                due = decision_due_at(escalation.referred_to, escalation.referred_at)
                step.lines.append(
                    "Children's social care should have decided what to do within one working "
                    f"day of the referral, by {uk_datetime(due, zone)}: follow it up, then record "
                    "the outcome"
                )
    if (
        concern.status != S.CLOSED
        and open_request(concern) is None  # asked again: the hub's new advice comes first
        and (missing := referral_missing(concern)) is not None
    ):
        # Significant harm is indicated: the referral comes before the concern can close, so
        # the step is not done until it is made.
        step.state = "due"
        step.lines.append(missing)
    if concern.status == S.PARENT_CONVERSATION_LOGGED and conversation_refused(concern) is None:
        # This episode's latest conversation was not held, not for the child's safety: the
        # talk that happens later is logged, and becomes step 3.
        step.lines.append("If you talk with the parent or carer later, log the conversation")
    if concern.status == S.ADVICE_RECEIVED and step.state != "due":
        # The hub's advice, asked again after a conversation, is talked through too: until it
        # is logged (or the concern escalated) the concern cannot close, so the earlier
        # conversation does not complete the step.
        step.state = "due"
        step.lines.append("Talk with the parent or carer, then log the conversation")
    if step.state != "cannot_start":
        return step
    if concern.status == S.CLOSED:
        step.state = "not_needed"
    elif not step.lines:
        step.lines.append("Follows the hub's advice")
    return step


def _closed_step(concern, zone):
    step = Step("Closed", "not_started")
    closures = list(concern.closures.all())
    reopened = [e for e in concern.events.all() if e.action == Action.REOPEN]
    for closure in closures:
        step.lines.append(
            format_html(
                "Closed {} by {}: {}{}",
                uk_datetime(closure.closed_at, zone),
                _name(closure.closed_by),
                closure.get_outcome_display(),
                " (no further action without hub advice)" if closure.without_hub_advice else "",
            )
        )
    for event in reopened:
        step.lines.append(
            format_html("Reopened {} by {}", uk_datetime(event.at, zone), _name(event.actor))
        )
    if concern.status == S.CLOSED:
        step.state = "done"
    return step


def steps(concern):
    """Where the concern is in the process, step by step, with dates and who."""
    requests = list(concern.advice_requests.all())
    zone = timezone.get_current_timezone()
    # Each step's state is about the concern since it was last reopened (what came before
    # answered an earlier episode, as `close_concern` counts it); its lines tell the whole history.
    reopened = reopened_at(concern)
    return [
        Step(
            "Step 1: concern recorded",
            "done",
            [
                format_html(
                    "Recorded {} by {}",
                    uk_datetime(concern.recorded_at, zone),
                    _name(concern.recorded_by),
                )
            ],
        ),
        _hub_step(concern, requests, zone, reopened),
        _parent_step(concern, zone, reopened),
        _closed_step(concern, zone),
    ]


def open_request(concern):
    """The concern's advice request still with the hub, if any (from the prefetch)."""
    return next((r for r in concern.advice_requests.all() if r.is_open), None)


# Children's social care acknowledges a referral and decides the next steps within one working
# day of it (Working Together 2023; Keeping Children Safe in Education). The referrer follows it
# up when that decision has not come.
DECISION_WITHIN_HOURS = WORKING_DAY.total_seconds() / 3600


def decision_due_at(referred_to, referred_at):
    """When children's social care should have decided what to do about a referral; None for
    the other targets, which set no such time."""
    if referred_to != Escalation.Target.CSC:
        return None
    return add_working_hours(referred_at, DECISION_WITHIN_HOURS)


def decision_overdue(referred_to, referred_at, now):
    """A referral to children's social care with no outcome a working day after it was made."""
    return (
        referred_to == Escalation.Target.CSC
        and working_hours_between(referred_at, now) > DECISION_WITHIN_HOURS
    )


def escalations_awaiting_outcome(concern):
    return [e for e in concern.escalations.all() if not e.outcome]
