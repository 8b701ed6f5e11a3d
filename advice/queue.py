"""The Early Help Hub's queue: which requests, in what order, one page at a time.

Order: overdue first, then urgency (red, amber, green), then due time, then id. "Overdue"
depends on the time, so a page is ordered as of one moment (`as_of`), which the cursor
carries to the next page: a request that falls overdue while someone is paging does not jump
back over the cursor and get skipped. For the order, "overdue" is past its due time as of
that moment, whatever the status (an answered request past its due time sorts with the
overdue ones, though it is not tagged overdue): a request answered or withdrawn while someone
is paging every status keeps its place, and is not shown again on a later page. Pages are
keyset pages (rows after the last row's sort key), never OFFSET, so requests that arrive
meanwhile cannot make a row repeat or vanish.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When

from concerns.keyset import Key, beyond, dumps, loads
from concerns.models import Category, ConcernCategory, categories_of, category_list

from .models import AdviceStatus, Urgency, claimant_left, status_shown, status_shown_in
from .selectors import requests_visible_to

PAGE_SIZE = 50
OPEN_WORK = (AdviceStatus.OPEN, AdviceStatus.CLAIMED)
CLAIMED_BY_ME = "me"
UNCLAIMED = "nobody"
_SALT = "advice.queue.cursor"


@dataclass(frozen=True)
class Filters:
    statuses: tuple = OPEN_WORK
    urgencies: tuple = ()
    school_id: int | None = None
    category: str = ""
    claimed: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Cursor:
    """A position in the queue: the sort key of a row, and the moment the order was taken."""

    as_of: datetime
    overdue_rank: int
    urgency_rank: int
    due_at: datetime
    pk: int

    def encode(self):
        return dumps([getattr(self, key.name) for key in _CURSOR_KEYS], salt=_SALT)

    @classmethod
    def decode(cls, token):
        """The cursor in `token`, or None if it is missing, altered or malformed."""
        values = loads(token, _CURSOR_KEYS, salt=_SALT)
        return None if values is None else cls(*values)

    @classmethod
    def of(cls, row, as_of):
        return cls(as_of, row.overdue_rank, row.urgency_rank, row.due_at, row.pk)


@dataclass
class Page:
    rows: list
    as_of: datetime
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


def _urgency_rank():
    return Case(
        When(urgency=Urgency.RED, then=Value(0)),
        When(urgency=Urgency.AMBER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _overdue(as_of):
    return Q(status__in=OPEN_WORK, due_at__lt=as_of)


def _filtered(membership, user, filters, as_of, lapsed, *, skip=()):
    """The membership's requests narrowed by `filters`, except those named in `skip`;
    `lapsed`: the condition for a claim whose claimant has left the hub (`claims_lapsed_at`)."""
    requests = requests_visible_to(membership)
    if "status" not in skip:
        # As the rows show them: a request whose claimant has left the hub is open.
        requests = requests.filter(status_shown_in(filters.statuses, lapsed))
    if "urgency" not in skip and filters.urgencies:
        requests = requests.filter(urgency__in=filters.urgencies)
    if filters.school_id is not None:
        requests = requests.filter(school_id=filters.school_id)
    if filters.category:
        requests = requests.filter(
            Exists(
                ConcernCategory.objects.filter(
                    concern_id=OuterRef("concern_id"), category=filters.category
                )
            )
        )
    if filters.claimed == CLAIMED_BY_ME:
        # Not a claim of theirs that lapsed when they left the hub, before they came back.
        requests = requests.filter(Q(claimed_by=user) & ~lapsed)
    elif filters.claimed == UNCLAIMED:
        # Nobody is working on a request whose claimant has left the hub either.
        requests = requests.filter(Q(claimed_by__isnull=True) | lapsed)
    if filters.overdue:
        requests = requests.filter(_overdue(as_of))
    return requests


KEYS = [Key("overdue_rank"), Key("urgency_rank"), Key("due_at", datetime), Key("pk")]
_CURSOR_KEYS = [Key("as_of", datetime), *KEYS]  # a cursor's fields, in order


def _beyond(cursor, *, forwards):
    """Rows whose sort key comes after (or before) the cursor's: all four keys ascending."""
    values = [cursor.overdue_rank, cursor.urgency_rank, cursor.due_at, cursor.pk]
    return beyond(KEYS, values, forwards=forwards)


ORDER = ("overdue_rank", "urgency_rank", "due_at", "pk")


@dataclass
class Row:
    """What a queue row shows of a request, or orders, words and pages it by. Plain values, not
    model instances: a page is 50 rows, and building a request, its concern, school and
    claimant as models for each cost more than the database's work. Never the school's words
    about the child, nor the request's question and advice."""

    pk: int
    status: str
    urgency: str
    requested_at: datetime
    due_at: datetime
    advised_at: datetime | None
    reference: str
    school_name: str
    claimed_by_name: str | None
    overdue_rank: int
    urgency_rank: int
    claimant_left: bool = False  # claimed by someone who has left the hub: nobody has it
    categories: list = field(default_factory=list)  # labels, in order
    due_text: str = ""  # worded by the view, as of the moment it shows the page
    overdue: bool = False

    @property
    def is_open(self):
        return self.status in OPEN_WORK

    @property
    def status_shown(self):
        return status_shown(self.status, self.claimant_left)


