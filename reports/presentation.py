"""How the audit report's figures are shown: as tables, and as text for one audience.

The governors' version replaces every count from 1 to 4 with "fewer than 5" (0 stays 0: it
identifies nobody), and hides any share, median or percentile worked out from fewer than 5
records; the British values activities, about no child, are counted in full. Where a table's
other counts and the report's totals would give a hidden count away (one year group hidden,
the rest and the number of concerns shown), one more count is hidden beside it
(`Formatter.breakdown`), or, where that is not enough, the total (`Formatter.total`).
"""

from dataclasses import dataclass, field

from .charts import bar_chart
from .periods import TERM_RULE

FULL = "full"
GOVERNORS = "governors"
SMALL = 5
FEWER = "fewer than 5"
NOT_SHOWN = "not shown (fewer than 5)"
# Hidden only so that a count of fewer than 5 beside it cannot be worked out.
WITHHELD = "not shown"
NONE = "none"


@dataclass(frozen=True)
class Link:
    text: str
    href: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    key: str
    caption: str
    headers: list
    rows: list
    numeric: tuple = ()  # indexes of columns holding figures (aligned right)
    chart: object = None
    empty: str = "None in this period."
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    tables: list = field(default_factory=list)
    intro: str = ""


NOTES = [
    "Each record counts in the period by its own date: a concern by when it was recorded, an "
    "advice request by when it was made, a parent conversation by when it was logged, an "
    "escalation by when it was made, a closure by when it was closed. Figures marked 'now' "
    "describe the school when the report was produced.",
    "A concern's step 3 counts once, by its latest parent conversation in the period: one "
    "followed by a later one on the same concern (the parent or carer reached later, say, or "
    "talked with again after follow-up advice) counts as the later one, unless the concern was "
    "closed and reopened between them. A later one logged after the period counts in the "
    "period it was logged in.",
    "Working hours are Monday to Friday, 9am to 5pm (UK time), not counting bank holidays in "
    "England and Wales. One working day is 8 working hours. Time from seen or heard to "
    "recorded is in ordinary hours.",
    "A DSL's first action is the first step a DSL or deputy DSL of the school took on a "
    "concern after it was recorded (for example asking the hub, escalating, closing or adding "
    "a note). A concern awaits DSL review until a DSL decides what to do: asks the hub, "
    "escalates it or closes it, as the reminder to the DSLs has it; a note alone does not end "
    "the wait. A concern reopened, or whose advice request was withdrawn, waits again from "
    "then.",
    "Medians are the middle value (the average of the middle two for an even number). The 90th "
    "percentile is the value 90% of answers were as fast as or faster than (nearest rank).",
    "Year groups are the year groups the pupils were in when each concern was recorded.",
    TERM_RULE,
]
GOVERNORS_NOTE = (
    "This is the governors' version: any count from 1 to 4 is shown as 'fewer than 5' (a count "
    "of 0 is shown as 0), shares and times based on fewer than 5 records, and shares that "
    "would leave fewer than 5 out ('8 of 10'), are not shown, and no "
    "names of staff or pupils, and no concern references, are included. Where the other "
    "figures would give away a count of fewer than 5 (the advice requests still open, answered "
    "and withdrawn add up to those made, say), one more count is 'not shown', or the total "
    "itself where no other count can be (five concerns in five year groups, say). The British "
    "values activities are about no child and are counted in full."
)


