"""The DSL inbox writes its rows in Python (concerns/templatetags/inbox_markup.py) for speed:
the markup must be exactly what the template loop it replaces wrote, escaping and optional
parts included. The loop as it was is kept here, and both are rendered through the same engine
over rows with and without immediate risk or an addendum not yet read, no categories and
several, every age, and text that needs escaping."""

from datetime import timedelta
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import timezone

from concerns.inbox import Row

OLD_LOOP = """{% load casework presenters %}{% for concern in rows %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">
        <a class="govuk-link" href="{% url 'concerns:detail' concern.pk %}">{{ concern.reference }}</a>
        {% if concern.immediate_risk %}<br><strong class="govuk-tag govuk-tag--red">Immediate risk</strong>{% endif %}{% if concern.unread_addendum %}<br><strong class="govuk-tag">New addendum</strong>{% endif %}
      </th>
      <td class="govuk-table__cell">{{ concern.pupil.full_name|typed }}<br><span class="govuk-hint govuk-!-margin-0">{{ concern.pupil.get_year_group_display }}</span></td>
      <td class="govuk-table__cell">{{ concern.category_labels|join:", " }}</td>
      <td class="govuk-table__cell">{{ concern.recorded_by.full_name|typed }}</td>
      <td class="govuk-table__cell">{{ concern.recorded_at|age }}</td>
      <td class="govuk-table__cell">{{ concern.next_step }}</td>
    </tr>
    {% endfor %}"""  # noqa: E501

ESCAPE = 'O\'Brien & <Sons> "Academy"'


def rows():
    now = timezone.now()
    ages = [timedelta(minutes=5), timedelta(hours=1), timedelta(hours=5), timedelta(days=1)]
    ages += [timedelta(days=40), timedelta(days=-1)]  # and a clock a little ahead
    categories = [[], ["Neglect"], ["Neglect", "Radicalisation or extremism (Prevent)", ESCAPE]]
    return [
        Row(
            pk=n * 11,
            reference=f"LUT-2026-{n:05d}" if n % 4 else ESCAPE,
            immediate_risk=n % 2 == 0,
            recorded_at=now - ages[n % len(ages)],
            pupil_name=ESCAPE if n % 5 == 0 else "Amelia Ahmed",
            year_group="Year 4" if n % 3 else ESCAPE,
            recorded_by_name=ESCAPE if n % 7 == 0 else "Tara Teacher",
            next_step=ESCAPE if n % 6 == 0 else "Wait for the hub's advice, due 2 May 2026 at 4pm",
            categories=categories[n % 3],
            unread_addendum=n % 3 == 0,
        )
        for n in range(1, 25)
    ]


def as_they_were(row):
    """The row as the old loop read it: a concern with its pupil and recorder."""
    return SimpleNamespace(
        pk=row.pk,
        reference=row.reference,
        immediate_risk=row.immediate_risk,
        unread_addendum=row.unread_addendum,
        pupil=SimpleNamespace(full_name=row.pupil_name, get_year_group_display=row.year_group),
        category_labels=row.categories,
        recorded_by=SimpleNamespace(full_name=row.recorded_by_name),
        recorded_at=row.recorded_at,
        next_step=row.next_step,
    )


def test_the_rows_are_written_exactly_as_the_template_loop_wrote_them():
    made = rows()
    old = Template(OLD_LOOP).render(Context({"rows": [as_they_were(row) for row in made]}))
    new = Template("{% load inbox_markup %}{% inbox_rows rows %}").render(Context({"rows": made}))
    assert new == old
    assert "O&#x27;Brien &amp; &lt;Sons&gt; &quot;Academy&quot;" in new
    assert "Immediate risk" in new
    assert "New addendum" in new
    assert "Under an hour" in new


def test_no_rows_write_nothing():
    assert Template("{% load inbox_markup %}{% inbox_rows rows %}").render(Context({})) == ""
