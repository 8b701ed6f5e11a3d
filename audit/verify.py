"""Checks the audit chains: every row's hash, every link, each row's chain, each chain's
recorded end, and the ends recorded by earlier runs (anchors kept off the database server)."""

from .models import AuditChainHead, AuditEvent


def first_broken_link(anchors=()):
    """None if every chain is whole; otherwise a sentence naming the first problem found.

    `anchors` are chain ends read from earlier runs' `current_anchors()`: each must still be in
    its chain with the same hash. Because each hash covers the one before, that proves every row
    up to it is as it was, even if the chain's tail and its head row were rewritten together.

    The service may write while this runs: rows written after a chain's head was read are
    checked as far as they go, and wholly the next time.
    """
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    anchored = {}
    for anchor in anchors:
        anchored.setdefault(anchor["chain"], {})[anchor["id"]] = anchor["hash"]
    for chain in sorted(chains | set(anchored)):
        problem = _check_chain(chain, heads.get(chain), anchored.get(chain, {}))
        if problem:
            return f"Chain {chain}: {problem}"
    return None


def _check_chain(chain, head, anchored):
    """`head` is the chain's head as read before its rows. Rows are written while this runs
    (every audited page view writes one), each moving the head in the same transaction, so the
    rows read must reach that head, and may go past it only as far as a head read after them."""
    previous_hash, last_id = "", 0
    head_id, head_hash = (head.last_id, head.last_hash) if head else (0, "")
    reached_head = head_id == 0
    rows = AuditEvent.objects.filter(chain=chain).order_by("pk").iterator(chunk_size=5000)
    for event in rows:
        if event.previous_hash != previous_hash:
            after = last_id or "(start)"
            return (
                f"audit event {event.pk} does not follow event {after}: a row before it was "
                "removed, added or moved."
            )
        if event.content_hash() != event.hash:
            return f"audit event {event.pk} has been changed since it was written."
        if event.chain != (event.local_authority_id or 0):
            return f"audit event {event.pk} is not in its authority's chain: it was added."
        if anchored.get(event.pk, event.hash) != event.hash:
            return f"audit event {event.pk} is not the row an earlier check recorded there."
        anchored.pop(event.pk, None)
        if event.pk == head_id:
            if event.hash != head_hash:
                return f"audit event {event.pk} is not the row its chain's head recorded there."
            reached_head = True
        previous_hash, last_id = event.hash, event.pk
    if anchored:
        return (
            f"audit event {min(anchored)}, which an earlier check recorded, is gone: rows were "
            "removed from the chain's end."
        )
    if not reached_head:
        return (
            f"the chain ends at event {last_id or '(none)'} but was last written at event "
            f"{head_id}: rows were removed from its end."
        )
    if last_id > head_id:
        # Rows past the head read before: written since, each moving the head as it was, so a
        # head read now is at or past the last of them, unless they were added behind its back.
        now = AuditChainHead.objects.filter(chain=chain).first()
        now_id, now_hash = (now.last_id, now.last_hash) if now else (0, "")
        if now_id < last_id or (now_id == last_id and now_hash != previous_hash):
            return (
                f"the chain ends at event {last_id} but was last written at event "
                f"{now_id or '(none)'}: rows were added to its end."
            )
    return None


def current_anchors():
    """Each chain's end now, to keep off the database server for the next check."""
    return [
        {"chain": head.chain, "id": head.last_id, "hash": head.last_hash}
        for head in AuditChainHead.objects.filter(last_id__gt=0).order_by("chain")
    ]
