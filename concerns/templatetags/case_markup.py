"""A concern as recorded, its steps and its history, written out in Python.

The pupil chronology prints 25 concerns a page, each with its record, its four steps and about
six history entries. Drawn through three included templates (a context pushed per include, a
dozen conditions and filters per entry) they were most of the page's rendering. These tags
write the very same markup as those templates did, escaped the same way: what `{{ value }}`
escaped is escaped here (`_text`, `_lines`); only markup this module writes itself, or a
presenter's tag built with format_html, is left as it is. tests/concerns/test_case_markup.py
renders the templates they replace beside them and compares the two byte for byte.
"""

import html
import re

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe

from concerns.attachments import saved_name
from safeguarding.markup import cached_tag as _tag
from safeguarding.markup import text as _text
from safeguarding.markup import typed as _own
from safeguarding.templatetags.presenters import (
    concern_status_tag,
    request_status_tag,
    uk_date,
    uk_datetime,
    urgency_tag,
)

from .casework import step_tag

register = template.Library()

_NEWLINES = re.compile(r"\r\n|\r")


def _lines(value):
    """What `{{ value|linebreaksbr }}` writes: line endings made \\n, escaped unless already
    safe, each line break a <br>."""
    escape = not isinstance(value, SafeData)
    value = _NEWLINES.sub("\n", str(value))
    if escape:
        value = html.escape(value)
    return value.replace("\n", "<br>")


_LABELS = {}


def _display(instance, name):
    """`instance.get_<name>_display()`, from a table made once per field, not the field's
    choices flattened again on every call."""
    field = instance._meta.get_field(name)
    labels = _LABELS.get(field)
    if labels is None:
        labels = _LABELS[field] = dict(field.flatchoices)
    value = getattr(instance, field.attname)
    return labels.get(value, value)


# What people typed may be in Arabic or Urdu as well as English: a block of it (`typed=True`
# on a row) or a few words of it among the service's own (`_own`) follows the direction of
# its own first letters, so a line mixing the two is not jumbled.
_AUTO = ' dir="auto"'


# templates/concerns/_record.html, as it was: the concern as recorded (step 1).


def _block_row(key, value, typed=False):
    """One row of the record's summary list; `value` is markup already escaped, and
    `typed` if someone typed it."""
    return (
        '  <div class="govuk-summary-list__row">\n'
        f'    <dt class="govuk-summary-list__key">{key}</dt>\n'
        f'    <dd class="govuk-summary-list__value"{_AUTO if typed else ""}>{value}</dd>\n'
        "  </div>\n"
    )


def _optional(block):
    """What `  {% if ... %}` + newline + block + `  {% endif %}` + newline wrote."""
    return f"  \n{block}  \n" if block else "  \n"


def record_html(concern, zone, in_chronology=False):
    pupil_block = ""
    if not in_chronology:
        pupil = concern.pupil
        year = _text(_display(pupil, "year_group"))
        born = _text(uk_date(pupil.date_of_birth, zone))
        pupil_block = (
            '  <div class="govuk-summary-list__row">\n'
            '    <dt class="govuk-summary-list__key">Pupil</dt>\n'
            '    <dd class="govuk-summary-list__value">\n'
            f"      {_own(_text(pupil.full_name))}<br>\n"
            f'      <span class="govuk-hint govuk-!-margin-0">{year}, born {born}, '
            f"UPN {_text(pupil.upn)}</span>\n"
            "    </dd>\n"
            "  </div>\n"
        )
    delay = (
        _block_row("Why it was recorded later", _lines(concern.delay_reason), typed=True)
        if concern.delay_reason
        else ""
    )
    labels = "".join(f"<li>{_text(label)}</li>" for label in concern.category_labels)
    recorded_by = _own(_text(concern.recorded_by.full_name))
    recorded = f"{_text(uk_datetime(concern.recorded_at, zone))} by {recorded_by}"
    risk = "Yes, the person who recorded it thinks so" if concern.immediate_risk else "No"
    return "".join(
        [
            '\n<dl class="govuk-summary-list">\n',
            _optional(pupil_block),
            _block_row("Seen or heard", _text(uk_datetime(concern.observed_at, zone))),
            _block_row("Recorded", recorded),
            _optional(delay),
            _block_row("Where", _text(concern.location), typed=True),
            '  <div class="govuk-summary-list__row">\n'
            '    <dt class="govuk-summary-list__key">Categories</dt>\n'
            '    <dd class="govuk-summary-list__value">\n'
            f'      <ul class="govuk-list">{labels}</ul>\n'
            "    </dd>\n"
            "  </div>\n",
            _block_row("What happened", _lines(concern.what_happened), typed=True),
            _block_row(
                "The child's own words", _lines(concern.child_words) or "None recorded", typed=True
            ),
            _block_row(
                "Who else was there", _lines(concern.others_present) or "None recorded", typed=True
            ),
            _block_row(
                "What was done straight away",
                _lines(concern.immediate_action) or "None recorded",
                typed=True,
            ),
            _block_row("Immediate risk of significant harm?", risk),
            "</dl>\n",
        ]
    )


