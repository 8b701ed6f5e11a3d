"""Writes for a local authority's people: giving a person a role, ending one, and sending
a new person the email to set their password again.

The local authority's administrator (LA admin) manages who works where in their authority,
on the service's own pages (schools/views.py), never seeing case content. Each function takes
the acting user as the keyword-only `by=`, checks they are an active LA admin of the place's
authority, and writes its rows and one AuditEvent in one transaction. A refusal raises
`schools.exceptions.Refused` and writes nothing.

What an LA admin may grant: a school's roles (staff, DSL, deputy DSL, head teacher) at their
authority's schools, and the Early Help Hub's roles at the authority itself. Not another LA
admin's role (that is the power to grant every role, so it stays with the service's operators,
who audit it in the admin), and never a role to themselves: an LA admin sees no case content,
and giving themselves a DSL's role would open every child's record in a school.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html

from audit.log import record
from audit.models import AuditEvent
from safeguarding.templatetags.presenters import typed

from .exceptions import Refused
from .models import HUB_ROLES, SCHOOL_ROLES, LocalAuthority, Membership, Role, School, User
from .selectors import has_authority_role

GRANTABLE = {School: SCHOOL_ROLES, LocalAuthority: HUB_ROLES}
ALREADY_ENDED = "This role has already been ended"
# A set-password email sent again within this time is a second click, not a second need.
RESENT_WITHIN = timedelta(minutes=1)


def grantable_roles(place):
    """The roles an LA admin may give at `place` (a School or a LocalAuthority), in the
    order Role lists them."""
    allowed = GRANTABLE[type(place)]
    return [role for role in Role if role in allowed]


def _authority_of(place):
    return place.local_authority if isinstance(place, School) else place


def _refuse_unless_la_admin(user, authority):
    if not has_authority_role(user, authority, {Role.LA_ADMIN}):
        raise Refused(
            "Only the local authority's administrator can change who works in its schools."
        )


def _clean_email(email):
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise Refused("Enter the person's email address", field="email")
    try:
        EmailValidator()(email)
    except ValidationError:
        raise Refused(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from None
    return email


def add_member(place, **details):
    """Give the person with `email` the `role` at `place` (`_add_member`). A colleague adding
    the same person at the same moment makes the account or the role first: this one then
    finds theirs, as if it had come a moment later."""
    try:
        with transaction.atomic():
            return _add_member(place, **details)
    except IntegrityError:
        with transaction.atomic():
            return _add_member(place, **details)


def _add_member(place, *, by, email, role, full_name):
    """Give the person with `email` the `role` at `place` (a school of the LA admin's
    authority, or the authority itself), making their account if the address is new.

    Who: an active LA admin of the place's authority, for a role in `grantable_roles(place)`,
    and not for themselves, nor for an account the service's operators have switched off. A
    new account has no password: the person sets one from the emailed link, then sets up
    their authenticator app at first sign-in. A role the person held there before and that
    was ended starts again (the same row: who held which role where is history). Returns
    (membership, whether the account was made).
    """
    authority = _authority_of(place)
    _refuse_unless_la_admin(by, authority)
    if role not in GRANTABLE[type(place)]:
        raise Refused("Select one of the roles listed", field="role")
    email = _clean_email(email)
    # Required whether or not the address has an account, so that the answer does not say
    # which addresses have one. An account's own name stands.
    full_name = (full_name or "").strip()
    if not full_name:
        raise Refused("Enter the person's full name", field="full_name")
    user = User.objects.filter(email=email).first()
    created = user is None
    if user == by:
        raise Refused("You cannot give yourself a role: ask another administrator", field="email")
    if not created and not user.is_active:
        # They cannot sign in: the role would look given (a school's only working DSL, say)
        # and not work. Their name is not given: the address may be another authority's.
        raise Refused(
            "The account with this email address has been switched off: ask the service's "
            "operators to switch it on, then add the role",
            field="email",
        )
    if created:
        user = User.objects.create_user(email, full_name=full_name)
        record("user.create", actor=by, obj=user, authority=authority)
    where = {"school": place} if isinstance(place, School) else {"local_authority": place}
    membership = (
        Membership.objects.select_for_update().filter(user=user, role=role, **where).first()
    )
    if membership is not None and membership.is_active:
        raise Refused(
            format_html("{} is already {} at {}", typed(user), Role(role).label.lower(), place),
            field="email",
        )
    if membership is not None:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        action = "membership.restart"
    else:
        membership = Membership.objects.create(user=user, role=role, **where)
        action = "membership.grant"
    record(
        action,
        actor=by,
        obj=membership,
        school=membership.school,
        authority=authority,
        user=user.pk,
        role=role,
    )
    return membership, created


@transaction.atomic
def end_membership(membership, *, by):
    """End a person's role at a school or at the authority: it stops working at their next
    request. The row stays, so reports still show who held the role.

    Who: an active LA admin of the membership's authority, for a role they may grant (so
    not an LA admin's, their own included). Refuses a membership already ended, and the
    school's last designated safeguarding lead (every school has one: another is added
    first).
    """
    authority = membership.authority
    _refuse_unless_la_admin(by, authority)
    if membership.role not in GRANTABLE[type(membership.place)]:
        raise Refused("Only the service's operators can end a local authority administrator's role")
    dsls = []
    if membership.role == Role.DSL:
        # The school's DSLs are locked together, in one order, so that two administrators
        # ending its last two at once cannot each see the other still there.
        dsls = list(
            Membership.objects.select_for_update(of=("self",))
            .filter(school_id=membership.school_id, role=Role.DSL, is_active=True)
            .filter(user__is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise Refused(ALREADY_ENDED)
    if membership.role == Role.DSL and not [pk for pk in dsls if pk != membership.pk]:
        raise Refused(_only_dsl(membership))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    record(
        "membership.end",
        actor=by,
        obj=membership,
        school=membership.school,
        authority=authority,
        user=membership.user_id,
        role=membership.role,
    )
    return membership


def _only_dsl(membership):
    # The person's name in its own direction (typed in Arabic or Urdu, it would jumble the
    # sentence): the page shows this as it is, the rest escaped.
    return format_html(
        "{} is the only designated safeguarding lead at {}. "
        "Add another designated safeguarding lead first, then end this role",
        typed(membership.user),
        membership.school,
    )


def why_role_cannot_end(membership):
    """Why `end_membership` would refuse this active role, for the page to say before it is
    asked: it is the school's only designated safeguarding lead. None if it may end (which
    `end_membership` checks again, under lock)."""
    if membership.role != Role.DSL or not membership.is_active:
        return None
    others = (
        Membership.objects.filter(school_id=membership.school_id, role=Role.DSL, is_active=True)
        .filter(user__is_active=True)
        .exclude(pk=membership.pk)
    )
    return None if others.exists() else _only_dsl(membership)


@transaction.atomic
def resend_set_password_email(membership, *, by, send):
    """Send the person holding `membership` the email to set their password again, through
    `send(user)`, for when the first one was lost or could not be sent.

    Who: an active LA admin of the membership's authority. Refuses a role that has been
    ended, a person who has set a password already (they reset it themselves from the sign-in
    page) and an account the service's operators have switched off. The audit row is written
    first, in the same transaction, so an email that fails to go (`send` raises OSError)
    leaves no row and one that goes always has one.
    """
    authority = membership.authority
    _refuse_unless_la_admin(by, authority)
    user = membership.user
    if not Membership.objects.filter(pk=membership.pk, is_active=True).exists():
        raise Refused(
            format_html("{}'s role has been ended: add them again to give them a role", typed(user))
        )
    if user.has_usable_password():
        raise Refused(
            format_html(
                "{} has set a password already: if they have forgotten it, they can reset it "
                "from the sign-in page",
                typed(user),
            )
        )
    if not user.is_active:
        raise Refused(
            format_html(
                "{}'s account has been switched off: ask the service's operators", typed(user)
            )
        )
    # A second click waits here for the first, then finds the email it sent.
    User.objects.select_for_update().filter(pk=user.pk).first()
    sent_lately = AuditEvent.objects.filter(
        action="user.set_password_email",
        object_type="user",
        object_id=str(user.pk),
        at__gte=timezone.now() - RESENT_WITHIN,
    )
    if sent_lately.exists():
        raise Refused(
            format_html(
                "The email to set a password was sent to {} less than a minute ago. Ask them "
                "to look for it, in their junk folder too, before sending another",
                typed(user),
            )
        )
    record(
        "user.set_password_email",
        actor=by,
        obj=user,
        school=membership.school,
        authority=authority,
        membership=membership.pk,
    )
    send(user)
