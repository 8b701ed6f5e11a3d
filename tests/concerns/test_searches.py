"""A search for a child never puts what was typed in an address.

The three pages with a search box (the DSL's inbox, the school's roll, choosing the pupil for a
concern) take the search by POST, keep the words in the person's session and show the results
at an address holding a token (safeguarding/searches.py). An address is kept in the browser
history of a shared staff-room computer, sent on in the Referer header and written to every
access log, so a child's name must not be in one: not in a redirect, a link, a form's action
or a paging link.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from concerns.models import ConcernDraft
from safeguarding.searches import EXPIRED, KEPT, SESSION_KEY
from tests.factories import PupilFactory, signed_in
from tests.searching import addresses, assert_no_words_in, search
from workflow.concerns import record_concern

from ..walk import concern_data


def _inbox_names(response):
    return [row.pupil_name for _, rows in response.context["page"].sections for row in rows]


def _roll_names(response):
    return [pupil.full_name for pupil in response.context["page"].rows]


def _choices(response):
    return [pupil.full_name for pupil in response.context["found"]]


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    shown: Any  # the children a response lists
    lists_everyone: bool  # unsearched, the page lists every child (the roll, the inbox)

    @property
    def url(self):
        return reverse(self.name)


PAGES = [
    Page("concerns:inbox", "dsl", _inbox_names, True),
    Page("concerns:pupils", "dsl", _roll_names, True),
    Page("concerns:record_pupil", "teacher", _choices, False),
]
EVERYONE = ["Amelia Ahmed", "Oliver Nowak"]


@pytest.fixture
def children(walk, school):
    """Amelia Ahmed and Oliver Nowak, each with a concern recorded."""
    walk.recorded()
    oliver = PupilFactory(school=school, given_name="Oliver", family_name="Nowak")
    record_concern(by=walk.teacher, pupil=oliver, **concern_data())
    return walk.pupil, oliver


@pytest.fixture(params=PAGES, ids=[page.name for page in PAGES])
def page(request):
    return request.param


@pytest.fixture
def client(request, page, client_for, children):
    return client_for(request.getfixturevalue(page.persona))


def unsearched(page):
    return sorted(EVERYONE) if page.lists_everyone else []


def test_a_search_by_name_finds_the_child_at_an_address_without_their_name(page, client):
    results = search(client, page.url, "Amelia Ahmed")
    assert_no_words_in(results, "Amelia", "Ahmed")
    assert "?search=" in results

    response = client.get(results)
    assert response.status_code == 200
    assert page.shown(response) == ["Amelia Ahmed"]
    assert 'value="Amelia Ahmed"' in response.text  # the box shows what was typed, again
    for address in addresses(response.text):
        assert_no_words_in(address, "Amelia", "Ahmed")


def test_a_search_by_upn_is_not_in_the_address_either(page, client, children):
    amelia, _ = children
    results = search(client, page.url, amelia.upn.lower())
    assert_no_words_in(results, amelia.upn)
    response = client.get(results)
    assert page.shown(response) == ["Amelia Ahmed"]
    for address in addresses(response.text):
        assert_no_words_in(address, amelia.upn)


def test_an_unknown_token_shows_the_page_unsearched_and_says_to_search_again(page, client):
    response = client.get(page.url, {"search": "not-one-of-ours"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(page.url, 302)]
    assert EXPIRED in response.text
    assert sorted(page.shown(response)) == unsearched(page)


def test_an_unknown_token_starts_again_at_the_first_page(page, client):
    """A page cursor belongs to the search it paged through: without the search, it is dropped,
    and the other filters are kept."""
    response = client.get(
        page.url, {"search": "not-one-of-ours", "after": "a-cursor", "status": "open"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{page.url}?status=open"


def test_another_sessions_token_is_unknown_here(page, client, client_for, request):
    results = search(client, page.url, "Amelia Ahmed")
    same_person_elsewhere = client_for(request.getfixturevalue(page.persona))
    response = same_person_elsewhere.get(results, follow=True)
    assert EXPIRED in response.text
    assert sorted(page.shown(response)) == unsearched(page)


def test_signing_out_and_in_again_forgets_the_searches(page, client, request):
    results = search(client, page.url, "Amelia Ahmed")
    assert client.post(reverse("account_logout")).status_code == 302
    signed_in(client, request.getfixturevalue(page.persona))  # at the same computer
    response = client.get(results, follow=True)
    assert EXPIRED in response.text
    assert sorted(page.shown(response)) == unsearched(page)


def test_an_old_address_with_the_words_in_it_no_longer_searches(page, client):
    response = client.get(page.url + "?q=Amelia+Ahmed")
    assert response.status_code == 302
    assert_no_words_in(response["Location"], "Amelia", "Ahmed")
    shown = client.get(response["Location"])
    assert EXPIRED in shown.text
    assert sorted(page.shown(shown)) == unsearched(page)
    assert 'value="Amelia Ahmed"' not in shown.text
    assert not AuditEvent.objects.filter(action="pupil.search").exists()


def test_the_words_searched_are_in_no_audit_row(page, client):
    client.get(search(client, page.url, "Amelia Ahmed"))
    client.get(search(client, page.url, "nowak"))
    rows = [str(row) for row in AuditEvent.objects.values()]
    assert rows
    for row in rows:
        assert "amelia" not in row.lower()
        assert "ahmed" not in row.lower()
        assert "nowak" not in row.lower()


def test_an_empty_search_clears_the_search(page, client):
    search(client, page.url, "Amelia Ahmed")
    cleared = search(client, page.url, "  ")
    assert cleared == page.url
    assert sorted(page.shown(client.get(cleared))) == unsearched(page)


def test_a_search_too_long_gets_its_message_and_keeps_what_was_typed(page, client):
    typed = "Amelia " * 15  # 105 characters
    response = client.post(page.url, {"q": typed})
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "govuk-error-summary" in response.text
    assert "The name or UPN must be 100 characters or fewer" in response.text
    assert 'class="govuk-error-message"' in response.text  # beside the box, too
    assert f'value="{typed}"' in response.text


def test_the_same_words_searched_again_keep_their_token(page, client):
    first = search(client, page.url, "Amelia")
    search(client, page.url, "Oliver")
    assert search(client, page.url, "Amelia") == first


def test_a_session_keeps_only_its_last_searches(page, client):
    first = search(client, page.url, "Amelia")
    for n in range(KEPT):
        search(client, page.url, f"Nowak {n}")
    assert len(client.session[SESSION_KEY]) == KEPT
    assert EXPIRED in client.get(first, follow=True).text


def test_a_token_is_for_the_page_it_was_made_on(client_for, dsl, children):
    client = client_for(dsl)
    results = search(client, reverse("concerns:inbox"), "Amelia Ahmed")
    token = results.partition("?")[2]
    roll = client.get(reverse("concerns:pupils") + "?" + token, follow=True)
    assert EXPIRED in roll.text
    assert _roll_names(roll) == ["Amelia Ahmed", "Oliver Nowak"]


# Paging through the results keeps the search.


def test_paging_through_an_inbox_search_keeps_the_search_and_the_filters(
    walk, client_for, dsl, children
):
    for _ in range(25):
        walk.recorded()  # 26 concerns about Amelia, one about Oliver
    client = client_for(dsl)
    results = search(client, reverse("concerns:inbox"), "ahmed", status="recorded")
    assert "status=recorded" in results

    first = client.get(results)
    assert _inbox_names(first) == ["Amelia Ahmed"] * 25
    (next_page,) = [a for a in addresses(first.text) if "after=" in a and a.startswith("?")]
    assert "search=" in next_page
    assert "status=recorded" in next_page
    assert_no_words_in(next_page, "ahmed", "amelia")

    second = client.get(reverse("concerns:inbox") + next_page)
    assert _inbox_names(second) == ["Amelia Ahmed"]
    assert 'value="ahmed"' in second.text
    (previous,) = [a for a in addresses(second.text) if "before=" in a and a.startswith("?")]
    assert "search=" in previous
    assert_no_words_in(previous, "ahmed", "amelia")
    assert _inbox_names(client.get(reverse("concerns:inbox") + previous)) == ["Amelia Ahmed"] * 25


def test_paging_through_a_search_of_the_roll_keeps_the_search(client_for, dsl, school, children):
    PupilFactory.create_batch(50, school=school, family_name="Ahmed")
    client = client_for(dsl)
    url = reverse("concerns:pupils")
    first = client.get(search(client, url, "ahmed"))
    assert len(_roll_names(first)) == 50
    (next_page,) = [a for a in addresses(first.text) if "after=" in a and a.startswith("?")]
    assert "search=" in next_page
    assert_no_words_in(next_page, "ahmed")

    second = client.get(url + next_page)
    names = _roll_names(first) + _roll_names(second)
    assert len(names) == 51
    assert all(name.endswith("Ahmed") for name in names)
    assert "Oliver Nowak" not in names


# Choosing the pupil for a concern, after searching.


def test_choosing_none_of_the_pupils_found_keeps_the_search(client_for, teacher, children):
    client = client_for(teacher)
    results = client.get(search(client, reverse("concerns:record_pupil"), "ahmed"))
    (action,) = [a for a in addresses(results.text) if "search=" in a]
    assert_no_words_in(action, "ahmed", "amelia")

    response = client.post(action, {})
    assert response.status_code == 200
    assert "Select the pupil the concern is about" in response.text
    assert _choices(response) == ["Amelia Ahmed"]
    for address in addresses(response.text):
        assert_no_words_in(address, "ahmed", "amelia")


def test_choosing_a_pupil_found_starts_the_concern(client_for, teacher, children):
    amelia, _ = children
    client = client_for(teacher)
    results = client.get(search(client, reverse("concerns:record_pupil"), "ahmed"))
    (action,) = [a for a in addresses(results.text) if "search=" in a]
    response = client.post(action, {"pupil": str(amelia.pk)})
    assert response.status_code == 302
    assert ConcernDraft.objects.get().pupil == amelia
