from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.log import viewed
from workflow.rules import Action, Actor, available_request_actions

from ..models import URGENCY_TARGET_TEXT
from ..presenters import due_phrase, is_overdue
from ..selectors import (
    earlier_requests,
    get_request_page_for,
    request_history,
    school_contacts,
    shared_records,
)
from .access import hub_only
from .queue import queue_url


def can(actor, advice_request):
    """The moves this user may make now, by name, for the page to show only those."""
    return {
        action.name.lower(): True for action in available_request_actions(actor, advice_request)
    }


def request_context(advice_request, now):
    """What every page about one request shows at its top."""
    return {
        "advice_request": advice_request,
        "concern": advice_request.concern,
        "due_text": due_phrase(advice_request, now),
        "overdue": is_overdue(advice_request, now),
        "target_text": URGENCY_TARGET_TEXT[advice_request.urgency],
    }


@require_GET
@hub_only
def detail(request, pk):
    """What the school shared with the hub about one concern, and what this user can do."""
    advice_request = get_request_page_for(request.membership, pk)
    concern = advice_request.concern
    viewed(request, advice_request, school=concern.school)
    history = list(request_history(advice_request))
    for event in history:
        event.label = Action(event.action).label
    # Only the kinds of record the request shares are asked for (see get_request_page_for).
    return render(
        request,
        "advice/detail.html",
        request_context(advice_request, timezone.now())
        | {
            "can": can(Actor(request.user, request.memberships), advice_request),
            **shared_records(advice_request),
            "earlier": (
                earlier_requests(request.membership, advice_request)
                if advice_request.has_earlier
                else ()
            ),
            "history": history,
            "contacts": school_contacts(concern.school),
            "queue_url": queue_url(request),
        },
    )
