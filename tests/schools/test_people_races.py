"""Two administrators at the same moment: ending a school's last two designated safeguarding
leads leaves it one; adding the same new person makes one account."""

from functools import partial

import pytest

from schools import services
from schools.exceptions import Refused
from schools.models import Membership, Role, User
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from tests.factories import member
from tests.notices import words

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


def test_ending_the_last_two_dsls_at_once_leaves_the_school_one(
    school, authority, dsl, la_admin, monkeypatch
):
    second = member(Role.DSL, school)
    colleague = member(Role.LA_ADMIN, authority)
    hold_locks_a_moment(monkeypatch, services, name="record")
    outcomes = []

    def end(person, by):
        try:
            services.end_membership(Membership.objects.get(user=person), by=by)
            outcomes.append("ended")
        except Refused as refused:
            outcomes.append(refused.message)

    failures = at_once(partial(end, dsl, la_admin), partial(end, second, colleague))

    assert failures == []
    assert outcomes.count("ended") == 1
    [refused] = [outcome for outcome in outcomes if outcome != "ended"]
    assert "is the only designated safeguarding lead" in refused
    assert Membership.objects.filter(school=school, role=Role.DSL, is_active=True).count() == 1


def test_two_administrators_adding_the_same_new_person_at_once_make_one_account(
    school, authority, la_admin, monkeypatch
):
    colleague = member(Role.LA_ADMIN, authority)
    hold_locks_a_moment(monkeypatch, services, name="record")
    outcomes = []

    def add(by, role):
        try:
            services.add_member(
                school, by=by, email="new.person@leabank.example", role=role, full_name="Nia New"
            )
            outcomes.append(role)
        except Refused as refused:
            outcomes.append(refused.message)

    failures = at_once(partial(add, la_admin, Role.STAFF), partial(add, colleague, Role.STAFF))

    assert failures == []  # neither a server error
    assert outcomes.count(Role.STAFF) == 1
    [refused] = [outcome for outcome in outcomes if outcome != Role.STAFF]
    assert words(refused) == "Nia New is already member of staff at Lea Bank Primary School"
    assert User.objects.filter(email="new.person@leabank.example").count() == 1
    assert Membership.objects.filter(user__email="new.person@leabank.example").count() == 1


def test_two_administrators_giving_one_new_person_two_roles_at_once_give_both(
    school, authority, la_admin, monkeypatch
):
    colleague = member(Role.LA_ADMIN, authority)
    hold_locks_a_moment(monkeypatch, services, name="record")

    def add(by, role):
        services.add_member(
            school, by=by, email="new.person@leabank.example", role=role, full_name="Nia New"
        )

    failures = at_once(partial(add, la_admin, Role.STAFF), partial(add, colleague, Role.DSL))

    assert failures == []
    roles = Membership.objects.filter(user__email="new.person@leabank.example")
    assert sorted(roles.values_list("role", flat=True)) == sorted([Role.DSL, Role.STAFF])
