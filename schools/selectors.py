"""Scoped reads for tenancy: which places a user may act for, in which role.

Every other app asks these questions here rather than filtering memberships itself.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower

from audit.scope import get_in_scope

from .models import DSL_ROLES, Membership, Pupil, Role, School


def active_memberships(user):
    """The user's active memberships, with their school or authority, in a stable order."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("school__local_authority", "local_authority")
        .order_by("pk")
    )


def has_school_role(user, school, roles):
    """True if the user holds one of `roles` in `school` through an active membership."""
    return active_memberships(user).filter(school=school, role__in=roles).exists()


def has_authority_role(user, authority, roles):
    """True if the user holds one of `roles` in the local authority through an active membership."""
    return active_memberships(user).filter(local_authority=authority, role__in=roles).exists()


def schools_for(membership):
    """The schools a membership acts for: its own school, or every school of its authority."""
    if membership is None:
        return School.objects.none()
    if membership.school_id:
        return School.objects.filter(pk=membership.school_id)
    return School.objects.filter(local_authority_id=membership.local_authority_id)


def pupils_for(membership):
    """Pupils a school membership may find: its own school's roll. Authorities see none here;
    hub staff meet a pupil only through a concern the school has shared."""
    if membership is None or not membership.school_id:
        return Pupil.objects.none()
    return Pupil.objects.filter(school_id=membership.school_id)


def may_manage_pupils(membership):
    return membership is not None and membership.role in DSL_ROLES


def is_hub(membership):
    return membership is not None and membership.role in {Role.HUB_ADVISOR, Role.HUB_MANAGER}


def lockouts_clearable_in(authority):
    """Email addresses of the people whose lockout the authority's administrator may clear:
    those with an active role in the authority or one of its schools and none elsewhere, who
    are not the service's operators. An administrator could otherwise give a role to anyone's
    account (another authority's person, an operator) and clear its lockout again and again,
    guessing its password; such an account waits out its 15 minutes instead."""
    elsewhere = Membership.objects.filter(user=OuterRef("user"), is_active=True).filter(
        (Q(local_authority__isnull=False) & ~Q(local_authority_id=authority.pk))
        | (Q(school__isnull=False) & ~Q(school__local_authority_id=authority.pk))
    )
    return (
        _active_in_authority(authority.pk)
        .filter(user__is_staff=False, user__is_superuser=False)
        .exclude(Exists(elsewhere))
        .values_list("user__email", flat=True)
    )


def _in_authority(authority_id):
    """Memberships, active or ended, at the authority itself or at one of its schools."""
    return Membership.objects.filter(
        Q(local_authority_id=authority_id) | Q(school__local_authority_id=authority_id)
    )


def _active_in_authority(authority_id):
    """Active memberships at the authority itself or at one of its schools."""
    return _in_authority(authority_id).filter(is_active=True)


def schools_administered_by(membership):
    """The schools an LA admin's membership manages, each with its number of people (a
    head teacher who is also the DSL is one person)."""
    if membership is None or membership.role != Role.LA_ADMIN:
        return School.objects.none()
    return School.objects.filter(local_authority_id=membership.local_authority_id).annotate(
        people=Count("memberships__user", distinct=True, filter=Q(memberships__is_active=True))
    )


def members_at(place):
    """The active memberships at a school or an authority, by the person's name whatever the
    case of its first letter."""
    where = {"school": place} if isinstance(place, School) else {"local_authority": place}
    return (
        Membership.objects.filter(is_active=True, **where)
        .select_related("user")
        .order_by(Lower("user__full_name"), "user__email", "role")
    )


def memberships_administered_by(membership):
    """Active memberships at an LA admin's authority and its schools."""
    if membership is None or membership.role != Role.LA_ADMIN:
        return Membership.objects.none()
    return _active_in_authority(membership.local_authority_id).select_related(
        "user", "school__local_authority", "local_authority"
    )


def get_school_administered_by(membership, pk):
    """A school of the LA admin's authority; another's answers 404, audited."""
    return get_in_scope(schools_administered_by(membership), pk, "school")


def get_membership_administered_by(membership, pk):
    """A role at the LA admin's authority or its schools, ended ones included (a page drawn
    before a colleague ended it is told so: schools.services refuses it); another's answers
    404, audited."""
    if membership is None or membership.role != Role.LA_ADMIN:
        return get_in_scope(Membership.objects.none(), pk, "membership")
    roles = _in_authority(membership.local_authority_id).select_related(
        "user", "school__local_authority", "local_authority"
    )
    return get_in_scope(roles, pk, "membership")
