"""The pages of 'Record a concern': finding the pupil, then one question per page.

Each question form validates the shape of its answer and knows three more things the journey
needs: the names its inputs post under (so a draft can keep them exactly as typed), the
`record_concern` arguments it supplies, and how its answer reads on check-your-answers.
Whether the concern may be recorded is still the workflow's decision.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from concerns import coaching
from concerns.models import Category
from safeguarding.forms import YES_NO, GovUKForm, combine, date_field, time_field, yes_no
from safeguarding.searches import SearchField
from safeguarding.templatetags.presenters import uk_date, uk_datetime
from workflow.concerns import DELAY_NEEDS_REASON

LONG_TEXT = 20000


class PupilSearchForm(GovUKForm):
    q = SearchField(
        label="Search by the pupil's name or UPN",
        help_text="For example, Amelia Ahmed, or A821201820001",
    )


class PupilChoiceForm(GovUKForm):
    pupil = forms.ChoiceField(
        label="Choose the pupil",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the pupil the concern is about",
            "invalid_choice": "Select a pupil from the list",
        },
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupils = {str(p.pk): p for p in pupils}
        # Name, year group and date of birth tell two children of the same name apart.
        self.fields["pupil"].choices = [
            Choice(
                str(p.pk),
                p.full_name,
                hint=f"{p.get_year_group_display()}, born {uk_date(p.date_of_birth)}",
            )
            for p in pupils
        ]
        self.helper.layout = Layout(Field.radios("pupil", legend_size=Size.MEDIUM))
        self.auto_id = "id_%s_1"  # the first option, as the error summary's link target

    @property
    def chosen(self):
        return self.pupils[self.cleaned_data["pupil"]]


def _long_text(label, *, required_message=None, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required_message is not None,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": required_message or "",
            "max_length": f"Write {LONG_TEXT:,} characters or fewer",
        },
    )


class QuestionForm(GovUKForm):
    """One page of questions. A page with one field uses its question as the page heading."""

    title = ""  # the question, and the page's title
    summary_label = ""  # the question as check-your-answers shows it
    warning = ""  # GOV.UK warning text shown above the question, if any

    def __init__(self, *args, pupil=None, seen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil = pupil  # the child the concern is about, where the page needs them
        self.seen = seen  # when it was seen or heard, as answered, where the page needs it
        if len(self.fields) == 1:
            name, field = next(iter(self.fields.items()))
            field.label = self.title
            self.helper.layout = Layout(_as_heading(name, field.widget))
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                # The GOV.UK pack numbers each option's id from 1: point the error summary's
                # link at the first option, which is where the problem is fixed.
                self.auto_id = "id_%s_1"

    @property
    def heading_in_form(self):
        return len(self.fields) == 1

    @classmethod
    def input_names(cls):
        """The names this page's inputs post under (a date posts three)."""
        names = []
        for name, field in cls.base_fields.items():
            if isinstance(field.widget, forms.MultiWidget):
                names += [f"{name}{suffix}" for suffix in field.widget.widgets_names]
            else:
                names.append(name)
        return names

    @classmethod
    def record_fields(cls):
        """The `record_concern` arguments this page supplies."""
        return list(cls.base_fields)

    def record_kwargs(self):
        return {name: self.cleaned_data[name] for name in self.record_fields()}

    def answer(self):
        """The answer as check-your-answers shows it."""
        value = self.cleaned_data[next(iter(self.fields))]
        return value or "None given"

    def hints(self):
        return []


def _as_heading(name, widget):
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return Field.checkboxes(name, legend_size=Size.LARGE, legend_tag="h1")
    if isinstance(widget, forms.RadioSelect):
        return Field.radios(name, legend_size=Size.LARGE, legend_tag="h1")
    if isinstance(widget, forms.Textarea):
        return Field.textarea(name, label_size=Size.LARGE, label_tag="h1", rows=8)
    return Field.text(name, label_size=Size.LARGE, label_tag="h1")


