"""No text box on any page lets the browser remember what was typed into it.

A browser keeps what is typed into a text box and offers it again in boxes like it: on a
shared staff-room computer, typing "A" into a search could offer "Amelia Ahmed". Every text
box says `autocomplete`: "off", or what it is for where it holds the person's own details
(their email address at sign-in)."""

import re

from django.urls import reverse

from tests.routes import all_routes

from .access_matrix import OK, ROUTES
from .conftest import Visitor
from .world import OWN, personas

# Text, search and untyped inputs (an input without a type is a text box).
TEXT_BOX = re.compile(
    r'<input\b(?![^>]*\btype=)[^>]*>|<input\b(?=[^>]*\btype="(?:text|search)")[^>]*>'
)
AUTOCOMPLETE = re.compile(r'\bautocomplete="([^"]*)"')
# What a box may say instead of "off": it holds the person's own code, not a child's details.
OWN_DETAILS = {"one-time-code"}


def test_every_text_box_on_every_page_says_autocomplete(db, world):
    names = sorted({name for name, _, _ in all_routes() if not name.startswith("admin:")})
    wrong, seen = [], 0
    for name in names:
        route = ROUTES[name]
        url = reverse(name, args=route.url_args(world))
        for persona in personas():
            if persona.place != OWN or route.expected(persona, "GET") != OK:
                continue
            user = world.people.get(persona)
            response = Visitor(user).request("GET", url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for box in TEXT_BOX.findall(response.content.decode()):
                seen += 1
                said = AUTOCOMPLETE.search(box)
                if said is None or said.group(1) not in {"off", *OWN_DETAILS}:
                    wrong.append(f"{name} as {persona.label}: {box}")
            break  # one persona a page: the boxes are the same for each
    assert seen > 20  # the walk reached the forms
    assert not wrong, "\n".join(wrong)
