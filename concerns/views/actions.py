"""One page per action on a concern. Each fetches through the scoped selector, checks the
form's shape, calls one workflow function and shows its refusal beside the right field."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from advice.models import AdviceStatus
from audit.log import viewed
from audit.scope import OutOfScope
from concerns.casework import load_casework, open_request
from concerns.forms import case as forms
from concerns.models import ConcernStatus, ParentConversation
from concerns.selectors import get_concern_for
from safeguarding.forms import apply_refusal
from safeguarding.kept import keep_for_page, kept_for
from safeguarding.templatetags.presenters import uk_datetime
from workflow import advice as advice_flow
from workflow import concerns as concern_flow
from workflow import notify
from workflow.core import done_by
from workflow.exceptions import TransitionRefused
from workflow.rules import Action, Actor, available_actions, refused_now, reopened_at

from .access import LEADS, SCHOOL_WRITERS, role_required

NOT_NOW = "That cannot be done to this concern now."


def _act(
    request,
    pk,
    *,
    action,
    form_class,
    template,
    perform,
    success,
    subject=None,
    about=None,
    start=None,
    done=None,
    version=None,
):
    """The shared shape of every action page.

    `subject(concern)` picks the record the form acts on (the concern, an advice request, an
    escalation); its `version`, where it has one, travels in the form so a stale page is refused.
    `perform(subject, form)` calls the workflow. `about(concern)` gives the page more to say.
    `start(concern)` gives answers the DSL already typed in this concern, for a new form.
    `success` is the message once it is done, or a function of the concern giving it.
    `done(target)`, where the step is taken once on its subject, says why it cannot be now.
    `version(concern, target)` is the version the form carries, where not the subject's own.
    """
    concern = get_concern_for(request.membership, pk)
    load_casework([concern])
    drawn = version or (lambda concern, target: target.version)
    target = subject(concern) if subject else concern
    form_kwargs = {"concern": concern} if getattr(form_class, "needs_concern", False) else {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            key = form.cleaned_data.get("submission_key")
            try:
                perform(target, form)
            except TransitionRefused as refused:
                if done_by(concern, key, by=request.user):
                    # The same form, sent again after it was done: a second click, which
                    # may have waited for the first to be saved.
                    messages.success(request, _said(success, concern))
                    return redirect("concerns:detail", concern.pk)
                apply_refusal(form, refused)
                if hasattr(form, "refresh_version"):
                    form.refresh_version(drawn(concern, target))
            else:
                messages.success(request, _said(success, concern))
                return redirect("concerns:detail", concern.pk)
    elif (kept := kept_for(request)) is not None:
        # Typed before their session ended: shown again to send, whatever has changed since
        # (sending it then says so, keeping the text).
        form = form_class(kept, **form_kwargs)
    else:
        actor = Actor(request.user, request.memberships)
        if action not in available_actions(actor, concern, open_request(concern)):
            messages.info(request, refused_now(action, concern, NOT_NOW))
            return redirect("concerns:detail", concern.pk)
        if done and (reason := done(target)):
            messages.info(request, reason)
            return redirect("concerns:detail", concern.pk)
        initial = start(concern) if start else {}
        if version is not None or hasattr(target, "version"):
            initial["expected_version"] = drawn(concern, target)
        form = form_class(initial=initial, **form_kwargs)
    viewed(request, concern, school=concern.school)
    context = {"concern": concern, "form": form, "target": target}
    return render(request, template, context | (about(concern) if about else {}))


def _said(success, concern):
    return success(concern) if callable(success) else success


def _versioned(transition, request, checked_as="expected_version"):
    """Call `transition` on the page's subject as this user, with the version the form was
    loaded at (as its argument `checked_as`), so a stale form is refused rather than applied."""

    def perform(subject, form):
        return transition(
            subject,
            by=request.user,
            **{checked_as: form.cleaned_data["expected_version"]},
            **{"submission_key": form.cleaned_data["submission_key"]} | form.transition_kwargs(),
        )

    return perform


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def request_advice(request, pk):
    """Step 2: ask the Early Help Hub for advice."""
    return _act(
        request,
        pk,
        action=Action.REQUEST_ADVICE,
        form_class=forms.AdviceRequestForm,
        template="concerns/actions/request_advice.html",
        perform=_versioned(advice_flow.request_hub_advice, request),
        success=_sent_to_hub,
        start=_asked_before,
    )


def _sent_to_hub(concern):
    """The request just sent, with when the hub's answer is due."""
    sent = concern.advice_requests.order_by("-requested_at", "-pk").first()  # not the prefetch
    return (
        "Your request has been sent to the Early Help Hub. "
        f"The hub's answer is due by {uk_datetime(sent.due_at)}"
    )


