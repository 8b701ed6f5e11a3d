"""Scoped reads of advice requests: hub staff see their authority's; a school's DSLs and head
teacher see their school's. Nobody else sees any."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull

from audit.scope import get_in_scope
from concerns.models import Addendum, Escalation, ParentConversation, category_list
from schools.models import DSL_ROLES, HUB_ROLES, Membership, Pupil, Role, User
from workflow.models import WorkflowEvent
from workflow.rules import Action

from .models import AdviceRequest, AdviceStatus, claimant_left

# What a request's page shows of its concern besides the record itself: each kind, when a row
# of it was made, and the people its rows name. A withdrawn request shares the concern as it
# stood when the school withdrew it: the rows made by then, none made since (docs/adr/008).
SHARED_RECORDS = {
    "addenda": (Addendum, "created_at", ("author",)),
    "conversations": (ParentConversation, "logged_at", ()),
    "escalations": (Escalation, "escalated_at", ("escalated_by",)),
}


def requests_visible_to(membership):
    if membership is None:
        return AdviceRequest.objects.none()
    if membership.role in HUB_ROLES:
        return AdviceRequest.objects.filter(local_authority_id=membership.local_authority_id)
    if membership.role in DSL_ROLES or membership.role == Role.HEAD_TEACHER:
        return AdviceRequest.objects.filter(school_id=membership.school_id)
    return AdviceRequest.objects.none()


def get_request_for(membership, pk):
    """The advice request with `pk` if this membership may see it; otherwise a 404, audited."""
    return get_in_scope(
        requests_visible_to(membership)
        .select_related(
            "concern__school__local_authority", "concern__pupil", "claimed_by", "requested_by"
        )
        .annotate(claimant_left=claimant_left()),
        pk,
        "advicerequest",
    )


def _shared_by_outer_request(made_at):
    """In a subquery under a request: the rows it shares, by `made_at`. `withdrawn_at` is
    set when the school withdraws the request, and only then."""
    return Q(IsNull(OuterRef("withdrawn_at"), True)) | Q(
        **{f"{made_at}__lte": OuterRef("withdrawn_at")}
    )


def get_request_page_for(membership, pk):
    """As `get_request_for`, for the request's own page, in two quick queries rather than
    one slow one and several small ones.

    The first also says whether the concern has addenda, parent conversations and
    escalations that the request shares (see SHARED_RECORDS), and earlier requests
    (`has_addenda`, `has_conversations`, `has_escalations`, `has_earlier`), so that the page
    asks only for the kinds it has: most requests have none. It gives the concern's status
    as shared too (`concern_status_shared`): now, or for a withdrawn request as the
    withdrawal left it. The second fetches the people named on the page (who asked, who
    claimed it, who recorded the concern) together: joined into the first, they made
    PostgreSQL plan a join of eight tables on every view, which took longer than running it."""
    same_concern = {"concern_id": OuterRef("concern_id")}
    requests = (
        requests_visible_to(membership)
        .select_related("concern__school", "concern__pupil")
        .annotate(
            claimant_left=claimant_left(),
            concern_category_list=category_list("concern"),
            **{
                f"has_{kind}": Exists(
                    model.objects.filter(_shared_by_outer_request(made_at), **same_concern)
                )
                for kind, (model, made_at, _) in SHARED_RECORDS.items()
            },
            status_when_withdrawn=Subquery(
                WorkflowEvent.objects.filter(
                    advice_request=OuterRef("pk"), action=Action.WITHDRAW_REQUEST
                ).values("to_status")[:1]
            ),
            has_earlier=Exists(
                AdviceRequest.objects.filter(
                    **same_concern, requested_at__lte=OuterRef("requested_at")
                ).exclude(pk=OuterRef("pk"))
            ),
        )
    )
    advice_request = get_in_scope(requests, pk, "advicerequest")
    concern = advice_request.concern
    concern.category_list = advice_request.concern_category_list
    advice_request.concern_status_shared = (
        advice_request.status_when_withdrawn if advice_request.withdrawn_at else concern.status
    )
    advice_request.pupil_shared = pupil_shared(advice_request)
    people = User.objects.in_bulk(
        {advice_request.requested_by_id, advice_request.claimed_by_id, concern.recorded_by_id}
        - {None}
    )
    advice_request.requested_by = people[advice_request.requested_by_id]
    advice_request.claimed_by = people.get(advice_request.claimed_by_id)
    concern.recorded_by = people[concern.recorded_by_id]
    return advice_request


def pupil_shared(advice_request):
    """The pupil as the request shares them: as they are now, or for a withdrawn request as
    they were when the school withdrew it (a copy made then, never saved)."""
    pupil = advice_request.concern.pupil
    if advice_request.withdrawn_at is None:
        return pupil
    return Pupil(
        pk=pupil.pk,
        school_id=pupil.school_id,
        upn="",  # not shown to the hub
        **{
            name: getattr(advice_request, f"withdrawn_pupil_{name}")
            for name in ("given_name", "family_name", "date_of_birth", "year_group")
        },
    )


def shared_records(advice_request):
    """The addenda, parent conversations and escalations of the concern that
    `advice_request` (read with `get_request_page_for`) shares, by kind: all of them, or for
    a withdrawn request those made by its withdrawal. A kind the first query found none of
    is not asked for."""
    until = advice_request.withdrawn_at
    shared = {}
    for kind, (_, made_at, people) in SHARED_RECORDS.items():
        rows = ()
        if getattr(advice_request, f"has_{kind}"):
            rows = getattr(advice_request.concern, kind).all()
            if people:  # select_related() with no names would follow every foreign key
                rows = rows.select_related(*people)
            if until is not None:
                rows = rows.filter(**{f"{made_at}__lte": until})
        shared[kind] = rows
    if until is not None:
        shared["escalations"] = list(shared["escalations"])
        for escalation in shared["escalations"]:
            # What came of a referral, learnt after the withdrawal, is a later addition too.
            recorded = escalation.outcome_recorded_at
            escalation.outcome_withheld = recorded is not None and recorded > until
    return shared


def earlier_requests(membership, advice_request):
    """The other advice requests on the same concern: the hub's earlier advice, in order."""
    return (
        requests_visible_to(membership)
        .filter(concern_id=advice_request.concern_id, requested_at__lte=advice_request.requested_at)
        .exclude(pk=advice_request.pk)
        .select_related("requested_by", "advised_by", "withdrawn_by")
        .order_by("requested_at", "pk")
    )


