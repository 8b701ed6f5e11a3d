from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import record

from .forms import ChooseRoleForm
from .middleware import SESSION_KEY
from .models import Role
from .selectors import people_of_authority


@require_http_methods(["GET", "POST"])
def choose_role(request):
    """A user with several memberships chooses the one they act as; it is kept in the session."""
    form = ChooseRoleForm(
        request.POST if request.method == "POST" else None,
        memberships=request.memberships,
        initial={"membership": request.membership.pk if request.membership else None},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        chosen = next(m for m in request.memberships if m.pk == form.cleaned_data["membership"])
        messages.success(request, f"You are now working as {chosen}.")
        return redirect("home")
    return render(request, "schools/choose_role.html", {"form": form})


@require_GET
def no_access(request):
    """Signed in, but with no active role anywhere: say so, and whom to ask."""
    if request.memberships:
        return redirect("home")
    return render(request, "schools/no_access.html", status=403)


@require_http_methods(["GET", "POST"])
def lockouts(request):
    """The local authority's administrator sees accounts locked after failed sign-ins, and
    clears a lockout when the person has been checked."""
    membership = request.membership
    if membership.role != Role.LA_ADMIN:
        raise PermissionDenied
    authority = membership.local_authority
    locked = AccessAttempt.objects.filter(
        username__in=people_of_authority(authority),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).order_by("-attempt_time")
    if request.method == "POST":
        username = request.POST.get("username", "")
        if locked.filter(username=username).exists():
            reset(username=username)
            record(
                "auth.lockout_cleared", actor=request.user, authority=authority, account=username
            )
            messages.success(request, f"{username} can sign in again.")
        return redirect("lockouts")
    return render(request, "schools/lockouts.html", {"locked": locked, "authority": authority})


class ActivateApp(ActivateTOTPView):
    """allauth's page for setting up the authenticator app. Typing the new app's code proves the
    second factor as signing in with it would, so the session that set it up goes on without
    signing in again (safeguarding/middleware.py)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_authentication(self.request, self.request.user, "mfa", type=Authenticator.Type.TOTP)
        return response
