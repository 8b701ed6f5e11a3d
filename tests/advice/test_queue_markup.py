"""The hub queue writes its rows in Python (advice/templatetags/queue_markup.py) for speed: the
markup must be exactly what the template loop it replaces wrote, escaping and optional parts
included. The loop as it was is kept here (with the words and the open tag for a claimant who
has left the hub added since), and both are rendered through the same engine over rows of
every status and urgency, claimed and not (by someone still at the hub or not), overdue and
not, with no categories and several, and text that needs escaping."""

from datetime import datetime
from itertools import product
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.template import Context, Template

from advice.models import AdviceStatus, Urgency
from advice.queue import Row

OLD_LOOP = """{% load presenters %}{% for row in rows %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{% url 'advice:detail' row.pk %}">{{ row.concern.reference }}</a></th>
      <td class="govuk-table__cell">{{ row.concern.school.name }}</td>
      <td class="govuk-table__cell">{{ row.urgency|urgency_tag }}</td>
      <td class="govuk-table__cell">
        <ul class="govuk-list govuk-body-s">{% for label in row.concern.category_labels %}<li>{{ label }}</li>{% endfor %}</ul>
      </td>
      <td class="govuk-table__cell">{{ row.requested_at|uk_datetime }}</td>
      <td class="govuk-table__cell">{% if row.overdue %}<strong class="govuk-tag govuk-tag--red">Overdue</strong><br>{% endif %}<span class="govuk-!-font-weight-bold">{{ row.due_text }}</span><br><span class="govuk-body-s">{{ row.due_at|uk_datetime }}</span></td>
      <td class="govuk-table__cell">{% if row.claimant_left %}{{ "open"|request_status_tag }}{% else %}{{ row.status|request_status_tag }}{% endif %}</td>
      <td class="govuk-table__cell">{% if row.claimed_by and row.claimant_left %}Nobody yet ({{ row.claimed_by.full_name|typed }} has left the hub){% elif row.claimed_by %}{{ row.claimed_by.full_name|typed }}{% else %}Nobody yet{% endif %}</td>
    </tr>
    {% endfor %}"""  # noqa: E501

LONDON = ZoneInfo("Europe/London")
ESCAPE = 'O\'Brien & <Sons> "Academy"'


def rows():
    made = []
    shapes = product(
        AdviceStatus, Urgency, [None, "Max Manager", ESCAPE], [True, False], [False, True]
    )
    for n, (status, urgency, claimed_by, overdue, left) in enumerate(shapes, start=1):
        made.append(
            Row(
                pk=n * 7,
                status=status.value,
                urgency=urgency.value,
                # Midday, midnight, either side of the clocks going back, a summer afternoon.
                requested_at=datetime(2026, 10, 25, n % 24, (n * 13) % 60, tzinfo=LONDON),
                due_at=datetime(2026, 6, 1 + n % 28, 12 * (n % 2), 0, tzinfo=LONDON),
                advised_at=None,
                reference=f"LUT-2026-{n:05d}" if n % 5 else f"{ESCAPE}-{n}",
                school_name=ESCAPE if n % 3 == 0 else "Lea Bank Primary School",
                claimed_by_name=claimed_by,
                overdue_rank=0 if overdue else 1,
                urgency_rank=0,
                # As the annotation reads it: only a claimed request's claimant has left.
                claimant_left=left and claimed_by is not None and status == AdviceStatus.CLAIMED,
                categories=[["Neglect"], [], ["Neglect", "Radicalisation or extremism (Prevent)"]][
                    n % 3
                ],
                due_text=f"Overdue by {n} working hours" if overdue else ESCAPE,
                overdue=overdue,
            )
        )
    return made


def as_they_were(row):
    """The row as the old loop read it: a request with its concern, school and claimant."""
    return SimpleNamespace(
        pk=row.pk,
        concern=SimpleNamespace(
            reference=row.reference,
            school=SimpleNamespace(name=row.school_name),
            category_labels=row.categories,
        ),
        urgency=row.urgency,
        requested_at=row.requested_at,
        overdue=row.overdue,
        due_text=row.due_text,
        due_at=row.due_at,
        status=row.status,
        claimant_left=row.claimant_left,
        claimed_by=SimpleNamespace(full_name=row.claimed_by_name) if row.claimed_by_name else None,
    )


def test_the_rows_are_written_exactly_as_the_template_loop_wrote_them(settings):
    settings.TIME_ZONE = "Europe/London"
    made = rows()
    assert len(made) == 144
    old = Template(OLD_LOOP).render(Context({"rows": [as_they_were(row) for row in made]}))
    new = Template("{% load queue_markup %}{% queue_rows rows %}").render(Context({"rows": made}))
    assert new == old
    assert "O&#x27;Brien &amp; &lt;Sons&gt; &quot;Academy&quot;" in new
    assert "Nobody yet" in new
    assert 'Nobody yet (<span dir="auto">Max Manager</span> has left the hub)' in new
    left = new.split("has left the hub")[0].rsplit('<tr class="govuk-table__row">', 1)[1]
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in left
    assert "Overdue</strong>" in new


def test_no_rows_write_nothing():
    assert (
        Template("{% load queue_markup %}{% queue_rows rows %}").render(Context({"rows": []})) == ""
    )
