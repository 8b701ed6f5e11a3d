"""The audit trail is tamper-evident: edits, deletions and reordering done behind the
service's back are caught by `verify_audit_chain`."""

import hashlib
import json
from datetime import UTC, datetime
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

import audit.verify
from audit.log import record
from audit.models import AuditChainHead, AuditEvent, chain_hash


def verify(*args):
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trail(walk, dsl):
    """A realistic trail: a concern walked to closure, in two authorities' chains."""
    walk.closed()
    record("auth.login", actor=dsl)
    return list(AuditEvent.objects.order_by("pk"))


def raw(sql, params=()):
    """Tamper as a database superuser would: with triggers (the append-only one) switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_an_untouched_trail_verifies(trail):
    assert f"{len(trail)} events verified" in verify()
    assert len({event.chain for event in trail}) == 2


def test_each_row_links_to_the_one_before_it_in_its_chain(trail):
    chain = [event for event in trail if event.chain == trail[0].chain]
    assert chain[0].previous_hash == ""
    for before, after in pairwise(chain):
        assert after.previous_hash == before.hash


def test_an_edited_row_is_caught(trail):
    victim = trail[3]
    raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["auth.nothing_to_see", victim.pk])
    with pytest.raises(CommandError, match=f"audit event {victim.pk} has been changed"):
        verify()


def test_an_edited_actor_is_caught(trail, head):
    victim = trail[2]
    raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [head.pk, victim.pk])
    with pytest.raises(CommandError, match=f"audit event {victim.pk} has been changed"):
        verify()


def test_a_deleted_row_is_caught(trail):
    victim, follower = trail[3], next(e for e in trail[4:] if e.chain == trail[3].chain)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"audit event {follower.pk} does not follow"):
        verify()


def test_rows_cut_from_the_end_are_caught(trail):
    last = max(event.pk for event in trail if event.chain == trail[0].chain)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [last])
    with pytest.raises(CommandError, match="rows were removed from its end"):
        verify()


def test_a_tail_cut_with_its_head_rewound_is_caught_by_an_earlier_runs_anchors(trail, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    verify("--anchors", str(anchors))
    chain = trail[0].chain
    rows = [event for event in trail if event.chain == chain]
    keep, cut = rows[:-2], rows[-2:]
    raw("DELETE FROM audit_auditevent WHERE id >= %s AND chain = %s", [cut[0].pk, chain])
    raw(
        "UPDATE audit_auditchainhead SET last_id = %s, last_hash = %s WHERE chain = %s",
        [keep[-1].pk, keep[-1].hash, chain],
    )
    assert "events verified" in verify()  # the database alone cannot tell
    with pytest.raises(CommandError, match=f"audit event {cut[-1].pk}, which an earlier check"):
        verify("--anchors", str(anchors))


def test_an_anchored_row_rewritten_with_its_hash_and_head_is_caught(trail, tmp_path):
    """Rewrite the last row, re-hash it, and move the head to match: the chain is whole again
    as the database alone sees it, but an earlier run recorded the row's old hash."""
    anchors = tmp_path / "anchors.jsonl"
    verify("--anchors", str(anchors))
    chain = trail[0].chain
    last = [event for event in trail if event.chain == chain][-1]
    forged = AuditEvent.objects.get(pk=last.pk)
    forged.action = "auth.nothing_to_see"
    forged.hash = forged.content_hash()
    raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
        [forged.action, forged.hash, last.pk],
    )
    raw("UPDATE audit_auditchainhead SET last_hash = %s WHERE chain = %s", [forged.hash, chain])
    assert "events verified" in verify()  # the database alone cannot tell
    with pytest.raises(CommandError, match=f"audit event {last.pk} is not the row an earlier"):
        verify("--anchors", str(anchors))


