"""The table of allowed moves, declared once, and who may make each move.

`CONCERN_MOVES[action][source status] -> target status` is the whole state machine of a
concern; `REQUEST_MOVES` is the same for an advice request. The transition functions check
against these tables, and `available_actions` reads the same tables to tell a page which
buttons will work.
"""

from django.db import models

from advice.models import AdviceStatus
from concerns.models import ConcernStatus, ParentConversation
from schools.models import Role

S = ConcernStatus
A = AdviceStatus


class Action(models.TextChoices):
    RECORD = "record_concern", "Concern recorded"
    ADD_ADDENDUM = "add_addendum", "Addendum added"
    REQUEST_ADVICE = "request_hub_advice", "Hub advice requested"
    WITHDRAW_REQUEST = "withdraw_advice_request", "Advice request withdrawn"
    CLAIM = "claim_advice_request", "Advice request claimed by the hub"
    RELEASE = "release_advice_request", "Advice request released by the hub"
    REASSIGN = "reassign_advice_request", "Advice request reassigned"
    RERATE = "rerate_advice_request", "Advice request urgency changed"
    GIVE_ADVICE = "give_advice", "Hub advice given"
    LOG_CONVERSATION = "log_parent_conversation", "Parent conversation logged"
    ESCALATE = "escalate_significant_harm", "Escalated for significant harm"
    RECORD_OUTCOME = "record_escalation_outcome", "Escalation outcome recorded"
    CLOSE = "close_concern", "Concern closed"
    REOPEN = "reopen_concern", "Concern reopened"


# Target marker for a withdrawn request: go back to the status before the request was made.
PREVIOUS = "previous"

_OPEN = [S.RECORDED, S.WITH_HUB, S.ADVICE_RECEIVED, S.PARENT_CONVERSATION_LOGGED, S.ESCALATED]
_HUB_AT_WORK = {S.WITH_HUB: S.WITH_HUB, S.ESCALATED: S.ESCALATED}

CONCERN_MOVES = {
    Action.RECORD: {None: S.RECORDED},
    Action.ADD_ADDENDUM: {status: status for status in S},
    Action.REQUEST_ADVICE: {
        S.RECORDED: S.WITH_HUB,
        S.ADVICE_RECEIVED: S.WITH_HUB,
        S.PARENT_CONVERSATION_LOGGED: S.WITH_HUB,
    },
    Action.WITHDRAW_REQUEST: {S.WITH_HUB: PREVIOUS, S.ESCALATED: S.ESCALATED},
    Action.CLAIM: _HUB_AT_WORK,
    Action.RELEASE: _HUB_AT_WORK,
    Action.REASSIGN: _HUB_AT_WORK,
    Action.RERATE: _HUB_AT_WORK,
    # Advice on an escalated concern is recorded, but the concern stays escalated.
    Action.GIVE_ADVICE: {S.WITH_HUB: S.ADVICE_RECEIVED, S.ESCALATED: S.ESCALATED},
    # Again once logged only where the latest was not held, and not for the child's safety
    # (`conversation_refused`): the talk that happened later is step 3.
    Action.LOG_CONVERSATION: {
        S.ADVICE_RECEIVED: S.PARENT_CONVERSATION_LOGGED,
        S.PARENT_CONVERSATION_LOGGED: S.PARENT_CONVERSATION_LOGGED,
    },
    Action.ESCALATE: dict.fromkeys(_OPEN, S.ESCALATED),
    # News of a referral may arrive at any time, even after closing or reopening.
    Action.RECORD_OUTCOME: {status: status for status in S},
    Action.CLOSE: {
        S.RECORDED: S.CLOSED,  # no further action: a DSL decision, reported as an exception
        S.PARENT_CONVERSATION_LOGGED: S.CLOSED,
        S.ESCALATED: S.CLOSED,
    },
    Action.REOPEN: {S.CLOSED: S.RECORDED},
}

