"""Write audit rows. Call inside the transaction that does the work, so both land or neither."""

from django.db import transaction
from django.utils import timezone

from .context import current_request_details
from .models import AuditChainHead, AuditEvent


def record(
    action, *, actor, obj=None, school=None, authority=None, object_type="", object_id="", **detail
):
    """Append one audit row. `detail` holds identifiers and labels only, never narrative text."""
    if school is not None and authority is None:
        authority_id = school.local_authority_id
    else:
        authority_id = authority.pk if authority is not None else None
    chain = authority_id or 0
    with transaction.atomic():
        head = _locked_head(chain)
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            object_type=obj._meta.model_name if obj is not None else object_type,
            object_id=str(obj.pk) if obj is not None else str(object_id),
            school=school,
            local_authority_id=authority_id,
            detail=detail,
            chain=chain,
            previous_hash=head.last_hash,
            **current_request_details(),
        )
        event.hash = event.content_hash()
        event.save()
        head.last_id, head.last_hash = event.pk, event.hash
        head.save(update_fields=["last_id", "last_hash"])
    return event


def _locked_head(chain):
    """The chain's head row, locked until the transaction ends. One statement once the chain
    exists (every request that reads a child's record writes here, so it is kept short)."""
    locked = AuditChainHead.objects.select_for_update()
    try:
        return locked.get(chain=chain)
    except AuditChainHead.DoesNotExist:
        AuditChainHead.objects.get_or_create(chain=chain)
        return locked.get(chain=chain)


def viewed(request, obj, *, school, action=None):
    """Audit one read of a child's data (a page, a chronology, a download) by this request."""
    return record(
        action or f"{obj._meta.model_name}.view", actor=request.user, obj=obj, school=school
    )
