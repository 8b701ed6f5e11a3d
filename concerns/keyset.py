"""Keyset pagination: pages that stay put while rows arrive.

A page is "the next N rows after this row" in a fixed total order, not "rows 51 to 75", so a
concern recorded while someone pages through a list never repeats or hides a row, and a page
costs one query however deep it is. The cursor is the sort key of the row at the edge of the
page, signed for a URL; or, where the sort key is personal (a pupil's name), the row's id
alone, its key then read from the database (`by_id`).

Signed, not hidden: a cursor the service did not make (typed, or edited) is ignored, and the
page starts from the first row, but anyone holding the address can read the key in it. A key
that changes as the list is worked (the inbox's group) cannot be left to the database as the
id alone is: the row at the edge of the page moves, and the next page with it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db.models import F, Q

_SALT = "concerns.keyset.cursor"


@dataclass(frozen=True)
class Key:
    """One column of the total order. The last key must be unique (the primary key)."""

    name: str
    kind: type = int
    descending: bool = False


@dataclass
class Page:
    rows: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    # Read from a cursor (a page after or before a row), not from the start: empty, it means
    # the rows have moved on since that row was shown, not that there are none.
    paged: bool = False


def dumps(values, *, salt=_SALT):
    """Key values (numbers, text, true or false, times) signed for an address."""
    shown = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return signing.dumps(shown, salt=salt)


def loads(token, keys, *, salt=_SALT):
    """The values, one for each of `keys`, in a token `dumps` made with this salt; None if it
    is missing, altered, made elsewhere, or (were the secret key ever known) not of their kinds."""
    if not token:
        return None
    try:
        values = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    decoded = []
    for key, value in zip(keys, values, strict=True):
        if key.kind is datetime:
            if not isinstance(value, str):
                return None
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return None
            if value.tzinfo is None:
                return None
            try:  # as the database is sent it: a time before year 1 or after 9999 in UTC
                value.astimezone(UTC)
            except OverflowError:
                return None
        elif key.kind is bool:
            if not isinstance(value, bool):
                return None
        elif key.kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                return None
        elif not isinstance(value, key.kind):
            return None
        if isinstance(value, str) and "\x00" in value:
            return None  # no row holds it, and PostgreSQL refuses it in a query
        decoded.append(value)
    return decoded


def beyond(keys, values, *, forwards):
    """Rows strictly after (or before) the row with these key values, in the keys' order.

    Written nested, k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (k2 = v2 AND k3 > v3))), not as one
    OR per key: a computed key (the inbox's group, the queue's overdue rank) is then copied
    into the statement twice, not once for every key after it."""
    condition = None
    for key, value in zip(reversed(keys), reversed(values), strict=True):
        # Ascending going forwards, or descending going backwards, means greater.
        lookup = "gt" if key.descending != forwards else "lt"
        past = Q(**{f"{key.name}__{lookup}": value})
        condition = past if condition is None else past | (Q(**{key.name: value}) & condition)
    return condition


def _ordering(keys, *, forwards):
    ordering = []
    for key in keys:
        descending = key.descending if forwards else not key.descending
        ordering.append(F(key.name).desc() if descending else F(key.name).asc())
    return ordering


def _encode(row, keys):
    return dumps([getattr(row, key.name) for key in keys])


def _key_of(queryset, keys, cursor):
    """The sort key of the row whose id is in `cursor`, if `queryset` holds it; else None."""
    ids = loads(cursor, keys[-1:])
    if ids is None:
        return None
    found = queryset.filter(**{keys[-1].name: ids[0]}).values_list(*(k.name for k in keys))
    row = found.first()
    return list(row) if row is not None else None


def paginate(queryset, keys, *, after="", before="", size=25, by_id=False):
    """One page of `queryset` in the order `keys` give, after or before a cursor.

    `by_id`: the cursors hold only the row's id, never its sort key, which stays out of
    addresses (and so out of browser history and server logs); a page after or before one
    costs one more query, to read the key."""

    def decode(cursor):
        return _key_of(queryset, keys, cursor) if by_id else loads(cursor, keys)

    after_values = decode(after)
    before_values = None if after_values else decode(before)
    if before_values is not None:
        rows = list(
            queryset.filter(beyond(keys, before_values, forwards=False)).order_by(
                *_ordering(keys, forwards=False)
            )[: size + 1]
        )
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True
    else:
        if after_values is not None:
            queryset = queryset.filter(beyond(keys, after_values, forwards=True))
        rows = list(queryset.order_by(*_ordering(keys, forwards=True))[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = after_values is not None
    page = Page(
        rows=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous,
        paged=after_values is not None or before_values is not None,
    )
    if rows:
        shown = keys[-1:] if by_id else keys
        page.next_cursor = _encode(rows[-1], shown)
        page.previous_cursor = _encode(rows[0], shown)
    return page