REQUEST_MOVES = {
    Action.REQUEST_ADVICE: {None: A.OPEN},
    Action.WITHDRAW_REQUEST: {A.OPEN: A.WITHDRAWN, A.CLAIMED: A.WITHDRAWN},
    Action.CLAIM: {A.OPEN: A.CLAIMED},
    Action.RELEASE: {A.CLAIMED: A.OPEN},
    Action.REASSIGN: {A.OPEN: A.CLAIMED, A.CLAIMED: A.CLAIMED},
    Action.RERATE: {A.OPEN: A.OPEN, A.CLAIMED: A.CLAIMED},
    Action.GIVE_ADVICE: {A.CLAIMED: A.ANSWERED},
}

# A request claimed by someone who has since left the hub (`claimant_left`: their hub role
# ended, or their account switched off) is nobody's: its claim lapsed. Anyone at the hub may
# claim it (a red one is due in 4 working hours), a manager reassign or re-rate it, the
# school withdraw it; nobody answers or releases it until someone claims it, the advisor
# who had it included, if they come back (docs/adr/001).
LAPSED_CLAIM_MOVES = {
    Action.WITHDRAW_REQUEST: A.WITHDRAWN,
    Action.CLAIM: A.CLAIMED,
    Action.REASSIGN: A.CLAIMED,
    Action.RERATE: A.CLAIMED,
}

SCHOOL_RECORDERS = frozenset({Role.STAFF, Role.DSL, Role.DEPUTY_DSL})
SCHOOL_LEADS = frozenset({Role.DSL, Role.DEPUTY_DSL})
HUB = frozenset({Role.HUB_ADVISOR, Role.HUB_MANAGER})


class Actor:
    """The roles a user holds, read once, for checking many rules without more queries."""

    def __init__(self, user, memberships):
        self.user = user
        self.school_roles = {}
        self.authority_roles = {}
        for membership in memberships:
            if membership.school_id:
                self.school_roles.setdefault(membership.school_id, set()).add(membership.role)
            else:
                self.authority_roles.setdefault(membership.local_authority_id, set()).add(
                    membership.role
                )

    def in_school(self, school, roles):
        return bool(self.school_roles.get(school.pk, set()) & roles)

    def in_authority(self, authority_id, roles):
        return bool(self.authority_roles.get(authority_id, set()) & roles)


def _lead(actor, concern, request):
    return actor.in_school(concern.school, SCHOOL_LEADS)


def _hub(actor, concern, request):
    return actor.in_authority(concern.school.local_authority_id, HUB)


def _hub_shared(actor, concern, request):
    """Hub staff act on a concern only through an advice request the school made and has not
    withdrawn (one sent about the wrong child, say, leaves the hub nothing to act on)."""
    return (
        request is not None
        and request.status != AdviceStatus.WITHDRAWN
        and _hub(actor, concern, request)
    )


def _hub_manager(actor, concern, request):
    return actor.in_authority(concern.school.local_authority_id, {Role.HUB_MANAGER})


def _claimant(actor, concern, request):
    return (
        request is not None
        and request.claimed_by_id == actor.user.pk
        and _hub(actor, concern, request)
    )


def _recorder(actor, concern, request):
    return concern.recorded_by_id == actor.user.pk and actor.in_school(
        concern.school, SCHOOL_RECORDERS
    )


def _head(actor, concern, request):
    return actor.in_school(concern.school, {Role.HEAD_TEACHER})


def _any(*predicates):
    return lambda actor, concern, request: any(p(actor, concern, request) for p in predicates)


def _releaser(actor, concern, request):
    return _claimant(actor, concern, request) or _hub_manager(actor, concern, request)


# Who may make each move on a concern they can see. Tenancy is part of each rule: a lead of
# another school, or a hub of another authority, never matches.
WHO_MAY = {
    # Not the head teacher, who reads everything read-only (DESIGN §4): what they learn goes
    # to the DSL, whose addendum it becomes.
    Action.ADD_ADDENDUM: _any(_lead, _recorder),
    Action.REQUEST_ADVICE: _lead,
    Action.WITHDRAW_REQUEST: _lead,
    Action.CLAIM: _hub,
    Action.RELEASE: _releaser,
    Action.REASSIGN: _hub_manager,
    Action.RERATE: _hub_manager,
    Action.GIVE_ADVICE: _claimant,
    Action.LOG_CONVERSATION: _lead,
    Action.ESCALATE: _any(_lead, _hub_shared),
    Action.RECORD_OUTCOME: _any(_lead, _hub_shared),
    Action.CLOSE: _lead,
    Action.REOPEN: _lead,
}

