"""Many requests appending to one authority's audit chain at the same moment: every row is
kept and the chain never forks (each row links to the one before it, once)."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from audit.log import record
from audit.models import AuditChainHead, AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time by design",
    ),
]

WRITERS, EACH = 8, 15


def test_simultaneous_appends_keep_every_row_in_one_unbroken_chain(school, dsl):
    record("test.first", actor=dsl, school=school)  # the chain exists before the rush
    start = threading.Barrier(WRITERS)
    failures = []

    def append(writer):
        start.wait()
        try:
            for n in range(EACH):
                record("test.race", actor=dsl, school=school, writer=writer, n=n)
        except Exception as error:  # noqa: BLE001: reported below, not swallowed
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    chain = list(AuditEvent.objects.filter(chain=school.local_authority_id).order_by("pk"))
    assert len(chain) == 1 + WRITERS * EACH
    hashes = [event.hash for event in chain]
    assert [event.previous_hash for event in chain] == ["", *hashes[:-1]]
    head = AuditChainHead.objects.get(chain=school.local_authority_id)
    assert (head.last_id, head.last_hash) == (chain[-1].pk, chain[-1].hash)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert f"{len(chain)} events verified" in out.getvalue()