class Formatter:
    """Figures as text for one audience."""

    def __init__(self, audience):
        self.governors = audience == GOVERNORS

    def small(self, n):
        return self.governors and 0 < n < SMALL

    def count(self, n):
        return FEWER if self.small(n) else f"{n:,}"

    def share(self, part, whole):
        if whole == 0:
            return NONE
        # "8 of 10" would give away the 2 that were not: hidden as the part itself would be.
        if self.small(part) or self.small(whole) or self.small(whole - part):
            return NOT_SHOWN
        percent = int(100 * part / whole + 0.5)
        # Rounded, 199 of 200 within target would read 100% and 1 of 300 would read 0%: an
        # inspector takes those as every one and none.
        if percent == 100 and part < whole:
            percent = "more than 99"
        elif percent == 0 and part > 0:
            percent = "less than 1"
        return f"{percent}% ({part:,} of {whole:,})"

    def hours(self, sample, statistic="median"):
        if sample.n == 0:
            return NONE
        if self.small(sample.n):
            return NOT_SHOWN
        return f"{getattr(sample, statistic):.1f}"

    def breakdown(self, counts, *, whole_hidden=False):
        """Each count as text, as `count` shows it, and in the governors' version one more
        hidden where the report's totals (the number of concerns, of conversations not held)
        less the counts shown would give away the hidden ones: one count of 1 to 4 alone, or
        several that can only be all 1s or all 4s. The smallest other count is then hidden
        too, so the difference no longer says how the hidden ones split. (The full version
        hides nothing: `small` is never true there.)

        `whole_hidden`: the total they add up to is 'not shown' (`total`), as another
        breakdown of it would give a count away; this one must not add up to it either, so its
        largest count is withheld (five concerns in five year groups, all recorded in March:
        'March: 5' would give the 5 back)."""
        texts = [self.count(n) for n in counts]
        if whole_hidden and self.governors:
            # With no total to take them from, the hidden counts cannot be worked out; but
            # shown in full the counts would add up to it.
            largest = max(range(len(counts)), key=counts.__getitem__, default=None)
            if largest is not None and counts[largest] >= SMALL:
                texts[largest] = WITHHELD
            return texts
        hidden = [n for n in counts if self.small(n)]
        k, together = len(hidden), sum(hidden)
        if not hidden or not (k == 1 or together in (k, k * (SMALL - 1))):
            return texts
        # A withheld count is known to be 5 or more. With the totals, the hidden counts are
        # then still fixed when they are all 1 and every count withheld is exactly 5 (12, 5
        # and 1 of 18: 18 - 12 = 6 = 5 + 1), so withhold the next smallest until they are not.
        withheld = 0
        for n, i in sorted((n, i) for i, n in enumerate(counts) if n >= SMALL):
            texts[i] = WITHHELD
            withheld += n
            if together + withheld > k + SMALL * texts.count(WITHHELD):
                break
        return texts

    def total(self, n, *parts):
        """The total of one or more breakdowns (`parts`, each a list of the counts that add up
        to it), as text. In the governors' version it is 'not shown' where, beside its parts
        as `breakdown` shows them, it would still fix a hidden count: no count of 5 or more is
        left to withhold (five year groups of 'fewer than 5' and five concerns: 1 each; two
        and eight: 4 each), or every one is withheld and the difference is their least
        (6 of one 'not shown' and one 'fewer than 5': 5 and 1)."""
        if self.small(n) or not any(self.gives_away(counts) for counts in parts):
            return self.count(n)
        return WITHHELD

    def gives_away(self, counts):
        """Whether `breakdown`'s texts and the counts' total leave the hidden counts one
        possible value each: "fewer than 5" is 1 to 4, "not shown" 5 or more."""
        hidden = [n for n in counts if self.small(n)]
        if not hidden:
            return False
        texts = self.breakdown(counts)
        k, together = len(hidden), sum(hidden)
        withheld = [n for n, text in zip(counts, texts, strict=True) if text == WITHHELD]
        if withheld:
            return together + sum(withheld) == k + SMALL * len(withheld)
        return k == 1 or together in (k, k * (SMALL - 1))

    def bar(self, label, n, text=None):
        """(label, value to draw, text) for a chart; a hidden count draws no bar."""
        text = self.count(n) if text is None else text
        return (label, None if self.small(n) or text == WITHHELD else n, text)


def notes(audience):
    return [*NOTES, GOVERNORS_NOTE] if audience == GOVERNORS else list(NOTES)


def key_figures(key, of, rows):
    """The section's key figures, captioned by what they are of: each table's region is named
    by its caption, and a screen reader lists the regions by name."""
    return Table(
        key=key,
        caption=f"Key figures: {of}",
        headers=["Measure", "Value"],
        rows=rows,
        numeric=(1,),
    )


def counted(
    key,
    caption,
    heading,
    items,
    fmt,
    *,
    chart=True,
    note="",
    empty="None in this period.",
    parts=None,
    whole_hidden=False,
):
    """A two-column table of (label, count) with its bar chart. `parts`: for each item, the
    counts shown elsewhere that add up to it (`Formatter.total`)."""
    texts = fmt.breakdown([n for _, n in items], whole_hidden=whole_hidden)
    for i, (_, n) in enumerate(items if parts else ()):
        if fmt.total(n, parts[i]) == WITHHELD:
            texts[i] = WITHHELD
    return Table(
        key=key,
        caption=caption,
        headers=[heading, "Number"],
        rows=[[label, text] for (label, _), text in zip(items, texts, strict=True)],
        numeric=(1,),
        chart=bar_chart(
            key,
            caption,
            [fmt.bar(label, n, text) for (label, n), text in zip(items, texts, strict=True)],
        )
        if chart and items
        else None,
        note=note,
        empty=empty,
    )