REFUSED_ROLE = {
    Action.ADD_ADDENDUM: "Only the person who recorded this concern and the school's DSLs can "
    "add an addendum to it.",
    Action.REQUEST_ADVICE: "Only the school's DSL or deputy DSL can ask the hub for advice.",
    Action.WITHDRAW_REQUEST: "Only the school's DSL or deputy DSL can withdraw an advice request.",
    Action.CLAIM: "Only Early Help Hub staff of this school's local authority can claim requests.",
    Action.RELEASE: "Only the advisor who claimed this request, or a hub manager, can release it.",
    Action.REASSIGN: "Only a hub manager can reassign an advice request.",
    Action.RERATE: "Only a hub manager can change the urgency of an advice request.",
    Action.GIVE_ADVICE: "Only the advisor who has claimed this request can give advice on it. "
    "Claim it first.",
    Action.LOG_CONVERSATION: "Only the school's DSL or deputy DSL can log the parent conversation.",
    Action.ESCALATE: "Only the school's DSLs, or the Early Help Hub on a request the school has "
    "not withdrawn, can escalate a concern.",
    Action.RECORD_OUTCOME: "Only the school's DSLs or the Early Help Hub can record the outcome "
    "of an escalation.",
    Action.CLOSE: "Only the school's DSL or deputy DSL can close a concern.",
    Action.REOPEN: "Only the school's DSL or deputy DSL can reopen a concern.",
}

# What to say when a move is not allowed from the concern's current status.
REFUSED_STATUS = {
    Action.REQUEST_ADVICE: "Hub advice can be requested only for an open concern with no request "
    "already with the hub.",
    Action.WITHDRAW_REQUEST: "There is no advice request with the hub to withdraw.",
    Action.GIVE_ADVICE: "This concern is not waiting for advice from the hub.",
    Action.LOG_CONVERSATION: "Hub advice must be received before the parent conversation is "
    "logged (step 3 follows step 2).",
    Action.ESCALATE: "A closed concern cannot be escalated. Reopen it first.",
    Action.CLOSE: "This concern cannot be closed yet: log the parent conversation (held, or not "
    "held with the reason) or escalate it first.",
    Action.REOPEN: "Only a closed concern can be reopened.",
}


# The hub cannot reopen a concern: an advisor escalating one the school has closed is told who
# can, not to "Reopen it first".
CLOSED_TO_THE_HUB = (
    "The school has closed this concern, so it cannot be escalated. Only the school's DSL or "
    "deputy DSL can reopen it: contact them if it should be."
)


# Where the general reason above would mislead, what to say from a particular status.
REFUSED_FROM = {
    (Action.LOG_CONVERSATION, S.PARENT_CONVERSATION_LOGGED): "The parent conversation is "
    "already logged. Add an addendum for anything said since.",
    (Action.LOG_CONVERSATION, S.ESCALATED): "This concern has been escalated: whether the "
    "parent or carer was told is recorded with the referral. Add an addendum for any later "
    "conversation.",
    (Action.LOG_CONVERSATION, S.CLOSED): "This concern is closed. Reopen it first.",
    (Action.CLOSE, S.WITH_HUB): "An advice request is still open with the hub. Wait for the "
    "advice, or withdraw the request, before closing the concern.",
    (Action.CLOSE, S.CLOSED): "This concern is already closed.",
}


CONVERSATION_WITHHELD_FOR_RISK = (
    "The parent conversation was not held because talking to the parent or carer would place "
    "the child at risk: an indication of significant harm. Escalate the concern rather than "
    "logging a conversation. Add an addendum for anything said since."
)


def reopened_at(concern):
    """When the concern was last reopened, or None: what came before belongs to an earlier
    episode. Read from its events as `.all()` gives them, so a page that loaded them asks
    nothing more."""
    return max((e.at for e in concern.events.all() if e.action == Action.REOPEN), default=None)


