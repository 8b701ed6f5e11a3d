"""The demo head teacher has evidence to see after `make run`, and seeding twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from reports.demo import ACTIVITIES, seed_demo_evidence
from reports.models import PolicyConfirmation, ValuesEvidence, ValuesEvidenceRevision
from schools.models import School, User
from tests.factories import signed_in
from tests.reports.tables import html_tables

# Demo passwords are hashed with Argon2, slow on purpose; these tests are about the evidence.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def seed(*args):
    call_command("seed_demo", *args, stdout=StringIO())


def counts():
    return (
        PolicyConfirmation.objects.count(),
        ValuesEvidence.objects.count(),
        ValuesEvidenceRevision.objects.count(),
    )


@pytest.mark.django_db
@override_settings(DEBUG=True)
@FAST_HASHER
def test_each_luton_demo_school_gets_a_confirmation_and_activities_once():
    seed()
    for school in School.objects.filter(local_authority__code="LUT"):
        assert school.policy_confirmations.count() == 1
        assert school.values_evidence.count() == len(ACTIVITIES)
    assert not School.objects.get(urn="900201").values_evidence.exists()
    before = counts()
    seed()
    assert counts() == before
    assert seed_demo_evidence() == {"confirmations": 0, "activities": 0}


@pytest.mark.django_db
@override_settings(DEBUG=False)
@FAST_HASHER
def test_no_demo_evidence_without_demo_passwords():
    seed()
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
@override_settings(DEBUG=True)
@FAST_HASHER
def test_the_demo_head_teacher_sees_the_evidence_in_the_report(client, clock):
    # The clock stopped: seeded just before midnight on 31 August, the evidence is dated in the
    # year that is ending, and the report read after it shows the new one.
    seed()
    signed_in(client, User.objects.get(email="head@leabank.example"))
    tables = html_tables(client.get("/reports/audit/").text)
    assert tables["evidence-values"][-1][-1] == str(len(ACTIVITIES))
    assert tables["evidence-policy"][2][1].startswith("Confirmed by ")
    assert 'id="policy-reminder-title"' not in client.get("/").text
