"""The hub's forms: filtering the queue, and one form per move on a request.

They check shape only (a choice is on the list, a date is a date). Whether the move is
allowed is the workflow's decision; its refusals come back through `apply_refusal`.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.utils.http import urlencode

from concerns.forms.escalation import EscalationForm
from concerns.models import Category
from safeguarding.forms import GovUKForm, date_field

from .models import URGENCY_TARGET_TEXT, AdviceStatus, LevelOfNeed, NextStep, Urgency
from .queue import CLAIMED_BY_ME, OPEN_WORK, UNCLAIMED, Filters

ANYONE = "any"


class QueueFilterForm(GovUKForm):
    """A GET form: the page's address always says which filters are on."""

    status = forms.MultipleChoiceField(
        label="Status",
        choices=AdviceStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick them all to see every status.",
    )
    urgency = forms.MultipleChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    claimed = forms.ChoiceField(
        label="Claimed by",
        choices=[
            (ANYONE, "Anyone, or nobody yet"),
            (CLAIMED_BY_ME, "Me"),
            (UNCLAIMED, "Nobody yet (unclaimed)"),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    school = forms.TypedChoiceField(
        label="School",
        coerce=int,
        empty_value=None,
        required=False,
        # From an address kept from another role, or a colleague's at another authority: the
        # queue shows every school's requests, and says so.
        error_messages={
            "invalid_choice": "The school chosen is not one of this authority's, so requests "
            "from all its schools are shown: select a school from the list"
        },
    )
    category = forms.ChoiceField(
        label="Category", choices=[("", "All categories"), *Category.choices], required=False
    )

    FIELDS = ("status", "urgency", "claimed", "overdue", "school", "category")
    DEFAULTS = {"status": list(OPEN_WORK), "claimed": ANYONE}

    def __init__(self, query, *, schools):
        # A query with none of the filters (the queue's own address) shows the defaults.
        submitted = any(name in query for name in self.FIELDS)
        super().__init__(query if submitted else None, initial=self.DEFAULTS)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, s.name) for s in schools]
        self.helper.layout = Layout(
            Field.checkboxes("status", legend_size="s", small=True),
            Field.checkboxes("urgency", legend_size="s", small=True),
            Field.radios("claimed", legend_size="s", small=True),
            Field.checkbox("overdue", small=True),
            Field.select("school"),
            Field.select("category"),
        )

    def filters(self):
        """The filters to apply: the defaults, or the valid part of what was submitted."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            statuses=tuple(data.get("status") or AdviceStatus.values),
            urgencies=tuple(data.get("urgency") or ()),
            school_id=data.get("school"),
            category=data.get("category") or "",
            claimed=data.get("claimed") if data.get("claimed") != ANYONE else "",
            overdue=bool(data.get("overdue")),
        )


def filter_query(filters, **changes):
    """The query string that shows `filters` (with `changes`), every filter spelled out, so
    a link or a bookmark means the same thing later."""
    values = {
        "statuses": filters.statuses,
        "urgencies": filters.urgencies,
        "claimed": filters.claimed or ANYONE,
        "school": filters.school_id or "",
        "category": filters.category,
        "overdue": filters.overdue,
    } | changes
    pairs = [("status", status) for status in values["statuses"]]
    pairs += [("urgency", urgency) for urgency in values["urgencies"]]
    pairs += [("claimed", values["claimed"])]
    if values["overdue"]:
        pairs.append(("overdue", "on"))
    pairs += [("school", values["school"]), ("category", values["category"])]
    return urlencode(pairs)


class ClaimForm(GovUKForm):
    """Claiming carries no version: a claimed request is refused by its status, with who
    claimed it and when, which says more than 'the page is out of date'."""

    def transition_kwargs(self):
        return {}


# A version no page carries (every record starts at 1): the hidden field was changed.
STALE_PAGE = "This page was out of date, so nothing was saved. Check the request and send it again."
VERSION_FIELDS = ("expected_version", "expected_concern_version")


def _version_field():
    # Below 1, the database is asked for every change to the concern, those that carry no
    # version included, and a page refused as out of date counted each version up from it.
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class _CarriesVersions:
    """A form whose hidden versions, if one could be no page's, refuse it as out of date."""

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in VERSION_FIELDS):
            self.add_error(None, STALE_PAGE)
        return cleaned


class VersionForm(_CarriesVersions, GovUKForm):
    """Carries the version the page showed, so a move made from a stale page is refused."""

    expected_version = _version_field()

    def transition_kwargs(self):
        return {name: self.cleaned_data[name] for name in self.fields}


class ReleaseForm(VersionForm):
    pass


class ReassignForm(VersionForm):
    to = forms.ModelChoiceField(
        label="Who should have this request?",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who should have this request",
            "invalid_choice": "Select someone from this authority's Early Help Hub",
        },
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the request's history.",
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = staff


class RerateForm(VersionForm):
    urgency = forms.ChoiceField(
        label="New urgency",
        choices=[
            Choice(u.value, u.label, hint=URGENCY_TARGET_TEXT[u].capitalize()) for u in Urgency
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new urgency"},
    )
    reason = forms.CharField(
        label="Why is the urgency changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The school's DSL and other advisors will see this in the request's history.",
        error_messages={"required": "Enter why the urgency is changing"},
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].help_text = (
            f"It is {Urgency(current).label.lower()} now. The due time is worked out again "
            "from when the school asked."
        )


LEVEL_OF_NEED_HINTS = {
    LevelOfNeed.UNIVERSAL: "Universal services meet the child's needs.",
    LevelOfNeed.EARLY_HELP: "Early help: additional needs, met with the family's consent.",
    LevelOfNeed.TARGETED: "Targeted or complex needs: a multi-agency response.",
    LevelOfNeed.SPECIALIST: "Specialist or statutory: a child in need or child protection.",
}


class AdviceForm(VersionForm):
    # The concern's version too: the advice answers the concern as it was on the page.
    expected_concern_version = _version_field()
    advice = forms.CharField(
        label="Your advice to the school",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The school's DSL reads this on the concern's page.",
        error_messages={"required": "Enter your advice"},
    )
    next_step = forms.ChoiceField(
        label="Recommended next step",
        choices=NextStep.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the recommended next step"},
    )
    level_of_need = forms.TypedChoiceField(
        label="Level of need",
        coerce=int,
        choices=[
            Choice(level.value, level.label, hint=LEVEL_OF_NEED_HINTS[level])
            for level in LevelOfNeed
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level of need"},
    )
    follow_up_on = date_field(
        "Follow-up date (optional)",
        required=False,
        help_text="When the school should come back to the hub, if it should. "
        "For example, 14 12 2026",
        subject="The follow-up date",
        required_message="Enter the follow-up date as a day, month and year",
    )


class HubEscalationForm(_CarriesVersions, EscalationForm):
    """The school-side escalation form, carrying the concern's version."""

    expected_version = _version_field()

    def transition_kwargs(self):
        return {
            **super().transition_kwargs(),
            "expected_version": self.cleaned_data["expected_version"],
        }
