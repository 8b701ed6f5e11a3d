"""Write audit rows. Call inside the transaction that does the work, so both land or neither."""

from .context import current_request_details
from .models import AuditEvent


def record(
    action, *, actor, obj=None, school=None, authority=None, object_type="", object_id="", **detail
):
    """Append one audit row. `detail` holds identifiers and labels only, never narrative text."""
    if school is not None and authority is None:
        authority_id = school.local_authority_id
    else:
        authority_id = authority.pk if authority is not None else None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else str(object_id),
        school=school,
        local_authority_id=authority_id,
        detail=detail,
        **current_request_details(),
    )


def viewed(request, obj, *, school, action=None):
    """Audit one read of a child's data (a page, a chronology, a download) by this request."""
    return record(
        action or f"{obj._meta.model_name}.view", actor=request.user, obj=obj, school=school
    )
