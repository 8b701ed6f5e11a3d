"""Many requests appending to one authority's audit chain at the same moment: every row is
kept and the chain never forks (each row links to the one before it, once)."""

from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command

from audit.log import record
from audit.models import AuditChainHead, AuditEvent
from tests.concurrency import at_once, simultaneous_writers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]

WRITERS, EACH = 8, 15


def test_simultaneous_appends_keep_every_row_in_one_unbroken_chain(school, dsl):
    record("test.first", actor=dsl, school=school)  # the chain exists before the rush

    def append(writer):
        for n in range(EACH):
            record("test.race", actor=dsl, school=school, writer=writer, n=n)

    failures = at_once(*(partial(append, writer) for writer in range(WRITERS)))

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
