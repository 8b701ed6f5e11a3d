"""The form for reviewing a pupil's records at their 25th birthday (workflow.retention)."""

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Layout
from django import forms

from concerns.models import ReviewDecision
from safeguarding.forms import GovUKForm, date_field
from workflow import retention

REASON_LENGTH = 5000


class ReviewForm(GovUKForm):
    decision = forms.ChoiceField(
        label="What should happen to the records?",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to keep or destroy the records"},
    )
    reason = forms.CharField(
        label="Why are they kept for longer?",
        help_text="For example, a court case or an inquiry has asked for them to be kept",
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    review_again_on = date_field(
        "When should they be reviewed again?",
        subject="The date to review the records again",
        required_message="Enter when to review the records again",
        required=False,
    )
    confirmed = forms.BooleanField(
        label="I understand the records cannot be recovered",
        required=False,
    )
    # The latest review when the page was drawn: a colleague's review since then is not
    # overwritten by this one (workflow.retention).
    since = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    # The questions revealed under each choice.
    UNDER = {
        ReviewDecision.KEEP: ("reason", "review_again_on"),
        ReviewDecision.DESTROY: ("confirmed",),
    }
    revealed = {"decision": UNDER}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "review_again_on"
        ].help_text = f"Within {retention.LONGEST_KEEP_YEARS} years. For example, 1 9 2030"
        # Without JavaScript every revealed question shows; with it, only the chosen answer's.
        self.helper.layout = Layout(
            ConditionalRadios(
                "decision",
                ConditionalQuestion(
                    ReviewDecision.KEEP.label, Field.textarea("reason"), "review_again_on"
                ),
                ConditionalQuestion(ReviewDecision.DESTROY.label, Field.checkbox("confirmed")),
            ),
            "since",
        )

    def clean(self):
        cleaned = super().clean()
        self.forget_unchosen()
        return cleaned

    def refresh_since(self, latest):
        """After a refusal, the page answers to the latest review: what was typed is kept."""
        self.data = self.data.copy()
        self.data["since"] = "" if latest is None else str(latest.pk)

    @staticmethod
    def chosen(data):
        """The decision and the answers under it; those under the other choice are not sent
        (GOV.UK's conditional reveal: a hidden question's answer is not part of the answer)."""
        names = ReviewForm.UNDER.get(data.get("decision"), ReviewForm.UNDER[ReviewDecision.DESTROY])
        return {k: data.get(k) for k in ("decision", *names, "since")}
