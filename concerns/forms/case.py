"""The DSL's forms on a concern: one per action the workflow offers.

They check shape only. Where a GOV.UK page reveals follow-up questions (a conversation held or
not held), the form asks for the revealed answers that go with the choice made, so every
missing answer is listed at once; the workflow still decides and has the last word.
"""

import uuid
from collections import Counter

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Div, Field, Layout
from django import forms

from advice.models import URGENCY_TARGET_TEXT, Urgency
from concerns.attachments import check_file, size_limit
from concerns.models import Category, Closure, ConcernStatus, Escalation, ParentConversation
from safeguarding.forms import (
    GovUKForm,
    ListedChoices,
    ListedModelChoiceField,
    NamesSelect,
    combine,
    date_field,
    time_field,
)
from safeguarding.searches import SearchField
from schools.models import Pupil
from workflow.rules import reopened_at

from .escalation import EscalationForm

STALE_PAGE = (
    "This page was out of date, so nothing was saved. Check the concern's latest state below "
    "and submit again."
)


class VersionedForm(GovUKForm):
    """Carries the version of the record the page was drawn from, so a stale page is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Made when the page is drawn: the same form sent twice (a second click) is told it was
    # done, rather than refused as stale (concerns/views/actions.py).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def clean(self):
        cleaned = super().clean()
        if "expected_version" in self.errors:
            self.add_error(None, STALE_PAGE)
        return cleaned

    def refresh_version(self, version):
        """After a refusal, the page shows the latest state: a resubmission answers to it."""
        self.data = self.data.copy()
        self.data["expected_version"] = str(version)


def _textarea(rows=5):
    return forms.Textarea(attrs={"rows": rows})


URGENCY_HINTS = {
    Urgency.RED: "You need advice today: things could get worse quickly. The hub answers "
    f"{URGENCY_TARGET_TEXT[Urgency.RED]}. If the child is at immediate risk of significant "
    "harm, do not wait: escalate now.",
    Urgency.AMBER: "You need advice soon, and the child is safe for now. The hub answers "
    f"{URGENCY_TARGET_TEXT[Urgency.AMBER]}.",
    Urgency.GREEN: "A lower-level or longer-standing worry. The hub answers "
    f"{URGENCY_TARGET_TEXT[Urgency.GREEN]}.",
}


class AdviceRequestForm(VersionedForm):
    summary = forms.CharField(
        label="Summary for the hub",
        help_text="What has happened and what the school knows about the child and family. "
        "The hub also sees the concern as it was recorded.",
        widget=_textarea(6),
        error_messages={"required": "Enter a summary for the hub"},
    )
    question = forms.CharField(
        label="Your question for the hub",
        help_text="For example, should we talk with the parents first, or refer to MASH?",
        widget=_textarea(3),
        error_messages={"required": "Enter your question for the hub"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=[Choice(u.value, u.label, hint=URGENCY_HINTS[u]) for u in Urgency],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent this is"},
    )

    def transition_kwargs(self):
        data = self.cleaned_data
        return {key: data[key] for key in ("summary", "question", "urgency")}


HELD = [("yes", "Yes, it took place"), ("no", "No, it did not take place")]


class ParentConversationForm(VersionedForm):
    # A refusal about the day goes beside the date, one about the time of day beside the time.
    aliases = {"held_at": "held_on", "held_at:date": "held_on", "held_at:time": "held_time"}
    # Revealed answers the workflow needs, with its own words for a missing one.
    NEEDED_IF_HELD = {
        "held_on": "Enter the date of the conversation",
        "held_time": "Enter the time of the conversation",
        "with_name": "Enter who you spoke with",
        "with_relationship": "Enter their relationship to the child",
        "method": "Select how the conversation was held",
        "discussed": "Enter what was discussed",
    }
    revealed = {
        "held": {
            "yes": (
                "held_on",
                "held_time",
                "with_name",
                "with_relationship",
                "method",
                "others_present",
                "discussed",
                "parent_view",
                "agreed_actions",
            ),
            "no": ("not_held_reason", "attempts", "details"),
        }
    }
    NEEDED_IF_NOT_HELD = {
        "not_held_reason": "Select why the conversation was not held",
        "details": "Enter the details of why the conversation was not held",
    }

    held = forms.ChoiceField(
        label="Did the conversation with the parent or carer take place?",
        choices=HELD,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the conversation was held"},
    )
    held_on = date_field(
        "Date of the conversation",
        required=False,
        help_text="For example, 27 3 2026",
        subject="The date of the conversation",
        required_message="Enter the date of the conversation",
    )
    held_time = time_field("Time of the conversation", required=False)
    with_name = forms.CharField(
        label="Who did you speak with?",
        required=False,
        max_length=150,
        error_messages={"max_length": "Who you spoke with must be 150 characters or fewer"},
    )
    with_relationship = forms.CharField(
        label="Their relationship to the child",
        help_text="For example, mother, father, grandparent, foster carer",
        required=False,
        max_length=100,
        error_messages={"max_length": "Their relationship must be 100 characters or fewer"},
    )
    method = forms.ChoiceField(
        label="How was it held?",
        choices=ParentConversation.Method.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    others_present = forms.CharField(
        label="Who else was there (optional)", required=False, widget=_textarea(2)
    )
    discussed = forms.CharField(label="What was discussed", required=False, widget=_textarea())
    parent_view = forms.CharField(
        label="The parent or carer's view (optional)", required=False, widget=_textarea(3)
    )
    agreed_actions = forms.CharField(
        label="Actions agreed (optional)", required=False, widget=_textarea(3)
    )
    not_held_reason = forms.ChoiceField(
        label="Why not?",
        choices=ParentConversation.NotHeldReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    attempts = forms.CharField(
        label="Attempts made to reach them",
        help_text="Needed if they could not be reached: when, and how you tried.",
        required=False,
        widget=_textarea(3),
    )
    details = forms.CharField(
        label="Details of why the conversation did not take place",
        required=False,
        widget=_textarea(3),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without JavaScript every revealed question shows; with it, only the chosen answer's.
        self.helper.layout = Layout(
            "expected_version",
            "submission_key",
            ConditionalRadios(
                "held",
                ConditionalQuestion(
                    HELD[0][1],
                    "held_on",
                    "held_time",
                    "with_name",
                    "with_relationship",
                    Field.radios("method", small=True, inline=True),
                    "others_present",
                    "discussed",
                    "parent_view",
                    "agreed_actions",
                ),
                ConditionalQuestion(
                    HELD[1][1],
                    Field.radios("not_held_reason", small=True),
                    "attempts",
                    "details",
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        self.forget_unchosen()
        held = cleaned.get("held")
        needed = {"yes": self.NEEDED_IF_HELD, "no": self.NEEDED_IF_NOT_HELD}.get(held, {})
        for name, message in needed.items():
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, message)
        unreachable = held == "no" and cleaned.get("not_held_reason") == "unreachable"
        if unreachable and not cleaned.get("attempts", "").strip():
            self.add_error("attempts", "Enter the attempts made to reach the parent or carer")
        if held == "yes":
            cleaned["held_at"] = combine(self, "held_on", "held_time")
        return cleaned

    def transition_kwargs(self):
        data = self.cleaned_data
        if data["held"] == "yes":
            return {
                "held": True,
                "held_at": data["held_at"],
                **{
                    key: data[key]
                    for key in self.revealed["held"]["yes"]
                    if key not in ("held_on", "held_time")  # held_at, above
                },
            }
        return {
            "held": False,
            **{key: data[key] for key in ("not_held_reason", "attempts", "details")},
        }


class ConcernEscalationForm(EscalationForm, VersionedForm):
    """The shared escalation form, carrying the concern's version."""


