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