# templates/concerns/_steps.html, as it was: where the concern is in the process.


def steps_html(steps, full=False):
    parts = ['\n<ul class="govuk-task-list">\n  ']
    for step in steps:
        lines = (
            "".join(
                f'<div class="govuk-task-list__hint">{_text(line)}</div>' for line in step.lines
            )
            if full
            else ""
        )
        if step.state == "done":
            status = "Completed"
        else:
            status = (
                f'<strong class="govuk-tag {_text(step_tag(step.state))}">'
                f"{_text(step.state_label)}</strong>"
            )
        parts.append(
            '\n  <li class="govuk-task-list__item">\n'
            '    <div class="govuk-task-list__name-and-hint">\n'
            f'      <div class="govuk-!-font-weight-bold">{_text(step.title)}</div>\n'
            f"      {lines}\n"
            "    </div>\n"
            '    <div class="govuk-task-list__status">\n'
            f"      {status}\n"
            "    </div>\n"
            "  </li>\n  "
        )
    parts.append("\n</ul>\n")
    return "".join(parts)


# templates/concerns/_entry.html, as it was: one entry of the history, with the record its
# step wrote.


def _row(key, value, typed=False):
    """One row of an entry's summary list, on one line; `value` is markup already escaped,
    and `typed` if someone typed it."""
    return (
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value"{_AUTO if typed else ""}>{value}</dd></div>'
    )


def _rows(*rows):
    """A summary list without borders: the rows (each may be "", an absent optional row)
    one to a line."""
    body = "\n  ".join(rows)
    return f'\n<dl class="govuk-summary-list govuk-summary-list--no-border">\n  {body}\n</dl>\n'


def _addendum(r, zone):
    return f'\n<div class="govuk-inset-text govuk-!-margin-top-0"{_AUTO}>{_lines(r.text)}</div>\n'


def _request(r, zone):
    return _rows(
        _row("Urgency", f"{_tag(urgency_tag, r.urgency)} due {_text(uk_datetime(r.due_at, zone))}"),
        _row("Summary for the hub", _lines(r.summary), typed=True),
        _row("Question", _lines(r.question), typed=True),
        _row("Request now", _tag(request_status_tag, r.status_shown)),
    )


def _advice(r, zone):
    return _rows(
        _row("Advice", _lines(r.advice), typed=True),
        _row("Recommended next step", _text(_display(r, "recommended_next_step"))),
        _row("Level of need", _text(_display(r, "level_of_need"))),
        _row("Follow up on", _text(uk_date(r.follow_up_on, zone))) if r.follow_up_on else "",
    )


def _conversation(r, zone):
    if r.held:
        method = _text(_display(r, "method").lower())
        return _rows(
            "",
            _row("Held", f"{_text(uk_datetime(r.held_at, zone))}, {method}"),
            _row("With", f"{_own(_text(r.with_name))} ({_own(_text(r.with_relationship))})"),
            _row("Also there", _lines(r.others_present), typed=True) if r.others_present else "",
            _row("What was discussed", _lines(r.discussed), typed=True),
            _row("Their view", _lines(r.parent_view), typed=True) if r.parent_view else "",
            _row("Actions agreed", _lines(r.agreed_actions), typed=True)
            if r.agreed_actions
            else "",
            "",
        )
    return _rows(
        "",
        _row("Not held", _text(_display(r, "not_held_reason"))),
        _row("Attempts to reach them", _lines(r.attempts), typed=True) if r.attempts else "",
        _row("Details", _lines(r.details), typed=True),
        "",
    )


def _escalation(r, zone):
    other = f": {_own(_text(r.referred_to_other))}" if r.referred_to_other else ""
    by_hub = " (by the Early Help Hub)" if r.by_hub else ""
    told = "Yes" if r.parent_informed else f"No: {_own(_lines(r.parent_not_informed_reason))}"
    referred_at = _text(uk_datetime(r.referred_at, zone))
    referred = f"{_text(_display(r, 'referred_to'))}{other}, {referred_at}{by_hub}"
    return _rows(
        _row("Referred to", referred),
        _row("Spoke to", _text(r.spoken_to), typed=True) if r.spoken_to else "",
        _row("Their reference", _text(r.reference_number), typed=True)
        if r.reference_number
        else "",
        _row("What indicates significant harm", _lines(r.indicators), typed=True),
        _row("Parent or carer told", told),
    )


def _outcome(r, zone):
    outcome = f"{_text(_display(r, 'outcome'))} (referral to {_text(_display(r, 'referred_to'))})"
    return _rows(
        _row("Outcome", outcome),
        _row("Details", _lines(r.outcome_details), typed=True) if r.outcome_details else "",
    )


def _closure(r, zone):
    tag = (
        ' <strong class="govuk-tag govuk-tag--orange">Closed without hub advice</strong>'
        if r.without_hub_advice
        else ""
    )
    return _rows(
        _row("Outcome", f"{_text(_display(r, 'outcome'))}{tag}"),
        _row("Reasons", _lines(r.rationale), typed=True),
    )


