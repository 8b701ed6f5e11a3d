"""What the live service keeps true of its records, checked over a whole database: for the demo
and scale data sets (`seed_demo`, `workflow.scale`), which must read as if people had done
those things through the workflow (workflow/, docs/adr/013).

`problems()` lists every breach in words; a test asserts the list is empty."""

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditEvent
from audit.verify import first_broken_link
from concerns.models import Closure, Concern, Escalation, ParentConversation
from schools.demo import academic_year_start
from schools.models import DSL_ROLES, Membership, Role
from workflow.models import WorkflowEvent
from workflow.rules import PREVIOUS, Action, concern_target

# The record's time and its event's are two readings of the clock in one transaction.
SAME_MOVE = timedelta(seconds=2)
# Moves that leave the concern's version as it was (workflow.core.history).
NO_NEW_VERSION = {Action.CLAIM, Action.RELEASE, Action.REASSIGN}
HUB_ROLES = {Role.HUB_ADVISOR, Role.HUB_MANAGER}


def problems():
    found = []
    now = timezone.now()
    this_year = academic_year_start(timezone.localdate(now))
    events = defaultdict(list)
    for event in WorkflowEvent.objects.order_by("at", "pk"):
        events[event.concern_id].append(event)
    concerns = {c.pk: c for c in Concern.objects.select_related("pupil", "school__local_authority")}
    roles = defaultdict(set)
    for user_id, school_id, authority_id, role in Membership.objects.values_list(
        "user_id", "school_id", "local_authority_id", "role"
    ):
        roles[(user_id, school_id or ("la", authority_id))].add(role)

    def works_at(user_id, concern, wanted):
        return bool(roles[(user_id, concern.school_id)] & wanted)

    def hub_of(user_id, concern):
        return bool(roles[(user_id, ("la", concern.school.local_authority_id))] & HUB_ROLES)

    for concern in concerns.values():
        found += _chronology(concern, events[concern.pk], now)
        if concern.pupil.school_id != concern.school_id:
            found.append(f"{concern.reference}: about a pupil of another school")
        if not concern.pupil.date_of_birth <= timezone.localdate(concern.observed_at):
            found.append(f"{concern.reference}: seen or heard before the child was born")
        if not concern.observed_at <= concern.recorded_at:
            found.append(f"{concern.reference}: recorded before it was seen or heard")
        # A concern keeps the pupil's year group when it was recorded; pupils move up a year
        # each September (the school's MIS import), so it is theirs now less the years since.
        years_back = this_year - academic_year_start(timezone.localdate(concern.recorded_at))
        if concern.year_group != _year_then(concern.pupil.year_group, years_back):
            found.append(
                f"{concern.reference}: recorded {years_back} school year(s) ago about a child in "
                f"{concern.pupil.year_group} now, but says they were in {concern.year_group}"
            )
        if not works_at(concern.recorded_by_id, concern, {Role.STAFF, *DSL_ROLES}):
            found.append(f"{concern.reference}: recorded by someone not on the school's staff")

    # Each record about a concern, and the move (action, actor, time, request) that wrote it,
    # with what that move's audit row says of it (workflow.core.history's audit detail).
    moves = []
    for concern in concerns.values():
        moves.append(
            (concern, Action.RECORD, concern.recorded_by_id, concern.recorded_at, None, {})
        )
    for request in AdviceRequest.objects.all():
        concern = concerns[request.concern_id]
        if (request.school_id, request.local_authority_id) != (
            concern.school_id,
            concern.school.local_authority_id,
        ):
            found.append(f"advice request {request.pk}: not its concern's school and authority")
        if not works_at(request.requested_by_id, concern, DSL_ROLES):
            found.append(f"advice request {request.pk}: asked by someone not the school's DSL")
        moves.append(
            (
                concern,
                Action.REQUEST_ADVICE,
                request.requested_by_id,
                request.requested_at,
                request.pk,
                {"urgency": request.urgency},
            )
        )
        if not concern.recorded_at <= request.requested_at:
            found.append(f"advice request {request.pk}: asked before the concern was recorded")
        if request.claimed_at is not None:
            moves.append(
                (concern, Action.CLAIM, request.claimed_by_id, request.claimed_at, request.pk, {})
            )
            if not hub_of(request.claimed_by_id, concern):
                found.append(f"advice request {request.pk}: claimed by someone not at its hub")
            if not request.requested_at <= request.claimed_at:
                found.append(f"advice request {request.pk}: claimed before it was asked")
        if request.advised_at is not None:
            detail = {
                "next_step": request.recommended_next_step,
                "level_of_need": request.level_of_need,
            }
            advised = (request.advised_by_id, request.advised_at, request.pk)
            moves.append((concern, Action.GIVE_ADVICE, *advised, detail))
            if request.claimed_at is None or not request.claimed_at <= request.advised_at:
                found.append(f"advice request {request.pk}: advised before it was claimed")
    for conversation in ParentConversation.objects.all():
        concern = concerns[conversation.concern_id]
        moves.append(
            (
                concern,
                Action.LOG_CONVERSATION,
                conversation.logged_by_id,
                conversation.logged_at,
                None,
                {"held": conversation.held},
            )
        )
        if conversation.held and not conversation.held_at <= conversation.logged_at:
            found.append(f"parent conversation {conversation.pk}: logged before it was held")
    for escalation in Escalation.objects.all():
        concern = concerns[escalation.concern_id]
        moves.append(
            (
                concern,
                Action.ESCALATE,
                escalation.escalated_by_id,
                escalation.escalated_at,
                None,
                {"referred_to": escalation.referred_to},
            )
        )
        if not escalation.referred_at <= escalation.escalated_at:
            found.append(f"escalation {escalation.pk}: recorded before the referral was made")
        if escalation.outcome:
            if escalation.outcome_recorded_at is None or escalation.outcome_recorded_by is None:
                found.append(f"escalation {escalation.pk}: an outcome nobody recorded")
                continue
            moves.append(
                (
                    concern,
                    Action.RECORD_OUTCOME,
                    escalation.outcome_recorded_by_id,
                    escalation.outcome_recorded_at,
                    None,
                    {"outcome": escalation.outcome},
                )
            )
            if not escalation.escalated_at <= escalation.outcome_recorded_at:
                found.append(f"escalation {escalation.pk}: its outcome came before the referral")
    for closure in Closure.objects.all():
        concern = concerns[closure.concern_id]
        moves.append(
            (
                concern,
                Action.CLOSE,
                closure.closed_by_id,
                closure.closed_at,
                None,
                {"outcome": closure.outcome, "without_hub_advice": closure.without_hub_advice},
            )
        )
    for model, by in [
        (ParentConversation, "logged_by_id"),
        (Escalation, "escalated_by_id"),
        (Closure, "closed_by_id"),
    ]:
        for row in model.objects.all():
            concern = concerns[row.concern_id]
            if row.school_id != concern.school_id:
                found.append(f"{model.__name__} {row.pk}: not its concern's school")
            hub = model is Escalation and row.by_hub and hub_of(getattr(row, by), concern)
            if not (hub or works_at(getattr(row, by), concern, DSL_ROLES)):
                found.append(f"{model.__name__} {row.pk}: by someone not the school's DSL")

    # The authority numbers its concerns each year in the order they were recorded.
    numbered = defaultdict(list)
    for concern in concerns.values():
        year = timezone.localtime(concern.recorded_at).year
        numbered[(concern.school.local_authority_id, year)].append(concern)
    for (_, year), rows in numbered.items():
        rows.sort(key=lambda c: (c.recorded_at, c.pk))
        code = rows[0].school.local_authority.code
        for concern in rows:
            if not concern.reference.startswith(f"{code}-{year}-"):
                found.append(f"{concern.reference}: recorded in {year}, numbered for another")
        for before, after in pairwise(rows):
            if not before.reference < after.reference:
                found.append(
                    f"{after.reference}: recorded after {before.reference}, numbered out of order"
                )

    audit_rows = defaultdict(list)
    for row in AuditEvent.objects.filter(action__startswith="workflow."):
        audit_rows[(row.action, row.object_type, row.object_id)].append(row)
    unexplained = {event.pk: event for chronology in events.values() for event in chronology}
    for concern, action, actor_id, at, request_id, detail in moves:
        name = f"{concern.reference} {action}"
        if at > now:
            found.append(f"{name}: recorded in the future")
        event = next(
            (
                e
                for e in events[concern.pk]
                if e.pk in unexplained
                and (e.action, e.actor_id, e.advice_request_id) == (action, actor_id, request_id)
                and abs(e.at - at) <= SAME_MOVE
            ),
            None,
        )
        if event is None:
            found.append(f"{name}: a record with no workflow event that wrote it")
            continue
        del unexplained[event.pk]
        key = (
            f"workflow.{action}",
            "advicerequest" if request_id else "concern",
            str(request_id or concern.pk),
        )
        wanted = {
            "concern": concern.pk,
            "from_status": event.from_status,
            "to_status": event.to_status,
            **detail,
        }
        row = next(
            (
                r
                for r in audit_rows[key]
                if r.actor_id == actor_id and abs(r.at - event.at) <= SAME_MOVE
            ),
            None,
        )
        if row is None:
            found.append(f"{name}: no audit row")
            continue
        audit_rows[key].remove(row)
        if row.detail != wanted:
            found.append(f"{name}: audited as {row.detail}, the service writes {wanted}")
        if (row.school_id, row.local_authority_id) != (
            concern.school_id,
            concern.school.local_authority_id,
        ):
            found.append(f"{name}: audited in another school's or authority's records")
    for event in unexplained.values():
        found.append(
            f"{concerns[event.concern_id].reference} {event.action}: an event with no record"
        )
    for rows in audit_rows.values():
        found += [f"audit event {row.pk}: a workflow audit row with no event" for row in rows]
    if (broken := first_broken_link()) is not None:
        found.append(broken)
    return found


