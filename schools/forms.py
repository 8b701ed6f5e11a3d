import json

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.core import context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    EditWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from axes.handlers.proxy import AxesProxyHandler
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from crispy_forms_gds.layout import Field as GdsField
from django import forms
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from safeguarding.forms import GovUKForm


class ChooseRoleForm(forms.Form):
    membership = forms.TypedChoiceField(
        label="Which role are you working in?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role you are working in"},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.get_role_display()}, {m.place}") for m in memberships
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            GdsField.radios("membership", legend_size=Size.LARGE, legend_tag="h1"),
            Button("submit", "Continue"),
        )


class SignInForm(LoginForm):
    """allauth's sign-in form with GOV.UK wording: labels, not placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Email address"
        login.error_messages["required"] = "Enter your email address"
        login.widget.attrs = {"autocomplete": "username", "spellcheck": "false"}
        password = self.fields["password"]
        password.help_text = ""
        password.error_messages["required"] = "Enter your password"
        password.widget.attrs = {"autocomplete": "current-password"}


def _govuk_fields(form, fields):
    """allauth's fields with GOV.UK wording: (name, label, autocomplete, what to do when
    empty) each; labels, not placeholders."""
    for name, label, autocomplete, required in fields:
        field = form.fields[name]
        field.label, field.help_text = label, ""
        field.error_messages["required"] = required
        field.widget.attrs = {"autocomplete": autocomplete}


NEW_PASSWORD_FIELDS = [
    ("password1", "New password", "new-password", "Enter a new password"),
    ("password2", "Confirm the new password", "new-password", "Enter the new password again"),
]


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's password change with GOV.UK wording: labels, not placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (
            "oldpassword",
            "Current password",
            "current-password",
            "Enter your current password",
        )
        _govuk_fields(self, [current, *NEW_PASSWORD_FIELDS])


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's request for a reset link with GOV.UK wording, as the sign-in page's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_fields(self, [("email", "Email address", "username", "Enter your email address")])
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.com"
        )


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """allauth's new password from a reset link (a new person's first page too) with GOV.UK
    wording, as the change of password's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_fields(self, NEW_PASSWORD_FIELDS)


# Passkeys. The browser fills the hidden `credential` field with what the authenticator
# answered; the person never sees it, so its errors say what to do, not what was wrong with it.
PASSKEY_NOT_ADDED = (
    "The passkey was not added. Select 'Add a passkey' again and follow what your browser or "
    "device asks"
)
PASSKEY_NOT_ACCEPTED = (
    "Your passkey was not accepted. Try it again, or enter the code from your authenticator app"
)
PASSKEY_NAME_HINT = "For example, work laptop or my phone. It helps you tell your passkeys apart."
# What fido2 raises on a credential of the right type but the wrong shape; it is sent by the
# browser, so anyone can send anything.
_MALFORMED = (TypeError, ValueError, KeyError, AttributeError, IndexError)


def _credential_field(form, message):
    field = form.fields["credential"]
    field.error_messages = {**field.error_messages, "required": message, "invalid": message}


def _checked_credential(form, message):
    credential = form.cleaned_data.get("credential")
    # PostgreSQL cannot store NUL in JSON, and no authenticator sends one.
    if not isinstance(credential, dict) or "\\u0000" in json.dumps(credential):
        raise ValidationError(message, code="passkey")
    return credential


def _name_field(field, label):
    field.label = label
    field.help_text = PASSKEY_NAME_HINT
    field.max_length = 60
    field.validators.append(MaxLengthValidator(60))
    field.widget.attrs = {"autocomplete": "off", "spellcheck": "false"}
    field.error_messages = {**field.error_messages, "required": "Enter a name for the passkey"}


