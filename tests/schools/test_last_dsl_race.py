"""Two administrators end a school's last two designated safeguarding leads at the same
moment: one is ended, the other is refused, and the school keeps a DSL."""

import time
from functools import partial

import pytest

from schools import services
from schools.exceptions import Refused
from schools.models import Membership, Role
from tests.concurrency import at_once, simultaneous_writers
from tests.factories import member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


def test_ending_the_last_two_dsls_at_once_leaves_the_school_one(
    school, authority, dsl, la_admin, monkeypatch
):
    second = member(Role.DSL, school)
    colleague = member(Role.LA_ADMIN, authority)
    real_record = services.record

    def slow_record(*args, **kwargs):
        # Hold the first one's locks a moment, so the other arrives meanwhile.
        time.sleep(0.3)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(services, "record", slow_record)
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
