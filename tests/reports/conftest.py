"""The reports' tests keep London's zone at hand; the stopped clock (`clock`) is in
tests/conftest.py."""

from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
