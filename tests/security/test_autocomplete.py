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


def _pages(world):
    """Every page of the service (bar Django's admin), as the first persona of the page's
    own school or authority who may open it; (label, page's HTML)."""
    names = sorted({name for name, _, _ in all_routes() if not name.startswith("admin:")})
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
            yield f"{name} as {persona.label}", response.content.decode()
            break  # one persona a page: the boxes are the same for each


def test_every_text_box_on_every_page_says_autocomplete(db, world):
    wrong, seen = [], 0
    for label, page in _pages(world):
        for box in TEXT_BOX.findall(page):
            seen += 1
            said = AUTOCOMPLETE.search(box)
            if said is None or said.group(1) not in {"off", *OWN_DETAILS}:
                wrong.append(f"{label}: {box}")
    assert seen > 20  # the walk reached the forms
    assert not wrong, "\n".join(wrong)


# Where words are typed: a text box, or a text area.
TYPED = re.compile(rf"{TEXT_BOX.pattern}|<textarea\b[^>]*>")


def test_every_box_words_are_typed_in_follows_the_direction_of_what_is_typed(db, world):
    """A child's words, an account or a parent's name may be typed in Arabic or Urdu: with
    `dir="auto"` a box runs right to left once such words start it, so a line mixing them
    with English is not jumbled as it is typed. (The boxes for a person's own sign-in code
    hold digits only.)"""
    wrong, seen = [], 0
    for label, page in _pages(world):
        for box in TYPED.findall(page):
            said = AUTOCOMPLETE.search(box)
            if said is not None and said.group(1) in OWN_DETAILS:
                continue
            seen += 1
            if 'dir="auto"' not in box:
                wrong.append(f"{label}: {box}")
    assert seen > 20  # the walk reached the forms
    assert not wrong, "\n".join(wrong)
