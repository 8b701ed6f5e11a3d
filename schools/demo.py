"""Fictional demo data: a Luton-shaped authority, a second authority to prove isolation, their
schools, pupils and one person for each role. Every name, URN, UPN and address is made up."""

import random
from datetime import date
from types import SimpleNamespace

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LocalAuthority, Membership, Pupil, Role, School, User
from .validators import upn_check_letter

DEMO_PASSWORD = "demo-safeguarding-2026"
PUPILS_PER_SCHOOL = 30

AUTHORITIES = [
    {
        "name": "Luton Borough Council",
        "code": "LUT",
        "dfe_number": "821",
        "domain": "luton.example",
        "hub_email": "earlyhelphub@luton.example",
        "people": {
            Role.HUB_ADVISOR: "Priya Sharma",
            Role.HUB_MANAGER: "Daniel Okafor",
            Role.LA_ADMIN: "Helen Carter",
        },
        "schools": [
            ("Lea Bank Primary School", "900101", School.Phase.PRIMARY, "leabank"),
            ("Chiltern Rise Academy", "900102", School.Phase.SECONDARY, "chilternrise"),
            ("Hatters Way Junior School", "900103", School.Phase.PRIMARY, "hattersway"),
        ],
    },
    {
        "name": "Central Bedfordshire Council",
        "code": "CBD",
        "dfe_number": "823",
        "domain": "centralbeds.example",
        "hub_email": "earlyhelphub@centralbeds.example",
        "people": {
            Role.HUB_ADVISOR: "Tom Haddad",
            Role.HUB_MANAGER: "Grace Mensah",
            Role.LA_ADMIN: "Owen Price",
        },
        "schools": [
            ("Greensand Ridge Primary School", "900201", School.Phase.PRIMARY, "greensand"),
        ],
    },
]

SCHOOL_PEOPLE = [
    (Role.STAFF, "teacher"),
    (Role.DSL, "dsl"),
    (Role.DEPUTY_DSL, "deputy"),
    (Role.HEAD_TEACHER, "head"),
]

GIVEN_NAMES = [
    "Amelia",
    "Aisha",
    "Oliver",
    "Mohammed",
    "Isla",
    "Harry",
    "Zara",
    "Noah",
    "Maya",
    "Jacob",
    "Fatima",
    "Leo",
    "Ava",
    "Ibrahim",
    "Grace",
    "Arjun",
    "Sofia",
    "Kacper",
    "Ella",
    "Yusuf",
    "Lily",
    "Oscar",
    "Hana",
    "George",
    "Ruby",
    "Adam",
    "Mia",
    "Theo",
    "Amira",
    "Jack",
]
FAMILY_NAMES = [
    "Ahmed",
    "Smith",
    "Kowalski",
    "Begum",
    "Jones",
    "Patel",
    "Williams",
    "Hussain",
    "Brown",
    "Nowak",
    "Taylor",
    "Khan",
    "Davies",
    "Ali",
    "Evans",
    "Osei",
    "Wilson",
    "Rahman",
    "Murphy",
    "Singh",
    "Thomas",
    "Mensah",
    "Roberts",
    "Iqbal",
    "Walker",
    "Silva",
    "Wright",
    "Chowdhury",
]
STAFF_GIVEN = ["Sarah", "James", "Nadia", "Michael", "Rachel", "Imran", "Claire", "Peter"]
STAFF_FAMILY = ["Hughes", "Bennett", "Malik", "Foster", "Greene", "Aziz", "Lloyd", "Morgan"]


def academic_year_start(today):
    """The calendar year in which the current academic year (1 September to 31 August) began."""
    return today.year if today.month >= 9 else today.year - 1


def year_groups(phase):
    if phase == School.Phase.SECONDARY:
        return [str(n) for n in range(7, 12)]
    return ["R"] + [str(n) for n in range(1, 7)]


def date_of_birth(rng, year_group, start_year):
    """A birthday that fits the year group: Reception children turn 5 in the academic year."""
    offset = 0 if year_group == "R" else int(year_group)
    born_from = date(start_year - 5 - offset, 9, 1)
    return date.fromordinal(born_from.toordinal() + rng.randrange(365))


def make_upn(dfe_number, establishment, year, serial):
    body = f"{dfe_number}{establishment:04d}{year % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def _user(email, full_name, password, created):
    user, made = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if made:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
    elif password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    created["users"] += made
    return user


