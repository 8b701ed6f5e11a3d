"""Pieces every form in the service shares: GOV.UK rendering, dates with times, and showing a
refused workflow transition beside the field it concerns.

Forms validate shape only (a date is a date, a choice is on the list). Whether the move is
allowed, and with what data, is the workflow layer's decision: views call it and hand any
TransitionRefused back to the form with `apply_refusal`.
"""

import re
from datetime import UTC, date, datetime, time

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

# "14:30", "9.15am", and the 24-hour clock as the UK writes it without a separator: "1730".
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)
# "5:30 p.m.", "5:30 P.M": the dotted way of writing am and pm.
_DOTTED_HALF = re.compile(r"\b([ap])\.\s*m\b\.?", re.IGNORECASE)
# The zone a time may name after it ("1:30am GMT"): how to say which of the two 1:30ams there
# were on the night the clocks went back.
_ZONE = re.compile(r"^(.*?)\s*(bst|gmt)\s*$", re.IGNORECASE)


def _clock_text(text):
    """A time as typed, with "p.m." as "pm", and without a full stop after it ("2pm."), which
    a sentence has and habit adds."""
    text = _DOTTED_HALF.sub(r"\1m", (text or "").strip().lower())
    return text.rstrip(".").rstrip()


def parse_time(text):
    """'14:30', '1730', '2:30pm', '2pm', '9.15am', '5:30 p.m.', 'midday' -> time; None if it
    is not a time."""
    text = _clock_text(text)
    if text in {"midday", "noon"}:
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _morning_or_afternoon(text):
    """Whether `text` is a time that could be either: an hour from 1 to 9 without am or pm, and
    without the leading zero the 24-hour clock writes ("3:30", "330", but not "03:30")."""
    match = _TIME.match(_clock_text(text))
    return bool(match) and not match.group(3) and match.group(1) in set("123456789")


def split_zone(text):
    """'1:30am GMT' -> ('1:30am', 'GMT'); '1:30am' -> ('1:30am', None)."""
    text = (text or "").strip()
    match = _ZONE.match(text)
    if not match:
        return text, None
    return match.group(1), match.group(2).upper()


def as_typed(data):
    """What was sent, as its writer sees it. A browser sends a text box's line break as two
    characters (CR LF), so a length limit counted it twice: each becomes one. A NUL, which no
    keyboard types and no one can see, but text copied from another program can carry, is
    dropped: refused ("Null characters are not allowed"), the writer could not find it to put
    right, and PostgreSQL cannot store it."""

    def tidy(value):
        return typed_text(value) if isinstance(value, str) else value

    if not any("\x00" in v or "\r\n" in v for v in _strings(data)):
        return data
    data = data.copy()
    if hasattr(data, "setlist"):
        for name, values in list(data.lists()):
            data.setlist(name, [tidy(value) for value in values])
    else:
        for name, value in data.items():
            data[name] = [tidy(v) for v in value] if isinstance(value, list) else tidy(value)
    return data


def typed_text(value):
    """One value sent, as its writer sees it (`as_typed`)."""
    return value.replace("\x00", "").replace("\r\n", "\n")


def _strings(data):
    values = data.lists() if hasattr(data, "lists") else data.items()
    for _, value in values:
        for one in value if isinstance(value, list | tuple) else [value]:
            if isinstance(one, str):
                yield one


class GovUKForm(forms.Form):
    """Rendered by crispy-forms' GOV.UK pack; the page supplies the <form> and the button.

    Its text boxes hold children's names, who was spoken to, references: a browser remembers
    what was typed into a text box and offers it again in boxes like it, so on a shared
    staff-room computer typing "A" could offer "Amelia Ahmed". They are `autocomplete="off"`
    unless a field says otherwise (GOV.UK: only for the user's own details).

    No text box carries `maxlength`: a browser would cut a longer account short as it is
    pasted, silently. The form says how long it may be instead, keeping every word typed.

    Every text box is `dir="auto"`: a child's words or a parent's name may be typed in Arabic
    or Urdu, and the box then runs right to left, as the page showing it does, instead of
    jumbling the words of a line that mixes the two."""

    # Workflow field name -> this form's field name, where they differ.
    aliases = {}
    # The questions revealed under each answer of a radio question (GOV.UK's conditional
    # reveal): {question: {answer: (field names, ...)}}.
    revealed = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = as_typed(self.data)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        for field in self.fields.values():
            for widget in getattr(field.widget, "widgets", [field.widget]):
                if type(widget) is forms.Select:
                    # Django's drop-down list, drawn as GOV.UK's, its mistakes marked too.
                    widget.__class__ = GovUKSelect
                if isinstance(widget, forms.TextInput):
                    widget.attrs.setdefault("autocomplete", "off")
                if isinstance(widget, forms.TextInput | forms.Textarea):
                    widget.attrs.pop("maxlength", None)
                    widget.attrs.setdefault("dir", "auto")
            if getattr(field, "max_length", None):
                field.error_messages.setdefault(
                    "max_length", f"Write {field.max_length:,} characters or fewer"
                )

    def forget_unchosen(self):
        """A mistake under an answer not chosen is not one: its answer is not used, and with
        JavaScript its question is hidden, where an error could be neither seen nor put right.
        Call it from `clean()`, before asking for the chosen answer's questions."""
        for question, under in self.revealed.items():
            chosen = self.cleaned_data.get(question)
            if not chosen:
                continue
            for answer, names in under.items():
                if answer != chosen:
                    for name in names:
                        if self._errors.pop(name, None) is not None:
                            self.cleaned_data[name] = getattr(
                                self.fields[name], "empty_value", None
                            )


