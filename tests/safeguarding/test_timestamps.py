"""Timestamps come back from the database as the very instants stored, aware and in UTC,
whichever loader reads them (on PostgreSQL, psycopg's C loader through safeguarding/db.py)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from audit.models import AuditEvent

LONDON = ZoneInfo("Europe/London")

INSTANTS = [
    datetime(2026, 11, 28, 16, 5, 7, 123456, tzinfo=LONDON),  # a busy teacher's 4pm
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # a second before the clocks go on
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # the moment they do
    datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),  # the hour that happens twice
    datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2041, 7, 1, 12, tzinfo=UTC),
]


@pytest.mark.django_db
def test_timestamps_come_back_as_the_instants_stored():
    ids = [AuditEvent.objects.create(at=at, action="test.timestamp").pk for at in INSTANTS]
    read = dict(AuditEvent.objects.filter(pk__in=ids).values_list("pk", "at"))
    for pk, stored in zip(ids, INSTANTS, strict=True):
        # In UTC, as Python compares ambiguous wall times in other zones as never equal.
        assert read[pk] == stored.astimezone(UTC)
        assert read[pk].tzinfo == UTC


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders are PostgreSQL's")
def test_postgresql_reads_them_with_the_c_loader():
    from psycopg import postgres
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = postgres.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert loader.__name__ == "UTCTimestamptzLoader"
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [INSTANTS[0]])
        assert cursor.fetchone()[0] == INSTANTS[0]
