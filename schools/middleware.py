"""Which of their memberships a signed-in user is acting as, on every request.

The choice lives in the session. A membership that has been deactivated stops working at the
next request: it is no longer among the user's active memberships, so it is dropped.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from safeguarding.kept import WORKING_AS, keep_typed

from .selectors import active_memberships

SESSION_KEY = "membership_id"

# URL names of pages a signed-in user may reach before a membership is chosen.
_ALLOWED_WITHOUT_MEMBERSHIP = {"choose_role", "no_access", "accessibility", "privacy"}


def membership_not_required(view):
    view.membership_not_required = True
    return view


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.memberships = []
        if request.user.is_authenticated:
            request.memberships = list(active_memberships(request.user))
            chosen = request.session.get(SESSION_KEY)
            by_id = {m.pk: m for m in request.memberships}
            ended = chosen is not None and chosen not in by_id
            if chosen in by_id:
                request.membership = by_id[chosen]
            elif len(request.memberships) == 1:
                request.membership = request.memberships[0]
                request.session[SESSION_KEY] = request.membership.pk
                if ended:
                    messages.info(
                        request,
                        f"The role you were working in has ended. You are now working as "
                        f"{request.membership}.",
                    )
            elif ended:
                del request.session[SESSION_KEY]
                if request.memberships:
                    messages.info(
                        request,
                        "The role you were working in has ended. Choose the role to work in.",
                    )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if request.membership is not None:
            return _drawn_in_another_role(request)
        match = request.resolver_match
        name = match.url_name or ""
        if (
            getattr(view_func, "membership_not_required", False)
            or name in _ALLOWED_WITHOUT_MEMBERSHIP
            or name.startswith(("account_", "mfa_"))
            or match.namespace == "admin"
        ):
            return None
        if request.memberships:
            # Back here once chosen: the page they signed in again for, perhaps with what they
            # typed before their session ended (safeguarding.kept).
            path = request.get_full_path()
            if request.method != "GET" or path == reverse("home"):
                return redirect("choose_role")
            return redirect(f"{reverse('choose_role')}?{urlencode({'next': path})}")
        return redirect("no_access")


def _drawn_in_another_role(request):
    """A form drawn while the person worked in another of their roles (changed in another tab
    since, or ended and the one left taken up) is not saved in this one: a pupil typed for one
    school would join another's roll. What was typed opens again on the page, to check."""
    if request.method != "POST":
        return None
    drawn_in = request.POST.get(WORKING_AS)
    if drawn_in is None or drawn_in == str(request.membership.pk):
        return None
    # Plain text: it may wait in the session, and the page escapes it.
    refused = (
        "This page was opened while you were working in another role, so nothing was saved. "
        f"You are now working as {request.membership}: "
    )
    said = (
        refused
        + "check that what you typed, below, belongs here before sending it, or change role."
    )
    if not keep_typed(request, said=said):
        # Nothing is below: a file chosen, or more than is kept, must be given again.
        messages.info(request, refused + "send it again only if it belongs here, or change role.")
    return redirect(request.path)
