"""The concern page and the pupil chronology write a concern's record, steps and history in
Python (concerns/templatetags/case_markup.py) for speed: the markup must be exactly what the
templates they replace wrote, escaping, line breaks and optional rows included.

The templates as they were are kept here; both sets are rendered through the same engine, with
a stand-in for base.html (the layout is not what changed), over records of every kind, every
status and state, with every optional field empty and filled, and text that needs escaping."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Engine, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from advice.models import AdviceRequest, AdviceStatus, LevelOfNeed, NextStep, Urgency
from concerns.casework import Entry, Step, _store
from concerns.models import (
    Addendum,
    Category,
    Closure,
    Concern,
    ConcernCategory,
    ConcernStatus,
    Escalation,
    ParentConversation,
)
from schools.models import Pupil, User
from workflow.rules import Action

# The templates as they were before the markup was written in Python.
OLD_ENTRY = """{% load presenters %}{# One entry of a concern's chronology, with the record its step wrote. #}
<{{ level|default:"h3" }} class="govuk-heading-s govuk-!-margin-bottom-1">{{ entry.title }}</{{ level|default:"h3" }}>
<p class="govuk-body-s govuk-!-margin-bottom-2">{{ entry.at|uk_datetime }}, {{ entry.actor.full_name|typed }}</p>
{% with r=entry.record %}
{% if entry.action == "add_addendum" and r %}
<div class="govuk-inset-text govuk-!-margin-top-0" dir="auto">{{ r.text|linebreaksbr }}</div>
{% elif entry.action == "request_hub_advice" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Urgency</dt><dd class="govuk-summary-list__value">{{ r.urgency|urgency_tag }} due {{ r.due_at|uk_datetime }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Summary for the hub</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.summary|linebreaksbr }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Question</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.question|linebreaksbr }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Request now</dt><dd class="govuk-summary-list__value">{{ r.status_shown|request_status_tag }}</dd></div>
</dl>
{% elif entry.action == "give_advice" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Advice</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.advice|linebreaksbr }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Recommended next step</dt><dd class="govuk-summary-list__value">{{ r.get_recommended_next_step_display }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Level of need</dt><dd class="govuk-summary-list__value">{{ r.get_level_of_need_display }}</dd></div>
  {% if r.follow_up_on %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Follow up on</dt><dd class="govuk-summary-list__value">{{ r.follow_up_on|uk_date }}</dd></div>{% endif %}
</dl>
{% elif entry.action == "log_parent_conversation" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  {% if r.held %}
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Held</dt><dd class="govuk-summary-list__value">{{ r.held_at|uk_datetime }}, {{ r.get_method_display|lower }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">With</dt><dd class="govuk-summary-list__value"><span dir="auto">{{ r.with_name }}</span> (<span dir="auto">{{ r.with_relationship }}</span>)</dd></div>
  {% if r.others_present %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Also there</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.others_present|linebreaksbr }}</dd></div>{% endif %}
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">What was discussed</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.discussed|linebreaksbr }}</dd></div>
  {% if r.parent_view %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Their view</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.parent_view|linebreaksbr }}</dd></div>{% endif %}
  {% if r.agreed_actions %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Actions agreed</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.agreed_actions|linebreaksbr }}</dd></div>{% endif %}
  {% else %}
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Not held</dt><dd class="govuk-summary-list__value">{{ r.get_not_held_reason_display }}</dd></div>
  {% if r.attempts %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Attempts to reach them</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.attempts|linebreaksbr }}</dd></div>{% endif %}
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Details</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.details|linebreaksbr }}</dd></div>
  {% endif %}