def _asked_before(concern):
    """What the school told the hub last time (WCAG 3.3.7: not typed again). A withdrawn
    request was never answered, so all of it; after an answer, the summary of the case only:
    the question is a new one."""
    earlier = max(concern.advice_requests.all(), key=lambda r: r.requested_at, default=None)
    if earlier is None:
        return {}
    if earlier.status == AdviceStatus.WITHDRAWN:
        return {
            "summary": earlier.summary,
            "question": earlier.question,
            "urgency": earlier.urgency,
        }
    return {"summary": earlier.summary}


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def conversation(request, pk):
    """Step 3: the conversation with the parent or carer, or why it did not happen."""
    return _act(
        request,
        pk,
        action=Action.LOG_CONVERSATION,
        form_class=forms.ParentConversationForm,
        template="concerns/actions/conversation.html",
        perform=_versioned(concern_flow.log_parent_conversation, request),
        success=_conversation_logged,
    )


def _conversation_logged(concern):
    """What was recorded: the conversation, or that it did not take place and why."""
    logged = concern.conversations.order_by("-logged_at", "-pk").first()  # not the prefetch
    if logged is not None and not logged.held:
        said = (
            "You have recorded that the conversation with the parent or carer did not take "
            "place, and why"
        )
        if logged.not_held_reason == ParentConversation.NotHeldReason.RISK:
            return said  # significant harm: the page goes on to the escalation
        return f"{said}. If you talk with them later, log that conversation too"
    return "The parent or carer conversation has been logged"


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def escalate(request, pk):
    """Significant harm: record the referral made."""
    return _act(
        request,
        pk,
        action=Action.ESCALATE,
        form_class=forms.ConcernEscalationForm,
        template="concerns/actions/escalate.html",
        perform=_versioned(concern_flow.escalate_significant_harm, request),
        success=lambda concern: (
            "The escalation has been recorded and the head teacher told"
            if notify.has_head_teacher(concern.school)
            else "The escalation has been recorded. No head teacher at the school uses this "
            "service to be told: tell them yourself"
        ),
    )


