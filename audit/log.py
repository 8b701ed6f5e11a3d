"""Write audit rows. Call inside the transaction that does the work, so both land or neither."""

from functools import cache

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
    if connection.vendor == "postgresql":
        _append_postgresql(event)
    else:
        with transaction.atomic():
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


# Every page that shows a child's data appends a row, so on PostgreSQL the append is one
# statement, atomic by itself (a transaction of its own when none is open; part of the work's
# when one is): it locks the chain's head, hashes the row onto the head's hash as
# AuditEvent.content_hash does (audit.models.link_hash), writes the row and moves the head to
# it. The row's content is hashed in Python (content_json); only the link is made here. Table
# and column names come from the models, never from input; every value is a parameter.
_FIELDS = [
    field
    for field in AuditEvent._meta.concrete_fields
    if not field.primary_key and field.name not in {"previous_hash", "hash"}
]


@cache
def _append_sql():
    head, events = AuditChainHead._meta.db_table, AuditEvent._meta.db_table
    return (
        f"WITH head AS (SELECT last_hash FROM {head} WHERE chain = %s FOR UPDATE), "  # nosec B608
        "linked AS (SELECT last_hash AS previous_hash, encode(sha256(convert_to("
        "'[\"' || last_hash || '\",' || substr(%s, 2), 'UTF8')), 'hex') AS hash FROM head), "
        f"appended AS (INSERT INTO {events} "
        f"({', '.join(field.column for field in _FIELDS)}, previous_hash, hash) "
        f"SELECT {', '.join('%s::' + field.db_type(connection) for field in _FIELDS)}, "
        "previous_hash, hash FROM linked RETURNING id, previous_hash, hash) "
        f"UPDATE {head} SET last_id = appended.id, last_hash = appended.hash "
        "FROM appended WHERE chain = %s "
        "RETURNING appended.id, appended.previous_hash, appended.hash"
    )


def _append_postgresql(event):
    values = [
        field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS
    ]
    params = [event.chain, event.content_json(), *values, event.chain]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(), params)
        appended = cursor.fetchone()
        if appended is None:  # the chain's first row: its head is made, then the row appended
            AuditChainHead.objects.get_or_create(chain=event.chain)
            cursor.execute(_append_sql(), params)
            appended = cursor.fetchone()
    event.pk, event.previous_hash, event.hash = appended
    event._state.adding = False
    event._state.db = connection.alias


def viewed(request, obj, *, school, action=None):
    """Audit one read of a child's data (a page, a chronology, a download) by this request."""
    return record(
        action or f"{obj._meta.model_name}.view", actor=request.user, obj=obj, school=school
    )


def denied(request, *, object_type="", object_id=""):
    """Audit one refusal by this request, in the chain of the place the user works as (a view
    that draws its own 403 page, rather than raising PermissionDenied, calls it itself)."""
    membership = getattr(request, "membership", None)
    return record(
        "access.denied",
        actor=request.user,
        school=membership.school if membership and membership.school_id else None,
        authority=membership.local_authority if membership and not membership.school_id else None,
        object_type=object_type,
        object_id=object_id,
    )
