import datetime
import time

import factory
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from schools.demo import make_upn, second_factor_used
from schools.models import LocalAuthority, Membership, Pupil, Role, School, User

PASSWORD = "correct-horse-battery-staple"
# Every factory user has an authenticator app with this secret, as every real user must.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret=TOTP_SECRET, offset=0):
    """The code an authenticator app shows now (or `offset` periods away). In the last two
    seconds of a period it waits for the next one, as a person would: a code read then may
    expire before the request that carries it is checked (no tolerance is allowed)."""
    period = mfa_settings.TOTP_PERIOD
    if offset == 0 and period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.01)
    counter = int(time.time()) // period + offset
    return format_hotp_value(hotp_value(secret, counter))


# Hashed once: Argon2 is deliberately slow, and every factory user shares the password.
_PASSWORD_HASH = make_password(PASSWORD)


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Authority {n}")
    code = factory.Sequence(lambda n: f"A{n:02d}")
    hub_email = factory.LazyAttribute(lambda o: f"hub@{o.code.lower()}.example")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    urn = factory.Sequence(lambda n: f"{800000 + n}")
    phase = School.Phase.PRIMARY
    safeguarding_policy_url = "https://school.example/safeguarding-policy"


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = datetime.date(2016, 5, 17)
    year_group = "4"
    upn = factory.Sequence(lambda n: make_upn("821", 2000 + n // 1000, 20, n % 1000))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = _PASSWORD_HASH

    @factory.post_generation
    def mfa(user, create, extracted, **kwargs):
        """Pass `mfa=False` for a user who has not yet set up their second factor."""
        has_app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if create and extracted is not False and not has_app:
            TOTP.activate(user, TOTP_SECRET)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    school = factory.SubFactory(SchoolFactory)
    local_authority = None


def member(role, place, **user_fields):
    """A user holding `role` at `place` (a School or a LocalAuthority)."""
    user = UserFactory(**user_fields)
    if isinstance(place, School):
        MembershipFactory(user=user, role=role, school=place)
    else:
        MembershipFactory(user=user, role=role, school=None, local_authority=place)
    return user


def signed_in(client, user):
    """`client` signed in as `user` with their second factor, as the sign-in pages leave it
    (tests/schools/test_sign_in.py goes through them)."""
    client.force_login(user)
    session = client.session
    second_factor_used(session, user)
    session.save()
    return client


def kept_review(pupil, *, by, reason, days=30):
    """A review at the 25th birthday that kept `pupil`'s records for `days` more, written
    directly (workflow.retention checks the pupil is due; these tests need it anyway)."""
    from concerns.models import RecordsReview

    return RecordsReview.objects.create(
        school=pupil.school,
        pupil=pupil,
        file_reference=pupil.pk,
        decision="keep",
        reason=reason,
        review_again_on=timezone.localdate() + datetime.timedelta(days=days),
        concerns=1,
        decided_by=by,
    )
