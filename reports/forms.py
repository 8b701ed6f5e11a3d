"""Forms for the evidence pages and the audit report's period. Shape only: the services decide."""

import uuid
from datetime import date

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.utils import timezone

from safeguarding.forms import GovUKForm
from safeguarding.forms import date_field as shared_date_field
from schools.models import Pupil, School

from .models import BritishValue
from .periods import Period, academic_year_label, academic_years_back

EARLIEST_YEAR = 2000
LONGEST_REPORT_DAYS = 5 * 366


def date_field(label, *, subject, required_message, **kwargs):
    return shared_date_field(
        label,
        subject=subject,
        required_message=required_message,
        invalid_message="Enter a real date, for example 27 3 2026",
        **kwargs,
    )


def _real_year(form, name, *, latest=None):
    """A date input's year must have four digits: '26' is not 2026. With `latest`, a year
    after it is a slip of the keyboard (and 9999 would overflow the period's end)."""
    day = form.cleaned_data.get(name)
    if day is not None and day.year < EARLIEST_YEAR:
        form.add_error(name, f"Enter a date in {EARLIEST_YEAR} or later, with a 4-digit year")
        return None
    if day is not None and latest is not None and day.year > latest:
        form.add_error(name, f"Enter a date in {latest} or earlier")
        return None
    return day


class PolicyUrlForm(GovUKForm):
    url = forms.URLField(
        label="Address of the published safeguarding policy",
        help_text="The web address of the policy on the school's website, for example "
        "https://www.example.sch.uk/safeguarding-policy",
        max_length=200,
        assume_scheme="https",
        error_messages={
            "required": "Enter the address of the published safeguarding policy",
            "invalid": "Enter the full web address of the policy, like "
            "https://www.example.sch.uk/safeguarding-policy",
            "max_length": "The address must be 200 characters or fewer",
        },
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
    )
    # The address when the page was drawn: a colleague's change since is refused, not undone.
    expected_url = forms.CharField(widget=forms.HiddenInput, required=False)


class PolicyConfirmForm(GovUKForm):
    confirm = forms.BooleanField(
        label="I confirm this statement is true of our published safeguarding policy",
        error_messages={"required": "Confirm the statement is true, or go back"},
    )
    expected_url = forms.CharField(widget=forms.HiddenInput, required=False)
    # Made when the page is drawn, so the same form sent twice records one confirmation.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)


_PHASE_YEAR_GROUPS = {
    School.Phase.NURSERY: ["N", "R"],
    School.Phase.PRIMARY: ["N", "R", "1", "2", "3", "4", "5", "6"],
    School.Phase.SECONDARY: ["7", "8", "9", "10", "11", "12", "13"],
    School.Phase.POST_16: ["12", "13"],
}


def year_groups_for(phase):
    """The year groups a school of this phase teaches; all of them when it varies."""
    return _PHASE_YEAR_GROUPS.get(phase, Pupil.YearGroup.values)


class ValuesEvidenceForm(GovUKForm):
    activity_date = date_field(
        "Date of the activity",
        help_text="For example, 27 3 2026",
        subject="The date of the activity",
        required_message="Enter the date of the activity",
    )
    title = forms.CharField(
        label="Title",
        help_text="For example, School council elections",
        max_length=150,
        error_messages={
            "required": "Enter a title for the activity",
            "max_length": "The title must be 150 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What was the activity?",
        help_text="What the pupils did and how it promoted the values.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what the activity was"},
    )
    year_groups = forms.MultipleChoiceField(
        label="Which year groups took part?",
        help_text="Select all that apply.",
        choices=Pupil.YearGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the year groups that took part",
            "invalid_choice": "Select the year groups that took part",
        },
    )
    values = forms.MultipleChoiceField(
        label="Which of the fundamental British values did it promote?",
        help_text="Select all that apply.",
        choices=BritishValue.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one value the activity promotes",
            "invalid_choice": "Select at least one value the activity promotes",
        },
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Made when the page is drawn, so the same form sent twice (a second click) adds one entry.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the year groups the school teaches, and any the entry already names.
        offered = set(year_groups_for(school.phase)) | set(self.initial.get("year_groups", []))
        self.fields["year_groups"].choices = [
            (value, label) for value, label in Pupil.YearGroup.choices if value in offered
        ]
        self.helper.layout = Layout(
            "activity_date",
            "title",
            "description",
            Field.checkboxes("year_groups", small=True),
            Field.checkboxes("values"),
            "expected_version",
            "submission_key",
        )

    def clean(self):
        cleaned = super().clean()
        _real_year(self, "activity_date")
        return cleaned

    @classmethod
    def initial_from(cls, evidence):
        return {
            "activity_date": evidence.activity_date,
            "title": evidence.title,
            "description": evidence.description,
            "year_groups": evidence.year_group_values,
            "values": [value.value for value in evidence.values],
            "expected_version": evidence.version,
        }

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "activity_date": data["activity_date"],
            "title": data["title"],
            "description": data["description"],
            "year_groups": data["year_groups"],
            "values": data["values"],
        }