def totp_secret(user):
    """The user's authenticator-app secret, set up now if they have none (demo only)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def second_factor_used(session, user):
    """Mark `session`, signed in as `user` without the sign-in pages (by the test client's
    force_login, the bench or the load test), as allauth marks one whose user typed their app's
    code. Without it the service ends the session (safeguarding/middleware.py)."""
    request = SimpleNamespace(session=session)
    record_authentication(request, user, "mfa", type=Authenticator.Type.TOTP)


def _membership(user, role, created, school=None, authority=None):
    _, made = Membership.objects.get_or_create(
        user=user, role=role, school=school, local_authority=authority
    )
    created["memberships"] += made


@transaction.atomic
def seed(*, with_passwords):
    """Create the demo data if it is missing. Returns (sign-ins, counts of what was created).

    With passwords (the demo), every demo user also gets an authenticator-app secret, returned
    in the sign-ins so the demo and the browser tests can produce codes."""
    password = DEMO_PASSWORD if with_passwords else None
    created = {"authorities": 0, "schools": 0, "pupils": 0, "users": 0, "memberships": 0}
    sign_ins = []
    start_year = academic_year_start(timezone.localdate())
    for spec in AUTHORITIES:
        authority, made = LocalAuthority.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "hub_email": spec["hub_email"]}
        )
        created["authorities"] += made
        for role, full_name in spec["people"].items():
            email = f"{role.value.replace('_', '.')}@{spec['domain']}"
            user = _user(email, full_name, password, created)
            _membership(user, role, created, authority=authority)
            sign_ins.append((email, role.label, authority.name, _secret(user, with_passwords)))
        for index, (name, urn, phase, slug) in enumerate(spec["schools"]):
            school, made = School.objects.get_or_create(
                urn=urn,
                defaults={
                    "name": name,
                    "local_authority": authority,
                    "phase": phase,
                    "safeguarding_policy_url": f"https://{slug}.example/safeguarding-policy",
                },
            )
            created["schools"] += made
            rng = random.Random(int(urn))
            for role, local_part in SCHOOL_PEOPLE:
                full_name = f"{rng.choice(STAFF_GIVEN)} {rng.choice(STAFF_FAMILY)}"
                email = f"{local_part}@{slug}.example"
                user = _user(email, full_name, password, created)
                _membership(user, role, created, school=school)
                sign_ins.append((email, role.label, school.name, _secret(user, with_passwords)))
            created["pupils"] += _pupils(school, spec["dfe_number"], 2000 + index, rng, start_year)
    return sign_ins, created


def _pupils(school, dfe_number, establishment, rng, start_year):
    groups = year_groups(school.phase)
    existing = set(school.pupils.values_list("upn", flat=True))
    new = []
    for serial in range(1, PUPILS_PER_SCHOOL + 1):
        year_group = groups[serial % len(groups)]
        born = date_of_birth(rng, year_group, start_year)
        upn = make_upn(dfe_number, establishment, born.year + 4, serial)
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        if upn not in existing:
            new.append(
                Pupil(
                    school=school,
                    given_name=given,
                    family_name=family,
                    date_of_birth=born,
                    year_group=year_group,
                    upn=upn,
                )
            )
    Pupil.objects.bulk_create(new)
    return len(new)


def _secret(user, with_passwords):
    return totp_secret(user) if with_passwords else None


def real_data():
    """What in the database is not the fictional demo's (nor the scale data sets', which grow
    it), named for a refusal; None when there is nothing else. Every demo person, school and
    hub inbox is at a reserved `.example` domain; an operator's superuser alone (a developer's
    own, on their machine) holds no one's data."""
    if User.objects.filter(is_superuser=False).exclude(email__iendswith=".example").exists():
        return "a person"
    demo = {(spec["code"], spec["hub_email"]) for spec in AUTHORITIES}
    if any(pair not in demo for pair in LocalAuthority.objects.values_list("code", "hub_email")):
        return "an authority"
    fictional = r"^https://[a-z0-9-]+\.example/"
    if School.objects.exclude(safeguarding_policy_url__regex=fictional).exists():
        return "a school"
    return None


def passwords_allowed(explicit_demo):
    return settings.DEBUG or explicit_demo