def _year_then(group, years_back):
    number = {"N": -1, "R": 0}.get(group)
    then = (int(group) if number is None else number) - years_back
    return {-1: "N", 0: "R"}.get(then, str(then)) if then >= -1 else None


def _chronology(concern, events, now):
    """The concern's events, in time order, are moves the workflow allows, from one status to
    the next, ending at its status and version now (docs/adr/013)."""
    found = []
    status, version = None, 0
    for event in events:
        name = f"{concern.reference} {event.action}"
        if (event.from_status or None) != status:
            found.append(f"{name}: from '{event.from_status}', but the concern was '{status}'")
        target = concern_target(event.action, event.from_status or None)
        if target is None or (target != PREVIOUS and target != event.to_status):
            found.append(f"{name}: {event.from_status} to {event.to_status} is not allowed")
        expected = None if event.action in NO_NEW_VERSION else version + 1
        if event.concern_version != expected:
            found.append(f"{name}: produced version {event.concern_version}, not {expected}")
        version = expected or version
        status = event.to_status
        if event.at > now:
            found.append(f"{name}: in the future")
    if (status, version) != (concern.status, concern.version):
        found.append(
            f"{concern.reference}: is '{concern.status}' at version {concern.version}, its "
            f"events end at '{status}' and version {version}"
        )
    return found