def latest_conversation(concern):
    """The concern's latest parent conversation logged since it was last reopened, or None.
    Read from the records as `.all()` gives them, so a page that loaded them asks nothing more."""
    since = reopened_at(concern)
    return max(
        (c for c in concern.conversations.all() if since is None or c.logged_at >= since),
        key=lambda c: (c.logged_at, c.pk),
        default=None,
    )


def conversation_refused(concern):
    """Why the parent conversation cannot be logged again on a concern whose conversation is
    logged, or None. A conversation that happens after one logged as not held (the parent or
    carer could not be reached, or declined) is logged; not after one held, nor after one not
    held because it would place the child at risk (significant harm: an escalation)."""
    if concern.status != S.PARENT_CONVERSATION_LOGGED:
        return None
    latest = latest_conversation(concern)
    if latest is None or latest.held:
        return REFUSED_FROM[(Action.LOG_CONVERSATION, S.PARENT_CONVERSATION_LOGGED)]
    if latest.not_held_reason == ParentConversation.NotHeldReason.RISK:
        return CONVERSATION_WITHHELD_FOR_RISK
    return None


def refused_now(action, concern, default=None):
    """What to say when `action` is not allowed on `concern` now."""
    if action == Action.LOG_CONVERSATION and (refused := conversation_refused(concern)):
        return refused
    return refused_from(action, concern.status, default)


def refused_from(action, status, default=None):
    """What to say when `action` is not allowed from `status`."""
    return REFUSED_FROM.get((action, status)) or REFUSED_STATUS.get(action, default)


def concern_target(action, status):
    """The status `action` moves a concern to from `status`, or None if it is not allowed."""
    return CONCERN_MOVES[action].get(status)


def request_target(action, status, *, claimant_left=False):
    """The status `action` moves a request to from `status`, or None if it is not allowed.
    A request claimed by someone who has since left the hub (`claimant_left`) moves as
    `LAPSED_CLAIM_MOVES` says."""
    if status == A.CLAIMED and claimant_left:
        return LAPSED_CLAIM_MOVES.get(action)
    return REQUEST_MOVES[action].get(status)


def has_left(request):
    """Whether the request's claimant has left the hub, as its page read it (the
    `advice.models.claimant_left` annotation; a request read without it counts as not)."""
    return bool(getattr(request, "claimant_left", False))


def may(actor, action, concern, request=None):
    return WHO_MAY[action](actor, concern, request)


CONCERN_PAGE_ACTIONS = [
    Action.REQUEST_ADVICE,
    Action.LOG_CONVERSATION,
    Action.ESCALATE,
    Action.RECORD_OUTCOME,
    Action.CLOSE,
    Action.REOPEN,
    Action.WITHDRAW_REQUEST,
    Action.ADD_ADDENDUM,
]


def available_actions(actor, concern, open_request=None):
    """The concern-level moves this actor may make now, in the order a page shows them.

    `open_request` is the concern's open advice request, if any (a page has it already).
    Moves that also depend on data (for example closing with an open request) are refused
    by the transition itself with a message.
    """
    actions = []
    for action in CONCERN_PAGE_ACTIONS:
        if concern_target(action, concern.status) is None:
            continue
        if action == Action.WITHDRAW_REQUEST and open_request is None:
            continue
        if action == Action.REQUEST_ADVICE and open_request is not None:
            continue
        if action == Action.LOG_CONVERSATION and conversation_refused(concern):
            continue
        if action == Action.RECORD_OUTCOME and not any(
            not e.outcome for e in concern.escalations.all()
        ):
            continue
        if may(actor, action, concern, open_request):
            actions.append(action)
    return actions


def available_request_actions(actor, request):
    """The moves this actor may make on an advice request now (hub pages)."""
    actions = []
    for action in [
        Action.CLAIM,
        Action.RELEASE,
        Action.GIVE_ADVICE,
        Action.REASSIGN,
        Action.RERATE,
        Action.ESCALATE,
    ]:
        if (
            action in REQUEST_MOVES
            and request_target(action, request.status, claimant_left=has_left(request)) is None
        ):
            continue
        if concern_target(action, request.concern.status) is None:
            continue
        if may(actor, action, request.concern, request):
            actions.append(action)
    return actions