class AddPasskeyForm(AddWebAuthnForm):
    """allauth's form for adding a passkey, with GOV.UK wording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_field(self.fields["name"], "Name for this passkey")
        self.fields["name"].required = False  # allauth names it if left blank
        _credential_field(self, PASSKEY_NOT_ADDED)

    def clean_credential(self):
        return _checked_credential(self, PASSKEY_NOT_ADDED)

    def clean(self):
        try:
            return super().clean()
        except (ValidationError, *_MALFORMED) as error:
            raise ValidationError(PASSKEY_NOT_ADDED, code="passkey") from error


class RenamePasskeyForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_field(self.fields["name"], "Name for this passkey")


CODE_REQUIRED = "Enter your security code"
CODE_NOT_RIGHT = (
    "The code is not right: enter the code your authenticator app shows now, or a recovery code"
)
# The app's code of the moment, already used (to sign in, or in another tab): allauth takes a
# code once, and refused it as "Incorrect code." although it was the one the app showed.
CODE_ALREADY_USED = (
    "You have already used this code: wait for your authenticator app to show a new one, "
    "then enter it"
)


def _the_apps_code_now(user, code):
    """Whether `code` is the code `user`'s authenticator app shows now (used or not)."""
    app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return app is not None and validate_totp_code(decrypt(app.data["secret"]), code)


class _CodeCountsTowardsLockout:
    """A wrong code from the app (or a wrong recovery code) counts against the account as a
    wrong password does (django-axes): someone who has the password, or a signed-in session
    left open, gets five guesses at the six digits in 15 minutes, not as many as they can send.
    A paused account is refused, even with the right code, and shown the lockout page. A code
    refused says what to do: the app's code of the moment, used already, to wait for the next."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = CODE_REQUIRED

    def clean_code(self):
        request = context.request
        credentials = {"email": self.user.email}
        if AxesProxyHandler.is_locked(request, credentials):
            request.axes_locked_out = True  # django-axes' middleware answers with its page
            request.axes_credentials = credentials
            raise ValidationError("Too many attempts to sign in", code="locked")
        try:
            return super().clean_code()
        except ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if _the_apps_code_now(self.user, self.cleaned_data["code"]):
                raise ValidationError(CODE_ALREADY_USED, code="used") from None
            raise ValidationError(CODE_NOT_RIGHT, code="incorrect_code") from None


class SecondStepForm(_CodeCountsTowardsLockout, AuthenticateForm):
    """The code after the password."""


class ReauthenticateCodeForm(_CodeCountsTowardsLockout, ReauthenticateForm):
    """The code again before a report is downloaded ("confirm it's you")."""


class _PasskeyCheck:
    """A passkey that is refused counts as a failed second step, as a wrong code does: it is
    audited (audit/auth_events.py receives the signal) and allauth's rate limit applies."""

    def clean_credential(self):
        try:
            _checked_credential(self, PASSKEY_NOT_ACCEPTED)
            return super().clean_credential()
        except (ValidationError, *_MALFORMED) as error:
            mfa_signals.authentication_failed.send(
                sender=Authenticator,
                request=context.request,
                user=self.user,
                authenticator=None,
                mfa_type=Authenticator.Type.WEBAUTHN,
                reauthentication=self.reauthenticated,
            )
            raise ValidationError(PASSKEY_NOT_ACCEPTED, code="passkey") from error


class PasskeyAuthenticateForm(_PasskeyCheck, AuthenticateWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _credential_field(self, PASSKEY_NOT_ACCEPTED)


class PasskeyReauthenticateForm(_PasskeyCheck, ReauthenticateWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _credential_field(self, PASSKEY_NOT_ACCEPTED)


class AddPersonForm(GovUKForm):
    """An LA admin gives a person a role at a school or at the authority. Shape only:
    schools.services.add_member decides whether the role may be given."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email address. They sign in with it.",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    # Asked every time: asking only when the address has no account would tell the admin
    # whether anyone, in any authority, signs in with it.
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        help_text="If they already have an account, it keeps the name they gave it.",
        error_messages={"required": "Enter the person's full name"},
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person's role",
            "invalid_choice": "Select one of the roles listed",
        },
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.helper.layout = Layout(
            GdsField.text("email"),
            GdsField.text("full_name"),
            GdsField.radios("role", legend_size=Size.SMALL),
        )
