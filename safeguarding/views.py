from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concerns.recording import drafts_for
from concerns.views.access import LEADS
from reports.selectors import policy_reminder
from schools.middleware import membership_not_required

from .navigation import tasks_for


@require_GET
def home(request):
    """The start page for the role the user is acting as."""
    membership = request.membership
    return render(
        request,
        "home.html",
        {
            "membership": membership,
            "tasks": tasks_for(membership.role),
            "drafts": drafts_for(membership).select_related("pupil"),
            "is_lead": membership.role in LEADS,  # for the drafts' wording
            "policy_reminder": policy_reminder(membership),
        },
    )


@login_not_required
@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@login_not_required
@require_GET
def privacy(request):
    return render(request, "pages/privacy.html")


@membership_not_required
@require_GET
def keep_alive(request):
    """The "Stay signed in" of the warning that the session is about to end: a request, which
    moves the session's end on (saved now, not at the next minute's touch)."""
    request.session.modified = True
    return HttpResponse(status=204)
