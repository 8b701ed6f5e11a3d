"""Scoped reads of concerns. Every view reads concerns through these, never `Concern.objects`.

Scope follows DESIGN.md section 4: staff see the concerns they recorded; DSLs, deputies and the
head teacher see all of their school's; hub staff see a concern only once the school has shared
it with the hub through an advice request, and only for schools of their own authority.
"""

from audit.scope import get_in_scope
from schools.models import DSL_ROLES, HUB_ROLES, Role

from .models import Concern


def concerns_visible_to(membership):
    if membership is None:
        return Concern.objects.none()
    role = membership.role
    if role in DSL_ROLES or role == Role.HEAD_TEACHER:
        return Concern.objects.filter(school_id=membership.school_id)
    if role == Role.STAFF:
        return Concern.objects.filter(
            school_id=membership.school_id, recorded_by_id=membership.user_id
        )
    if role in HUB_ROLES:
        return Concern.objects.filter(
            school__local_authority_id=membership.local_authority_id,
            pk__in=_shared_with_hub(),
        )
    return Concern.objects.none()


def _shared_with_hub():
    from advice.models import AdviceRequest

    return AdviceRequest.objects.values("concern_id")


def get_concern_for(membership, pk):
    """The concern with `pk` if this membership may see it; otherwise a 404, audited."""
    return get_in_scope(
        concerns_visible_to(membership).select_related(
            "school__local_authority", "pupil", "recorded_by"
        ),
        pk,
        "concern",
    )
