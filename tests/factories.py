import datetime

import factory
from django.contrib.auth.hashers import make_password

from schools.demo import make_upn
from schools.models import LocalAuthority, Membership, Pupil, Role, School, User

PASSWORD = "correct-horse-battery-staple"
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

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = _PASSWORD_HASH


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