class Changes(list):
    """The events a stale page missed, oldest first (`changes_since`), and how many of the
    versions it missed no event is known to have produced (`unlisted`)."""

    unlisted = 0


def changes_since(advice_request, version):
    """What has been done to the request's concern since a page showed it at `version`,
    oldest first, for a page refused as out of date to show what the person missed: the
    events that produced its later versions, each keeping the version it produced
    (`WorkflowEvent.concern_version`: a claim, release or reassignment produces none), each
    addendum's with its words (`addendum`), each referral outcome's with its referral
    (`escalation`), and a note only on this request's own events.
    Only what the request shares: nothing from before it was made, nor, once withdrawn,
    since (docs/adr/008), told by the versions the request's own events produced, as clocks
    can disagree. A version no event is known to have produced (a row from before versions
    were kept, which workflow migration 0007 could not place) is counted in `unlisted`, for
    the page to say that not everything is listed."""
    concern = advice_request.concern
    changes = Changes()
    if concern.version <= version:
        return changes
    events = concern.events.filter(concern_version__gt=version).select_related("actor")
    events = list(events.order_by("concern_version"))
    own = {
        event.action: event
        for event in advice_request.events.filter(
            action__in=[Action.REQUEST_ADVICE, Action.WITHDRAW_REQUEST]
        )
    }
    asked = own.get(Action.REQUEST_ADVICE)
    withdrawal = own.get(Action.WITHDRAW_REQUEST) if advice_request.withdrawn_at else None
    last_shared = concern.version
    if advice_request.withdrawn_at is not None:
        # Nothing is said of what came after the withdrawal, even that it is not listed.
        last_shared = withdrawal.concern_version if withdrawal else None
    if last_shared is not None:
        produced = {event.concern_version for event in events}
        changes.unlisted = sum(v not in produced for v in range(version + 1, last_shared + 1))

    def shared(event):
        if asked is not None and asked.concern_version is not None:
            if event.concern_version < asked.concern_version:
                return False
        elif event.at < advice_request.requested_at:
            return False
        if advice_request.withdrawn_at is None:
            return True
        if withdrawal is not None and withdrawal.concern_version is not None:
            return event.concern_version <= withdrawal.concern_version
        until = (withdrawal.at, withdrawal.pk) if withdrawal else (advice_request.withdrawn_at, 0)
        return (event.at, event.pk) <= until

    changes += filter(shared, events)
    if not changes:
        return changes
    since = min(e.at for e in changes)
    added = {
        addendum.created_at: addendum for addendum in concern.addenda.filter(created_at__gte=since)
    }
    outcomes = {}
    if any(event.action == Action.RECORD_OUTCOME for event in changes):
        # Each outcome's event is written at the time the outcome was recorded.
        outcomes = {
            escalation.outcome_recorded_at: escalation
            for escalation in concern.escalations.filter(outcome_recorded_at__gte=since)
        }
    for event in changes:
        event.label = Action(event.action).label
        event.addendum = added.get(event.at) if event.action == Action.ADD_ADDENDUM else None
        event.escalation = outcomes.get(event.at) if event.action == Action.RECORD_OUTCOME else None
        if event.advice_request_id != advice_request.pk:
            event.note = ""  # the school's own words about other steps are not shared
    return changes


def request_history(advice_request):
    """The workflow events of one request (claims, reassignments, urgency changes, advice)."""
    return advice_request.events.select_related("actor").order_by("at", "pk")


def school_contacts(school):
    """The school's active DSLs and deputies, for the hub to get in touch."""
    return (
        Membership.objects.filter(
            school=school, role__in=sorted(DSL_ROLES), is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def hub_staff(authority_id):
    """Active advisors and managers of an authority's Early Help Hub, by name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__local_authority_id=authority_id,
            memberships__role__in=sorted(HUB_ROLES),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def claims_back_to_queue(membership):
    """How many advice requests go back to the hub's queue, for anyone there to claim, when
    `membership` ends: those its holder has claimed and not answered at the authority, if
    this is their last hub role there (`claimant_left`). A count, nothing about a child."""
    if membership.role not in HUB_ROLES or not membership.is_active:
        return 0
    other_hub_roles = Membership.objects.filter(
        user_id=membership.user_id,
        local_authority_id=membership.local_authority_id,
        role__in=sorted(HUB_ROLES),
        is_active=True,
    ).exclude(pk=membership.pk)
    if other_hub_roles.exists():
        return 0
    return AdviceRequest.objects.filter(
        local_authority_id=membership.local_authority_id,
        claimed_by_id=membership.user_id,
        status=AdviceStatus.CLAIMED,
    ).count()
