"""Reporting periods, academic years and terms, on the Europe/London calendar.

The academic year runs from 1 September to 31 August. Terms, for the values coverage table,
follow a fixed rule because Easter moves: autumn is 1 September to 31 December, spring is
1 January to 31 March (Easter approximated as the end of March), and summer is 1 April to
31 August.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
TERM_RULE = (
    "Terms: autumn 1 September to 31 December, spring 1 January to 31 March (Easter is taken "
    "as the end of March), summer 1 April to 31 August."
)


def _long(day):
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in Europe/London."""

    start: date
    end: date

    @classmethod
    def academic_year(cls, day):
        """The academic year (1 September to 31 August) that `day` falls in."""
        first = day.year if day.month >= 9 else day.year - 1
        return cls(date(first, 9, 1), date(first + 1, 8, 31))

    @property
    def start_at(self):
        """Midnight at the start of the first day, London time (aware)."""
        return datetime.combine(self.start, time.min, tzinfo=LONDON)

    @property
    def end_at(self):
        """Midnight at the end of the last day, London time (aware, excluded)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LONDON)

    @property
    def label(self):
        return f"{_long(self.start)} to {_long(self.end)}"

    @property
    def slug(self):
        return f"{self.start.isoformat()}-to-{self.end.isoformat()}"

    def previous_academic_year(self):
        return Period.academic_year(date(self.start.year - 1, 12, 1))

    def months(self):
        """The first day of every month the period touches, in order."""
        month = self.start.replace(day=1)
        while month <= self.end:
            yield month
            month = (month + timedelta(days=32)).replace(day=1)

    def terms(self):
        """Every term the period touches, in order."""
        year = self.start.year - 1
        while True:
            for term in (
                Term("Autumn", date(year, 9, 1), date(year, 12, 31)),
                Term("Spring", date(year + 1, 1, 1), date(year + 1, 3, 31)),
                Term("Summer", date(year + 1, 4, 1), date(year + 1, 8, 31)),
            ):
                if term.start > self.end:
                    return
                if term.end >= self.start:
                    yield term
            year += 1


@dataclass(frozen=True)
class Term:
    season: str
    start: date
    end: date

    @property
    def key(self):
        return f"{self.season.lower()}_{self.start.year}"

    @property
    def label(self):
        return f"{self.season} {self.start.year}"


def academic_years_back(today, count):
    """The academic year containing `today` and the `count - 1` before it, newest first."""
    current = Period.academic_year(today)
    years = [current]
    for _ in range(count - 1):
        years.append(years[-1].previous_academic_year())
    return years


def academic_year_label(period):
    return f"{period.start.year} to {period.end.year} academic year"
