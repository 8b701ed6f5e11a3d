"""The DSL's inbox and the concern page."""

from collections import Counter

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns.casework import (
    chronology,
    escalations_awaiting_outcome,
    load_casework,
    open_request,
    steps,
)
from concerns.forms.case import InboxFilterForm
from concerns.inbox import inbox_page, mark_read
from concerns.models import ConcernStatus
from concerns.selectors import get_concern_page_for, recorders_for
from safeguarding.searches import recall, searchable, show_results
from safeguarding.templatetags.presenters import typed, uk_datetime
from schools.models import Role
from workflow.concerns import immediate_risk_unanswered, referral_missing
from workflow.rules import Action, Actor, available_actions

from .access import LEADS, SCHOOL_PEOPLE, SCHOOL_READERS, role_required


@require_http_methods(["GET", "POST"])
@role_required(SCHOOL_READERS)
@searchable
def inbox(request):
    """The school's concerns, grouped by what each needs next. The filters are sent by POST
    and shown at an address that holds a token for the search, never its words."""
    recorders = recorders_for(request.membership)
    if request.method == "POST":
        form = InboxFilterForm(request.POST, recorders=recorders)
        if form.is_valid():
            return show_results(request, form.cleaned_data["q"], form.address_filters())
    else:
        data = request.GET.copy()
        data["q"] = recall(request).text
        form = InboxFilterForm(data, recorders=recorders)
    page = inbox_page(
        request.membership,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        **form.filters(),
    )
    school = request.membership.school
    viewed(request, school, school=school, action="concern.inbox.view")
    # As the navigation names it: the head teacher's is a read-only list, not an inbox.
    heading = "Concerns" if request.membership.role == Role.HEAD_TEACHER else "Concerns inbox"
    return render(request, "concerns/inbox.html", {"form": form, "page": page, "heading": heading})


def _buttons(concern, actions, request_open, *, referral_first=False):
    """Each action the workflow allows now, as a link to its own form, the usual next step
    first. Once the hub has advised, asking it again is possible but no longer the likely next
    step; once escalated, neither is another referral. Where a referral must come first (the
    hub advised one, or the child was marked at immediate risk), the escalation leads."""
    pk = concern.pk
    escalated = concern.status == ConcernStatus.ESCALATED
    links = {
        Action.REQUEST_ADVICE: [("Ask the Early Help Hub for advice", "request_advice", [pk])],
        Action.LOG_CONVERSATION: [("Log the parent or carer conversation", "conversation", [pk])],
        Action.ESCALATE: [
            (
                "Record another referral" if escalated else "Escalate for significant harm",
                "escalate",
                [pk],
            )
        ],
        Action.RECORD_OUTCOME: _outcome_buttons(concern),
        Action.CLOSE: [("Close the concern", "close", [pk])],
        Action.REOPEN: [("Reopen the concern", "reopen", [pk])],
        Action.WITHDRAW_REQUEST: [
            ("Withdraw the advice request", "withdraw_request", [pk, request_open.pk])
        ]
        if request_open
        else [],
        Action.ADD_ADDENDUM: [("Add an addendum", "addendum", [pk])],
    }
    later = [Action.ESCALATE] if escalated else []
    if concern.status != ConcernStatus.RECORDED:
        later.append(Action.REQUEST_ADVICE)
    for action in later:
        if action in actions:
            actions = [a for a in actions if a != action]
            actions.insert(max(len(actions) - 1, 0), action)
    if referral_first and Action.ESCALATE in actions:
        actions = [Action.ESCALATE, *(a for a in actions if a != Action.ESCALATE)]
    buttons = [
        {"label": label, "url": reverse(f"concerns:{name}", args=args), "action": action}
        for action in actions
        for label, name, args in links[action]
    ]
    # The first button that is not the red escalation is the green one; none is green when the
    # escalation leads.
    primary_given = referral_first and Action.ESCALATE in actions and not escalated
    for button in buttons:
        if button["action"] == Action.ESCALATE and not escalated:
            button["style"] = "govuk-button--warning"
        elif primary_given:
            button["style"] = "govuk-button--secondary"
        else:
            button["style"] = ""
            primary_given = True
    return buttons


def _outcome_buttons(concern):
    """A button for each referral awaiting its outcome, saying which: where it went (as typed,
    for 'Other'), and when it was made where two went to the same place."""
    awaiting = escalations_awaiting_outcome(concern)
    where = {e.pk: e.referred_to_other or e.get_referred_to_display() for e in awaiting}
    shared = Counter(where.values())
    buttons = []
    for e in awaiting:
        label = f"Record the outcome of the referral to {where[e.pk]}"
        if e.referred_to_other:  # typed: in its own direction
            label = format_html(
                "Record the outcome of the referral to {}", typed(e.referred_to_other)
            )
        if shared[where[e.pk]] > 1:
            label = format_html("{} made {}", label, uk_datetime(e.referred_at))
        buttons.append((label, "outcome", [concern.pk, e.pk]))
    return buttons


@require_GET
@role_required(SCHOOL_PEOPLE)
def detail(request, pk):
    """One concern: the record, where it is in the process, its history and what can be done."""
    membership = request.membership
    concern = get_concern_page_for(membership, pk)
    load_casework([concern])
    lead = membership.role in LEADS
    recorder = membership.role == Role.STAFF
    request_open = open_request(concern)
    actions = available_actions(Actor(request.user, request.memberships), concern, request_open)
    if not lead:
        actions = [action for action in actions if action == Action.ADD_ADDENDUM]
    # Significant harm is indicated and nothing answers it yet: escalating is the next step, and
    # closing would be refused (the tracker and the close page say why).
    referral_first = referral_missing(concern) is not None or (
        concern.status == ConcernStatus.RECORDED and immediate_risk_unanswered(concern)
    )
    if referral_first:
        actions = [action for action in actions if action != Action.CLOSE]
    attachments = [
        a for a in concern.attachments.all() if not recorder or a.uploaded_by_id == request.user.pk
    ]
    entries = chronology(concern, full=not recorder)
    viewed(request, concern, school=concern.school)
    # Those with an inbox, which shows what they have not read: read up to the latest addendum
    # this page shows, not the time it was opened. An addendum stamped before that time but
    # saved after the page read the concern (or stamped by a server whose clock is behind)
    # is not on the page, and stays new.
    shown = [e.record.created_at for e in entries if e.action == Action.ADD_ADDENDUM and e.record]
    if membership.role in SCHOOL_READERS and shown:
        mark_read(membership, concern, max(shown))
    return render(
        request,
        "concerns/detail.html",
        {
            "concern": concern,
            "full": not recorder,
            "lead": lead,
            "steps": steps(concern),
            "entries": entries,
            "buttons": _buttons(concern, actions, request_open, referral_first=referral_first),
            "attachments": attachments,
            "may_attach": lead or recorder,
        },
    )
