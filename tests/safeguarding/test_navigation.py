"""The navigation: a link leads to a page headed as the link is labelled."""

import re

import pytest

from safeguarding.navigation import tasks_for


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("dsl", "concerns:inbox"),
        ("deputy_dsl", "concerns:inbox"),
        ("head", "concerns:inbox"),
        ("hub_manager", "reports:hub_overview"),
    ],
)
def test_a_navigation_link_leads_to_a_page_headed_as_it_is_labelled(
    request, client_for, persona, url_name
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    (task,) = [t for t in tasks_for(user.memberships.get().role) if t["name"] == url_name]
    page = client.get(task["url"]).text
    assert re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", page, re.S).group(1) == task["title"]
    assert re.search(r"<title>\s*(.*?) \u2013", page, re.S).group(1) == task["title"]


def menu_links(page):
    menu = page.split('id="navigation"')[1].split("</ul>")[0]
    return re.findall(r'<li class="([^"]*)"><a [^>]*href="([^"]*)"([^>]*)>', menu)


@pytest.mark.parametrize("persona", ["dsl", "head", "hub_manager", "la_admin"])
def test_the_menu_says_which_of_its_pages_is_open(request, client_for, persona):
    """On each page the menu leads to, that link, and only it, is marked as the current page:
    drawn as the active item and announced as the current page (GOV.UK service navigation),
    as Home and Sign-in security already were, so a screen reader user hears where they are."""
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for task in tasks_for(user.memberships.get().role):
        if task["url"] is None:
            continue
        current = [
            href
            for classes, href, rest in menu_links(client.get(task["url"]).text)
            if 'aria-current="page"' in rest and "--active" in classes
        ]
        assert current == [task["url"]], task["title"]


def test_the_heads_concerns_link_says_which_concerns_the_list_opens_on(client_for, head):
    """The list opens on open and recently closed concerns (as the DSL's inbox does): a head
    told it holds every concern would take one closed last year as never recorded."""
    (task,) = [t for t in tasks_for(head.memberships.get().role) if t["name"] == "concerns:inbox"]
    assert "Every concern" not in task["description"]
    assert "recently closed" in task["description"]
    assert "Open and recent" in client_for(head).get(task["url"]).text  # the status it opens on
