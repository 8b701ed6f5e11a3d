"""The error pages Django shows when a request fails, chosen by what went wrong.

Django calls `server_error` (handler500) while it is still handling the exception, wherever it
was raised: in a view, or in a middleware such as the session's. When the cause is that the
database cannot be reached (it is restarting, or the network to it dropped), the user sees the
"service unavailable" page with a 503 and a Retry-After, not the 500 page: nothing they did was
wrong, and the transaction that failed was rolled back, so nothing half-done was kept.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.views import csrf, defaults

from .kept import drawn_for, keep_typed

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def _database_unavailable(error):
    """True if `error`, or an error it was raised while handling, is a database outage."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


_PLAIN = (
    '<!DOCTYPE html><html lang="en-GB"><title>{0}</title><h1>{0}</h1>'
    "<p>Try again later. If a child is in immediate danger, do not wait: tell your designated "
    "safeguarding lead in person, call children's social care, or call 999.</p></html>"
)


def _page(template, heading):
    """The error page, or a plain one if even that cannot be drawn (static files missing, a
    broken template): an error page must never fail in its turn."""
    try:
        return loader.render_to_string(template)
    except Exception:
        return _PLAIN.format(heading)


def _unavailable():
    body = _page("503.html", "Sorry, the service is unavailable")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """500, or 503 when the database is unavailable. Renders without a request context, so
    the page itself never needs the database."""
    if _database_unavailable(sys.exc_info()[1]):
        return _unavailable()
    return HttpResponseServerError(_page("500.html", "Sorry, there is a problem with the service"))


def bad_request(request, exception):
    """400, or 503 when a database outage is behind it: Django reports any database error in
    saving the session as the session deleted meanwhile (a bad request)."""
    if _database_unavailable(exception):
        return _unavailable()
    return defaults.bad_request(request, exception)


FORM_REFUSED = (
    "Your form could not be sent: the page was open for a long time, or you signed in again "
    "in another tab. What you typed is below: check it and send it again."
)


def csrf_failure(request, reason=""):
    """A form refused for its CSRF token. Sent by the person it was drawn for, signed in now
    (a page left open while they signed in again in another tab), what they typed is shown
    again on its page to check and send (safeguarding.kept). Otherwise, a form sent from
    another site for one, the page saying it could not be sent."""
    user = getattr(request, "user", None)
    author = user is not None and user.is_authenticated and drawn_for(request) == user.pk
    if author and keep_typed(request, said=FORM_REFUSED):
        return redirect(request.get_full_path())
    return csrf.csrf_failure(request, reason)
