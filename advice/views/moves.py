"""One form page per move on an advice request: claim, release, reassign, change urgency,
give advice, escalate. Each posts to itself, calls one workflow function and redirects to
the request (POST/redirect/GET); a refusal is shown with everything typed kept."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from audit.log import viewed
from safeguarding.forms import apply_refusal
from safeguarding.kept import kept_for
from safeguarding.templatetags.presenters import typed
from workflow import notify
from workflow.advice import (
    claim_advice_request,
    give_advice,
    held_by,
    reassign_advice_request,
    release_advice_request,
    rerate_advice_request,
    why_not,
)
from workflow.concerns import escalate_significant_harm
from workflow.exceptions import Stale, TransitionRefused
from workflow.rules import (
    CLOSED_TO_THE_HUB,
    REFUSED_ROLE,
    Action,
    Actor,
    available_request_actions,
    concern_target,
    has_left,
)

from ..forms import (
    AdviceForm,
    ClaimForm,
    HubEscalationForm,
    ReassignForm,
    ReleaseForm,
    RerateForm,
)
from ..models import AdviceStatus
from ..selectors import changes_since, get_request_for, hub_staff
from .access import hub_manager_only, hub_only
from .request import request_context


@dataclass(frozen=True)
class Move:
    action: Action
    form: type
    perform: Any
    title: str
    button: str
    done: Any  # the success message, or a function of the request, the user and what they sent
    on_concern: bool = False  # escalation is a move of the concern
    form_kwargs: Any = field(default=lambda advice_request: {})
    # The versions the page was drawn from, which a stale page's move is refused against.
    versions: Any = field(default=lambda r: {"expected_version": r.version})
    # Whether a refused move is one this person has made already (a second click): then the
    # page says it is done, not that nothing was saved.
    made_already: Any = field(default=lambda r, user, sent: False)
    warning: bool = False
    shows_question: bool = False  # the school's words about the child: the page is audited
    # The form's field carrying the concern's version: a move refused as out of date shows
    # what has been done to the concern since, for the person to read before sending again.
    concern_version: str | None = None


MOVES = {
    "claim": Move(
        Action.CLAIM,
        ClaimForm,
        claim_advice_request,
        "Claim this request",
        "Claim this request",
        "You have claimed this request. The school's DSL sees who is working on it.",
        made_already=lambda r, user, sent: (
            r.status == AdviceStatus.CLAIMED and r.claimed_by_id == user.pk
        ),
    ),
    "release": Move(
        Action.RELEASE,
        ReleaseForm,
        release_advice_request,
        "Release this request",
        "Release it to the queue",
        "The request is back in the queue for anyone to claim.",
        made_already=lambda r, user, sent: (
            r.status == AdviceStatus.OPEN and r.claimed_by_id is None
        ),
    ),
    "reassign": Move(
        Action.REASSIGN,
        ReassignForm,
        reassign_advice_request,
        "Reassign this request",
        "Reassign",
        lambda r, user, sent: (
            "The request has been reassigned to you."
            if sent["to"] == user
            else format_html(
                "The request has been reassigned to {}, who has been emailed to say so.",
                typed(sent["to"].full_name),
            )
        ),
        form_kwargs=lambda r: {"staff": hub_staff(r.concern.school.local_authority_id)},
        # Only from a page drawn before the reassignment: choosing the advisor who has it
        # now, on a page that is up to date, is a mistake the form points out.
        made_already=lambda r, user, sent: (
            r.status == AdviceStatus.CLAIMED
            and r.claimed_by_id == sent["to"].pk
            and not has_left(r)  # a lapsed claim is nobody's: it was not given to them
            and r.version != sent["expected_version"]
        ),
    ),
    "rerate": Move(
        Action.RERATE,
        RerateForm,
        rerate_advice_request,
        "Change the urgency",
        "Change the urgency",
        "The urgency has changed and the due time has been worked out again.",
        form_kwargs=lambda r: {"current": r.urgency},
        # Only from a page drawn before the change: choosing the urgency it has now, on a
        # page that is up to date, is a mistake the form points out.
        made_already=lambda r, user, sent: (
            r.status in {AdviceStatus.OPEN, AdviceStatus.CLAIMED}
            and r.urgency == sent["urgency"]
            and r.version != sent["expected_version"]
        ),
    ),
    "advise": Move(
        Action.GIVE_ADVICE,
        AdviceForm,
        give_advice,
        "Give advice",
        "Send the advice to the school",
        "Your advice has been sent. The school's DSLs have been told to read it.",
        shows_question=True,
        concern_version="expected_concern_version",
        # The same advice, sent again: different words would be lost, so they are refused.
        made_already=lambda r, user, sent: (
            r.status == AdviceStatus.ANSWERED
            and r.advised_by_id == user.pk
            and r.advice == sent["advice"].strip()
        ),
        versions=lambda r: {
            "expected_version": r.version,
            "expected_concern_version": r.concern.version,
        },
    ),
    "escalate": Move(
        Action.ESCALATE,
        HubEscalationForm,
        escalate_significant_harm,
        "Escalate for significant harm",
        "Record the escalation",
        lambda r, user, sent: (
            "The escalation is recorded. The school's DSLs and head teacher have been told."
            if notify.has_head_teacher(r.concern.school)
            else "The escalation is recorded. The school's DSLs have been told; no head teacher "
            "at the school uses this service."
        ),
        on_concern=True,
        versions=lambda r: {"expected_version": r.concern.version},
        warning=True,
        concern_version="expected_version",
    ),
}


def _done(move, advice_request, user, sent):
    return move.done(advice_request, user, sent) if callable(move.done) else move.done


def _unavailable(action, advice_request, user):
    """Why a move offered by an older page cannot be made now."""
    if action == Action.ESCALATE:
        # A move of the concern, which answered requests do not stop: the concern's status
        # says why first.
        if concern_target(action, advice_request.concern.status) is None:
            return CLOSED_TO_THE_HUB  # escalation is refused only from closed
        if advice_request.status == AdviceStatus.WITHDRAWN:
            return "The school has withdrawn this advice request."
        return REFUSED_ROLE[action]
    if advice_request.status == AdviceStatus.ANSWERED:
        return "Advice has already been given on this request."
    if advice_request.status == AdviceStatus.WITHDRAWN:
        return "The school has withdrawn this advice request."
    if action == Action.CLAIM and advice_request.claimed_by_id and not has_left(advice_request):
        claimant = typed(advice_request.claimed_by.full_name)
        return format_html("{} has already claimed this request.", claimant)
    if action in {Action.RELEASE, Action.GIVE_ADVICE} and (
        not advice_request.claimed_by_id or has_left(advice_request)
    ):
        return why_not(action, advice_request)  # nobody has it, or its claim lapsed
    if action in {Action.RELEASE, Action.GIVE_ADVICE} and advice_request.claimed_by_id != user.pk:
        return held_by(advice_request)
    return REFUSED_ROLE[action]


def _move_page(request, pk, name):
    move = MOVES[name]
    advice_request = get_request_for(request.membership, pk)
    actor = Actor(request.user, request.memberships)
    allowed = move.action in available_request_actions(actor, advice_request)
    kept = kept_for(request) if request.method == "GET" else None
    changes = ()
    if request.method == "GET" and not allowed and kept is None:
        messages.info(request, _unavailable(move.action, advice_request, request.user))
        return redirect("advice:detail", pk)
    kwargs = move.form_kwargs(advice_request)
    if kept is not None:
        # Typed before their session ended; if it can no longer be done, the page says so
        # and keeps the text to copy.
        form = move.form(kept, **kwargs)
        if not allowed:
            messages.info(request, _unavailable(move.action, advice_request, request.user))
    elif request.method == "POST":
        form = move.form(request.POST, **kwargs)
        said_why = False
        if form.is_valid():
            target = advice_request.concern if move.on_concern else advice_request
            # A move of the concern is made through this request, as its page offered it.
            through = {"advice_request": advice_request} if move.on_concern else {}
            try:
                move.perform(target, by=request.user, **through, **form.transition_kwargs())
            except TransitionRefused as refused:
                advice_request = get_request_for(request.membership, pk)
                if move.made_already(advice_request, request.user, form.cleaned_data):
                    messages.success(
                        request, _done(move, advice_request, request.user, form.cleaned_data)
                    )
                    return redirect("advice:detail", pk)
                allowed = move.action in available_request_actions(actor, advice_request)
                if move.concern_version:
                    seen = form.cleaned_data[move.concern_version]
                    changes = changes_since(advice_request, seen)
                form = _again(move, form, request.POST, advice_request, kwargs)
                apply_refusal(form, refused)
                said_why = refused.field is None and not isinstance(refused, Stale)
            else:
                messages.success(
                    request, _done(move, advice_request, request.user, form.cleaned_data)
                )
                return redirect("advice:detail", pk)
        if not allowed and not said_why:
            # A mistake in the form, or a page out of date, says nothing of why the move
            # cannot be made at all now; the page offers no button, so it says why.
            form.add_error(None, _unavailable(move.action, advice_request, request.user))
    else:
        form = move.form(initial=move.versions(advice_request), **kwargs)
    if move.shows_question or changes:
        viewed(request, advice_request, school=advice_request.concern.school)
    context = request_context(advice_request, timezone.now())
    return render(
        request,
        "advice/move.html",
        context | {"move": move, "form": form, "allowed": allowed, "changes": changes},
    )


def _again(move, form, posted, advice_request, kwargs):
    """The refused form with what was typed, carrying the version now on screen, so that
    having seen the latest state the user can send it again."""
    if "expected_version" not in form.fields:
        return form
    data = posted.copy()
    for name, version in move.versions(advice_request).items():
        data[name] = version
    form = move.form(data, **kwargs)
    form.is_valid()
    return form


@require_http_methods(["GET", "POST"])
@hub_only
def claim(request, pk):
    """Claim a request, to answer it."""
    return _move_page(request, pk, "claim")


@require_http_methods(["GET", "POST"])
@hub_only
def release(request, pk):
    """Give a claimed request back to the queue."""
    return _move_page(request, pk, "release")


@require_http_methods(["GET", "POST"])
@hub_manager_only
def reassign(request, pk):
    """A hub manager gives the request to a named advisor."""
    return _move_page(request, pk, "reassign")


@require_http_methods(["GET", "POST"])
@hub_manager_only
def rerate(request, pk):
    """A hub manager changes the urgency, with a reason."""
    return _move_page(request, pk, "rerate")


@require_http_methods(["GET", "POST"])
@hub_only
def advise(request, pk):
    """The claimant's advice: next step, level of need, follow-up date."""
    return _move_page(request, pk, "advise")


@require_http_methods(["GET", "POST"])
@hub_only
def escalate(request, pk):
    """Escalate the concern for significant harm: the hub makes the referral."""
    return _move_page(request, pk, "escalate")
