"""Forms for a pupil leaving and their child protection file's move (workflow.leavers)."""

from crispy_forms_gds.layout import Field, Layout
from django import forms

from concerns.models import SendMethod
from safeguarding.forms import DrawnFrom, GovUKForm, date_field


class LeavingForm(GovUKForm):
    new_school = forms.CharField(
        label="Name of the new school or college",
        max_length=200,
        error_messages={"required": "Enter the name of the new school"},
    )
    left_on = date_field(
        "Date the pupil left",
        help_text="Their last day at your school, for example 17 7 2026",
        subject="The date the pupil left",
        required_message="Enter the date the pupil left",
    )
    starts_on = date_field(
        "First day at the new school",
        help_text=(
            "The file is due within 5 school days of this day. If the pupil moves between "
            "terms, give the first day of the new term."
        ),
        subject="The first day at the new school",
        required_message="Enter the pupil's first day at the new school",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("new_school"), "left_on", "starts_on")


class FileSentForm(GovUKForm):
    sent_on = date_field(
        "Date the file was sent",
        help_text="For example, 20 7 2026",
        subject="The date the file was sent",
        required_message="Enter the date the file was sent",
    )
    sent_how = forms.ChoiceField(
        label="How was it sent?",
        help_text="Separately from the main pupil file",
        choices=SendMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the file was sent"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("sent_on", Field.radios("sent_how", small=True))


class FileReceivedForm(GovUKForm):
    received_on = date_field(
        "Date the new school received the file",
        help_text="For example, 21 7 2026",
        subject="The date the file was received",
        required_message="Enter the date the new school received the file",
    )
    received_by = forms.CharField(
        label="Who at the new school confirmed receipt?",
        help_text="Their name and role, for example Sam Patel, DSL",
        max_length=200,
        error_messages={"required": "Enter who at the new school confirmed receipt"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("received_on", Field.text("received_by"))


class ReturnForm(GovUKForm):
    returned_on = date_field(
        "Date the pupil came back",
        help_text="Their first day back at your school, for example 7 1 2027",
        subject="The date the pupil came back",
        required_message="Enter the date the pupil came back",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("returned_on")


class LeavingCorrectionForm(DrawnFrom, LeavingForm):
    """The details of a leaving, to correct; with `sent`, the file's sending too (the workflow
    requires those then: a page drawn before a colleague recorded the sending is refused as
    stale, not for the boxes it did not have). `drawn`: the details the page was drawn from
    (workflow.leavers.leaving_version)."""

    sent_on = date_field(
        "Date the file was sent",
        help_text="For example, 20 7 2026",
        subject="The date the file was sent",
        required_message="Enter the date the file was sent",
        required=False,
    )
    sent_how = forms.ChoiceField(
        label="How was it sent?",
        choices=SendMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, sent=False, **kwargs):
        super().__init__(*args, **kwargs)
        if sent:
            self.helper.layout.extend(["sent_on", Field.radios("sent_how", small=True)])
        else:
            del self.fields["sent_on"], self.fields["sent_how"]
        self.helper.layout.append("drawn")
