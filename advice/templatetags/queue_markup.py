"""The hub queue's rows, written out in Python.

A queue page is 50 rows; drawn through the template language (a URL reversed, two dates, two
tags and a list per row) they were a quarter of the page's time. This writes the very same
markup as the loop in templates/advice/queue.html did, escaped the same way;
tests/advice/test_queue_markup.py renders that loop beside it and compares the two byte for
byte.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from safeguarding.markup import cached_tag, pk_url, text, typed
from safeguarding.templatetags.presenters import request_status_tag, uk_datetime, urgency_tag

register = template.Library()

_OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong><br>'


@register.simple_tag
def queue_rows(rows):
    url = pk_url("advice:detail")
    zone = timezone.get_current_timezone()
    parts = []
    for row in rows:
        received, due = uk_datetime(row.requested_at, zone), uk_datetime(row.due_at, zone)
        labels = "".join(f"<li>{text(label)}</li>" for label in row.categories)
        status = cached_tag(request_status_tag, row.status_shown)
        if not row.claimed_by_name:
            claimed_by = "Nobody yet"
        elif row.claimant_left:
            claimed_by = f"Nobody yet ({typed(text(row.claimed_by_name))} has left the hub)"
        else:
            claimed_by = typed(text(row.claimed_by_name))
        parts.append(
            '\n    <tr class="govuk-table__row">\n'
            '      <th scope="row" class="govuk-table__header"><a class="govuk-link" '
            f'href="{url(row.pk)}">{text(row.reference)}</a></th>\n'
            f'      <td class="govuk-table__cell">{text(row.school_name)}</td>\n'
            f'      <td class="govuk-table__cell">{cached_tag(urgency_tag, row.urgency)}</td>\n'
            '      <td class="govuk-table__cell">\n'
            f'        <ul class="govuk-list govuk-body-s">{labels}</ul>\n'
            "      </td>\n"
            f'      <td class="govuk-table__cell">{text(received)}</td>\n'
            f'      <td class="govuk-table__cell">{_OVERDUE if row.overdue else ""}'
            f'<span class="govuk-!-font-weight-bold">{text(row.due_text)}</span><br>'
            f'<span class="govuk-body-s">{text(due)}</span></td>\n'
            f'      <td class="govuk-table__cell">{status}</td>\n'
            f'      <td class="govuk-table__cell">{claimed_by}</td>\n'
            "    </tr>\n    "
        )
    # Every value above is escaped by text() or is markup written here.
    return mark_safe("".join(parts))  # nosec B308 B703
