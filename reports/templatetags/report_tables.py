"""The audit report's tables, written out in Python.

A five-year report lists thousands of exceptions; drawn cell by cell through the template
language (a loop, two conditions, an attribute look-up and a filter per cell) they took most
of the page's second. This writes the very same markup as the template did, escaped the same
way (tests/reports/test_report_tables.py compares the two).
"""

import html

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

_ROW = '\n    <tr class="govuk-table__row">\n      {}\n    </tr>\n    '


def _lines(cell):
    """What `{{ cell|linebreaksbr }}` wrote: escaped (unless already safe), lines joined by
    <br>. Django's escape is html.escape; calling it straight skips the lazy-text checks."""
    text = str(cell)
    if not isinstance(cell, SafeData):
        text = html.escape(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _cell(position, cell, numeric):
    href = getattr(cell, "href", None)
    text = (
        format_html('<a class="govuk-link" href="{}">{}</a>', href, cell.text)
        if href
        else _lines(cell)
    )
    if position == 0:
        return f'<th scope="row" class="govuk-table__header">{text}</th>'
    if position in numeric:
        return f'<td class="govuk-table__cell govuk-table__cell--numeric">{text}</td>'
    # A reason, details or a name as someone typed them, perhaps in Arabic or Urdu: in the
    # direction of its own first letters.
    return f'<td class="govuk-table__cell" dir="auto">{text}</td>'


@register.simple_tag
def report_table(table):
    """One table of the audit report (reports.presentation.Table), with its note."""
    numeric = table.numeric
    headers = "".join(
        format_html(
            '<th scope="col" class="govuk-table__header{}">{}</th>',
            " govuk-table__header--numeric" if position in numeric else "",
            heading,
        )
        for position, heading in enumerate(table.headers)
    )
    if table.rows:
        body = "".join(
            _ROW.format("".join(_cell(n, cell, numeric) for n, cell in enumerate(row)))
            for row in table.rows
        )
    else:
        body = format_html(
            '\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{}">{}'
            "</td></tr>\n    ",
            len(table.headers),
            table.empty,
        )
    note = format_html('<p class="govuk-body-s">{}</p>', table.note) if table.note else ""
    # Every value in it was escaped above (format_html, conditional_escape, html.escape); the
    # test renders the old template beside it with markup in every field.
    caption = conditional_escape(table.caption)
    # A wide table scrolls in its own labelled, focusable box on a phone (WCAG 1.4.10).
    return mark_safe(  # nosec B308 B703
        f'<div class="app-table-scroll" role="region" aria-label="{caption}" tabindex="0">\n'
        f'<table class="govuk-table" id="{conditional_escape(table.key)}">\n'
        f'  <caption class="govuk-table__caption govuk-table__caption--s">'
        f"{caption}</caption>\n"
        f'  <thead class="govuk-table__head">\n'
        f'    <tr class="govuk-table__row">\n'
        f"      {headers}\n"
        f"    </tr>\n"
        f"  </thead>\n"
        f'  <tbody class="govuk-table__body">\n'
        f"    {body}\n"
        f"  </tbody>\n"
        f"</table>\n"
        f"</div>\n"
        f"{note}"
    )
