from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from schools.demo import DEMO_PASSWORD
from schools.models import LocalAuthority, Membership, Pupil, Role, School, User
from workflow.retention import born_on_or_before


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list(*fields))
        for model, fields in [
            (LocalAuthority, ("code", "name")),
            (School, ("urn", "name", "local_authority__code")),
            (Pupil, ("school__urn", "upn", "given_name", "family_name", "date_of_birth")),
            (User, ("email", "full_name", "password")),
            (Membership, ("user__email", "role", "school__urn", "local_authority__code")),
        ]
    }


def run(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_creates_two_authorities_four_schools_and_every_role():
    output = run()
    assert LocalAuthority.objects.count() == 2
    luton = LocalAuthority.objects.get(code="LUT")
    assert luton.name == "Luton Borough Council"
    assert luton.schools.count() == 3
    assert School.objects.exclude(local_authority=luton).count() == 1
    # A former pupil of Lea Bank, now 26, whose records are due for review; and 30 on each roll.
    former = Pupil.objects.filter(date_of_birth__lte=born_on_or_before(timezone.localdate()))
    assert [(p.school.urn, p.full_name) for p in former] == [("900101", "Jordan Example")]
    for school in School.objects.all():
        assert school.pupils.exclude(pk__in=former).count() == 30
        roles = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert roles == {Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEAD_TEACHER}
    for authority in LocalAuthority.objects.all():
        roles = set(
            Membership.objects.filter(local_authority=authority).values_list("role", flat=True)
        )
        assert roles == {Role.HUB_ADVISOR, Role.HUB_MANAGER, Role.LA_ADMIN}
    for user in User.objects.all():
        assert user.email in output
        assert user.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_twice_changes_nothing(clock):
    # The clock stopped: seeded again after midnight on 31 August, every demo pupil's date of
    # birth is moved on a year, to stay in their year group.
    run()
    before = snapshot()
    output = run()
    assert snapshot() == before
    assert "0 authorities, 0 schools, 0 pupils, 0 users, 0 memberships" in output


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_sets_no_passwords_when_debug_is_off():
    output = run()
    assert DEMO_PASSWORD not in output
    assert not any(user.has_usable_password() for user in User.objects.all())
    assert "No demo passwords were set" in output


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_sets_passwords_with_explicit_demo_flag():
    output = run("--demo")
    assert DEMO_PASSWORD in output
    assert User.objects.get(email="dsl@leabank.example").check_password(DEMO_PASSWORD)


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_pupils_have_valid_upns():
    run()
    for pupil in Pupil.objects.all():
        pupil.full_clean()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_every_demo_user_signs_in_with_the_printed_password_and_secret_and_sees_their_role():
    import re

    from django.test import Client
    from django.urls import reverse

    from tests.factories import totp_code

    output = run()
    printed = re.findall(r"^  (\S+@\S+)\s+([A-Z2-7]{32})\s+(.+), (.+)$", output, re.MULTILINE)
    assert len(printed) == User.objects.count() == 22
    for email, secret, role, place in printed:
        client = Client()
        client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response["Location"] == reverse("home"), email
        home = client.get(reverse("home")).text
        assert f'<h1 class="govuk-heading-l">{role}</h1>' in home, email
        assert place in home


@pytest.mark.django_db
@pytest.mark.parametrize("flags", [(), ("--demo",)])
@override_settings(DEBUG=True)
def test_seed_demo_refuses_a_database_holding_real_data(flags):
    # A live Luton, set up by an operator with the code the demo uses: demo people with a
    # published password must never get roles at a real authority, nor fictional children
    # join its schools.
    luton = LocalAuthority.objects.create(
        code="LUT", name="Luton Borough Council", hub_email="earlyhelphub@luton.gov.uk"
    )
    User.objects.create_user("dsl@realschool.sch.uk")
    before = snapshot()
    with pytest.raises(CommandError, match="not the demo's"):
        run(*flags)
    assert snapshot() == before
    assert not Membership.objects.filter(local_authority=luton).exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "real",
    [
        lambda: User.objects.create_user("head@school.sch.uk"),
        lambda: LocalAuthority.objects.create(code="BED", name="Bedford Borough Council"),
    ],
)
def test_any_real_person_or_authority_stops_seed_demo(real):
    real()
    with pytest.raises(CommandError, match="not the demo's"):
        run()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_runs_beside_an_operators_superuser():
    # A developer's own superuser on their laptop is not real data.
    User.objects.create_superuser("me@council.gov.uk", "a-long-password-1")
    run()
    assert LocalAuthority.objects.count() == 2