class EscalationOutcomeForm(GovUKForm):
    outcome = forms.ChoiceField(
        label="What was the outcome of the referral?",
        choices=Escalation.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    details = forms.CharField(
        label="Details",
        help_text="Needed if you chose 'Other'. For example, what children's social care or the "
        "police decided, and any reference they gave.",
        required=False,
        widget=_textarea(4),
    )
    # Made when the page is drawn: the same form sent twice (a second click) is told it was
    # done, rather than that the outcome is already recorded (concerns/views/actions.py).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def transition_kwargs(self):
        data = self.cleaned_data
        return {key: data[key] for key in ("outcome", "details", "submission_key")}


class CloseForm(VersionedForm):
    needs_concern = True

    outcome = forms.ChoiceField(
        label="What is the outcome?",
        choices=Closure.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    rationale = forms.CharField(
        label="Why are you closing the concern?",
        help_text="Your reasons for the decision, as they will be read later by an inspector or "
        "another school: what you considered and why no more is needed.",
        widget=_textarea(6),
        error_messages={"required": "Enter the reason for closing the concern"},
    )

    def __init__(self, *args, concern, **kwargs):
        super().__init__(*args, **kwargs)
        if concern.status == ConcernStatus.RECORDED:
            outcome = self.fields["outcome"]
            outcome.choices = [c for c in outcome.choices if c[0] in Closure.WITHOUT_ADVICE]
            outcome.error_messages["invalid_choice"] = (
                "Without the hub's advice a concern can be closed only as no further action or "
                "monitoring in school"
            )
            since = " since the concern was reopened" if reopened_at(concern) else ""
            self.fields["rationale"].help_text = (
                f"You have not asked the Early Help Hub for advice{since}, so explain in at "
                "least a full sentence why no further action is needed."
            )

    def transition_kwargs(self):
        return {
            "outcome": self.cleaned_data["outcome"],
            "rationale": self.cleaned_data["rationale"],
        }


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you reopening the concern?",
        help_text="For example, new information from the family or another agency.",
        widget=_textarea(4),
        error_messages={"required": "Enter why the concern is being reopened"},
    )

    def transition_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class WithdrawRequestForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you withdrawing the request?",
        help_text="The hub sees this reason.",
        widget=_textarea(4),
        error_messages={"required": "Enter why the request is being withdrawn"},
    )

    def transition_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class AddendumForm(GovUKForm):
    text = forms.CharField(
        label="Addendum",
        help_text="A correction or something you have learned since. The concern as recorded is "
        "never changed; this is added below it with your name and the time.",
        widget=_textarea(6),
        error_messages={"required": "Enter the addendum"},
    )
    # Made when the page is drawn, so the same form sent twice adds one addendum.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def transition_kwargs(self):
        return {
            "text": self.cleaned_data["text"],
            "submission_key": self.cleaned_data["submission_key"],
        }


