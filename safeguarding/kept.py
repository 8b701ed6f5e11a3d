"""What someone had typed when their session ended, kept for them until they sign in again.

A form sent after 30 minutes without a request, or 12 hours after signing in, reaches a
session that has ended: the sign-in page comes instead, and a long write-up (a closure's
reasons, the parent conversation, the hub's advice) would be lost. So each of those forms
carries, signed, who it was drawn for (`{% typed_by %}`). A form sent without a session keeps
its fields, within limits, in the new session with that token; after signing in, its page
opens again with them, for that person only. Someone else signing in at the same computer gets
the page empty, and what was kept is dropped. Nothing is saved to the record until the person
checks the form and sends it again.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import QueryDict

KEPT = "kept_form"
FIELD = "_typed_by"
# Which of their roles the person was working in when the form was drawn (schools.middleware).
WORKING_AS = "_working_as"
_SALT = "safeguarding.kept.typed_by"
# A form can have been drawn at most SESSION_ABSOLUTE_AGE ago (the longest a session lasts,
# 'Stay signed in' keeping the page open); an hour more for signing in again after it ends.
_SIGNING_IN = timedelta(hours=1)
# Enough for any of the service's forms; a post beyond it is not kept at all.
_MAX_FIELDS = 40
_MAX_VALUES = 20
_MAX_CHARACTERS = 250_000

RESTORED = (
    "You were signed out, so nothing was saved. What you typed is below: check it and "
    "send it again."
)
# A file cannot wait in the session as typed words can: its page asks for it again, whatever
# kept the form from being saved.
FILE_NOT_KEPT = (
    "The file was not attached, because you were signed out, changed role or the page was out "
    "of date. Choose the file again and attach it."
)


def typed_by_token(user):
    return signing.dumps(user.pk, salt=_SALT)


def keep_for_page(request, path, data, *, said):
    """Keep `data` for this user to find on the page at `path`, with `said` explaining it (for
    example text typed on a page that can no longer take it, moved to one that can)."""
    request.session[KEPT] = {
        "path": path,
        "by": typed_by_token(request.user),
        "data": data,
        "said": said,
    }


def keep_typed(request, *, said=RESTORED):
    """Keep the fields of this POST in the session (which has just been emptied or ended),
    if its form says, signed, who it was drawn for (so that someone without an account cannot
    park text in sessions) and it is within the limits; True if kept."""
    if request.method != "POST" or drawn_for(request) is None:
        return False
    data = {
        name: request.POST.getlist(name)[:_MAX_VALUES]
        for name in list(request.POST)[:_MAX_FIELDS]
        if name not in {FIELD, WORKING_AS, "csrfmiddlewaretoken"}
    }
    if sum(len(value) for values in data.values() for value in values) > _MAX_CHARACTERS:
        return False
    token = request.POST[FIELD]
    if request.FILES:
        said = FILE_NOT_KEPT
    request.session[KEPT] = {"path": request.path, "by": token, "data": data, "said": said}
    return True


def _author(token):
    try:
        return signing.loads(token, salt=_SALT, max_age=settings.SESSION_ABSOLUTE_AGE + _SIGNING_IN)
    except signing.BadSignature:
        return None


def drawn_for(request):
    """Who the form in this POST was drawn for (a user's pk), or None."""
    return _author(request.POST.get(FIELD, ""))


class KeepTypedFormMiddleware:
    """Before LoginRequiredMiddleware: a form sent to a page that needs a session, without one,
    is kept before that middleware sends the person to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated and getattr(view_func, "login_required", True):
            keep_typed(request)
        return None


def kept_for(request):
    """What this person typed on this page before their session ended, as form data, once;
    None if nothing was kept here, or it was typed by someone else."""
    kept = request.session.get(KEPT)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT]
    if _author(kept["by"]) != request.user.pk:
        return None
    data = QueryDict(mutable=True)
    for name, values in kept["data"].items():
        data.setlist(name, values)
    messages.info(request, kept.get("said", RESTORED))
    return data