class DrawnFrom(forms.Form):
    """A correction's form: `drawn` carries a fingerprint of the details the page was drawn
    from, so that a colleague's correction since then is refused, not undone. Put `drawn` in
    the layout."""

    drawn = forms.CharField(widget=forms.HiddenInput, required=False)

    def refresh_drawn(self, version):
        """After a refusal, the page answers to the details now: what was typed is kept."""
        self.data = self.data.copy()
        self.data["drawn"] = version


class ListedChoices(forms.models.ModelChoiceIterator):
    """A model choice field's choices, read with one ordinary query per form and kept for the
    rest of the request. Django's own iterator reads them afresh each time they are used (to
    draw the list, to count it) through a server-side cursor, which on PostgreSQL is several
    round trips."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # the field's own queryset, which keeps its rows
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (self.field.empty_label is not None)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A choice of rows, read once per form (ListedChoices)."""

    iterator = ListedChoices


# The classes GovUKSelect decides itself, and the text box's that crispy-forms-gds gives.
_MARKS = {"govuk-select", "govuk-select--error", "govuk-input--error"}


class GovUKSelect(forms.Select):
    """GOV.UK's select (drop-down list), outlined in red when its answer is refused.

    crispy-forms-gds chooses a widget's GOV.UK class by the name of its Python class: only one
    named `Select` is drawn as `govuk-select`, any other (NamesSelect) as the browser's own
    small list. And it marks a refused select with a text box's class, `govuk-input--error`,
    not the select's, `govuk-select--error`. This widget writes both classes itself, whatever
    it is called: refused is what Django says with `aria-invalid`, which it adds to the widget
    of a field in error."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        drawn = context["widget"]["attrs"]
        marks = ["govuk-select"]
        if drawn.get("aria-invalid") == "true":
            marks.append("govuk-select--error")
        guessed = {*_MARKS, type(self).__name__.lower()}
        kept = [each for each in drawn.get("class", "").split() if each not in guessed]
        drawn["class"] = " ".join([*marks, *kept])
        return context


class NamesSelect(GovUKSelect):
    """A drop-down list of people by name. Each name is `dir="auto"` (a global attribute, so
    valid on an <option>): one typed in Arabic or Urdu runs right to left in the list, as it
    does on the page, instead of taking the list's direction; the list's own choice ("Anyone")
    keeps the page's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value):
            option["attrs"]["dir"] = "auto"
        return option


YEAR_DIGITS = "The year must include 4 numbers, for example 2026"


MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip


def month_number(text):
    """'3', '03', 'March', 'mar', 'Sept.' -> 3; ValueError if it is no month's number or name
    (a name shortened to fewer than 3 letters is not one: 'ma' could be March or May)."""
    text = str(text).strip().rstrip(".").lower()
    if text.isdigit():
        return int(text)
    named = [number for number, name in enumerate(MONTHS, 1) if name.startswith(text)]
    if len(text) < 3 or len(named) != 1:
        raise ValueError(f"{text!r} is not a month")
    return named[0]


def _month_validator(message):
    def validate(value):
        try:
            month_number(value)
        except ValueError:
            raise ValidationError(message, code="invalid") from None

    return validate


