from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET, require_safe

from concerns.recording import drafts_for
from concerns.views.access import LEADS
from reports.selectors import policy_reminder
from schools.middleware import membership_not_required

from . import static_files
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


@login_not_required
@membership_not_required
@require_safe  # GET or HEAD, as load balancers ask
@xframe_options_deny  # answered ahead of the clickjacking middleware (HealthCheckMiddleware)
def health(request):
    """For a load balancer: 200 when this server can serve pages, else 503, and which part is
    missing. Its database answers, and (in production) the static files were collected: without
    them every page fails. No session, no audit row, nothing about anyone."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        problems.append("database unavailable")
    if not static_files.collected():
        problems.append("static files not collected (run collectstatic, then restart)")
    if problems:
        response = HttpResponse("; ".join(problems) + "\n", content_type="text/plain", status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponse("OK\n", content_type="text/plain")
