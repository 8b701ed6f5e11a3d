"""Write audit rows. Call inside the transaction that does the work, so both land or neither."""

from django.db import connection, transaction
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
        **current_request_details(),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _append_postgresql(event)
        else:
            _append(event)
    return event


def _append(event):
    """Lock the chain's head, link the row to it, write the row and move the head."""
    head = _locked_head(event.chain)
    event.previous_hash = head.last_hash
    event.hash = event.content_hash()
    event.save()
    head.last_id, head.last_hash = event.pk, event.hash
    head.save(update_fields=["last_id", "last_hash"])


def _locked_head(chain):
    """The chain's head row, locked until the transaction ends."""
    locked = AuditChainHead.objects.select_for_update()
    try:
        return locked.get(chain=chain)
    except AuditChainHead.DoesNotExist:
        AuditChainHead.objects.get_or_create(chain=chain)
        return locked.get(chain=chain)


_HEAD = AuditChainHead._meta.db_table
_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
# Table and column names come from the models, never from input.
_INSERT = (
    f"WITH appended AS (INSERT INTO {AuditEvent._meta.db_table} "  # nosec B608
    f"({', '.join(field.column for field in _FIELDS)}) "
    f"VALUES ({', '.join(['%s'] * len(_FIELDS))}) RETURNING id) "
    f"UPDATE {_HEAD} SET last_id = (SELECT id FROM appended), last_hash = %s "
    f"WHERE chain = %s RETURNING last_id"
)


def _append_postgresql(event):
    """As `_append`, in two statements rather than three, without the ORM's work of building
    them: every page that shows a child's data writes here, so it is kept short. The head is
    locked first (the chain never forks), then one statement writes the row and moves the
    head to it."""
    with connection.cursor() as cursor:
        lock = f"SELECT last_hash FROM {_HEAD} WHERE chain = %s FOR UPDATE"  # nosec B608
        cursor.execute(lock, [event.chain])
        found = cursor.fetchone()
        if found is None:  # the chain's first row
            AuditChainHead.objects.get_or_create(chain=event.chain)
            cursor.execute(lock, [event.chain])
            found = cursor.fetchone()
        event.previous_hash = found[0]
        event.hash = event.content_hash()
        values = [
            field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS
        ]
        cursor.execute(_INSERT, [*values, event.hash, event.chain])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def viewed(request, obj, *, school, action=None):
    """Audit one read of a child's data (a page, a chronology, a download) by this request."""
    return record(
        action or f"{obj._meta.model_name}.view", actor=request.user, obj=obj, school=school
    )
