"""Keyset pages: every row once, in order, forwards and backwards, whatever the keys' directions."""

import base64
import itertools
import json
from datetime import UTC, datetime

import pytest
from django.db.models import Case, IntegerField, Value, When

from concerns.keyset import Key, dumps, loads, paginate
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
    ["", "%%%", "bm90LWpzb24", "WzEsMl0", "e30:1tampered:signature", "{row}", "{row}:{sign}"],
)
def test_a_cursor_that_is_not_ours_gives_the_first_page(roll, cursor):
    # "{row}": the key of the first row, written as cursors were before they were signed; with
    # the signature of another row's key.
    key = json.dumps([roll[0].year_group, roll[0].family_name, roll[0].pk]).encode()
    row = base64.urlsafe_b64encode(key).decode().rstrip("=")
    signature = dumps([roll[1].year_group, roll[1].family_name, roll[1].pk]).split(":", 1)[1]
    cursor = cursor.format(row=row, sign=signature)
    page = paginate(Pupil.objects.all(), KEYS, after=cursor, size=5)
    assert page.rows == roll[:5]
    assert not page.has_previous


def test_a_cursor_the_list_made_gives_the_rows_after_it(roll):
    cursor = dumps([roll[0].year_group, roll[0].family_name, roll[0].pk])
    assert paginate(Pupil.objects.all(), KEYS, after=cursor, size=5).rows == roll[1:6]


def test_a_cursor_signed_for_another_list_gives_the_first_page(roll):
    cursor = dumps(
        [roll[0].year_group, roll[0].family_name, roll[0].pk], salt="advice.queue.cursor"
    )
    page = paginate(Pupil.objects.all(), KEYS, after=cursor, size=5)
    assert page.rows == roll[:5]


# Were the secret key ever known, a cursor signed with it would still be checked for the list's
# keys before any reached the database.
@pytest.mark.parametrize(
    "values",
    [
        "not a list",
        [1, 2],
        ["a", "b", "c"],
        [1, "a", 1],
        ["3", "F0", True],
        # No name holds a NUL, and PostgreSQL refuses one in a query.
        ["\x00", "a", 1],
    ],
)
def test_a_signed_cursor_that_is_not_a_key_of_the_list_gives_the_first_page(roll, values):
    page = paginate(Pupil.objects.all(), KEYS, after=dumps(values), size=5)
    assert page.rows == roll[:5]
    assert not page.has_previous


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-01T00:00:00",  # no time zone
        "1 January 2026",
        1767225600,
        # Times no clock in UTC can show: the first moment there is, an hour east of UTC, and
        # the last, an hour west of it.
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_a_time_the_database_cannot_be_sent_is_not_a_key(value):
    assert loads(dumps([value]), [Key("at", datetime)]) is None


def test_a_time_keeps_its_moment():
    moment = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
    assert loads(dumps([moment, 7]), [Key("at", datetime), Key("id")]) == [moment, 7]


# A computed first key (as the inbox's group and the queue's overdue rank are), and rows that
# tie on every key but the last: 24 pupils, each band, family and given name shared by two.
BAND = Case(
    When(year_group__in=["1", "2"], then=Value(0)), default=Value(1), output_field=IntegerField()
)


@pytest.mark.parametrize("descending", list(itertools.product([False, True], repeat=4)))
def test_every_row_once_in_order_both_ways_when_rows_tie_on_every_key_but_the_last(
    school, descending
):
    for index in range(24):
        PupilFactory(
            school=school,
            year_group=str(1 + index % 4),
            family_name=f"F{index % 3}",
            given_name=f"G{index % 2}",
        )
    names = ["band", "family_name", "given_name", "id"]
    keys = [
        Key(name, str if "name" in name else int, way)
        for name, way in zip(names, descending, strict=True)
    ]
    pupils = Pupil.objects.annotate(band=BAND)
    expected = list(pupils)
    for key in reversed(keys):  # stable sorts, last key first
        expected.sort(key=lambda pupil: getattr(pupil, key.name), reverse=key.descending)

    pages = [paginate(pupils, keys, size=5)]
    while pages[-1].has_next:
        pages.append(paginate(pupils, keys, after=pages[-1].next_cursor, size=5))
    assert [pupil for page in pages for pupil in page.rows] == expected

    back = [pages[-1]]
    while back[0].has_previous:
        back.insert(0, paginate(pupils, keys, before=back[0].previous_cursor, size=5))
    assert [pupil for page in back for pupil in page.rows] == expected
    assert [len(page.rows) for page in back] == [5, 5, 5, 5, 4]