class AttachmentForm(GovUKForm):
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )
    # Made when the page is drawn, so the same form sent twice attaches the file once.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"A PDF, JPEG, PNG or Word document (DOCX), smaller than {size_limit()}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_file(upload)
        return upload


class _Recorders(ListedChoices):
    """People by name, and by email address as well where two share a name (whatever its
    case): two identical entries could not be told apart, and choosing the wrong one shows
    one person's concerns as another's."""

    def __iter__(self):
        self.names = Counter(str(person).casefold() for person in self.queryset)
        yield from super().__iter__()

    def choice(self, obj):
        value, label = super().choice(obj)
        if self.names[str(obj).casefold()] > 1:
            label = f"{label} ({obj.email})"
        return value, label


class RecorderField(ListedModelChoiceField):
    iterator = _Recorders


class InboxFilterForm(GovUKForm):
    """The inbox's filters. Sent by POST; the page's address then holds the filters that name
    no one, so a filtered inbox can be bookmarked, and a token for the search, never the words
    (safeguarding/searches.py)."""

    q = SearchField(label="Pupil name or UPN")
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Open and recent"), *ConcernStatus.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label="Category", choices=[("", "All categories"), *Category.choices], required=False
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "All year groups"), *Pupil.YearGroup.choices],
        required=False,
    )
    recorded_by = RecorderField(
        label="Recorded by",
        queryset=None,
        widget=NamesSelect,
        required=False,
        empty_label="Anyone",
        error_messages={"invalid_choice": "Select a person from the list"},
    )

    def __init__(self, *args, recorders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_by"].queryset = recorders
        self.helper.layout = Layout(
            Field.text("q", field_width=20),
            Div(
                *(
                    Div(Field.select(name), css_class="app-filters__field")
                    for name in ("status", "category", "year_group", "recorded_by")
                ),
                css_class="app-filters",
            ),
        )

    def filters(self):
        """The filters that are valid; one that is not (an old bookmark) is shown and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": data.get("q", ""),
            "status": data.get("status", ""),
            "category": data.get("category", ""),
            "year_group": data.get("year_group", ""),
            "recorded_by": data.get("recorded_by"),
        }

    def address_filters(self):
        """The valid filters that name no one, as pairs for the page's address."""
        filters = self.filters()
        recorder = filters["recorded_by"]
        return [
            *((name, filters[name]) for name in ("status", "category", "year_group")),
            ("recorded_by", recorder.pk if recorder else ""),
        ]

    @property
    def is_filtered(self):
        return any(self.filters().values())
