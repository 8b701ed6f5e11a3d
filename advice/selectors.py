"""Scoped reads of advice requests: hub staff see their authority's; a school's DSLs and head
teacher see their school's. Nobody else sees any."""

from audit.scope import get_in_scope
from schools.models import DSL_ROLES, HUB_ROLES, Membership, Role, User

from .models import AdviceRequest


def requests_visible_to(membership):
    if membership is None:
        return AdviceRequest.objects.none()
    if membership.role in HUB_ROLES:
        return AdviceRequest.objects.filter(local_authority_id=membership.local_authority_id)
    if membership.role in DSL_ROLES or membership.role == Role.HEAD_TEACHER:
        return AdviceRequest.objects.filter(concern__school_id=membership.school_id)
    return AdviceRequest.objects.none()


def get_request_for(membership, pk):
    """The advice request with `pk` if this membership may see it; otherwise a 404, audited."""
    return get_in_scope(
        requests_visible_to(membership).select_related(
            "concern__school__local_authority", "concern__pupil", "claimed_by", "requested_by"
        ),
        pk,
        "advicerequest",
    )


def earlier_requests(membership, advice_request):
    """The other advice requests on the same concern: the hub's earlier advice, in order."""
    return (
        requests_visible_to(membership)
        .filter(concern_id=advice_request.concern_id, requested_at__lte=advice_request.requested_at)
        .exclude(pk=advice_request.pk)
        .select_related("requested_by", "advised_by", "withdrawn_by")
        .order_by("requested_at", "pk")
    )


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