</dl>
{% elif entry.action == "escalate_significant_harm" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Referred to</dt><dd class="govuk-summary-list__value">{{ r.get_referred_to_display }}{% if r.referred_to_other %}: <span dir="auto">{{ r.referred_to_other }}</span>{% endif %}, {{ r.referred_at|uk_datetime }}{% if r.by_hub %} (by the Early Help Hub){% endif %}</dd></div>
  {% if r.spoken_to %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Spoke to</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.spoken_to }}</dd></div>{% endif %}
  {% if r.reference_number %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Their reference</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.reference_number }}</dd></div>{% endif %}
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">What indicates significant harm</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.indicators|linebreaksbr }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Parent or carer told</dt><dd class="govuk-summary-list__value">{% if r.parent_informed %}Yes{% else %}No: <span dir="auto">{{ r.parent_not_informed_reason|linebreaksbr }}</span>{% endif %}</dd></div>
</dl>
{% elif entry.action == "record_escalation_outcome" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Outcome</dt><dd class="govuk-summary-list__value">{{ r.get_outcome_display }} (referral to {{ r.get_referred_to_display }})</dd></div>
  {% if r.outcome_details %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Details</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.outcome_details|linebreaksbr }}</dd></div>{% endif %}
</dl>
{% elif entry.action == "close_concern" and r %}
<dl class="govuk-summary-list govuk-summary-list--no-border">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Outcome</dt><dd class="govuk-summary-list__value">{{ r.get_outcome_display }}{% if r.without_hub_advice %} <strong class="govuk-tag govuk-tag--orange">Closed without hub advice</strong>{% endif %}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Reasons</dt><dd class="govuk-summary-list__value" dir="auto">{{ r.rationale|linebreaksbr }}</dd></div>
</dl>
{% elif entry.action == "withdraw_advice_request" %}
<p class="govuk-body">Reason: <span dir="auto">{{ entry.note|linebreaksbr }}</span></p>
{% elif entry.note %}
<p class="govuk-body" dir="auto">{{ entry.note|linebreaksbr }}</p>
{% endif %}
{% endwith %}
"""  # noqa: E501

OLD_RECORD = """{% load presenters %}{# The concern as it was recorded (step 1): never edited after submission. #}
<dl class="govuk-summary-list">
  {% if not in_chronology %}
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Pupil</dt>
    <dd class="govuk-summary-list__value">
      <span dir="auto">{{ concern.pupil.full_name }}</span><br>
      <span class="govuk-hint govuk-!-margin-0">{{ concern.pupil.get_year_group_display }}, born {{ concern.pupil.date_of_birth|uk_date }}, UPN {{ concern.pupil.upn }}</span>
    </dd>
  </div>
  {% endif %}
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Seen or heard</dt>
    <dd class="govuk-summary-list__value">{{ concern.observed_at|uk_datetime }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Recorded</dt>
    <dd class="govuk-summary-list__value">{{ concern.recorded_at|uk_datetime }} by {{ concern.recorded_by.full_name|typed }}</dd>
  </div>
  {% if concern.delay_reason %}
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Why it was recorded later</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.delay_reason|linebreaksbr }}</dd>
  </div>
  {% endif %}
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Where</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.location }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Categories</dt>
    <dd class="govuk-summary-list__value">
      <ul class="govuk-list">{% for label in concern.category_labels %}<li>{{ label }}</li>{% endfor %}</ul>
    </dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">What happened</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.what_happened|linebreaksbr }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">The child's own words</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.child_words|linebreaksbr|default:"None recorded" }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Who else was there</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.others_present|linebreaksbr|default:"None recorded" }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">What was done straight away</dt>
    <dd class="govuk-summary-list__value" dir="auto">{{ concern.immediate_action|linebreaksbr|default:"None recorded" }}</dd>
  </div>
  <div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">Immediate risk of significant harm?</dt>
    <dd class="govuk-summary-list__value">{% if concern.immediate_risk %}Yes, the person who recorded it thinks so{% else %}No{% endif %}</dd>
  </div>
