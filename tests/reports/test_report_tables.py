"""The audit report's tables are written out in Python (reports/templatetags/report_tables.py)
for speed: the markup must be exactly what the template they replace wrote, escaping included."""

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from reports.presentation import Link, Table

# templates/reports/_table.html as it was before the tables were written out in Python (with
# the scrolling box the browser checks asked for).
TEMPLATE = """{# One table of the audit report (reports.sections.Table). #}
<div class="app-table-scroll" role="region" aria-label="{{ table.caption }}" tabindex="0">
<table class="govuk-table" id="{{ table.key }}">
  <caption class="govuk-table__caption govuk-table__caption--s">{{ table.caption }}</caption>
  <thead class="govuk-table__head">
    <tr class="govuk-table__row">
      {% for heading in table.headers %}<th scope="col" class="govuk-table__header{% if forloop.counter0 in table.numeric %} govuk-table__header--numeric{% endif %}">{{ heading }}</th>{% endfor %}
    </tr>
  </thead>
  <tbody class="govuk-table__body">
    {% for row in table.rows %}
    <tr class="govuk-table__row">
      {% for cell in row %}{% if forloop.first %}<th scope="row" class="govuk-table__header">{% else %}<td class="govuk-table__cell{% if forloop.counter0 in table.numeric %} govuk-table__cell--numeric{% endif %}"{% if forloop.counter0 not in table.numeric %} dir="auto"{% endif %}>{% endif %}{% if cell.href %}<a class="govuk-link" href="{{ cell.href }}">{{ cell.text }}</a>{% else %}{{ cell|linebreaksbr }}{% endif %}{% if forloop.first %}</th>{% else %}</td>{% endif %}{% endfor %}
    </tr>
    {% empty %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{{ table.headers|length }}">{{ table.empty }}</td></tr>
    {% endfor %}
  </tbody>
</table>
</div>
{% if table.note %}<p class="govuk-body-s">{{ table.note }}</p>{% endif %}
"""  # noqa: E501

TABLES = [
    Table(
        key="exceptions-closed",
        caption="Closed without hub advice <&>",
        headers=["Concern", "Closed", "Closed by", "Reason given", "Hours"],
        rows=[
            [
                Link("LUT-2026-00042", "/concerns/42/?a=1&b=2"),
                "1 March 2026, 9:30am",
                "O'Brien & Sons <script>",
                'First line.\nSecond line, with <b>tags</b> and "quotes".',
                "12.5",
            ],
            [Link("LUT-2026-00043", ""), "2 March 2026", "Unknown", "Windows\r\nand\rold Mac", "0"],
        ],
        numeric=(4,),
        note="Times are in working hours & exclude bank holidays.",
    ),
    Table(key="empty", caption="Nothing", headers=["A", "B"], rows=[], empty="None now."),
    Table(
        key="counts",
        caption="By category",
        headers=["Category", "Number"],
        rows=[["Neglect", "fewer than 5"], ["Other", "1,234"]],
        numeric=(1,),
    ),
]


@pytest.mark.parametrize("table", TABLES, ids=[t.key for t in TABLES])
def test_the_table_is_written_exactly_as_the_template_wrote_it(table):
    before = Template(TEMPLATE).render(Context({"table": table}))
    assert render_to_string("reports/_table.html", {"table": table}) == before
