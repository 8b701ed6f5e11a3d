from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concerns.recording import drafts_for
from reports.selectors import policy_reminder

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