def _escalation(escalation_pk):
    def pick(concern):
        for escalation in concern.escalations.all():
            if escalation.pk == escalation_pk:
                return escalation
        raise OutOfScope("escalation", escalation_pk)

    return pick


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def outcome(request, pk, escalation_pk):
    """What came of an escalation."""
    return _act(
        request,
        pk,
        action=Action.RECORD_OUTCOME,
        form_class=forms.EscalationOutcomeForm,
        template="concerns/actions/outcome.html",
        subject=_escalation(escalation_pk),
        perform=lambda escalation, form: concern_flow.record_escalation_outcome(
            escalation, by=request.user, **form.transition_kwargs()
        ),
        success="The outcome of the referral has been recorded",
        done=lambda escalation: escalation.outcome and concern_flow.OUTCOME_RECORDED,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def close(request, pk):
    """Close the concern with its outcome and the reasons."""
    return _act(
        request,
        pk,
        action=Action.CLOSE,
        form_class=forms.CloseForm,
        template="concerns/actions/close.html",
        perform=_versioned(concern_flow.close_concern, request),
        success="The concern has been closed",
        about=lambda concern: {
            "request_open": (pending := open_request(concern)),
            "request_still_open": pending and concern_flow.REQUEST_STILL_OPEN,
            "risk_unanswered": concern_flow.immediate_risk_unanswered(concern),
            "referral_missing": concern_flow.referral_missing(concern),
            # Asked before it was closed, the hub was asked: not since it was reopened.
            "reopened": reopened_at(concern),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def reopen(request, pk):
    """Reopen a closed concern."""
    if request.method == "POST" and (moved := _reopened_meanwhile(request, pk)):
        return moved
    return _act(
        request,
        pk,
        action=Action.REOPEN,
        form_class=forms.ReopenForm,
        template="concerns/actions/reopen.html",
        perform=_versioned(concern_flow.reopen_concern, request),
        success="The concern has been reopened",
    )


REOPENED_MEANWHILE = (
    "This concern was reopened by a colleague since you opened the page, so it was not "
    "reopened again. Your reason is below as an addendum: check it, then add it, so that it is "
    "kept with the concern."
)


def _reopened_meanwhile(request, pk):
    """A reason to reopen a concern a colleague has reopened since the page was drawn cannot
    reopen it, and trying again is refused: it is offered as an addendum instead, as text
    typed for a concern already sent is. Not a second click on the DSL's own Reopen, nor a
    second tab of their own."""
    concern = get_concern_for(request.membership, pk)
    reason = request.POST.get("reason", "").strip()
    if concern.status == ConcernStatus.CLOSED or not reason:
        return None
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        key = None
    if done_by(concern, key, by=request.user):
        return None
    reopened = concern.events.filter(action=Action.REOPEN).order_by("-at", "-pk").first()
    if reopened is None or reopened.actor_id == request.user.pk:
        return None  # their own, from another tab: refused as stale, their text kept
    keep_for_page(
        request,
        reverse("concerns:addendum", args=[concern.pk]),
        {"text": [reason], "submission_key": [str(uuid.uuid4())]},
        said=REOPENED_MEANWHILE,
    )
    return redirect("concerns:addendum", concern.pk)


def _advice_request(request_pk):
    def pick(concern):
        for advice_request in concern.advice_requests.all():
            if advice_request.pk == request_pk:
                return advice_request
        raise OutOfScope("advicerequest", request_pk)

    return pick


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def withdraw_request(request, pk, request_pk):
    """Withdraw an advice request the hub has not answered."""
    return _act(
        request,
        pk,
        action=Action.WITHDRAW_REQUEST,
        form_class=forms.WithdrawRequestForm,
        template="concerns/actions/withdraw.html",
        subject=_advice_request(request_pk),
        # The concern's version, not the request's: the hub claiming or passing the request on
        # changes nothing the DSL withdraws it for, and does not refuse their page.
        version=lambda concern, advice_request: concern.version,
        perform=_versioned(
            advice_flow.withdraw_advice_request, request, "expected_concern_version"
        ),
        success="The advice request has been withdrawn",
        done=lambda advice_request: (
            not advice_request.is_open
            and advice_flow.why_not(Action.WITHDRAW_REQUEST, advice_request)
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required(SCHOOL_WRITERS)
def addendum(request, pk):
    """Add a note or correction; the concern itself never changes."""
    return _act(
        request,
        pk,
        action=Action.ADD_ADDENDUM,
        form_class=forms.AddendumForm,
        template="concerns/actions/addendum.html",
        perform=lambda concern, form: concern_flow.add_addendum(
            concern, by=request.user, **form.transition_kwargs()
        ),
        success=ADDENDUM_ADDED if request.membership.role in LEADS else ADDENDUM_SENT,
    )


ADDENDUM_ADDED = "Your addendum has been added"
# Staff: what they add later may be urgent, and the workflow tells the DSLs of it.
ADDENDUM_SENT = (
    f"{ADDENDUM_ADDED} and your DSL has been told. If the child may be at immediate risk of "
    "significant harm, speak to them now as well, in person or by phone."
)
