"""Working time for the Early Help Hub's targets.

Working time is Monday to Friday, 09:00 to 17:00 on the wall clock in Europe/London, excluding
bank holidays in England and Wales. Arithmetic is done on wall-clock times, so a working day is
always 8 hours, including the days the clocks change (they change at night).
"""

from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DAY_START = time(9, 0)
DAY_END = time(17, 0)
WORKING_DAY = timedelta(hours=8)

# Bank holidays in England and Wales, as days off work: substitute days for those that fall at
# a weekend, and the one-off days (the jubilees, the state funeral, the coronation). From the
# `holidays` package, for every year a report may cover (2000 on) and decades ahead, so no
# period counts a Christmas as working days. tests/workflow/test_working_time.py checks it
# against gov.uk's published dates.
BANK_HOLIDAYS = frozenset(
    day
    for day in holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2100))
    if day.weekday() < 5
)
# In order, for counting.
_WEEKDAY_HOLIDAYS = sorted(BANK_HOLIDAYS)


def is_working_day(day):
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def _next_working_day(day):
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _wall(moment):
    """The naive Europe/London wall-clock time of an aware datetime."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


def _aware(wall):
    return wall.replace(tzinfo=LONDON)


def _start_of_working_time(wall):
    """The first working instant at or after `wall`."""
    day = wall.date()
    if is_working_day(day) and wall.time() < DAY_END:
        return max(wall, datetime.combine(day, DAY_START))
    return datetime.combine(_next_working_day(day), DAY_START)


def add_working_hours(start, hours):
    """The aware datetime `hours` working hours after `start`."""
    remaining = timedelta(hours=hours)
    wall = _start_of_working_time(_wall(start))
    while True:
        end_of_day = datetime.combine(wall.date(), DAY_END)
        if remaining <= end_of_day - wall:
            return _aware(wall + remaining)
        remaining -= end_of_day - wall
        wall = datetime.combine(_next_working_day(wall.date()), DAY_START)


# Any Monday: working time is counted from here, so the count up to any moment is a number.
_EPOCH = date(2000, 1, 3)
_DAY_SECONDS = WORKING_DAY.total_seconds()


@lru_cache(maxsize=8192)
def _working_days_before(day):
    """How many working days there are from _EPOCH up to `day`, not included (negative
    before _EPOCH): only differences of it are used."""
    weeks, extra = divmod((day - _EPOCH).days, 7)
    return weeks * 5 + min(extra, 5) - bisect_left(_WEEKDAY_HOLIDAYS, day)


_DAY_START_SECONDS = DAY_START.hour * 3600 + DAY_START.minute * 60


def _working_seconds(moment):
    """Working seconds from _EPOCH to the aware `moment`, read off its wall clock in London."""
    local = moment.astimezone(LONDON)
    day = local.date()
    seconds = _working_days_before(day) * _DAY_SECONDS
    if is_working_day(day):
        into = (
            local.hour * 3600
            + local.minute * 60
            + local.second
            + local.microsecond / 1_000_000
            - _DAY_START_SECONDS
        )
        seconds += min(max(into, 0.0), _DAY_SECONDS)
    return seconds


def working_hours_between(start, end):
    """Working hours from `start` to `end` (0 if `end` is not after `start`).

    Each moment is turned into the working time elapsed since a fixed Monday, and the two
    are subtracted: the days in between are counted, not walked, so a request a year overdue
    costs the same as one due today (the hub's queue works this out for every row it shows,
    the head teacher's report for every concern of the period)."""
    if end <= start:
        return 0.0
    elapsed = _working_seconds(end) - _working_seconds(start)
    return max(elapsed, 0.0) / 3600
