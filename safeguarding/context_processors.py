from datetime import datetime

from django.conf import settings
from django.utils import timezone

from schools.adapters import SIGNED_IN_AT

from .clock import written_length
from .navigation import tasks_for

# How long before a session can end for want of a request the page warns of it (WCAG 2.2.1:
# at least 20 seconds to ask for more time with a simple action).
SESSION_WARNING = 120


def service(request):
    """The service name, the role the user is acting as and its menu, for every page; and
    when the page should warn that the session is about to end (seconds after it loaded)."""
    membership = getattr(request, "membership", None)
    # The session ends between SESSION_COOKIE_AGE and that less a touch interval after the
    # last request (safeguarding.middleware.SessionLifetimeMiddleware): warn before the earlier.
    earliest_end = settings.SESSION_COOKIE_AGE - settings.SESSION_TOUCH_INTERVAL.total_seconds()
    return {
        "service_name": settings.SERVICE_NAME,
        "current_membership": membership,
        "navigation": [t for t in tasks_for(membership.role) if t["url"]] if membership else [],
        "session_warning_after": max(int(earliest_end) - SESSION_WARNING, 0),
        "session_end_warning_after": _end_warning_after(request),
        # In words, for the script's warning and the privacy notice.
        "session_length": written_length(settings.SESSION_ABSOLUTE_AGE),
        "session_idle_length": written_length(settings.SESSION_COOKIE_AGE),
    }


def _end_warning_after(request):
    """When to warn that the session ends SESSION_ABSOLUTE_AGE after sign-in, however active
    it has been (safeguarding.middleware): seconds after the page loaded; None when not signed
    in."""
    started = getattr(request, "session", {}).get(SIGNED_IN_AT)
    if started is None:
        return None
    ends = datetime.fromisoformat(started) + settings.SESSION_ABSOLUTE_AGE
    return max(int((ends - timezone.now()).total_seconds()) - SESSION_WARNING, 0)