def _when_choices(today, years=5):
    choices = [("", "Any time")]
    for year in academic_years_back(today, years):
        choices.append((year.slug, academic_year_label(year).capitalize()))
        for term in year.terms():
            choices.append(
                (f"{term.start.isoformat()}-to-{term.end.isoformat()}", f"{term.label} term")
            )
    return choices


class ValuesFilterForm(GovUKForm):
    """The list's filters, read from the query string; an empty field means 'any'."""

    value = forms.ChoiceField(
        label="Value",
        required=False,
        choices=[("", "Any value"), *BritishValue.choices],
        error_messages={"invalid_choice": "Select a value from the list"},
    )
    year_group = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "Any year group"), *Pupil.YearGroup.choices],
        error_messages={"invalid_choice": "Select a year group from the list"},
    )
    when = forms.ChoiceField(
        label="Term or academic year",
        required=False,
        error_messages={"invalid_choice": "Select a term or academic year from the list"},
    )

    def __init__(self, *args, school, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].choices = _when_choices(today or timezone.localdate())
        taught = set(year_groups_for(school.phase))
        self.fields["year_group"].choices = [("", "Any year group")] + [
            (value, label) for value, label in Pupil.YearGroup.choices if value in taught
        ]

    def period(self):
        slug = self.cleaned_data.get("when")
        if not slug:
            return None
        start, end = slug.split("-to-")
        return Period(date.fromisoformat(start), date.fromisoformat(end))

    def apply(self, queryset):
        data = self.cleaned_data
        if data.get("value"):
            queryset = queryset.filter(**{data["value"]: True})
        if data.get("year_group"):
            queryset = queryset.filter(year_groups__contains=f",{data['year_group']},")
        period = self.period()
        if period is not None:
            queryset = queryset.filter(activity_date__range=(period.start, period.end))
        return queryset


class ReportPeriodForm(GovUKForm):
    start = date_field(
        "From",
        help_text="For example, 1 9 2025",
        subject="The first day of the period",
        required_message="Enter the first day of the period",
    )
    end = date_field(
        "To",
        help_text="For example, 31 8 2026",
        subject="The last day of the period",
        required_message="Enter the last day of the period",
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        latest = today.year + 1  # a period may run to the end of next year
        start = _real_year(self, "start", latest=latest)
        end = _real_year(self, "end", latest=latest)
        if start and start > today:
            # Nothing has happened in it yet: its report would be all 0s, read as a school
            # that recorded nothing (next year typed for this one, say).
            self.add_error("start", "The first day must be today or in the past")
        elif start and end:
            if end < start:
                self.add_error("end", "The last day must be the same as or after the first day")
            elif (end - start).days > LONGEST_REPORT_DAYS:
                self.add_error("end", "Choose a period of 5 years or less")
        return cleaned

    def period(self):
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def report_period_form(query):
    """The period form bound to the query string, or unbound when no dates were sent."""
    if any(key.startswith(("start_", "end_")) for key in query):
        return ReportPeriodForm(query)
    return None
