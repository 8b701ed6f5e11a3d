"""'My concerns': what this user recorded, the step each has reached, and nothing more."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from concerns.models import Concern, ConcernStatus
from concerns.views.record import MINE_PAGE_SIZE
from schools.models import Role
from tests.factories import PupilFactory, member
from workflow.concerns import record_concern

from ..walk import concern_data

MINE = reverse("concerns:mine")


def _rows(page):
    body = page.text.split('<tbody class="govuk-table__body">', 1)[-1].split("</tbody>", 1)[0]
    return body.count('<tr class="govuk-table__row">')


@pytest.mark.parametrize("status", list(ConcernStatus))
def test_each_concern_shows_its_reference_pupil_date_and_step(client_for, teacher, walk, status):
    concern = walk.to(status)
    page = client_for(teacher).get(MINE)
    assert page.status_code == 200
    assert concern.reference in page.text
    assert "Amelia Ahmed" in page.text
    recorded = timezone.localdate(concern.recorded_at)
    assert f"{recorded.day} {recorded:%B %Y}" in page.text
    assert f">{ConcernStatus(status).label}</strong>" in page.text


def test_the_dsls_working_is_not_shown(client_for, teacher, walk):
    walk.closed()
    page = client_for(teacher).get(MINE)
    assert "Talk with mum first." not in page.text  # the hub's advice
    assert "Breakfast and routines." not in page.text  # the parent conversation
    assert "Breakfast club in place" not in page.text  # the closing rationale


def test_each_concern_links_to_its_page_once_that_page_exists(client_for, teacher, walk):
    concern = walk.recorded()
    page = client_for(teacher).get(MINE)
    try:
        url = reverse("concerns:detail", args=[concern.pk])
    except NoReverseMatch:
        url = None
    if url:
        assert f'<a class="govuk-link" href="{url}">{concern.reference}</a>' in page.text
    else:
        assert f'<td class="govuk-table__cell">{concern.reference}</td>' in page.text


def test_only_the_users_own_concerns_are_listed(
    client_for, teacher, dsl, school, other_school, walk
):
    own = walk.recorded()
    colleague = member(Role.STAFF, school)
    theirs = record_concern(by=colleague, pupil=walk.pupil, **concern_data())
    dsls = record_concern(by=dsl, pupil=walk.pupil, **concern_data())
    elsewhere = record_concern(
        by=member(Role.STAFF, other_school),
        pupil=PupilFactory(school=other_school),
        **concern_data(),
    )
    mine = client_for(teacher).get(MINE).text
    assert own.reference in mine
    for other in [theirs, dsls, elsewhere]:
        assert other.reference not in mine
    # A DSL sees every concern of the school elsewhere, but here only what they recorded.
    dsl_page = client_for(dsl).get(MINE).text
    assert dsls.reference in dsl_page
    assert own.reference not in dsl_page
    assert theirs.reference not in dsl_page


def test_someone_who_has_recorded_nothing_is_told_so(client_for, teacher):
    page = client_for(teacher).get(MINE)
    assert "You have not recorded any concerns here yet." in page.text
    assert 'rel="next"' not in page.text


def test_the_list_takes_as_many_queries_for_50_concerns_as_for_1(
    client_for, teacher, walk, django_assert_num_queries
):
    client = client_for(teacher)
    walk.recorded()
    client.get(MINE)  # settle the session
    with CaptureQueriesContext(connection) as one:
        assert _rows(client.get(MINE)) == 1
    for index in range(49):
        record_concern(
            by=teacher,
            pupil=PupilFactory(school=walk.pupil.school),
            **concern_data(location=f"Room {index}"),
        )
    with django_assert_num_queries(len(one)):
        assert _rows(client.get(MINE)) == MINE_PAGE_SIZE
    assert Concern.objects.count() == 50


def test_pages_are_cut_by_a_keyset_that_does_not_shift_when_new_concerns_arrive(
    client_for, teacher, walk
):
    client = client_for(teacher)
    concerns = [walk.recorded() for _ in range(MINE_PAGE_SIZE + 5)]
    # Several recorded in the same instant: the id breaks the tie, so none is lost or repeated.
    same_moment = timezone.now() - timedelta(minutes=1)
    Concern.objects.filter(pk__in=[c.pk for c in concerns[20:28]]).update(recorded_at=same_moment)
    newest_first = list(Concern.objects.order_by("-recorded_at", "-pk"))

    first = client.get(MINE)
    assert _rows(first) == MINE_PAGE_SIZE
    next_link = first.text.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "before=" in next_link
    assert 'rel="prev"' not in first.text

    walk.recorded()  # arrives while the teacher is on page 1
    second = client.get(next_link.replace("&amp;", "&"))
    assert _rows(second) == 5
    assert 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text
    for concern in newest_first[:MINE_PAGE_SIZE]:
        assert concern.reference in first.text
        assert concern.reference not in second.text
    for concern in newest_first[MINE_PAGE_SIZE:]:
        assert concern.reference in second.text


@pytest.mark.parametrize("cursor", ["nonsense", "1.2.3", "99999999999999999999999.1", ""])
def test_a_broken_cursor_shows_the_first_page(client_for, teacher, walk, cursor):
    concern = walk.recorded()
    page = client_for(teacher).get(MINE, {"before": cursor})
    assert page.status_code == 200
    assert concern.reference in page.text
    assert 'rel="prev"' not in page.text
