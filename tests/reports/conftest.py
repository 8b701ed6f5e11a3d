"""A clock the tests set, so records made through the real workflow carry known times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

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