_RECORDS = {
    "add_addendum": _addendum,
    "request_hub_advice": _request,
    "give_advice": _advice,
    "log_parent_conversation": _conversation,
    "escalate_significant_harm": _escalation,
    "record_escalation_outcome": _outcome,
    "close_concern": _closure,
}


def entry_html(entry, zone, level=""):
    level = _text(level or "h3")
    record = entry.record
    show = _RECORDS.get(entry.action)
    if show is not None and record:
        body = show(record, zone)
    elif entry.action == "withdraw_advice_request":
        body = f'\n<p class="govuk-body">Reason: {_own(_lines(entry.note))}</p>\n'
    elif entry.note:
        body = f'\n<p class="govuk-body"{_AUTO}>{_lines(entry.note)}</p>\n'
    else:
        body = ""
    return (
        f'\n<{level} class="govuk-heading-s govuk-!-margin-bottom-1">{_text(entry.title)}'
        f"</{level}>\n"
        f'<p class="govuk-body-s govuk-!-margin-bottom-2">{_text(uk_datetime(entry.at, zone))}, '
        f"{_own(_text(entry.actor.full_name))}</p>\n\n{body}\n\n"
    )


# templates/concerns/pupils/chronology.html's loop body, as it was: one concern in full.


class _Page:
    """What every concern on a chronology page shares, worked out once a page: the time zone
    and the concern page's address around its number."""

    marker = "9090909090909"

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        before, after = reverse("concerns:detail", args=[self.marker]).split(self.marker)
        self.before, self.after = _text(before), _text(after)

    def address(self, pk):
        return f"{self.before}{_text(pk)}{self.after}"


def attachments_html(concern, zone):
    """The concern's attachments by name, each a link to its (audited) download: what the
    pupil's whole file lists, since files cannot be printed inside it. Each says the name it
    is saved under, in the zip file or alone, so whoever receives the file can match them."""
    rows = concern.attachments.all()
    if not rows:
        return '<p class="govuk-body">None.</p>'
    items = "".join(
        f'\n    <li><a class="govuk-link" href="'
        f'{_text(reverse("concerns:attachment_download", args=[concern.pk, row.pk]))}">'
        f"{_own(_text(row.original_name))}</a>, {_text(filesizeformat(row.size))}, added "
        f"{_text(uk_datetime(row.uploaded_at, zone))} by {_own(_text(row.uploaded_by.full_name))}; "
        f"saved as {_text(saved_name(row, concern))}</li>"
        for row in rows
    )
    return f'<ul class="govuk-list govuk-list--bullet">{items}\n  </ul>'


def chronology_section_html(concern, page, attachments=False):
    zone = page.zone
    pk = _text(concern.pk)
    address = page.address(concern.pk)
    risk = (
        ' <strong class="govuk-tag govuk-tag--red">Immediate risk</strong>'
        if concern.immediate_risk
        else ""
    )
    entries = "".join(
        f'\n    <li class="govuk-!-margin-bottom-4">{entry_html(entry, zone, "h4")}</li>\n    '
        for entry in concern.entries
    )
    return (
        f'<section class="govuk-!-margin-bottom-9" aria-labelledby="concern-{pk}">\n'
        f'  <h2 class="govuk-heading-m" id="concern-{pk}">'
        f"{_text(uk_date(concern.observed_at, zone))}"
        f': concern <a class="govuk-link" href="{address}">{_text(concern.reference)}</a></h2>\n'
        f'  <p class="govuk-body">{_tag(concern_status_tag, concern.status)}{risk}</p>\n'
        f"  {record_html(concern, zone, in_chronology=True)}\n"
        '  <h3 class="govuk-heading-s">Steps</h3>\n'
        f"  {steps_html(concern.steps, full=True)}\n"
        '  <h3 class="govuk-heading-s">History</h3>\n'
        f'  <ol class="govuk-list">\n    {entries}\n  </ol>\n'
        + (
            f'  <h3 class="govuk-heading-s">Attachments</h3>\n  {attachments_html(concern, zone)}\n'
            if attachments
            else ""
        )
        + "</section>"
    )


# Each tag's output is built above from escaped values and this module's own markup.


@register.simple_tag
def concern_record(concern):
    """The concern as recorded, on its own page (with the pupil)."""
    zone = timezone.get_current_timezone()
    return mark_safe(record_html(concern, zone))  # nosec B308 B703


@register.simple_tag
def concern_steps(steps, full=False):
    """Where the concern is in the process; `full` shows the dates and who."""
    return mark_safe(steps_html(steps, full))  # nosec B308 B703


@register.simple_tag
def history_entry(entry):
    """One entry of the concern page's history."""
    zone = timezone.get_current_timezone()
    return mark_safe(entry_html(entry, zone))  # nosec B308 B703


@register.simple_tag(takes_context=True)
def chronology_section(context, concern, attachments=False):
    """One concern on the pupil's chronology: its record, steps and history, and with
    `attachments` (the whole file) its attachments' names."""
    page = context.render_context.get(_Page)
    if page is None:
        page = context.render_context[_Page] = _Page()
    return mark_safe(chronology_section_html(concern, page, attachments))  # nosec B308 B703
