"""Personas shared by the suite: one authority with two schools, and a second authority."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import settings

from safeguarding.reach import described, reason
from schools.models import Role

from .factories import (
    LocalAuthorityFactory,
    PupilFactory,
    SchoolFactory,
    member,
    signed_in,
    totp_code,
)
from .walk import Walker

# Property-based tests run 200 examples each in CI (.ci/run sets HYPOTHESIS_PROFILE=ci, and CI
# services set CI=1), and fewer on a developer's machine, where the suite is run often.
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_sessionstart(session):
    """`make test` with DATABASE_URL set and its PostgreSQL not up stops at once with one line
    saying so, not a traceback for every test that needs the database."""
    why = server_unreachable()
    if why:
        pytest.exit(
            f"The tests need {described()}, which cannot be reached: {why}. Start PostgreSQL, "
            "or unset DATABASE_URL to run them on SQLite.",
            returncode=3,
        )


def server_unreachable():
    """None if the PostgreSQL server the tests would create their database on answers."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    import psycopg

    config = connection.settings_dict
    params = {
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "connect_timeout": 10,
    }
    # As Django does to create the test database: the server's own database, else the named one
    # (which need not exist: the tests make their own).
    first = None
    for name in ["postgres", config["NAME"]]:
        try:
            psycopg.connect(dbname=name, **params).close()
        except psycopg.Error as error:
            first = first or error
        else:
            return None
    return reason(first)


@pytest.fixture
def authority(db):
    return LocalAuthorityFactory(name="Luton Borough Council", code="LUT")


@pytest.fixture
def other_authority(db):
    return LocalAuthorityFactory(name="Central Bedfordshire Council", code="CBD")


@pytest.fixture
def school(authority):
    return SchoolFactory(local_authority=authority, name="Lea Bank Primary School")


@pytest.fixture
def other_school(authority):
    return SchoolFactory(local_authority=authority, name="Chiltern Rise Academy")


@pytest.fixture
def other_la_school(other_authority):
    return SchoolFactory(local_authority=other_authority, name="Greensand Ridge Primary School")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, given_name="Amelia", family_name="Ahmed")


@pytest.fixture
def teacher(school):
    return member(Role.STAFF, school, full_name="Tara Teacher")


@pytest.fixture
def dsl(school):
    return member(Role.DSL, school, full_name="Dee Lead")


@pytest.fixture
def deputy_dsl(school):
    return member(Role.DEPUTY_DSL, school, full_name="Dev Deputy")


@pytest.fixture
def head(school):
    return member(Role.HEAD_TEACHER, school, full_name="Hana Head")


@pytest.fixture
def hub_advisor(authority):
    return member(Role.HUB_ADVISOR, authority, full_name="Ada Advisor")


@pytest.fixture
def hub_manager(authority):
    return member(Role.HUB_MANAGER, authority, full_name="Max Manager")


@pytest.fixture
def la_admin(authority):
    return member(Role.LA_ADMIN, authority, full_name="Lee Admin")


@pytest.fixture
def other_school_dsl(other_school):
    return member(Role.DSL, other_school, full_name="Oscar Otherschool")


@pytest.fixture
def other_la_advisor(other_authority):
    return member(Role.HUB_ADVISOR, other_authority, full_name="Olu Otherla")


@pytest.fixture
def client_for(db):
    """A test client signed in as `user`."""

    def make(user):
        client = Client()
        signed_in(client, user)
        return client

    return make


@pytest.fixture
def walk(teacher, dsl, hub_advisor, pupil):
    """Moves concerns about `pupil` through the real workflow (see tests/walk.py)."""
    return Walker(teacher, dsl, hub_advisor, pupil)


def reauthenticate(client):
    """Confirm the second factor again, as report downloads require."""
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    assert response.status_code == 302, "re-authentication with the second factor failed"
    return client


LONDON = ZoneInfo("Europe/London")


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def set(self, *parts):
        """Set the time to a Europe/London wall-clock time: clock.set(2026, 3, 2, 10, 0)."""
        self.moment = datetime(*parts, tzinfo=LONDON)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    """Stops time: `timezone.now()` and every `default=timezone.now` field read this clock."""
    real_now = timezone.now
    clock = Clock(real_now())
    monkeypatch.setattr(timezone, "now", clock.now)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.default is real_now:
                # Field.get_default() caches the callable in `_get_default`.
                monkeypatch.setitem(field.__dict__, "_get_default", clock.now)
    return clock
