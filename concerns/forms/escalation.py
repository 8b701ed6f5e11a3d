"""Escalating for significant harm: the same form for a school's DSL and for the hub."""

import uuid

from django import forms

from concerns.models import Escalation
from safeguarding.forms import YES_NO, GovUKForm, combine, date_field, time_field, yes_no

OTHER_NEEDED = "Enter who the concern was referred to"
REASON_NEEDED = "Enter why the parent or carer was not told"


class EscalationForm(GovUKForm):
    # A refusal about the day goes beside the date, one about the time of day beside the time.
    aliases = {
        "referred_at": "referred_on",
        "referred_at:date": "referred_on",
        "referred_at:time": "referred_time",
    }

    indicators = forms.CharField(
        label="What indicates significant harm?",
        help_text="The facts that make you think the child is suffering, or likely to suffer, "
        "significant harm.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what indicates significant harm"},
    )
    referred_to = forms.ChoiceField(
        label="Who was the concern referred to?",
        choices=Escalation.Target.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the concern was referred to"},
    )
    referred_to_other = forms.CharField(
        label="If other, who?",
        required=False,
        max_length=150,
        error_messages={"max_length": "Who it was referred to must be 150 characters or fewer"},
    )
    referred_on = date_field(
        "When was the referral made?",
        help_text="For example, 27 3 2026",
        subject="The date of the referral",
        required_message="Enter the date of the referral",
    )
    referred_time = time_field(
        "Time of the referral", error_messages={"required": "Enter the time of the referral"}
    )
    spoken_to = forms.CharField(
        label="Who did you speak to?",
        required=False,
        max_length=150,
        error_messages={"max_length": "Who you spoke to must be 150 characters or fewer"},
    )
    reference_number = forms.CharField(
        label="Their reference number (if given)",
        required=False,
        max_length=60,
        error_messages={"max_length": "Their reference number must be 60 characters or fewer"},
    )
    parent_informed = forms.ChoiceField(
        label="Has the parent or carer been told about the referral?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the parent or carer was told"},
    )
    parent_not_informed_reason = forms.CharField(
        label="If not, why not?",
        help_text="For example, telling them could place the child at risk or hinder a police "
        "investigation.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        # The workflow refuses these too, one at a time; asked here, they are listed with
        # every other missing answer on the first send.
        needed = [
            ("referred_to", Escalation.Target.OTHER, "referred_to_other", OTHER_NEEDED),
            ("parent_informed", "no", "parent_not_informed_reason", REASON_NEEDED),
        ]
        for question, answer, follow_up, message in needed:
            if follow_up in self.errors:  # given, but refused already (too long)
                continue
            if cleaned.get(question) == answer and not cleaned.get(follow_up, "").strip():
                self.add_error(follow_up, message)
        cleaned["referred_at"] = combine(self, "referred_on", "referred_time")
        return cleaned

    # Made when the page is drawn, so the same form sent twice records one referral: an
    # escalation can never be removed, and each one tells the DSLs and the head teacher.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def transition_kwargs(self):
        data = self.cleaned_data
        return {
            "submission_key": data["submission_key"],
            "indicators": data["indicators"],
            "referred_to": data["referred_to"],
            "referred_to_other": data["referred_to_other"],
            "referred_at": data["referred_at"],
            "spoken_to": data["spoken_to"],
            "reference_number": data["reference_number"],
            "parent_informed": yes_no(data["parent_informed"]),
            "parent_not_informed_reason": data["parent_not_informed_reason"],
        }