class WhenForm(QuestionForm):
    title = "When did you see or hear it?"
    summary_label = "When"
    aliases = {"observed_at": "observed_time"}

    observed_on = date_field(
        "Date",
        help_text="For example, 27 3 2026",
        subject="The date it was seen or heard",
        required_message="Enter the date it was seen or heard",
    )
    observed_time = time_field(
        "Time",
        help_text="For example, 9:30am or 2:15pm. If you are not sure, give your best estimate.",
        error_messages={"required": "Enter the time it was seen or heard"},
    )

    def clean(self):
        cleaned = super().clean()
        moment = combine(self, "observed_on", "observed_time")
        if moment is not None and moment > timezone.now():
            if cleaned["observed_on"] > timezone.localdate():
                self.add_error(
                    "observed_on", "The date it was seen or heard must be today or in the past"
                )
            else:
                self.add_error("observed_time", "The time it was seen or heard must be in the past")
            moment = None
        born = self.pupil.date_of_birth if self.pupil is not None else None
        if moment is not None and born is not None and timezone.localdate(moment) < born:
            # A mistyped year, refused here rather than after every later page (the workflow
            # refuses it too, in the same words).
            self.add_error(
                "observed_on",
                f"The date it was seen or heard must be on or after {born.day} {born:%B %Y}, "
                f"when {self.pupil.given_name} was born",
            )
            moment = None
        cleaned["observed_at"] = moment
        return cleaned

    @classmethod
    def record_fields(cls):
        return ["observed_at"]

    def answer(self):
        return uk_datetime(self.cleaned_data["observed_at"])


class DelayForm(QuestionForm):
    title = (
        f"Why is this being recorded more than {DELAY_NEEDS_REASON.days} days after it was "
        "seen or heard?"
    )
    summary_label = "Why it was recorded later"

    delay_reason = _long_text(
        "",
        required_message=f"Enter why this is being recorded more than {DELAY_NEEDS_REASON.days} "
        "days after it was seen or heard",
        help_text="For example, you were away, or the child has only now told you something "
        "that makes it a concern.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.seen is not None:
            # A day and month swapped, or last year typed in January, brings this question to
            # someone who saw it today: the date they gave shows them the mistake.
            field = self.fields["delay_reason"]
            field.help_text = (
                f"You said it was seen or heard on {uk_datetime(self.seen)}. If that is wrong, "
                f"go back and change it. {field.help_text}"
            )


class WhereForm(QuestionForm):
    title = "Where did it happen?"
    summary_label = "Where"

    location = forms.CharField(
        label="",
        help_text="For example, the playground, Year 4 classroom, or a phone call with the "
        "child's aunt.",
        max_length=200,
        error_messages={
            "required": "Enter where it happened",
            "max_length": "Where it happened must be 200 characters or fewer",
        },
    )


class CategoriesForm(QuestionForm):
    title = "What is the concern about?"
    summary_label = "What it is about"

    categories = forms.MultipleChoiceField(
        label="",
        help_text="Select all that apply. If you are not sure, select 'Other': your DSL will "
        "review it.",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one category",
            "invalid_choice": "Select categories from the list",
        },
    )

    def answer(self):
        return "\n".join(Category(value).label for value in self.cleaned_data["categories"])


class WhatHappenedForm(QuestionForm):
    title = "What happened?"
    summary_label = "What happened"

    what_happened = _long_text(
        "",
        required_message="Enter what happened",
        help_text="Write the facts: what you saw or heard, who was involved (full names) and "
        "what happened just before and after. Do not ask the child leading questions.",
    )

    def hints(self):
        return coaching.hints_for_account(self.cleaned_data["what_happened"])


class ChildWordsForm(QuestionForm):
    title = "What did the child say?"
    summary_label = "What the child said"

    child_words = _long_text(
        "",
        help_text="Write their exact words, even if they are rude or unclear. Leave this blank "
        "if they said nothing.",
    )


class OthersForm(QuestionForm):
    title = "Who else was there?"
    summary_label = "Who else was there"

    others_present = _long_text(
        "",
        help_text="Full names and roles, for example Tom Brown (teaching assistant). Leave this "
        "blank if nobody else was there.",
    )

    def hints(self):
        return coaching.hints_for_people(self.cleaned_data["others_present"])


class ActionForm(QuestionForm):
    title = "What did you do straight away?"
    summary_label = "What you did straight away"

    immediate_action = _long_text(
        "",
        help_text="For example, gave first aid, stayed with the child, or told the DSL. Leave "
        "this blank if you have done nothing yet.",
    )


class RiskForm(QuestionForm):
    title = "Do you think the child is at immediate risk of significant harm?"
    summary_label = "Immediate risk of significant harm"
    warning = "If the child is in immediate danger, call 999, then tell your DSL straight away."

    immediate_risk = forms.ChoiceField(
        label="",
        help_text="For example, they are afraid to go home tonight, or they have an injury "
        "that needs treatment. If you answer yes, your DSL is alerted urgently.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if you think the child is at immediate risk of significant "
            "harm, or no if you do not"
        },
    )

    def record_kwargs(self):
        return {"immediate_risk": yes_no(self.cleaned_data["immediate_risk"])}

    def answer(self):
        return dict(YES_NO)[self.cleaned_data["immediate_risk"]]
