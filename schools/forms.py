from allauth.account.forms import LoginForm
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from crispy_forms_gds.layout import Field as GdsField
from django import forms


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
