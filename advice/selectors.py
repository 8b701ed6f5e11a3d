"""Scoped reads of advice requests: hub staff see their authority's; a school's DSLs and head
teacher see their school's. Nobody else sees any."""

from audit.scope import get_in_scope
from schools.models import DSL_ROLES, HUB_ROLES, Role

from .models import AdviceRequest


def requests_visible_to(membership):
    if membership is None:
        return AdviceRequest.objects.none()
    if membership.role in HUB_ROLES:
        return AdviceRequest.objects.filter(
            concern__school__local_authority_id=membership.local_authority_id
        )
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
