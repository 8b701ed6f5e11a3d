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
