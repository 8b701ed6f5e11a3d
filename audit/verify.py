"""Checks the audit chains: every row's hash, every link, and each chain's recorded end."""

from .models import AuditChainHead, AuditEvent


def first_broken_link():
    """None if every chain is whole; otherwise a sentence naming the first problem found."""
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        previous_hash, last_id = "", 0
        rows = AuditEvent.objects.filter(chain=chain).order_by("pk").iterator(chunk_size=5000)
        for event in rows:
            if event.previous_hash != previous_hash:
                after = last_id or "(start)"
                return (
                    f"Chain {chain}: audit event {event.pk} does not follow event {after}: "
                    "a row before it was removed, added or moved."
                )
            if event.content_hash() != event.hash:
                return (
                    f"Chain {chain}: audit event {event.pk} has been changed since it was written."
                )
            previous_hash, last_id = event.hash, event.pk
        head = heads.get(chain)
        if head is None or (head.last_id, head.last_hash) != (last_id, previous_hash):
            return (
                f"Chain {chain}: the chain ends at event {last_id or '(none)'} but was last "
                f"written at event {head.last_id if head else '(unknown)'}: rows were removed "
                "from its end."
            )
    return None
