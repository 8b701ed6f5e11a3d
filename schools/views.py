import logging
import time
from functools import partial

from allauth.account import app_settings as account_settings
from allauth.account.forms import ResetPasswordForm
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.stagekit import LOGIN_SESSION_KEY, clear_login
from allauth.account.models import Login
from allauth.account.views import PasswordResetView
from allauth.mfa.base.views import authenticate as allauth_second_step
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods

from advice.selectors import claims_back_to_queue
from audit.log import record
from safeguarding.forms import apply_refusal
from safeguarding.kept import kept_for
from safeguarding.templatetags.presenters import typed
from workflow.roles import tell_of_role

from .exceptions import Refused
from .forms import AddPersonForm, ChooseRoleForm
from .middleware import SESSION_KEY
from .models import Role, School
from .selectors import (
    get_membership_administered_by,
    get_school_administered_by,
    lockouts_clearable_in,
    members_at,
    schools_administered_by,
)
from .services import (
    add_member,
    end_membership,
    grantable_roles,
    resend_set_password_email,
    why_role_cannot_end,
)

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def choose_role(request):
    """A user with several memberships chooses the one they act as; it is kept in the session."""
    if not request.memberships:  # every role ended: there is nothing to choose from
        return redirect("no_access")
    form = ChooseRoleForm(
        request.POST if request.method == "POST" else None,
        memberships=request.memberships,
        initial={"membership": request.membership.pk if request.membership else None},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        chosen = next(m for m in request.memberships if m.pk == form.cleaned_data["membership"])
        messages.success(request, f"You are now working as {chosen}.")
        back = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        return redirect(back if safe else "home")
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
    # Counted as axes counts them: an account's failures from every address and browser it was
    # tried from (a row each) in the last AXES_COOLOFF_TIME; older ones have stopped counting.
    locked = (
        AccessAttempt.objects.filter(
            username__in=lockouts_clearable_in(authority),
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt", "username")
    )
    if request.method == "POST":
        username = request.POST.get("username", "")
        if username == request.user.email:
            # Someone may be guessing this admin's password: another admin checks with them.
            messages.error(request, "You cannot clear your own lockout: ask another administrator")
        elif locked.filter(username=username).exists():
            reset(username=username)
            record(
                "auth.lockout_cleared", actor=request.user, authority=authority, account=username
            )
            messages.success(request, f"{username} can sign in again.")
        elif username in lockouts_clearable_in(authority):
            # Its pause ran out, or a colleague cleared it, since the page was drawn.
            messages.info(request, f"{username} is no longer locked out, so can sign in now.")
        return redirect("lockouts")
    return render(
        request,
        "schools/lockouts.html",
        {
            "locked": locked,
            "authority": authority,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "pause": settings.AXES_COOLOFF_TIME,
        },
    )


class ActivateApp(ActivateTOTPView):
    """allauth's page for setting up the authenticator app. Typing the new app's code proves the
    second factor as signing in with it would, so the session that set it up goes on without
    signing in again (safeguarding/middleware.py)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_authentication(self.request, self.request.user, "mfa", type=Authenticator.Type.TOTP)
        return response


@login_not_required
def second_step(request, *args, **kwargs):
    """allauth's page for the code after the password. A code sent more than
    ACCOUNT_LOGIN_TIMEOUT (15 minutes) after the password was refused by allauth with the bare
    sign-in page, and the page they were going to was dropped: they are told why, and taken
    there once signed in (what they had typed before their session ended among it)."""
    stashed = request.session.get(LOGIN_SESSION_KEY)
    if isinstance(stashed, dict) and not request.user.is_authenticated:
        try:
            login = Login.deserialize(stashed)
        except ValueError:
            login = None
        if login and time.time() - login.initiated_at > account_settings.LOGIN_TIMEOUT:
            clear_login(request)
            minutes = account_settings.LOGIN_TIMEOUT // 60
            messages.info(
                request,
                f"You did not enter your security code within {minutes} minutes of your "
                "password, so you were not signed in. Sign in again.",
            )
            url = reverse("account_login")
            if login.redirect_url:
                url += "?" + urlencode({"next": login.redirect_url})
            return redirect(url)
    return allauth_second_step(request, *args, **kwargs)


class ResetPassword(PasswordResetView):
    """allauth's page for asking for a reset link. A mail server that cannot take the email
    (smtplib's errors are OSErrors) is said so beside the address, which is kept, instead of
    the service's error page, which left the person not knowing whether a link was coming. The
    same is said whether or not the address has an account (allauth emails both)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except OSError as error:
            # The error's kind only: an SMTP error's text can hold the address.
            logger.warning("Password reset email not sent: %s", type(error).__name__)
            form.add_error(
                "email",
                "The email could not be sent just now. Try again in a few minutes; if it "
                "keeps failing, tell your local authority's administrator",
            )
            return self.form_invalid(form)


# The local authority's administrator: schools and people of their authority, no case content.
# Another authority's school or membership answers 404 (the selectors return only their own).


def _la_admin(request):
    if request.membership is None or request.membership.role != Role.LA_ADMIN:
        raise PermissionDenied("Your role does not give you access to this page.")
    return request.membership


def _place(request, school_pk):
    """The school of the LA admin's authority named in the address, or the authority."""
    membership = _la_admin(request)
    if school_pk is None:
        return membership.local_authority
    return get_school_administered_by(membership, school_pk)


@require_GET
def authority_schools(request):
    """The authority's schools, each with its number of people, and the hub's people."""
    membership = _la_admin(request)
    schools = schools_administered_by(membership).order_by("name")
    context = {"authority": membership.local_authority, "schools": schools}
    return render(request, "schools/people/schools.html", context)


@require_GET
def people(request, school_pk=None):
    """Who holds which role at one school, or at the authority (its hub and administrators)."""
    place = _place(request, school_pk)
    roles = set(grantable_roles(place))
    # An account the operators switched off cannot sign in: its roles are marked, and no
    # set-password email is offered (schools.services refuses it).
    members = [
        (m, m.role in roles, m.user.is_active and not m.user.has_usable_password())
        for m in members_at(place)
    ]
    context = {"place": place, "members": members, "is_school": school_pk is not None}
    return render(request, "schools/people/people.html", context)


@require_http_methods(["GET", "POST"])
def add_person(request, school_pk=None):
    """Give a person a role at the school or the authority, making their account if new."""
    place = _place(request, school_pk)
    form = AddPersonForm(
        request.POST if request.method == "POST" else kept_for(request),
        roles=grantable_roles(place),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the role and the email telling its place's leads
                membership, _created = add_member(place, by=request.user, **form.cleaned_data)
                tell_of_role(membership, by=request.user, at=timezone.now())
        except Refused as refused:
            apply_refusal(form, refused)
        else:
            name = typed(membership.user)
            # Not only a new account: one made earlier whose link was never used (it expires)
            # has no other way in.
            if not membership.user.has_usable_password() and not _sent(request, membership.user):
                said = format_html("{} is now {}, but {}", name, membership, _NOT_SENT)
                messages.warning(request, said)
            else:
                messages.success(request, format_html("{} is now {}.", name, membership))
            return redirect(_people_url(place))
    context = {"form": form, "place": place, "back": _people_url(place)}
    return render(request, "schools/people/add.html", context)


@require_http_methods(["GET", "POST"])
def end_role(request, pk):
    """Ask, then end a person's role: it stops working at their next request."""
    membership = get_membership_administered_by(_la_admin(request), pk)
    error = None  # an ended role is the page's to say, not a mistake until "End" is pressed
    if request.method == "POST":
        try:
            end_membership(membership, by=request.user)
        except Refused as refused:
            error = refused.message
        else:
            said = format_html("{} is no longer {}.", typed(membership.user), membership)
            messages.success(request, said)
            return redirect(_people_url(membership.place))
    context = {
        "membership": membership,
        "error": error,
        "blocked": None if error else why_role_cannot_end(membership),
        "claims": claims_back_to_queue(membership),
        "back": _people_url(membership.place),
    }
    return render(request, "schools/people/end.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def resend_set_password(request, pk):
    """Send a person who has not set a password yet the email to set one, again (a button
    on the people page)."""
    membership = get_membership_administered_by(_la_admin(request), pk)
    if request.method != "POST":  # after the scope check, so as not to confirm another's role
        return HttpResponseNotAllowed(["POST"])
    send = partial(send_set_password_email, request)
    try:
        resend_set_password_email(membership, by=request.user, send=send)
    except Refused as refused:
        messages.error(request, refused.message)
    except OSError as error:
        _log_not_sent(membership.user, error)
        said = format_html("The email to {} {}", typed(membership.user), _NOT_SENT_AGAIN)
        messages.warning(request, said)
    else:
        messages.success(
            request,
            format_html("The email to set a password has been sent to {}.", typed(membership.user)),
        )
    return redirect(_people_url(membership.place))


_NOT_SENT = (
    "the email to set their password could not be sent. Their role is saved: use "
    "\u201cSend the set-password email again\u201d beside their name below. If that fails too, "
    "try again later or tell the service's operators."
)
_NOT_SENT_AGAIN = (
    "to set their password could not be sent. Try again later; if it keeps failing, tell the "
    "service's operators."
)


def _sent(request, user):
    """Send a new account's set-password email; False if the mail server could not take it
    (smtplib's errors are OSErrors), so the role already saved is not lost to a server error."""
    try:
        send_set_password_email(request, user)
    except OSError as error:
        _log_not_sent(user, error)
        return False
    return True


def _log_not_sent(user, error):
    # The account's number and the error's kind only: an SMTP error's text can hold the address.
    logger.warning("Set-password email not sent to user %s: %s", user.pk, type(error).__name__)


def _people_url(place):
    if isinstance(place, School):
        return reverse("people:school", args=[place.pk])
    return reverse("people:authority")


def send_set_password_email(request, user):
    """A new account has no password: allauth's reset email lets the person choose one (the
    link expires as every reset link does); their authenticator app is set up at first
    sign-in, as for everyone."""
    form = ResetPasswordForm({"email": user.email})
    if form.is_valid():
        form.save(request)
