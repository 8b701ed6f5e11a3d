"""Advice requests made through the real workflow at chosen moments, at any school, for the
hub's queue and overview tests."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from schools.models import Role
from tests.factories import PupilFactory, member
from tests.walk import advice_data, concern_data, given_advice
from workflow.advice import (
    claim_advice_request,
    give_advice,
    request_hub_advice,
    withdraw_advice_request,
)
from workflow.concerns import record_concern


@contextmanager
def at(moment):
    """Run workflow calls as if it were `moment`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield moment


class HubCases:
    def __init__(self):
        self._people = {}

    def people(self, school):
        """A member of staff, a DSL and a pupil of `school`, made once."""
        if school.pk not in self._people:
            self._people[school.pk] = (
                member(Role.STAFF, school, full_name=f"Staff at {school.name}"),
                member(Role.DSL, school, full_name=f"DSL at {school.name}"),
                PupilFactory(school=school),
            )
        return self._people[school.pk]

    def request(self, school, urgency="amber", *, when=None, categories=("neglect",), **more):
        """A concern recorded and sent to the hub at `when` (default: now)."""
        staff, dsl, pupil = self.people(school)
        when = when or timezone.now()
        with at(when):
            concern = record_concern(
                by=staff,
                pupil=pupil,
                **concern_data(observed_at=when - timedelta(hours=1), categories=list(categories)),
            )
            return request_hub_advice(concern, by=dsl, **advice_data(urgency=urgency, **more))

    def claimed(self, advice_request, by, *, when=None):
        with at(when or timezone.now()):
            return claim_advice_request(advice_request, by=by)

    def answered(self, advice_request, by, *, when=None, **advice):
        """Claimed and answered by `by` at `when`."""
        with at(when or timezone.now()):
            claim_advice_request(advice_request, by=by)
            return give_advice(advice_request, by=by, **given_advice(**advice))

    def withdrawn(self, advice_request):
        _, dsl, _ = self.people(advice_request.concern.school)
        return withdraw_advice_request(advice_request, by=dsl, reason="Resolved in school.")
