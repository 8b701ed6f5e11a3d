"""Keyset pages: every row once, in order, forwards and backwards, whatever the keys' directions."""

import pytest

from concerns.keyset import Key, paginate
from schools.models import Pupil
from tests.factories import PupilFactory

KEYS = [Key("year_group", str, descending=True), Key("family_name", str), Key("id", int)]


@pytest.fixture
def roll(school):
    for index in range(23):
        PupilFactory(school=school, year_group=str(1 + index % 3), family_name=f"F{index % 5}")
    return list(Pupil.objects.order_by("-year_group", "family_name", "id"))


def test_walking_forwards_then_back_visits_every_row_once_in_order(roll):
    pages, after = [], ""
    while True:
        page = paginate(Pupil.objects.all(), KEYS, after=after, size=5)
        pages.append(page.rows)
        if not page.has_next:
            break
        after = page.next_cursor
    assert [row for rows in pages for row in rows] == roll
    assert [len(rows) for rows in pages] == [5, 5, 5, 5, 3]

    back, before = [], page.previous_cursor
    while True:
        page = paginate(Pupil.objects.all(), KEYS, before=before, size=5)
        back.insert(0, page.rows)
        if not page.has_previous:
            break
        before = page.previous_cursor
    assert back == pages[:-1]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "bm90LWpzb24",
        "WzEsMl0",
        "WyJhIiwiYiIsImMiXQ",
        "WzEsImEiLDFd",
        # ["\u0000", "a", 1]: no name holds a NUL, and PostgreSQL refuses one in a query.
        "WyJcdTAwMDAiLCJhIiwxXQ",
    ],
)
def test_a_cursor_that_is_not_ours_gives_the_first_page(roll, cursor):
    page = paginate(Pupil.objects.all(), KEYS, after=cursor, size=5)
    assert page.rows == roll[:5]
    assert not page.has_previous
