"""The DSL's inbox: the school's concerns grouped by what each needs next.

Groups come in the order a DSL works them; within a group of open concerns a child thought to
be at immediate risk comes first, then the oldest; closed concerns come most recently closed
first (a DSL looks for last week's, not the first the school ever closed). A closed concern
someone else has added to since it was closed, however long ago it was closed, is listed with
the new work until the reader has read the addition, for 30 days from it as a closing is. One
query finds the concerns closed in the last 30 days and those added to since closing in them,
one fetches a page of rows with everything a row shows
(the hub's due time, whether an escalation awaits its outcome, when it was closed, whether
someone else has added to it since the reader last opened it) and their categories, whatever
the number of rows.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, In
from django.utils import timezone

from advice.models import AdviceRequest, AdviceStatus, NextStep
from safeguarding.searches import as_upn, name_contains
from safeguarding.templatetags.presenters import uk_date, uk_datetime
from schools.models import Pupil
from workflow.models import WorkflowEvent
from workflow.rules import Action

from .casework import decision_overdue
from .keyset import Key, paginate
from .models import (
    Addendum,
    Category,
    Closure,
    ConcernRead,
    ConcernStatus,
    Escalation,
    ParentConversation,
    _Joined,
    categories_of,
    category_list,
)
from .selectors import concerns_visible_to

S = ConcernStatus
RECENTLY_CLOSED = timedelta(days=30)
PAGE_SIZE = 25

# A concern advised on, or with its parent conversation logged, which cannot close until a
# referral is recorded (workflow.concerns.referral_missing): it has its own group.
REFERRAL_DUE = "referral_due"
# A closed concern with an addendum since it was closed that the reader has not read: new
# information about a child, which may mean reopening it.
CLOSED_ADDENDUM = "closed_addendum"

GROUPS = [
    (S.RECORDED, "New: awaiting DSL review"),
    (CLOSED_ADDENDUM, "Closed: new addendum to read"),
    (S.WITH_HUB, "With the Early Help Hub"),
    (S.ADVICE_RECEIVED, "Advice received: parent conversation due"),
    (REFERRAL_DUE, "Referral to record before closing"),
    (S.ESCALATED, "Escalated: outcome awaited"),
    (S.PARENT_CONVERSATION_LOGGED, "Parent conversation logged: ready to close"),
    (S.CLOSED, "Recently closed"),
]
HEADINGS = dict(enumerate(heading for _, heading in GROUPS))
RANKS = {status: rank for rank, (status, _) in enumerate(GROUPS)}

# Within an open group: at immediate risk first, then oldest recorded. Within the closed one:
# most recently closed first (`urgent` is false there and `closed_order` the same for every
# open concern), ties by when recorded.
KEYS = [
    Key("stage", int),
    Key("urgent", bool, descending=True),
    Key("closed_order", datetime, descending=True),
    Key("recorded_at", datetime),
    Key("id", int),
]
OPEN_CLOSED_ORDER = datetime(1970, 1, 1, tzinfo=UTC)  # any fixed time: a key is never NULL


def _latest_conversation():
    """The concern's parent conversations since it was last reopened, latest first: those with
    no reopening after them, as `workflow.rules.latest_conversation` reads them. One logged
    before a reopening answered an earlier episode."""
    reopened_after = WorkflowEvent.objects.filter(
        concern=OuterRef(OuterRef("pk")), action=Action.REOPEN, at__gt=OuterRef("logged_at")
    )
    return (
        ParentConversation.objects.filter(concern=OuterRef("pk"))
        .filter(~Exists(reopened_after))
        .order_by("-logged_at", "-pk")
    )


def _referral_due():
    """A concern with the hub's advice received or its parent conversation logged whose latest
    advice was a referral (to children's social care or Prevent), or whose latest conversation
    was not held because it would place the child at risk: significant harm is indicated, and
    it may not close until the referral is recorded. Any escalation since it was last reopened
    would have moved it on from these statuses, so none is to be looked for (as
    `referral_missing` must elsewhere); a conversation from before that reopening is not
    this episode's."""
    latest_advice = AdviceRequest.objects.filter(
        concern=OuterRef("pk"), status=AdviceStatus.ANSWERED
    ).order_by("-advised_at", "-pk")
    return Q(status__in=[S.ADVICE_RECEIVED, S.PARENT_CONVERSATION_LOGGED]) & (
        Q(
            In(
                Subquery(latest_advice.values("recommended_next_step")[:1]),
                [NextStep.MASH, NextStep.PREVENT],
            )
        )
        | Q(
            Exact(
                Subquery(_latest_conversation().values("not_held_reason")[:1]),
                ParentConversation.NotHeldReason.RISK,
            )
        )
    )


def _this_episode(rows, at):
    """`rows` (of the concern being read) made since it was last reopened: with no reopening
    after their time `at`, as `workflow.rules.reopened_at` counts an episode."""
    reopened_after = WorkflowEvent.objects.filter(
        concern=OuterRef(OuterRef("pk")), action=Action.REOPEN, at__gt=OuterRef(at)
    )
    return rows.filter(~Exists(reopened_after))


# Where the hub's advice sends a referral (workflow.concerns.referral_missing reads the same).
ADVISED_REFERRALS = {
    NextStep.MASH: (Escalation.Target.CSC, "children's social care"),
    NextStep.PREVENT: (Escalation.Target.PREVENT, "the Police Prevent team (Channel)"),
}


def _advised_and_referred():
    """For an escalated concern, what this episode's latest advice from the hub said to do
    next (`advised_step`) and where it has been referred since it was last reopened
    (`referred_list`, joined by commas), for `advised_referral_missing` to compare: two
    subqueries, which the ORM builds in half the time of comparing them in SQL."""
    latest_advice = _this_episode(
        AdviceRequest.objects.filter(concern=OuterRef("pk"), status=AdviceStatus.ANSWERED),
        "advised_at",
    ).order_by("-advised_at", "-pk")
    referrals = _this_episode(Escalation.objects.filter(concern=OuterRef("pk")), "escalated_at")
    escalated = Q(status=S.ESCALATED)
    return {
        "advised_step": Case(
            When(escalated, then=Subquery(latest_advice.values("recommended_next_step")[:1])),
            default=Value(""),
            output_field=CharField(),
        ),
        "referred_list": Case(
            When(
                escalated,
                then=Subquery(
                    referrals.values("concern")
                    .annotate(joined=_Joined("referred_to"))
                    .values("joined")
                ),
            ),
            default=Value(""),
            output_field=CharField(),
        ),
    }


def advised_referral_missing(row):
    """Where the hub's latest advice said to refer an escalated concern, if no referral there
    is recorded since it was last reopened (None otherwise): a referral elsewhere (to the
    police, say) does not let it close."""
    advised = ADVISED_REFERRALS.get(row.advised_step)
    if advised is None or advised[0] in (row.referred_list or "").split(","):
        return None
    return advised


def _immediate_risk_unanswered():
    """Whether a concern awaiting review was marked at immediate risk and has had neither the
    hub's advice nor an escalation, ever (as `workflow.concerns.immediate_risk_unanswered`):
    it may not close until it has one."""
    return Case(
        When(
            Q(status=S.RECORDED, immediate_risk=True)
            & ~Exists(
                AdviceRequest.objects.filter(concern=OuterRef("pk"), status=AdviceStatus.ANSWERED)
            )
            & ~Exists(Escalation.objects.filter(concern=OuterRef("pk"))),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def _stage(user_id):
    ranks = dict(RANKS)
    added_since_closed = _since_closed(_unread_addenda(user_id)).filter(concern=OuterRef("pk"))
    return Case(
        When(
            Q(status=S.CLOSED) & Exists(added_since_closed),
            then=Value(ranks.pop(CLOSED_ADDENDUM)),
        ),
        When(_referral_due(), then=Value(ranks.pop(REFERRAL_DUE))),
        *(When(status=status, then=Value(rank)) for status, rank in ranks.items()),
        output_field=IntegerField(),
    )


def _unread_addenda(user_id):
    """Addenda someone else has added since this person last opened their concern's page (or
    they never have): what a member of staff learned later, which the DSL must read."""
    read_after = ConcernRead.objects.filter(
        concern=OuterRef("concern"), user_id=user_id, read_at__gte=OuterRef("created_at")
    )
    return Addendum.objects.exclude(author_id=user_id).filter(~Exists(read_after))


def _since_closed(addenda):
    """Those of `addenda` added after their concern was last closed: those from before were
    there for the decision to close it."""
    last_closed = Closure.objects.filter(concern=OuterRef("concern")).order_by("-closed_at", "-pk")
    return addenda.filter(created_at__gt=Subquery(last_closed.values("closed_at")[:1]))


def mark_read(membership, concern, at):
    """Note that this person has been shown the concern's addenda up to `at` (the latest one
    its page showed them, so that one saved meanwhile stays unread), never moving it back
    (a tab opened earlier saving later). One statement, on a concern page with addenda: the
    ORM's upsert would wrap it in a transaction of three."""
    meta, quote = ConcernRead._meta, connection.ops.quote_name
    table, read_at = quote(meta.db_table), quote(meta.get_field("read_at").column)
    concern_id, user_id = (quote(meta.get_field(name).column) for name in ("concern", "user"))
    sql = (
        f"INSERT INTO {table} ({concern_id}, {user_id}, {read_at}) VALUES (%s, %s, %s) "  # nosec B608
        f"ON CONFLICT ({concern_id}, {user_id}) DO UPDATE SET {read_at} = excluded.{read_at} "
        f"WHERE {table}.{read_at} < excluded.{read_at}"
    )
    value = meta.get_field("read_at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [concern.pk, membership.user_id, value])


def inbox_queryset(
    membership, *, status="", category="", year_group="", recorded_by=None, search=""
):
    """The concerns the inbox lists for this membership, filtered, with what each row shows."""
    last_closed = Closure.objects.filter(concern=OuterRef("pk")).order_by("-closed_at", "-pk")
    open_request = AdviceRequest.objects.filter(
        concern=OuterRef("pk"), status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED]
    ).order_by("-requested_at")
    rows = concerns_visible_to(membership).annotate(
        category_list=category_list(),
        stage=_stage(membership.user_id),
        last_closed_at=Subquery(last_closed.values("closed_at")[:1]),
        urgent=Case(
            When(status=S.CLOSED, then=Value(False)),
            default="immediate_risk",
            output_field=BooleanField(),
        ),
        closed_order=Case(
            # Every closed concern has a closure; were one missing, its recording time would
            # stand in: a key is never NULL.
            When(status=S.CLOSED, then=Coalesce("last_closed_at", "recorded_at")),
            default=Value(OPEN_CLOSED_ORDER),
            output_field=DateTimeField(),
        ),
        hub_due_at=Subquery(open_request.values("due_at")[:1]),
        # Why this episode's latest conversation was not held ("" when it was held, None when
        # there is none): one not held may be followed by the talk that happens later.
        not_held_reason=Subquery(_latest_conversation().values("not_held_reason")[:1]),
        awaiting_outcome=Exists(Escalation.objects.filter(concern=OuterRef("pk"), outcome="")),
        unread_addendum=Exists(_unread_addenda(membership.user_id).filter(concern=OuterRef("pk"))),
        **_advised_and_referred(),
        risk_unanswered=_immediate_risk_unanswered(),
        # The earliest referral to children's social care still awaiting its outcome, which
        # is followed up after a working day.
        csc_referred_at=Subquery(
            Escalation.objects.filter(
                concern=OuterRef("pk"), outcome="", referred_to=Escalation.Target.CSC
            )
            .order_by("referred_at")
            .values("referred_at")[:1]
        ),
    )
    if status:
        rows = rows.filter(status=status)
    else:
        # The open concerns (a partial index holds each school's) and those closed in the last
        # 30 days or added to since closing in them, unread (found first, in one query: from the
        # index on the school's closures by date, and from the one on addenda by date; the
        # outer query keeps only those this membership may see). The database can combine two
        # index look-ups only if the closed ones come as a list, not a subquery; both are as
        # many as the school's current work, not its years of history.
        since = timezone.now() - RECENTLY_CLOSED
        recent = (
            Closure.objects.filter(school_id=membership.school_id, closed_at__gte=since)
            .order_by()
            .values_list("concern_id", flat=True)
        )
        added_to = (
            _since_closed(_unread_addenda(membership.user_id))
            .filter(
                concern__school_id=membership.school_id,
                concern__status=S.CLOSED,
                created_at__gte=since,
            )
            .order_by()
            .values_list("concern_id", flat=True)
        )
        closed = list(recent.union(added_to))
        rows = rows.filter(~Q(status=S.CLOSED) | Q(status=S.CLOSED, pk__in=closed))
    if category:
        rows = rows.filter(categories__category=category)
    if year_group:
        rows = rows.filter(pupil__year_group=year_group)
    if recorded_by:
        rows = rows.filter(recorded_by=recorded_by)
    if search.split():
        by_name = Q()
        for word in search.split():
            by_name &= name_contains(word, "pupil__given_name", "pupil__family_name")
        rows = rows.filter(by_name | Q(pupil__upn=as_upn(search)))
    return rows


def next_step(concern, now):
    """What the concern needs next, in words, from the row's annotations, at `now`."""
    status = concern.status
    if status == S.RECORDED:
        if concern.risk_unanswered:
            return "Review it now: escalate it, or ask the hub for advice, before it can be closed"
        return "Review it: ask the hub for advice, escalate, or close it"
    if status == S.WITH_HUB:
        if concern.hub_due_at and concern.hub_due_at < now:
            # Past the hub's own target (the head teacher's report lists it as an exception):
            # the school chases it, as it does a referral not decided in time.
            return (
                "Follow up the request with the hub: its advice was due "
                f"{uk_datetime(concern.hub_due_at)}"
            )
        if concern.hub_due_at:
            return f"Wait for the hub's advice, due {uk_datetime(concern.hub_due_at)}"
        return "Wait for the hub's advice"
    if concern.stage == RANKS[CLOSED_ADDENDUM]:
        return "Read the new addendum, and reopen the concern if it needs acting on"
    if concern.stage == RANKS[REFERRAL_DUE]:
        return "Record the referral (escalate), then close it"
    if status == S.ADVICE_RECEIVED:
        return "Talk with the parent or carer and log the conversation"
    if status == S.PARENT_CONVERSATION_LOGGED:
        if concern.not_held_reason:  # not for the child's safety: that is a referral due
            return (
                "Log the conversation if you talk with the parent or carer later, close it, "
                "or ask the hub for follow-up advice"
            )
        return "Close it, or ask the hub for follow-up advice"
    if status == S.ESCALATED:
        if concern.csc_referred_at and decision_overdue(
            Escalation.Target.CSC, concern.csc_referred_at, now
        ):
            return (
                "Follow up the referral: children's social care should have decided what to do "
                "within one working day. Then record the outcome"
            )
        missing = advised_referral_missing(concern)
        if missing:
            step = f"Record the referral to {missing[1]} the hub advised"
            if concern.awaiting_outcome:
                return f"{step}, and the outcome of the referral made when you hear it"
            return f"{step}, then close it"
        if concern.awaiting_outcome:
            return "Record the outcome of the referral when you hear it"
        return "Close it, now the referral's outcome is known"
    return f"Closed {uk_date(concern.last_closed_at)}" if concern.last_closed_at else "Closed"


# What a row shows, or is grouped, worded and paged by; never what the concern records.
ROW_COLUMNS = (
    "id",
    "reference",
    "immediate_risk",
    "status",
    "recorded_at",
    "stage",
    "urgent",
    "closed_order",
    "not_held_reason",
    "last_closed_at",
    "hub_due_at",
    "awaiting_outcome",
    "csc_referred_at",
    "unread_addendum",
    "advised_step",
    "referred_list",
    "risk_unanswered",
    "pupil__given_name",
    "pupil__family_name",
    "pupil__year_group",
    "recorded_by__full_name",
    "category_list",
)
YEAR_GROUPS = dict(Pupil._meta.get_field("year_group").flatchoices)


@dataclass
class Row:
    """One concern as its inbox row shows it. Plain values, not model instances: building a
    concern, its pupil, recorder and categories as models for each of 25 rows cost more than
    the database's work."""

    pk: int
    reference: str
    immediate_risk: bool
    recorded_at: datetime
    pupil_name: str
    year_group: str
    recorded_by_name: str
    next_step: str
    categories: list = field(default_factory=list)  # labels, in order
    unread_addendum: bool = False


def inbox_page(membership, *, after="", before="", size=PAGE_SIZE, **filters):
    """One page of the inbox, and its rows grouped under their headings: two queries (the
    concerns closed lately, then the page's rows with their categories)."""
    page = paginate(
        inbox_queryset(membership, **filters).values_list(*ROW_COLUMNS, named=True),
        KEYS,
        after=after,
        before=before,
        size=size,
    )
    headings = dict(HEADINGS)
    if filters.get("status") == S.CLOSED:
        headings[len(GROUPS) - 1] = "Closed"  # all of them, not only the recently closed
    sections, now = [], timezone.now()
    for found in page.rows:
        row = Row(
            pk=found.id,
            reference=found.reference,
            immediate_risk=found.immediate_risk,
            recorded_at=found.recorded_at,
            pupil_name=f"{found.pupil__given_name} {found.pupil__family_name}",
            year_group=YEAR_GROUPS.get(found.pupil__year_group, found.pupil__year_group),
            recorded_by_name=found.recorded_by__full_name,
            next_step=next_step(found, now),
            categories=[Category(value).label for value in categories_of(found.category_list)],
            unread_addendum=found.unread_addendum,
        )
        if not sections or sections[-1][0] != found.stage:
            sections.append((found.stage, []))
        sections[-1][1].append(row)
    page.sections = [(headings[stage], rows) for stage, rows in sections]
    return page
