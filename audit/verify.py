"""Checks the audit chains: every row's hash, every link, each row's chain, each chain's
recorded end, and the ends recorded by earlier runs (anchors kept off the database server)."""

from .models import AuditChainHead, AuditEvent


def first_broken_link(anchors=()):
    """None if every chain is whole; otherwise a sentence naming the first problem found.

    `anchors` are chain ends read from earlier runs' `current_anchors()`: each must still be in
    its chain with the same hash. Because each hash covers the one before, that proves every row
    up to it is as it was, even if the chain's tail and its head row were rewritten together.
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
    previous_hash, last_id = "", 0
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
        previous_hash, last_id = event.hash, event.pk
    if anchored:
        return (
            f"audit event {min(anchored)}, which an earlier check recorded, is gone: rows were "
            "removed from the chain's end."
        )
    if head is None or (head.last_id, head.last_hash) != (last_id, previous_hash):
        return (
            f"the chain ends at event {last_id or '(none)'} but was last written at event "
            f"{head.last_id if head else '(unknown)'}: rows were removed from its end."
        )
    return None


def current_anchors():
    """Each chain's end now, to keep off the database server for the next check."""
    return [
        {"chain": head.chain, "id": head.last_id, "hash": head.last_hash}
        for head in AuditChainHead.objects.filter(last_id__gt=0).order_by("chain")
    ]