class GovUKDateField(DateInputField):
    """The GOV.UK date input (day, month and year boxes), whose messages name the date they are
    about (`subject`, "The date of the referral"): a page may have two dates, and "Enter the
    month" would not say which. The year must have four digits: '26' would otherwise be stored
    as the year 26, and read back as if it were right. A date that does not exist (31 February,
    a day of 99999999999999999999) gets `invalid_message`, not Python's words ("day is out of
    range for month"), which crispy-forms-gds passes on."""

    def __init__(self, *, subject="The date", invalid_message=None, **kwargs):
        super().__init__(**kwargs)
        self.invalid_message = invalid_message or f"{subject} must be a real date"
        for part, name in zip(self.fields, ["a day", "a month", "a year"], strict=True):
            part.error_messages["incomplete"] = f"{subject} must include {name}"
            part.validators = [RegexValidator(r"^[0-9]+$", self.invalid_message)]
        # GOV.UK's date input accepts a month's name, in full or short ("March", "mar"), as a
        # date read off a letter or said aloud is often typed.
        self.fields[1].validators = [_month_validator(self.invalid_message)]

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year).strip()) != 4:
            # The year box's own error, as a box's missing or wrong answer is: the error
            # summary links to it and it alone is marked (GOV.UK: the first box at fault),
            # not the day box that is right.
            self.fields[2].widget.errors = [YEAR_DIGITS]
            raise ValidationError(YEAR_DIGITS, code="year")
        try:
            return date(int(year), month_number(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(self.invalid_message, code="invalid_date") from None


def date_field(label, *, subject, required_message, invalid_message=None, **kwargs):
    """A date input, each box's message naming `subject`; `required_message` when it is
    required and left empty."""
    field = GovUKDateField(
        label=label,
        subject=subject,
        invalid_message=invalid_message,
        require_all_fields=False,
        **kwargs,
    )
    field.error_messages.update({"required": required_message, "incomplete": required_message})
    return field


def time_field(label="Time", **kwargs):
    return forms.CharField(
        label=label,
        help_text=kwargs.pop("help_text", "For example, 9:30am or 2:15pm"),
        # Room for a zone after the time ("12:30am GMT"), which the hint need not mention: it
        # is asked for only on the one night a year that needs it.
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
        **kwargs,
    )


def combine(form, date_name, time_name):
    """The aware Europe/London datetime from a date field and a time field, or None with the
    error added beside the time field."""
    day = form.cleaned_data.get(date_name)
    text = form.cleaned_data.get(time_name)
    if text is None:
        return None
    try:
        if day is None:
            # The date is missing or wrong: the time's own mistakes, which need no date, are
            # named now, with the date's, not kept back for a second send.
            _read_clock(text)
            return None
        return _as_the_clock_showed(day, text)
    except ValidationError as refused:
        form.add_error(time_name, refused)
        return None


def _read_clock(text):
    """(clock, zone, time) from `text`; ValidationError if it is no time, or could be the
    morning or the afternoon."""
    clock, zone = split_zone(text)
    clock = clock.rstrip(".").rstrip()  # as the messages below repeat it: "Enter 3:30pm"
    moment = parse_time(clock)
    if moment is None:
        raise ValidationError("Enter a time, for example 9:30am or 14:30")
    if zone is None and _morning_or_afternoon(clock):
        # "3.30" at the end of a school day is the afternoon; read as the 24-hour clock it
        # was 3:30am, and stored so without a word. Which it was is the writer's to say. (A
        # zone answers the night the clocks go back, when "1:30 GMT" is the repeated 1:30am.)
        raise ValidationError(f"Enter {clock}am or {clock}pm")
    return clock, zone, moment


def _as_the_clock_showed(day, text):
    """The moment a London clock showed `text` on `day`; ValidationError if no clock showed
    it, or if two did and `text` does not say which ("1:30am BST" or "1:30am GMT")."""
    clock, zone, moment = _read_clock(text)
    on = f"{day.day} {day:%B %Y}"
    wall = datetime.combine(day, moment)
    first = timezone.make_aware(wall)
    second = timezone.make_aware(wall.replace(fold=1))
    if timezone.localtime(first.astimezone(UTC)).replace(tzinfo=None) != wall:
        # The hour the clocks skip in March: no clock showed this time, and stored it would
        # silently become an hour later.
        raise ValidationError(
            f"There was no {text.strip()} on {on}: the clocks went forward an hour at 1am. "
            "Enter the time as the clock showed it"
        )
    if zone is None:
        if first.utcoffset() == second.utcoffset():
            return first
        # The hour the clocks go back in October, shown first in BST and again in GMT. Taking
        # either would be a guess, and could put a referral before the disclosure it followed.
        raise ValidationError(
            f"{clock} happened twice on {on}, because the clocks went back at 2am. "
            f"Enter {clock} {first.tzname()} for the first time, or {clock} {second.tzname()} "
            "for the second"
        )
    for aware in (first, second):
        if aware.tzname() == zone:
            return aware
    # A zone the clocks were not on ("3pm GMT" in July) is refused, neither ignored nor read
    # as written (3pm GMT is 4pm on a July clock): either would guess what was meant, as the
    # repeated hour refuses to, and most likely the writer takes UK time to be GMT all year,
    # when reading it as written would move the record an hour.
    raise ValidationError(
        f"UK clocks were on {first.tzname()}, not {zone}, at {clock} on {on}. "
        f"Enter the time as the clock showed it, without {zone}"
    )


def apply_refusal(form, refused):
    """Show the workflow's refusal beside its field, or at the top of the form.

    A refusal about one part of a date and time names it ("held_at:date", "held_at:time"): it
    goes beside the input the form's `aliases` give that part, so that the error summary links
    to the box that needs changing; failing that, beside the field for the whole."""
    name = refused.field
    field = form.aliases.get(name)
    if field is None and name is not None:
        whole = name.split(":")[0]
        field = form.aliases.get(whole, whole)
    form.add_error(field if field in form.fields else None, refused.message)


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(value):
    return {"yes": True, "no": False}.get(value)
