"""Forms for a subject access request about a pupil (workflow.subject_access)."""

from crispy_forms_gds.layout import Field, Layout
from django import forms

from concerns.models import AccessAnswer, AccessBasis
from safeguarding.forms import DrawnFrom, GovUKForm, date_field

REASON_LENGTH = 5000


class AccessRequestForm(GovUKForm):
    requester = forms.CharField(
        label="Who made the request?",
        help_text="Their name, and who they are to the pupil: for example, Jane Smith, mother",
        max_length=200,
        error_messages={"required": "Enter who made the request"},
    )
    received_on = date_field(
        "Date the request was received",
        help_text="The answer is due within one calendar month of this day, or of the day proof of "
        "identity arrived if you asked for it. For example, 3 9 2026",
        subject="The date the request was received",
        required_message="Enter the date the request was received",
    )
    identity_requested_on = date_field(
        "Date you asked for proof of the requester's identity (if you did)",
        help_text="If you needed proof of who the requester is, or that they act for the pupil, "
        "the day you asked for it. Leave this empty if you did not ask",
        subject="The date you asked for proof of identity",
        required_message="Enter the date you asked for proof of identity",
        required=False,
    )
    identity_confirmed_on = date_field(
        "Date proof of the requester's identity arrived (if you asked for it)",
        help_text="If you needed proof of who the requester is, or that they act for the pupil, "
        "and asked for it, the month starts on the day it arrived. Leave this empty if you did "
        "not ask. If it has not arrived yet, add it here when it does, by correcting the request",
        subject="The date proof of identity arrived",
        required_message="Enter the date proof of identity arrived",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("requester"), "received_on", "identity_requested_on", "identity_confirmed_on"
        )


class AccessRequestCorrectionForm(DrawnFrom, AccessRequestForm):
    # Who made the request and when, as the page was drawn (workflow.subject_access.
    # request_version).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append("drawn")


class ExtendForm(GovUKForm):
    told_on = date_field(
        "Date the requester was told",
        help_text="They must be told of the extension, and why, within a month of the request "
        "arriving. For example, 1 10 2026",
        subject="The date the requester was told",
        required_message="Enter the date the requester was told",
    )
    reason = forms.CharField(
        label="Why does the request need more time?",
        help_text="For example, the records are many, or others named in them must be asked.",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the request needs more time"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("told_on", Field.textarea("reason"))


class ClarifyForm(GovUKForm):
    asked_on = date_field(
        "Date the requester was asked",
        help_text="The time limit stands still from this day until their clarification "
        "arrives. It must be on or before the day the answer is due. For example, 8 9 2026",
        subject="The date the requester was asked",
        required_message="Enter the date the requester was asked",
    )
    question = forms.CharField(
        label="What was the requester asked?",
        help_text="For example, which years, or which concerns, the request is about",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the requester was asked"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("asked_on", Field.textarea("question"))


class ExtensionCorrectionForm(DrawnFrom, ExtendForm):
    # The extension as the page was drawn (workflow.subject_access.request_version).
    withdrawn = forms.BooleanField(
        label="The request was not extended: the extension was recorded by mistake",
        help_text="The answer is then due within the first month again",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not needed when the extension is taken back: the workflow asks for them otherwise.
        self.fields["told_on"].required = self.fields["reason"].required = False
        self.helper.layout.extend([Field.checkbox("withdrawn"), "drawn"])

    def clean(self):
        data = super().clean()
        if not data.get("withdrawn"):
            for name in ("told_on", "reason"):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, self.fields[name].error_messages["required"])
        return data


class ClarificationCorrectionForm(DrawnFrom, ClarifyForm):
    # The clarification as the page was drawn (workflow.subject_access.request_version).
    clarified_on = date_field(
        "Date the requester's clarification arrived (if it has)",
        help_text="Leave this empty if their answer has not arrived: the time limit stands "
        "still until it does. For example, 15 9 2026",
        subject="The date the requester's clarification arrived",
        required_message="Enter the date the requester's clarification arrived",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.extend(["clarified_on", "drawn"])


class ClarifiedForm(GovUKForm):
    clarified_on = date_field(
        "Date the requester's clarification arrived",
        help_text="The time limit runs again from the next day. For example, 15 9 2026",
        subject="The date the requester's clarification arrived",
        required_message="Enter the date the requester's clarification arrived",
    )


class AnswerForm(GovUKForm):
    answered_on = date_field(
        "Date the school answered",
        help_text="For example, 1 10 2026",
        subject="The date the school answered",
        required_message="Enter the date the school answered",
    )
    basis = forms.ChoiceField(
        label="Whose request was it?",
        help_text="The right of access is the pupil's. A pupil who understands their rights "
        "decides whether someone else may use it for them",
        choices=AccessBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the pupil made the request, or whether they agreed to "
            "the requester acting for them"
        },
    )
    answer = forms.ChoiceField(
        label="What did the school disclose?",
        choices=AccessAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the school disclosed"},
    )
    withheld_reason = forms.CharField(
        label="If anything was withheld, why? (leave empty if nothing was)",
        help_text="For example, disclosing it would be likely to cause serious harm to the "
        "child, or it names another person who has not agreed",
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "answered_on",
            Field.radios("basis", small=True),
            Field.radios("answer", small=True),
            Field.textarea("withheld_reason"),
        )