_ROW_COLUMNS = (
    "pk",
    "status",
    "urgency",
    "requested_at",
    "due_at",
    "advised_at",
    "concern__reference",
    "concern__school__name",
    "claimed_by__full_name",
    "overdue_rank",
    "urgency_rank",
    "claimant_left",
    "category_list",
)


def _ranked(requests, as_of):
    # Past due, not `_overdue`: a sort key that changed with the status would move a request
    # answered between pages back past the cursor, to be shown again.
    return requests.annotate(
        overdue_rank=Case(
            When(due_at__lt=as_of, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        urgency_rank=_urgency_rank(),
    )


def _page_of(membership, chosen, ordering, as_of):
    """The rows whose ids `chosen` picks, in `ordering`, with what the page shows of each,
    their concerns' categories included: one query.

    Picking the page's ids in a subquery lets the database sort the open requests from the
    index (authority, status, urgency, due time, id) alone, without reading each request's
    row; only the page's rows are then read and joined to their concerns, schools and
    claimants. Joined before the sort, every open request of the authority would be."""
    found = (
        _ranked(requests_visible_to(membership).filter(pk__in=chosen), as_of)
        .annotate(category_list=category_list("concern"), claimant_left=claimant_left())
        .order_by(*ordering)
        .values_list(*_ROW_COLUMNS)
    )
    rows = []
    for *values, listed in found:
        rows.append(Row(*values, [Category(value).label for value in categories_of(listed)]))
    return rows


def queue_page(membership, user, filters, *, now, lapsed, after=None, before=None, size=None):
    """One page of the queue: one query (the rows with their categories).

    `after`/`before` are cursors from a previous page; the order is taken as of the first
    page's moment, which they carry, or `now` on a first page. `lapsed`: the condition for a
    lapsed claim (`claims_lapsed_at`), which filters by status or claimant read.
    """
    size = size or PAGE_SIZE
    cursor = after or before
    as_of = cursor.as_of if cursor else now
    rows = _ranked(_filtered(membership, user, filters, as_of, lapsed), as_of)
    if before is not None:
        backwards = [f"-{key}" for key in ORDER]
        chosen = (
            rows.filter(_beyond(before, forwards=False))
            .order_by(*backwards)
            .values("pk")[: size + 1]
        )
        rows = _page_of(membership, chosen, backwards, as_of)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        more_after = True
    else:
        if after is not None:
            rows = rows.filter(_beyond(after, forwards=True))
        chosen = rows.order_by(*ORDER).values("pk")[: size + 1]
        rows = _page_of(membership, chosen, ORDER, as_of)
        more_after = len(rows) > size
        rows = rows[:size]
        more_before = after is not None
    return Page(
        rows=rows,
        as_of=as_of,
        next_cursor=Cursor.of(rows[-1], as_of) if rows and more_after else None,
        previous_cursor=Cursor.of(rows[0], as_of) if rows and more_before else None,
    )


@dataclass(frozen=True)
class MoreThan:
    """A count that stopped at `cap`: finished work is counted only so far (see `counts`)."""

    cap: int

    def __str__(self):
        return f"More than {self.cap:,}"


COUNT_CAP = 1_000


def counts(membership, user, filters, *, as_of, lapsed):
    """How many requests each status and each urgency would show with the other filters
    unchanged. They count columns of the index on authority, status and urgency (never
    nulls), so the database need not read the table, but for claimed requests.

    Open and claimed requests (the hub's work now, which stays bounded) and the urgencies
    of the statuses chosen are counted exactly, in one query, as the rows show them: a
    request whose claimant has left the hub counts as open (`status_shown`): `lapsed`, the
    condition `claims_lapsed_at` works out from the hub's roles, read once before, not for
    each claimed request. Answered and withdrawn requests pile up for ever (90,000 after 15
    years in Luton, 8 to 15 ms to count), so each is counted up to `COUNT_CAP` and shown as
    `MoreThan(COUNT_CAP)` beyond: two queries that stop early."""
    chosen_urgency = Q(urgency__in=filters.urgencies) if filters.urgencies else Q()
    chosen_status = status_shown_in(filters.statuses, lapsed)
    counted = (
        _filtered(membership, user, filters, as_of, lapsed, skip={"status", "urgency"})
        .filter(status__in=sorted({*OPEN_WORK, *filters.statuses}))
        .aggregate(
            **{
                status.value: Count("status", filter=Q(status=status) & chosen_urgency)
                for status in OPEN_WORK
            },
            lapsed=Count("status", filter=lapsed & chosen_urgency),
            **{
                urgency.value: Count("urgency", filter=Q(urgency=urgency) & chosen_status)
                for urgency in Urgency
            },
        )
    )
    counted[AdviceStatus.OPEN.value] += counted["lapsed"]
    counted[AdviceStatus.CLAIMED.value] -= counted["lapsed"]
    others = _filtered(membership, user, filters, as_of, lapsed, skip={"status"})
    by_status = {}
    for status in AdviceStatus:
        if status in OPEN_WORK:
            by_status[status.value] = counted[status.value]
        else:
            n = others.filter(status=status).values("status")[: COUNT_CAP + 1].count()
            by_status[status.value] = MoreThan(COUNT_CAP) if n > COUNT_CAP else n
    return by_status, {urgency.value: counted[urgency.value] for urgency in Urgency}
