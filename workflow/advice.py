"""Step 2: transitions on an advice request, by the school's DSLs and the Early Help Hub."""

from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from advice.models import (
    URGENCY_TARGET_HOURS,
    AdviceRequest,
    AdviceStatus,
    LevelOfNeed,
    NextStep,
    claimant_left,
)
from safeguarding import clock
from safeguarding.templatetags.presenters import typed
from schools.models import HUB_ROLES, Membership

from . import notify
from .core import actor_for, check, check_role, history, lock_concern, move, require
from .exceptions import Stale, TransitionRefused
from .rules import HUB, REFUSED_ROLE, REFUSED_STATUS, Action, may, request_target
from .working_time import add_working_hours

STALE_REQUEST = (
    "This advice request has changed since you opened the page (it is now '{status}'). "
    "Nothing was saved: check the latest version and try again."
)


def due_at(requested_at, urgency):
    return add_working_hours(requested_at, URGENCY_TARGET_HOURS[urgency])


def _lock(advice_request):
    """Lock the concern, then the request (always in that order, so two locks never cross).
    Whether its claimant has left the hub is read under the lock, with the request."""
    concern = lock_concern(advice_request.concern)
    request = (
        AdviceRequest.objects.select_for_update(of=("self",))
        .annotate(claimant_left=claimant_left())
        .get(pk=advice_request.pk)
    )
    request.concern = concern
    return concern, request


def _check_request(action, request, expected_version=None):
    if expected_version is not None and request.version != expected_version:
        raise Stale(STALE_REQUEST.format(status=request.get_status_display()))
    target = request_target(action, request.status, claimant_left=request.claimant_left)
    if target is None:
        raise TransitionRefused(why_not(action, request))
    return target


def why_not(action, request):
    """Why `action` cannot be made on the advice request now, in words for the person trying."""
    if request.status == AdviceStatus.WITHDRAWN:
        return "The school has withdrawn this advice request."
    if request.status == AdviceStatus.ANSWERED:
        return "Advice has already been given on this request."
    if request.claimant_left and action in {Action.RELEASE, Action.GIVE_ADVICE}:
        # The advisor who had it, back at the hub, included: their claim lapsed when they left.
        return format_html(
            "{} claimed this request on {}, but the claim lapsed when they left the hub and "
            "the request went back to the queue for anyone at the hub. Nobody has it now: "
            "claim it first.",
            typed(request.claimed_by.full_name),
            clock.written(request.claimed_at),
        )
    if action == Action.CLAIM and request.status == AdviceStatus.CLAIMED:
        return format_html(
            "{} claimed this request on {}. It has not been taken over.",
            typed(request.claimed_by.full_name),
            clock.written(request.claimed_at),
        )
    if action in {Action.RELEASE, Action.GIVE_ADVICE}:
        return "Nobody has claimed this request. Claim it first."
    return REFUSED_STATUS.get(action, "That cannot be done to this advice request now.")


def held_by(request):
    """Who has a claimed request now, for someone else who tries to answer it: their name in
    its own direction (typed in Arabic or Urdu, it would jumble the sentence), the rest
    escaped, for a page to show as it is."""
    return format_html("{} has this request now.", typed(request.claimed_by.full_name))


def _save(request, target, *fields):
    request.status = target
    request.version += 1
    request.save(update_fields=["status", "version", *fields])