def test_a_whole_chain_deleted_with_its_head_is_caught_by_the_anchors(trail, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    verify("--anchors", str(anchors))
    chain = trail[0].chain
    raw("DELETE FROM audit_auditevent WHERE chain = %s", [chain])
    raw("DELETE FROM audit_auditchainhead WHERE chain = %s", [chain])
    with pytest.raises(CommandError, match=f"Chain {chain}: .* is gone"):
        verify("--anchors", str(anchors))


def test_each_good_run_adds_the_chain_ends_and_a_broken_one_adds_nothing(trail, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    verify("--anchors", str(anchors))
    written = [json.loads(line) for line in anchors.read_text().splitlines()]
    heads = AuditChainHead.objects.order_by("chain")
    assert [(a["chain"], a["id"], a["hash"]) for a in written] == [
        (h.chain, h.last_id, h.last_hash) for h in heads
    ]
    raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [trail[1].pk])
    with pytest.raises(CommandError):
        verify("--anchors", str(anchors))
    assert len(anchors.read_text().splitlines()) == len(written)


def test_an_unreadable_anchors_file_is_reported(trail, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text('{"chain": 1}\n')
    with pytest.raises(CommandError, match="could not be read"):
        verify("--anchors", str(anchors))


@pytest.mark.parametrize("where", ["directory", "missing folder"])
def test_an_anchors_path_that_cannot_be_used_fails_with_one_line_naming_it(trail, tmp_path, where):
    # A typo in the cron line: a clear failure to alert on, not a traceback.
    path = tmp_path if where == "directory" else tmp_path / "no-such-folder" / "anchors.jsonl"
    with pytest.raises(CommandError, match=f"The anchors file {path} could not be"):
        verify("--anchors", str(path))


def test_a_row_added_in_a_chain_of_its_own_is_caught(trail, teacher):
    forged = AuditEvent(
        at=trail[-1].at,
        actor=teacher,
        action="concern.view",
        object_type="concern",
        object_id="1",
        chain=999,
        previous_hash="",
    )
    forged.hash = forged.content_hash()
    forged.save()
    AuditChainHead.objects.create(chain=999, last_id=forged.pk, last_hash=forged.hash)
    with pytest.raises(CommandError, match="is not in its authority's chain"):
        verify()


def test_reordered_rows_are_caught(trail):
    first, second = trail[1], trail[2]
    # Swap the two rows' places in the sequence.
    raw("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [first.pk])
    raw("UPDATE audit_auditevent SET id = %s WHERE id = %s", [first.pk, second.pk])
    raw("UPDATE audit_auditevent SET id = %s WHERE id = -1", [second.pk])
    with pytest.raises(CommandError, match="Audit chain broken"):
        verify()


def test_the_model_refuses_to_change_or_delete_a_row(trail):
    event = trail[0]
    event.action = "changed"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_itself_refuses_update_and_delete(trail):
    for sql in [
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [trail[0].pk])
    assert AuditEvent.objects.get(pk=trail[0].pk).action == trail[0].action


def test_the_chain_head_follows_the_newest_row(trail):
    head = AuditChainHead.objects.get(chain=trail[-1].chain)
    assert (head.last_id, head.last_hash) == (trail[-1].pk, trail[-1].hash)


@pytest.mark.parametrize(
    "previous", ["", "884dfb6fd726e9813ac9d603dd31285198ba55989105553bff3ac85fc7e1c7c7"]
)
def test_the_hash_is_over_the_json_list_of_previous_hash_and_content(previous):
    """The hash's definition, which rows already written were hashed by: the database builds
    the same text when it appends, so it must not drift."""
    at = datetime(2026, 11, 28, 16, 5, 7, 123456, tzinfo=UTC)
    content = [
        at,
        13,
        "concern.view",
        "concern",
        "42",
        3,
        1,
        "::ffff:10.0.0.1",
        "Zoë's browser",
        "GET",
        "/concerns/42/",
        {"b": ["é", None], "a": 1},
    ]
    whole = [previous, at.isoformat(), *content[1:7], "::ffff:a00:1", *content[8:]]
    text = json.dumps(whole, sort_keys=True, separators=(",", ":"), default=str)
    assert chain_hash(previous, *content) == hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def busy(monkeypatch, dsl, school):
    """The service in use while verification runs: a page view is audited after the chains'
    heads are read and before each chain's rows are (as one is whenever anyone is signed in)."""
    check_chain = audit.verify._check_chain

    def viewed_first(*args):
        record("concern.view", actor=dsl, school=school, object_type="concern", object_id="1")
        return check_chain(*args)

    monkeypatch.setattr(audit.verify, "_check_chain", viewed_first)


def test_rows_written_while_it_runs_are_not_taken_for_tampering(trail, busy, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    assert f"{len(trail)} events verified" in verify("--anchors", str(anchors))
    assert AuditEvent.objects.count() > len(trail)  # the views did land mid-run
    assert "events verified" in verify("--anchors", str(anchors))


def test_a_row_cut_from_the_end_is_caught_while_rows_are_written(trail, busy):
    last = max(event.pk for event in trail if event.chain == trail[0].chain)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [last])
    with pytest.raises(CommandError, match="Audit chain broken"):
        verify()


def test_an_edited_row_is_caught_while_rows_are_written(trail, busy):
    victim = trail[3]
    raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["auth.nothing_to_see", victim.pk])
    with pytest.raises(CommandError, match=f"audit event {victim.pk} has been changed"):
        verify()


def test_a_row_added_past_the_chain_head_is_caught(trail):
    """A forged row linked to the chain's last row, its head not moved: it is not a row that
    was written while verification ran, because writing a row moves the head."""
    chain = trail[0].chain
    last = [event for event in trail if event.chain == chain][-1]
    forged = AuditEvent(
        at=last.at,
        actor=last.actor,
        action="concern.view",
        object_type="concern",
        object_id="1",
        school=last.school,
        local_authority_id=last.local_authority_id,
        chain=chain,
        previous_hash=last.hash,
    )
    forged.hash = forged.content_hash()
    forged.save()
    with pytest.raises(CommandError, match=f"Chain {chain}: .*event {forged.pk}.*added"):
        verify()


def test_the_last_row_rewritten_with_its_hash_is_caught_by_its_head(trail):
    chain = trail[0].chain
    last = [event for event in trail if event.chain == chain][-1]
    forged = AuditEvent.objects.get(pk=last.pk)
    forged.action = "auth.nothing_to_see"
    raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
        [forged.action, forged.content_hash(), last.pk],
    )
    with pytest.raises(CommandError, match=f"audit event {last.pk} is not the row its chain's"):
        verify()


def test_a_row_written_while_it_runs_then_rewritten_with_its_hash_is_caught(
    trail, monkeypatch, dsl, school
):
    """A row written after its chain's head was first read is checked against the head read
    again after it: rewritten with a new hash, it no longer matches."""
    check_chain = audit.verify._check_chain
    ours = school.local_authority.pk  # the chain the view is written to

    def viewed_then_forged(chain, *args):
        if chain == ours:  # just before this chain is read: no row is written after it
            record("concern.view", actor=dsl, school=school, object_type="concern", object_id="1")
            newest = AuditEvent.objects.latest("pk")
            newest.action = "auth.nothing_to_see"
            raw(
                "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
                [newest.action, newest.content_hash(), newest.pk],
            )
        return check_chain(chain, *args)

    monkeypatch.setattr(audit.verify, "_check_chain", viewed_then_forged)
    with pytest.raises(CommandError, match="Audit chain broken"):
        verify()