</dl>
"""  # noqa: E501

OLD_STEPS = """{% load casework %}{# Where the concern is in the process. `full` shows the dates and who. #}
<ul class="govuk-task-list">
  {% for step in steps %}
  <li class="govuk-task-list__item">
    <div class="govuk-task-list__name-and-hint">
      <div class="govuk-!-font-weight-bold">{{ step.title }}</div>
      {% if full %}{% for line in step.lines %}<div class="govuk-task-list__hint">{{ line }}</div>{% endfor %}{% endif %}
    </div>
    <div class="govuk-task-list__status">
      {% if step.state == "done" %}Completed{% else %}<strong class="govuk-tag {{ step.state|step_tag }}">{{ step.state_label }}</strong>{% endif %}
    </div>
  </li>
  {% endfor %}
</ul>
"""  # noqa: E501

OLD_CHRONOLOGY = """{% extends "base.html" %}
{% load presenters %}
{% block page_title %}A pupil's chronology{% endblock %}
{% block before_content %}{% if request.membership.role == "head_teacher" %}<a href="{% url 'concerns:inbox' %}" class="govuk-back-link">Back to concerns</a>{% else %}<a href="{% url 'concerns:pupils' %}" class="govuk-back-link">Back to pupils</a>{% endif %}{% endblock %}
{% block content %}
<span class="govuk-caption-l">{{ request.membership.school }}</span>
<h1 class="govuk-heading-l">Chronology for {{ pupil.full_name|typed }}</h1>
<dl class="govuk-summary-list">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Date of birth</dt><dd class="govuk-summary-list__value">{{ pupil.date_of_birth|uk_date }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Year group</dt><dd class="govuk-summary-list__value">{{ pupil.get_year_group_display }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">UPN</dt><dd class="govuk-summary-list__value">{{ pupil.upn }}</dd></div>
</dl>
{% include "concerns/leavers/_on_chronology.html" %}
{% include "concerns/leavers/_earlier.html" %}
{% include "concerns/subject_access/_on_chronology.html" %}
{% if reviewable and is_lead %}<p class="govuk-body app-no-print">{{ pupil.given_name|typed }} is 25 or older: <a class="govuk-link" href="{% url 'concerns:records_review' pupil.pk %}">review the records about {{ pupil.given_name|typed }}</a> (keep them for longer, or destroy them).</p>{% endif %}
<p class="govuk-body app-no-print">Every concern about {{ pupil.given_name|typed }} in the order they were seen or heard, with each step taken.{% if page.rows %} To print the child protection file or save it as a PDF, <a class="govuk-link" href="{% url 'concerns:pupil_file' pupil.pk %}">open the whole file on one page</a>.{% endif %}</p>

<table class="app-print-frame" role="presentation">
  <thead><tr><td>Chronology for {{ pupil.full_name|typed }}, born {{ pupil.date_of_birth|uk_date }}{% if pupil.upn %}, UPN {{ pupil.upn }}{% endif %}. {{ request.membership.school }}.</td></tr></thead>
  <tbody><tr><td>
{% if page.rows and page.has_previous or page.rows and page.has_next %}{% with page.rows|last as latest %}
<p class="govuk-inset-text">Only the concerns seen from {{ page.rows.0.observed_at|uk_date }} to {{ latest.observed_at|uk_date }} are on this page.{% if page.has_previous %} Earlier concerns are on the previous page.{% endif %}{% if page.has_next %} Later concerns are on the next page.{% endif %}</p>
{% endwith %}{% endif %}
{% for concern in page.rows %}
<section class="govuk-!-margin-bottom-9" aria-labelledby="concern-{{ concern.pk }}">
  <h2 class="govuk-heading-m" id="concern-{{ concern.pk }}">{{ concern.observed_at|uk_date }}: concern <a class="govuk-link" href="{% url 'concerns:detail' concern.pk %}">{{ concern.reference }}</a></h2>
  <p class="govuk-body">{{ concern.status|concern_status_tag }}{% if concern.immediate_risk %} <strong class="govuk-tag govuk-tag--red">Immediate risk</strong>{% endif %}</p>
  {% include "concerns/_record.html" with in_chronology=True %}
  <h3 class="govuk-heading-s">Steps</h3>
  {% include "concerns/_steps.html" with steps=concern.steps full=True %}
  <h3 class="govuk-heading-s">History</h3>
  <ol class="govuk-list">
    {% for entry in concern.entries %}
    <li class="govuk-!-margin-bottom-4">{% include "concerns/_entry.html" with level="h4" %}</li>
    {% endfor %}
  </ol>
</section>
{% empty %}
<p class="govuk-body">No concerns have been recorded about {{ pupil.full_name|typed }}.</p>
{% endfor %}
  </td></tr></tbody>
</table>
{% include "concerns/_pagination.html" %}
{% endblock %}
"""  # noqa: E501

OLD_DETAIL = """{% extends "base.html" %}
{% load presenters %}
{% block page_title %}Concern {{ concern.reference }}{% endblock %}
{% block before_content %}
{% if full %}{% url 'concerns:inbox' as back_url %}{% else %}{% url 'concerns:mine' as back_url %}{% endif %}
{% if back_url %}<a href="{{ back_url }}" class="govuk-back-link">{% if full %}Back to concerns{% else %}Back to my concerns{% endif %}</a>{% endif %}
{% endblock %}
{% block content %}
<span class="govuk-caption-l" dir="auto">{{ concern.pupil.full_name }}</span>
<h1 class="govuk-heading-l">Concern {{ concern.reference }}</h1>
<p class="govuk-body">{{ concern.status|concern_status_tag }}</p>

{% if concern.immediate_risk and concern.status != "closed" %}
<div class="govuk-warning-text">
  <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
  <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>The person who recorded this thinks the child may be at immediate risk of significant harm.</strong>
</div>
{% endif %}

{% if buttons %}
<div class="govuk-button-group app-no-print">
  {% for button in buttons %}
  <a href="{{ button.url }}" role="button" draggable="false" class="govuk-button {{ button.style }}" data-module="govuk-button">{{ button.label }}</a>
  {% endfor %}
</div>
{% endif %}

{% print_frame %}Concern {{ concern.reference }} about {{ concern.pupil.full_name|typed }}, born {{ concern.pupil.date_of_birth|uk_date }}{% if concern.pupil.upn %}, UPN {{ concern.pupil.upn }}{% endif %}. {{ request.membership.school }}.{% print_body %}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    <h2 class="govuk-heading-m">Where it is</h2>
    {% include "concerns/_steps.html" %}

    <h2 class="govuk-heading-m">The concern as recorded</h2>
    {% include "concerns/_record.html" %}
    {% if full %}<p class="govuk-body app-no-print"><a class="govuk-link" href="{% url 'concerns:pupil_chronology' concern.pupil.pk %}">Every concern about {{ concern.pupil.full_name|typed }}</a></p>{% endif %}

    <h2 class="govuk-heading-m">Attachments</h2>
    {% if attachments %}
    <ul class="govuk-list">
      {% for attachment in attachments %}
      <li><a class="govuk-link" href="{% url 'concerns:attachment_download' concern.pk attachment.pk %}">{{ attachment.original_name|typed }}</a>
        <span class="govuk-hint govuk-!-margin-0">{{ attachment.size|filesizeformat }}, added {{ attachment.uploaded_at|uk_datetime }} by {{ attachment.uploaded_by.full_name|typed }}</span></li>
      {% endfor %}
    </ul>
    {% else %}
    <p class="govuk-body">No files attached{% if not full %} by you{% endif %}.</p>
    {% endif %}
    {% if may_attach %}<p class="govuk-body app-no-print"><a class="govuk-link" href="{% url 'concerns:attachment_upload' concern.pk %}">Attach a file<span class="govuk-visually-hidden"> to concern {{ concern.reference }}</span></a></p>{% endif %}

    <h2 class="govuk-heading-m">{% if full %}History{% else %}Addenda{% endif %}</h2>
    {% if not full %}<p class="govuk-body">Notes and corrections added since it was recorded, by you and by the school's safeguarding leads.</p>{% endif %}
    <ol class="govuk-list">
      {% for entry in entries %}
      <li class="govuk-!-margin-bottom-6">{% include "concerns/_entry.html" %}</li>
      {% empty %}
      <li>Nothing yet.</li>
      {% endfor %}
    </ol>
  </div>
</div>
{% endprint_frame %}
{% endblock %}
"""  # noqa: E501

# Where the layout was: the pages' own blocks, nothing of base.html.
BASE = "{% block before_content %}{% endblock %}|{% block content %}{% endblock %}|"
LIBRARIES = {
    "presenters": "safeguarding.templatetags.presenters",
    "casework": "concerns.templatetags.casework",
    "case_markup": "concerns.templatetags.case_markup",
}


def _engine(templates):
    return Engine(
        loaders=[
            ("django.template.loaders.locmem.Loader", {"base.html": BASE, **templates}),
            ("django.template.loaders.filesystem.Loader", settings.TEMPLATES[0]["DIRS"]),
        ],
        libraries=LIBRARIES,
    )


OLD = _engine(
    {
        "concerns/_entry.html": OLD_ENTRY,
        "concerns/_record.html": OLD_RECORD,
        "concerns/_steps.html": OLD_STEPS,
        "concerns/pupils/chronology.html": OLD_CHRONOLOGY,
        "concerns/detail.html": OLD_DETAIL,
    }
)
NEW = _engine({})

UTC = ZoneInfo("UTC")
TEXT = 'O\'Brien & <script>alert("x")</script>'
LINES = 'First line & more.\nSecond <b>line</b>\r\nThird "quoted"\rFourth'
# Midnight, midday, morning and evening, in and out of summer time, across its changes.
MOMENTS = [
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 6, 1, 11, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 11, 28, 16, 5, tzinfo=ZoneInfo("Europe/London")),
    datetime(2026, 12, 31, 23, 59, tzinfo=ZoneInfo("America/New_York")),
]
LEAD = User(pk=1, full_name="Sam Lead")
STRANGER = User(pk=2, full_name=TEXT)
PUPIL = Pupil(
    pk=7,
    given_name="Ada <i>",
    family_name="O'Neil & Co",
    date_of_birth=date(2015, 2, 3),
    year_group=Pupil.YearGroup.Y10,
    upn="A12345678901&",
)


def _choices(enum, blank=False):
    return [*enum.values, *([""] if blank else [])]


def _requests():
    """Every status and urgency; every next step and level of need, and neither yet."""
    rows = []
    steps = [*NextStep.values, ""]
    levels = [*LevelOfNeed.values, None]
    for status in AdviceStatus.values:
        for urgency in Urgency.values:
            n = len(rows)
            rows.append(
                AdviceRequest(
                    pk=n + 1,
                    urgency=urgency,
                    due_at=MOMENTS[n % len(MOMENTS)],
                    summary=LINES,
                    question=TEXT,
                    status=status,
                    advice=LINES if n % 2 else "",
                    recommended_next_step=steps[n % len(steps)],
                    level_of_need=levels[n % len(levels)],
                    follow_up_on=date(2026, 12, 1) if n % 2 else None,
                )
            )
    return rows


def _conversations():
    rows = []
    for method in ParentConversation.Method.values:
        for filled in (True, False):
            rows.append(
                ParentConversation(
                    held=True,
                    held_at=MOMENTS[1],
                    method=method,
                    with_name=TEXT,
                    with_relationship="Mother & carer",
                    others_present=LINES if filled else "",
                    discussed=LINES,
                    parent_view=LINES if filled else "",
                    agreed_actions=TEXT if filled else "",
                )
            )
    for reason in ParentConversation.NotHeldReason.values:
        for filled in (True, False):
            rows.append(
                ParentConversation(
                    held=False,
                    not_held_reason=reason,
                    attempts=LINES if filled else "",
                    details=TEXT,
                )
            )
    return rows


def _escalations():
    rows = []
    outcomes = _choices(Escalation.Outcome, blank=True)
    for n, target in enumerate(Escalation.Target.values):
        for filled in (True, False):
            rows.append(
                Escalation(
                    indicators=LINES,
                    referred_to=target,
                    referred_to_other=TEXT if filled else "",
                    referred_at=MOMENTS[n],
                    spoken_to=TEXT if filled else "",
                    reference_number="REF <1> & 2" if filled else "",
                    parent_informed=not filled,
                    parent_not_informed_reason=LINES if filled else "",
                    by_hub=filled,
                    outcome=outcomes[(2 * n + filled) % len(outcomes)],
                    outcome_details=LINES if filled else "",
                )
            )
    return rows


def _closures():
    return [
        Closure(outcome=outcome, rationale=LINES, without_hub_advice=without)
        for outcome in Closure.Outcome.values
        for without in (True, False)
    ]


def _entries():
    """Every kind of step, with no record and a note or none, then with each record."""
    entries = []
    moments = iter(MOMENTS * 100)

    def entry(action, record=None, note=""):
        actor = STRANGER if len(entries) % 2 else LEAD
        label = Action(action).label
        entries.append(Entry(next(moments), action, label, actor, note=note, record=record))

    for action in Action.values:
        entry(action)
        entry(action, note=LINES)
    entry(Action.ADD_ADDENDUM, Addendum(text=LINES))
    for request in _requests():
        entry(Action.REQUEST_ADVICE, request, note=TEXT)
        entry(Action.GIVE_ADVICE, request)
    for conversation in _conversations():
        entry(Action.LOG_CONVERSATION, conversation)
    for escalation in _escalations():
        entry(Action.ESCALATE, escalation)
        entry(Action.RECORD_OUTCOME, escalation)
    for closure in _closures():
        entry(Action.CLOSE, closure)
    return entries


ENTRIES = _entries()


def _steps(full):
    states = ["done", "in_progress", "due", "not_started", "not_needed", "cannot_start"]
    return [
        Step(f"Step {n}: <{state}> & more", state, [TEXT, "Recorded 1 May by Sam"] if full else [])
        for n, state in enumerate(states)
    ]


def _concern(pk, status, *, filled, entries=()):
    concern = Concern(
        pk=pk,
        reference=f"LUT-2026-{pk:05d}&<>",
        pupil=PUPIL,
        recorded_by=STRANGER if filled else LEAD,
        observed_at=MOMENTS[pk % len(MOMENTS)],
        recorded_at=MOMENTS[(pk + 1) % len(MOMENTS)],
        delay_reason=LINES if filled else "",
        location=TEXT,
        what_happened=LINES,
        child_words=LINES if filled else "",
        others_present=TEXT if filled else "",
        immediate_action=LINES if filled else "",
        immediate_risk=filled,
        status=status,
    )
    concern._prefetched_objects_cache = {}
    categories = Category.values if filled else []
    _store(
        [concern],
        "categories",
        ConcernCategory,
        [ConcernCategory(concern=concern, category=c) for c in categories],
    )
    concern.steps = _steps(filled)
    concern.entries = list(entries)
    return concern


def _render(engine, name, context):
    return engine.get_template(name).render(Context(context))


@pytest.mark.parametrize("level", [None, "h4"])
def test_each_history_entry_is_written_as_the_template_wrote_it(level):
    old = OLD.from_string(OLD_ENTRY)
    new = NEW.from_string("{% load case_markup %}{% history_entry entry %}")
    from django.utils import timezone

    from concerns.templatetags.case_markup import entry_html

    zone = timezone.get_current_timezone()
    for entry in ENTRIES:
        context = {"entry": entry} if level is None else {"entry": entry, "level": level}
        expected = old.render(Context(context))
        if level is None:
            assert new.render(Context(context)) == expected, entry
        assert entry_html(entry, zone, level or "") == expected, entry


@pytest.mark.parametrize("full", [True, False])
def test_the_steps_are_written_as_the_template_wrote_them(full):
    context = {"steps": _steps(True), "full": full}
    new = NEW.from_string("{% load case_markup %}{% concern_steps steps full %}")
    assert new.render(Context(context)) == OLD.from_string(OLD_STEPS).render(Context(context))
    empty = {"steps": [], "full": full}
    assert new.render(Context(empty)) == OLD.from_string(OLD_STEPS).render(Context(empty))


@pytest.mark.parametrize("filled", [True, False])
def test_the_record_is_written_as_the_template_wrote_it(filled):
    concern = _concern(3, ConcernStatus.RECORDED, filled=filled)
    new = NEW.from_string("{% load case_markup %}{% concern_record concern %}")
    old = OLD.from_string(OLD_RECORD)
    assert new.render(Context({"concern": concern})) == old.render(Context({"concern": concern}))


@pytest.mark.parametrize("status", ConcernStatus.values)
def test_the_chronology_page_is_written_as_its_templates_wrote_it(status):
    concerns = [
        _concern(n + 1, status, filled=bool(n % 2), entries=ENTRIES[n::4]) for n in range(4)
    ]
    concerns.append(_concern(9, status, filled=False))
    for rows in (concerns, []):
        context = {
            "pupil": PUPIL,
            "page": SimpleNamespace(rows=rows, has_previous=False, has_next=False),
            "request": SimpleNamespace(membership=SimpleNamespace(role="dsl", school=TEXT)),
        }
        name = "concerns/pupils/chronology.html"
        assert _render(NEW, name, context) == _render(OLD, name, context)


@pytest.mark.parametrize("status", ConcernStatus.values)
@pytest.mark.parametrize("full", [True, False])
def test_the_concern_page_is_written_as_its_templates_wrote_it(status, full):
    for filled, entries in ((True, ENTRIES), (False, [])):
        concern = _concern(5, status, filled=filled)
        context = {
            "concern": concern,
            "full": full,
            "lead": full,
            "steps": _steps(filled),
            "entries": entries,
            "buttons": [{"label": TEXT, "url": "/a?b=1&c=2", "style": ""}],
            "attachments": [],
            "may_attach": filled,
        }
        name = "concerns/detail.html"
        assert _render(NEW, name, context) == _render(OLD, name, context)


def test_the_escaping_is_tested():
    """The fixtures above hold text the markup must escape, in every field it writes."""
    page = _render(
        NEW,
        "concerns/detail.html",
        {
            "concern": _concern(5, "closed", filled=True),
            "full": True,
            "steps": _steps(True),
            "entries": ENTRIES,
        },
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<br>" in page


def test_a_time_without_a_zone_is_refused_as_the_filter_refused_it():
    from safeguarding.templatetags.presenters import uk_date as _day
    from safeguarding.templatetags.presenters import uk_datetime as _when

    naive = datetime(2026, 1, 1, 9, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        _when(naive, ZoneInfo("Europe/London"))
    with pytest.raises(ValueError, match="naive"):
        _day(naive, ZoneInfo("Europe/London"))


def test_dates_read_as_the_presenters_write_them_all_year_round():
    """uk_datetime/uk_date with the time zone given once write what they write looking it up:
    every 37 minutes of a year, both summer-time changes included, and dates."""
    from datetime import timedelta

    from django.utils import timezone

    from safeguarding.templatetags.presenters import uk_date, uk_datetime
    from safeguarding.templatetags.presenters import uk_date as day
    from safeguarding.templatetags.presenters import uk_datetime as when

    zone = timezone.get_current_timezone()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year == 2026:
        assert when(moment, zone) == uk_datetime(moment)
        assert day(moment, zone) == uk_date(moment)
        moment += timedelta(minutes=37)
    for value in [date(2026, 2, 1), date(2015, 12, 31), None, ""]:
        assert day(value, zone) == uk_date(value)
    assert when(None, zone) == uk_datetime(None) == ""


@pytest.mark.parametrize(
    "value",
    [
        TEXT,
        LINES,
        "",
        1234,
        None,
        True,
        mark_safe("<b>safe</b>\r\nline"),
        gettext_lazy("Lazy & <i>"),
    ],
)
def test_values_are_written_as_the_template_language_writes_them(value):
    from concerns.templatetags.case_markup import _lines
    from safeguarding.markup import text

    context = Context({"value": value})
    assert text(value) == Template("{{ value }}").render(context)
    assert _lines(value) == Template("{{ value|linebreaksbr }}").render(context)
