"""Forms for the school's roll: find, add and correct a pupil, import a CSV."""

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from concerns.importer import OLDEST_AGE
from concerns.roll import FIELDS, details_version
from safeguarding.forms import GovUKForm, date_field
from safeguarding.searches import SearchField
from safeguarding.templatetags.presenters import typed
from safeguarding.uploads import written_size
from schools.models import Pupil
from schools.validators import validate_upn, year_group_misfit


class PupilSearchForm(GovUKForm):
    q = SearchField(label="Search by name or UPN")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("q", field_width=20))


class PupilForm(GovUKForm):
    given_name = forms.CharField(
        label="Given name",
        max_length=100,
        error_messages={
            "required": "Enter the pupil's given name",
            "max_length": "Given name must be 100 characters or fewer",
        },
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={
            "required": "Enter the pupil's family name",
            "max_length": "Family name must be 100 characters or fewer",
        },
    )
    date_of_birth = date_field(
        "Date of birth",
        help_text="For example, 17 5 2016",
        subject="Date of birth",
        required_message="Enter the pupil's date of birth",
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "Select a year group"), *Pupil.YearGroup.choices],
        error_messages={"required": "Select the pupil's year group"},
    )
    upn = forms.CharField(
        label="UPN (unique pupil number)",
        help_text="13 characters, as in your MIS, for example A821200100001",
        max_length=20,
        error_messages={
            "required": "Enter the pupil's UPN",
            "max_length": "A UPN must be 13 characters long: a check letter then 12 characters",
        },
    )

    # The details the page was drawn from (concerns.roll.details_version): a colleague's
    # correction since then is not undone by this form.
    drawn = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, roll, pupil=None, **kwargs):
        if pupil is not None:
            initial = {name: getattr(pupil, name) for name in FIELDS}
            kwargs.setdefault("initial", initial | {"drawn": details_version(pupil)})
        super().__init__(*args, **kwargs)
        self.roll = roll
        self.pupil = pupil
        self.upn_holder = None  # the pupil on the roll whose UPN was given, named in its error
        self.helper.layout = Layout(
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            "date_of_birth",
            Field.select("year_group"),
            Field.text("upn", field_width=10),
            "drawn",
        )

    def refresh_drawn(self, pupil):
        """After a stale refusal: the page shows what was typed, answering to the details now."""
        self.data = self.data.copy()
        self.data["drawn"] = details_version(pupil)

    def clean_upn(self):
        upn = "".join(self.cleaned_data["upn"].split()).upper()
        validate_upn(upn)
        others = self.roll.filter(upn=upn)
        if self.pupil is not None:
            others = others.exclude(pk=self.pupil.pk)
        other = others.first()
        if other is not None and not self._as_given(other):
            self.upn_holder = other
            raise ValidationError(
                format_html(
                    "{} already has this UPN: check it, or edit {}",
                    typed(other.full_name),
                    typed(other.given_name),
                )
            )
        return upn

    def _as_given(self, other):
        """Whether `other`, the pupil with the UPN given for a new pupil, has exactly the details
        given: the same form sent twice (without JavaScript nothing stops a second press)."""
        if self.pupil is not None:
            return False
        given = self.cleaned_data
        names = [name for name in FIELDS if name != "upn"]
        return all(name in given and getattr(other, name) == given[name] for name in names)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today:
            raise ValidationError("Date of birth must be in the past")
        # A pupil on the roll passes 25 while their records wait for review (workflow.retention):
        # their date of birth as it stands does not stop a correction of their other details.
        kept = self.pupil is not None and born == self.pupil.date_of_birth
        if born.year < today.year - OLDEST_AGE and not kept:
            raise ValidationError(f"Date of birth must be within the last {OLDEST_AGE} years")
        return born

    def clean(self):
        cleaned = super().clean()
        born, year_group = cleaned.get("date_of_birth"), cleaned.get("year_group")
        if born is None or not year_group:
            return cleaned
        # A pupil's details as they stand do not stop a correction of their name.
        if self.pupil is not None and (born, year_group) == (
            self.pupil.date_of_birth,
            self.pupil.year_group,
        ):
            return cleaned
        misfit = year_group_misfit(year_group, born, timezone.localdate())
        if misfit:
            self.add_error("year_group", misfit)
        return cleaned


class PupilImportForm(GovUKForm):
    file = forms.FileField(
        label="Upload a CSV file",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = written_size(settings.PUPIL_IMPORT_MAX_BYTES)
        self.fields["file"].help_text = (
            "Columns: UPN, given name, family name, date of birth (like 17/05/2016) and year "
            f"group, with those headings in the first row. Smaller than {limit}."
        )


class ConfirmImportForm(GovUKForm):
    token = forms.CharField(widget=forms.HiddenInput)
