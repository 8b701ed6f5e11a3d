"""The lists' filter forms are drawn once per state and kept (safeguarding/templatetags/
filter_forms.py): the markup must be exactly what `{% crispy form %}` writes, for every state,
the first time and every time after; a changed list of choices must never meet old markup; and
what a person typed is never kept."""

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from advice.forms import QueueFilterForm
from concerns.forms.case import InboxFilterForm
from concerns.selectors import recorders_for
from safeguarding.templatetags import filter_forms
from schools.models import Membership, Role
from schools.selectors import schools_for
from tests.factories import member
from tests.walk import concern_data
from workflow.concerns import record_concern

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
KEPT = Template("{% load filter_forms %}{% filter_form form %}")

INBOX_QUERIES = [
    None,
    "",
    "status=closed",
    "status=with_hub&category=neglect&year_group=5",
    "status=nonsense&category=&year_group=99",  # an old bookmark: shown with its errors
    "recorded_by={recorder}",
    "recorded_by=999999",
    "after=abc&status=recorded",  # the page's cursor is not a filter
]
QUEUE_QUERIES = [
    "",
    "status=open",
    "status=open&status=claimed&urgency=red&urgency=amber",
    "claimed=me&overdue=on",
    "claimed=unclaimed&school={school}&category=neglect",
    "school=999999&status=nonsense",
    "status=&urgency=&claimed=&school=&category=",
]


@pytest.fixture(autouse=True)
def empty_store():
    filter_forms.forget()
    yield
    filter_forms.forget()


def _request(user, query):
    request = RequestFactory().get("/", QueryDict(query or ""))
    request.user = user
    return request


def _both(form_factory, user, query):
    """What crispy-forms writes, and what the kept tag writes the first and the second time
    (each from a fresh form, as each request makes one)."""
    request = _request(user, query)
    crispy = CRISPY.render(Context({"form": form_factory(request), "request": request}))
    first = KEPT.render(Context({"form": form_factory(request), "request": request}))
    second = KEPT.render(Context({"form": form_factory(request), "request": request}))
    return crispy, first, second


def _inbox_form(membership):
    def make(request):
        return InboxFilterForm(
            request.GET if request.GET else None, recorders=recorders_for(membership)
        )

    return make


@pytest.mark.parametrize("query", INBOX_QUERIES)
def test_the_inbox_filters_are_written_as_crispy_forms_writes_them(query, walk, dsl):
    walk.recorded()
    membership = Membership.objects.get(user=dsl)
    if query:
        query = query.format(recorder=walk.teacher.pk)
    crispy, first, second = _both(_inbox_form(membership), dsl, query)
    assert first == crispy
    assert second == crispy
    assert "govuk-select" in crispy
    assert len(filter_forms._kept) == 1  # drawn once, then taken from the store


@pytest.mark.parametrize("query", QUEUE_QUERIES)
def test_the_queue_filters_are_written_as_crispy_forms_writes_them(
    query, hub_advisor, school, other_school
):
    membership = Membership.objects.get(user=hub_advisor)

    def make(request):
        return QueueFilterForm(request.GET, schools=schools_for(membership))

    crispy, first, second = _both(make, hub_advisor, query.format(school=school.pk))
    assert first == crispy
    assert second == crispy
    assert other_school.name in crispy


def test_a_new_person_in_the_recorded_by_list_is_shown_at_once(walk, dsl, school, pupil):
    walk.recorded()
    make = _inbox_form(Membership.objects.get(user=dsl))
    _, before, _ = _both(make, dsl, "status=recorded")
    newcomer = member(Role.STAFF, school, full_name="Nadia Newcomer")
    record_concern(by=newcomer, pupil=pupil, **concern_data())
    crispy, after, again = _both(make, dsl, "status=recorded")
    assert after == again == crispy
    assert "Nadia Newcomer" in after
    assert "Nadia Newcomer" not in before


def test_another_authoritys_schools_never_appear_in_the_queue_filters(
    hub_advisor, other_la_advisor, other_la_school, school
):
    mine = Membership.objects.get(user=hub_advisor)
    theirs = Membership.objects.get(user=other_la_advisor)
    _, own, _ = _both(lambda r: QueueFilterForm(r.GET, schools=schools_for(mine)), hub_advisor, "")
    crispy, other, _ = _both(
        lambda r: QueueFilterForm(r.GET, schools=schools_for(theirs)), other_la_advisor, ""
    )
    assert other == crispy
    assert other_la_school.name in other
    assert other_la_school.name not in own
    assert school.name in own
    assert school.name not in other


def test_a_search_for_a_pupil_is_never_kept(walk, dsl):
    membership = Membership.objects.get(user=dsl)
    crispy, first, second = _both(_inbox_form(membership), dsl, "q=Ozymandias+K123")
    assert first == second == crispy
    assert "Ozymandias" in crispy
    assert not any("Ozymandias" in html for html in filter_forms._kept.values())
    assert not any("Ozymandias" in str(key) for key in filter_forms._kept)