@transaction.atomic
def request_hub_advice(
    concern, *, by, summary, question, urgency, expected_version=None, submission_key=None
):
    """Step 2: the DSL asks the Early Help Hub for advice.

    Who: the school's DSLs. From: RECORDED, ADVICE_RECEIVED or PARENT_CONVERSATION_LOGGED
    (a follow-up); to: WITH_HUB. The request is due red 4, amber 8 (one day) or green 24
    (three days) working hours from now. Notifies the hub. Raises TransitionRefused for
    anyone else, another status, or a missing summary, question or urgency.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    target = check(actor, Action.REQUEST_ADVICE, concern, expected_version=expected_version)
    summary = require(summary, "summary", "Enter a summary for the hub")
    question = require(question, "question", "Enter your question for the hub")
    if urgency not in URGENCY_TARGET_HOURS:
        raise TransitionRefused("Select how urgent this is", field="urgency")
    now = timezone.now()
    request = AdviceRequest.objects.create(
        concern=concern,
        local_authority_id=concern.school.local_authority_id,
        school_id=concern.school_id,
        requested_by=by,
        requested_at=now,
        summary=summary,
        question=question,
        urgency=urgency,
        due_at=due_at(now, urgency),
        status=AdviceStatus.OPEN,
        concern_status_before=concern.status,
    )
    move(
        concern,
        Action.REQUEST_ADVICE,
        target,
        by=by,
        request=request,
        urgency=urgency,
        submission_key=submission_key,
    )
    notify.queue(
        "advice_requested",
        notify.hub(concern.school.local_authority),
        subject=f"Advice request from {concern.school.name} ({request.get_urgency_display()})",
        body=(
            f"{concern.school.name} has asked the Early Help Hub for advice on concern "
            f"{concern.reference}. Urgency: {request.get_urgency_display()}, due "
            f"{clock.written(request.due_at)}."
            " It needs an advisor to claim and answer it."
            f"\n\nSign in to see the request: {notify.link('advice:detail', request.pk)}"
        ),
        concern=concern,
        urgent=urgency == "red",
    )
    return request


@transaction.atomic
def withdraw_advice_request(
    advice_request,
    *,
    by,
    reason,
    expected_version=None,
    expected_concern_version=None,
    submission_key=None,
):
    """The school withdraws a request the hub has not answered.

    Who: the school's DSLs. From: request OPEN or CLAIMED; the concern returns to the status
    it had before the request (or stays ESCALATED). Needs a reason. The school's page carries
    the concern's version (`expected_concern_version`), not the request's: a colleague's
    addendum or a new urgency refuses it as stale, the hub claiming or passing the request on
    (which move only the request's version) does not.
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    check_role(actor, Action.WITHDRAW_REQUEST, concern, request)
    target = _check_request(Action.WITHDRAW_REQUEST, request, expected_version)
    concern_target = check(
        actor, Action.WITHDRAW_REQUEST, concern, request, expected_version=expected_concern_version
    )
    reason = require(reason, "reason", "Enter why the request is being withdrawn")
    request.withdrawn_reason = reason
    request.withdrawn_by = by
    request.withdrawn_at = timezone.now()
    shared = _share_pupil_as_now(request, concern.pupil)
    claimant = request.claimed_by
    _save(request, target, "withdrawn_reason", "withdrawn_by", "withdrawn_at", *shared)
    move(
        concern,
        Action.WITHDRAW_REQUEST,
        concern_target,
        by=by,
        request=request,
        note=reason,
        submission_key=submission_key,
    )
    authority = concern.school.local_authority
    if claimant is not None and not request.claimant_left:
        _tell_hub(
            "advice_withdrawn",
            notify.hub_staff(authority, [claimant]),
            request,
            subject=f"Advice request on {concern.reference} withdrawn",
            opening=f"{concern.school.name} has withdrawn its advice request on concern "
            f"{concern.reference}, which you had claimed. You need not answer it.",
        )
    elif request.urgency == "red":
        # The hub was told of a red request as urgent, and the queue shows it as nobody's (never
        # claimed, or its claimant left): it hears, too, that nobody need pick it up.
        _tell_hub(
            "advice_withdrawn",
            notify.hub(authority),
            request,
            subject=f"Advice request on {concern.reference} withdrawn",
            opening=f"{concern.school.name} has withdrawn its red advice request on concern "
            f"{concern.reference} "
            + ("before anyone claimed it" if claimant is None else "while nobody at the hub had it")
            + ". Nobody need answer it.",
        )
    return request


PUPIL_SHARED = ["given_name", "family_name", "date_of_birth", "year_group"]


def _share_pupil_as_now(request, pupil):
    """Keep the pupil's details on a request being withdrawn, as the hub saw them: its page
    shows these from now on (docs/adr/008). Returns the fields set."""
    fields = []
    for name in PUPIL_SHARED:
        field = f"withdrawn_pupil_{name}"
        setattr(request, field, getattr(pupil, name))
        fields.append(field)
    return fields


@transaction.atomic
def claim_advice_request(advice_request, *, by, expected_version=None):
    """A hub advisor takes a request to answer it.

    Who: hub advisors and managers of the school's authority. From: OPEN, or CLAIMED by
    someone who has since left the hub (their hub role at the authority ended, or their
    account switched off: nobody is working on it); to: CLAIMED. If someone still at the hub
    claimed it first, says who and when; it is never silently taken over. A claim taken from
    a leaver says so in the history, as does a leaver's, back at the hub, on their own
    lapsed claim.
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    check_role(actor, Action.CLAIM, concern, request)
    target = _check_request(Action.CLAIM, request, expected_version)
    check(actor, Action.CLAIM, concern, request)
    leaver = request.claimed_by if request.claimant_left else None
    request.claimed_by = by
    request.claimed_at = timezone.now()
    _save(request, target, "claimed_by", "claimed_at")
    # Who at the hub has it is nothing the school acts on: the concern's version stays, so a
    # DSL's page on the concern (an escalation, a withdrawal) is not refused as out of date.
    # The hub's own forms answer to the request's version, which has moved on.
    extra = {"taken_from": leaver.pk} if leaver else {}
    note = ""
    if leaver == by:
        note = "Claimed again on coming back: the claim lapsed when they left the hub"
    elif leaver:
        note = f"Taken from {leaver.full_name}, who has left the hub"
    history(concern, Action.CLAIM, concern.status, by=by, request=request, note=note, **extra)
    return request


@transaction.atomic
def release_advice_request(advice_request, *, by, expected_version=None):
    """Give a claimed request back to the queue.

    Who: the advisor who claimed it, or a hub manager. From: CLAIMED, by someone still at
    the hub (a leaver's lapsed claim is nobody's already); to: OPEN. A manager's release is
    told to the advisor who had it. Raises TransitionRefused otherwise; to other hub staff
    it says where the request stands (who has it now, or why nobody does).
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    if actor.in_authority(concern.school.local_authority_id, HUB) and not may(
        actor, Action.RELEASE, concern, request
    ):
        # An advisor whose page offered Release while the request was theirs is told where it
        # stands now (given to a colleague, released, withdrawn), not that only the advisor
        # who claimed it may release it: they did claim it.
        if request.status == AdviceStatus.CLAIMED and not request.claimant_left:
            raise TransitionRefused(
                format_html("{} Only they or a hub manager can release it.", held_by(request))
            )
        raise TransitionRefused(why_not(Action.RELEASE, request))
    check_role(actor, Action.RELEASE, concern, request)
    target = _check_request(Action.RELEASE, request, expected_version)
    check(actor, Action.RELEASE, concern, request)
    taken_from = request.claimed_by
    request.claimed_by = None
    request.claimed_at = None
    _save(request, target, "claimed_by", "claimed_at")
    history(concern, Action.RELEASE, concern.status, by=by, request=request)  # as a claim
    if taken_from != by:
        # The advisor may be part way through their advice: they hear now that it is no
        # longer theirs, not when it is refused as unclaimed. Nothing for them to do: not urgent.
        _no_longer_theirs(
            "advice_released_away",
            taken_from,
            request,
            subject=f"Advice request on {concern.reference} released to the queue",
            opening=f"{by.full_name} has released the advice request from {concern.school.name} "
            f"on concern {concern.reference}, which you had claimed, back to the hub's queue. "
            "You need not answer it unless you claim it again.",
        )
    return request


@transaction.atomic
def reassign_advice_request(advice_request, *, by, to, reason="", expected_version=None):
    """A hub manager gives a request to a named advisor.

    Who: hub managers of the school's authority. From: OPEN or CLAIMED; to: CLAIMED by `to`,
    who must be hub staff of the same authority and not already have it.
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    check_role(actor, Action.REASSIGN, concern, request)
    target = _check_request(Action.REASSIGN, request, expected_version)
    check(actor, Action.REASSIGN, concern, request)
    is_hub_staff = Membership.objects.filter(
        user=to,
        user__is_active=True,
        is_active=True,
        role__in=HUB_ROLES,
        local_authority_id=concern.school.local_authority_id,
    ).exists()
    if to is None or not is_hub_staff:
        raise TransitionRefused(
            "Choose an advisor from this authority's Early Help Hub", field="to"
        )
    if request.claimed_by_id == to.pk and not request.claimant_left:
        # Nothing would change but a history line and an email telling them of work they have.
        # (A claim that lapsed when they left the hub is nobody's: given back, it is theirs.)
        raise TransitionRefused(
            format_html("{} already has this request. Choose someone else", typed(to.full_name)),
            field="to",
        )
    taken_from = request.claimed_by
    request.claimed_by = to
    request.claimed_at = timezone.now()
    _save(request, target, "claimed_by", "claimed_at")
    note = f"Reassigned to {to.full_name}" + (f": {reason.strip()}" if reason.strip() else "")
    # As a claim: the concern's version stays.
    history(
        concern, Action.REASSIGN, concern.status, by=by, request=request, note=note, to_user=to.pk
    )
    if to != by:
        _tell_hub(
            "advice_reassigned",
            [to],
            request,
            subject=f"Advice request on {concern.reference} given to you",
            opening=f"{by.full_name} has given you the advice request from {concern.school.name} "
            f"on concern {concern.reference}.",
        )
    if taken_from not in (None, by, to):
        # The advisor who had it may be part way through their advice: they hear it is no
        # longer theirs now, not when their advice is refused. Nothing for them to do: not urgent.
        _no_longer_theirs(
            "advice_reassigned_away",
            taken_from,
            request,
            subject=f"Advice request on {concern.reference} given to a colleague",
            opening=f"{by.full_name} has given the advice request from {concern.school.name} on "
            f"concern {concern.reference}, which you had claimed, to {to.full_name}. "
            "You need not answer it.",
        )
    return request


@transaction.atomic
def rerate_advice_request(advice_request, *, by, urgency, reason, expected_version=None):
    """A hub manager changes a request's urgency; its due time is worked out again from the
    time it was made.

    Who: hub managers of the school's authority. From: OPEN or CLAIMED (unchanged). Needs a
    reason, kept in the history.
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    check_role(actor, Action.RERATE, concern, request)
    target = _check_request(Action.RERATE, request, expected_version)
    check(actor, Action.RERATE, concern, request)
    if urgency not in URGENCY_TARGET_HOURS:
        raise TransitionRefused("Select the new urgency", field="urgency")
    if urgency == request.urgency:
        raise TransitionRefused("Choose a different urgency from the current one", field="urgency")
    reason = require(reason, "reason", "Enter why the urgency is changing")
    before = request.get_urgency_display()
    request.urgency = urgency
    request.due_at = due_at(request.requested_at, urgency)
    _save(request, target, "urgency", "due_at")
    note = f"Urgency {before} to {request.get_urgency_display()}: {reason}"
    # The urgency and due time are the school's to see, and may change its mind (withdrawing a
    # request the hub now rates red): the concern's version moves on, unlike a claim's.
    move(concern, Action.RERATE, concern.status, by=by, request=request, note=note, urgency=urgency)
    authority = concern.school.local_authority
    # The advisor who has it, while their claim holds; if nobody has it (unclaimed, or claimed
    # by someone who has left, back or not: `claimant_left`), the hub, for a request made red.
    has_it = None if request.claimant_left else request.claimed_by
    if has_it is not None and has_it == by:
        recipients = []
    else:
        recipients = notify.hub_staff(authority, [has_it]) or (
            notify.hub(authority) if urgency == "red" else []
        )
    if recipients:
        _tell_hub(
            "advice_rerated",
            recipients,
            request,
            subject=f"Advice request on {concern.reference} is now {request.get_urgency_display()}",
            opening=f"The advice request from {concern.school.name} on concern "
            f"{concern.reference} has changed from {before} to "
            f"{request.get_urgency_display()}.",
        )
    return request


# The next steps that refer a child on to statutory or specialist services.
STATUTORY_NEXT_STEPS = frozenset({NextStep.MASH, NextStep.PREVENT})


@transaction.atomic
def give_advice(
    advice_request,
    *,
    by,
    advice,
    next_step,
    level_of_need,
    follow_up_on=None,
    expected_version=None,
    expected_concern_version=None,
):
    """The hub's advice: what to do next and the level of need.

    Who: only the advisor who has claimed the request, and is still at the hub since (a
    claim lapses when its claimant leaves: back, they claim it again first). From: request
    CLAIMED (to ANSWERED);
    the concern moves WITH_HUB to ADVICE_RECEIVED (or stays ESCALATED). Notifies the
    school's DSLs, with no child's details in the email. Raises TransitionRefused for
    anyone but the hub staff of the school's authority; to hub staff it says where the
    request stands (withdrawn, answered, unclaimed, or who has it now) before anything else.
    """
    actor = actor_for(by)
    concern, request = _lock(advice_request)
    if not actor.in_authority(concern.school.local_authority_id, HUB):
        raise TransitionRefused(REFUSED_ROLE[Action.GIVE_ADVICE])
    # An advisor whose request was withdrawn, answered or given to a colleague while they
    # typed is told that, not to claim it first, which they cannot do.
    _check_request(Action.GIVE_ADVICE, request)
    if request.claimed_by_id != by.pk:
        raise TransitionRefused(format_html("{} Nothing was saved.", held_by(request)))
    check_role(actor, Action.GIVE_ADVICE, concern, request)
    target = _check_request(Action.GIVE_ADVICE, request, expected_version)
    # Advice answers the concern as the advisor saw it: an escalation or an addendum since then
    # refuses it as stale, with what they typed kept.
    concern_target = check(
        actor, Action.GIVE_ADVICE, concern, request, expected_version=expected_concern_version
    )
    advice = require(advice, "advice", "Enter your advice")
    if next_step not in NextStep.values:
        raise TransitionRefused("Select the recommended next step", field="next_step")
    if level_of_need not in LevelOfNeed.values:
        raise TransitionRefused("Select the level of need", field="level_of_need")
    if level_of_need == LevelOfNeed.SPECIALIST and next_step not in STATUTORY_NEXT_STEPS:
        # Level 4 is the threshold for statutory services: advice at that level which sends
        # the school no referral would let the concern close with none made (close_concern
        # asks for a referral where the advice names one).
        raise TransitionRefused(
            "Level 4 needs specialist or statutory services: recommend a referral to "
            "children's social care (MASH) or to the Prevent team, or choose the level of "
            "need that fits your advice",
            field="level_of_need",
        )
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise TransitionRefused("The follow-up date must be today or later", field="follow_up_on")
    request.advice = advice
    request.recommended_next_step = next_step
    request.level_of_need = level_of_need
    request.advised_by = by
    request.advised_at = timezone.now()
    request.follow_up_on = follow_up_on
    _save(
        request,
        target,
        "advice",
        "recommended_next_step",
        "level_of_need",
        "advised_by",
        "advised_at",
        "follow_up_on",
    )
    move(
        concern,
        Action.GIVE_ADVICE,
        concern_target,
        by=by,
        request=request,
        next_step=next_step,
        level_of_need=level_of_need,
    )
    # Advice to refer means significant harm is indicated: the school acts on it today.
    refer = next_step in STATUTORY_NEXT_STEPS
    notify.queue(
        "advice_given",
        notify.school_leads(concern.school, but=by),
        subject=f"Early Help Hub advice on {concern.reference}",
        body=(
            f"The Early Help Hub has given its advice on safeguarding concern "
            f"{concern.reference}."
            + (" It advises a referral: read it and act on it today." if refer else "")
            + f"\n\nSign in to read it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
        urgent=refer,
    )
    return request


def _no_longer_theirs(kind, advisor, request, *, subject, opening):
    """The advisor who had claimed `request`, while still on the hub's staff, hears at once that
    it is no longer theirs (they may be part way through their advice), not when their advice
    is refused. Nothing for them to do: not urgent. A link, and no child's data."""
    concern = request.concern
    notify.queue(
        kind,
        notify.hub_staff(concern.school.local_authority, [advisor]),
        subject=subject,
        body=f"{opening}\n\nSign in to see it: {notify.link('advice:detail', request.pk)}",
        concern=concern,
    )


def _tell_hub(kind, recipients, request, *, subject, opening):
    """An email to hub staff about a request, with its due time while it is still to be
    answered, and a link: no child's data."""
    still_due = request.status != AdviceStatus.WITHDRAWN
    if still_due:
        opening += (
            f" Urgency: {request.get_urgency_display()}, due {clock.written(request.due_at)}."
        )
    notify.queue(
        kind,
        recipients,
        subject=subject,
        body=f"{opening}\n\nSign in to see it: {notify.link('advice:detail', request.pk)}",
        concern=request.concern,
        urgent=still_due and request.urgency == "red",
    )
