"""Per-connection set-up of the two databases.

PostgreSQL: timestamps read at the speed of psycopg's C loader.

Django reads every `timestamptz` through a loader written in Python: it extends psycopg's
pure-Python loader to set the time zone. psycopg's own loader, in C, parses about six times
faster, which matters where a page reads thousands of them (the head teacher's report over
five years reads 24,000: 120 ms against 20). When the connection's time zone is UTC, as Django
sets it when USE_TZ is on, the C loader gives exactly the same values (aware, in UTC), so each
new connection is given a thin loader that hands the parsing to it.
"""

import re
from datetime import UTC
from functools import lru_cache

from django.db.backends.signals import connection_created


def use_the_c_timestamp_loader(sender, connection, **kwargs):
    if connection.vendor != "postgresql" or connection.timezone != UTC:
        return
    from psycopg import adapters, postgres
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    oid = postgres.types["timestamptz"].oid
    fast = adapters.get_loader(oid, Format.TEXT)  # the C one, where psycopg[binary] is installed

    class UTCTimestamptzLoader(Loader):
        # Django compares this with the connection's time zone before every cursor, and gives
        # the cursor a loader of its own if they differ.
        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = fast(oid, context).load

        def load(self, data):
            return self._load(data)

    connection.connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)


def fold_case_like_postgresql(sender, connection, **kwargs):
    """SQLite: `icontains` finds "Łukasz" from "łukasz", as on PostgreSQL.

    Django searches with SQLite's LIKE, which ignores the case of A to Z only, so a name with
    any other capital letter (Ł, Ö, Ş) was found only as typed: a member of staff looking for a
    child could miss them. LIKE is given a version that folds the case of every letter.
    """
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("like", 2, _like, deterministic=True)
    connection.connection.create_function("like", 3, _like, deterministic=True)


def _like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _like_pattern(pattern, escape).fullmatch(str(value).casefold()) is not None


@lru_cache(maxsize=256)
def _like_pattern(pattern, escape):
    parts, chars = [], iter(pattern.casefold())
    for char in chars:
        if char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def connect():
    connection_created.connect(use_the_c_timestamp_loader, dispatch_uid="c_timestamp_loader")
    connection_created.connect(fold_case_like_postgresql, dispatch_uid="fold_case_like")
