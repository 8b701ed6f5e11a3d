"""The head teacher's audit report: every figure, for one school and one period.

Each figure family is one query over the whole set (COUNT, MIN ... GROUP BY, run by the
database), so the report makes the same number of queries whatever the number of concerns.
Families that read the same rows share a query (concerns by month and by year group, and
how many sought advice; requests made, open, answered and withdrawn; conversations by outcome
and their times; escalations by target and outcome): each query is a round trip, which costs
more than the rows on a busy server.
Medians and percentiles need the individual durations: each comes from one `values_list` query
per figure family and is worked out here in Python, because working hours (Monday to Friday,
09:00 to 17:00, without bank holidays: `workflow.working_time`) cannot be computed in SQL.

What falls in the period: each record by its own moment. A concern by when it was recorded, an
advice request by when it was made, a parent conversation by when it was logged, an escalation
by when it was made, a closure by when it was closed, an audit event by when it happened.
Figures marked "now" describe the school as it is at the moment the report is run.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Cast, TruncMonth

from advice.models import URGENCY_TARGET_HOURS, AdviceRequest, AdviceStatus, Urgency
from audit.models import AuditEvent
from concerns.casework import decision_overdue
from concerns.models import (
    WITHHOLDING,
    Category,
    Closure,
    Concern,
    ConcernCategory,
    Escalation,
    FileTransfer,
    ParentConversation,
    RecordsReview,
    ReviewDecision,
    SubjectAccessRequest,
)
from schools.models import DSL_ROLES, Membership, Pupil, Role
from workflow.models import WorkflowEvent
from workflow.reminders import awaiting_decision
from workflow.retention import due_for_review
from workflow.rules import Action
from workflow.working_time import working_hours_between

from .models import BritishValue, PolicyConfirmation, ValuesEvidence
from .periods import LONDON

REVIEW_WITHIN_HOURS = 8  # one working day
OPEN_REQUEST = [AdviceStatus.OPEN, AdviceStatus.CLAIMED]

# Audit actions that read a child's record, with the column each is counted in. The lists
# (the inbox, the roll, a recorder's own concerns, an import's preview, the leavers' files,
# the subject access requests and the records due for review) name children too.
VIEW_ACTIONS = {
    "concern.view": "concern",
    "concern.confirmation.view": "concern",
    "pupil.view": "pupil",
    "pupil.leaving.view": "pupil",  # a page recording a step about the pupil
    "pupil.access_request.view": "pupil",
    "pupil.chronology.view": "chronology",
    "pupil.file.view": "chronology",  # the whole file, on one page
    "attachment.download": "attachment",
    "advicerequest.view": "advice",
    "concern.inbox.view": "lists",
    "concern.mine.view": "lists",
    "pupil.list.view": "lists",
    "pupil.import.view": "lists",
    "pupil.search": "lists",  # a search for the pupil, recording a concern: names shown
    "pupil.leavers.view": "lists",
    "pupil.access_requests.view": "lists",
    "pupil.reviews.view": "lists",  # the records due for review at the 25th birthday
    "pupil.review.view": "pupil",  # one pupil's review
}
VIEW_COLUMNS = list(dict.fromkeys(VIEW_ACTIONS.values()))
DOWNLOAD = "attachment.download"
EXPORT = "report.export"
DENIED = "access.denied"
POLICY_URL_CHANGE = "school.policy_url.change"


@dataclass(frozen=True)
class Sample:
    """Durations in hours. Median as usual (the mean of the middle two for an even count);
    the 90th percentile by the nearest-rank method (the value at rank ceil(0.9 n))."""

    values: tuple = ()

    @property
    def n(self):
        return len(self.values)

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None

    @property
    def p90(self):
        if not self.values:
            return None
        ordered = sorted(self.values)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _hours(start, end):
    return (end - start).total_seconds() / 3600


@dataclass
class UrgencyFigures:
    urgency: str
    target_hours: int
    times: Sample
    within_target: int


@dataclass
class AuditFigures:
    period: object
    now: object
    # Step 1
    recorded: int = 0
    by_month: list = field(default_factory=list)  # [(first day of month, n)]
    by_category: list = field(default_factory=list)  # [(Category, n)], every category
    by_year_group: list = field(default_factory=list)  # [(YearGroup, n)], groups with concerns
    seen_to_recorded: Sample = Sample()  # clock hours
    recorded_to_dsl: Sample = Sample()  # working hours
    awaiting_review: list = field(default_factory=list)  # now: [(pk, reference, at, hours)]
    # Step 2
    advice_sought: int = 0
    requests_made: int = 0
    requests_open: int = 0
    # Made in the period and withdrawn by the school since: with the open and the answered
    # (by_urgency), these add up to the requests made.
    requests_withdrawn: int = 0
    by_urgency: list = field(default_factory=list)  # [UrgencyFigures]
    overdue_requests: list = field(default_factory=list)  # now
    # Step 3
    conversations_held: int = 0
    held_before_advice: int = 0  # of those held: before the hub's advice came
    not_held_by_reason: list = field(default_factory=list)  # [(NotHeldReason, n)]
    not_needed_escalated: int = 0
    advice_to_conversation: Sample = Sample()  # working hours
    # Escalations
    escalations_by_target: list = field(default_factory=list)  # [(Target, n)]
    escalation_outcomes: list = field(default_factory=list)  # [(Target, Outcome | None, n)]
    # now: referrals to children's social care with no outcome a working day after them,
    # [(pk, reference, referred_at, working hours since)]
    undecided_referrals: list = field(default_factory=list)
    # Leavers' child protection files (workflow.leavers), for pupils who left in the period
    leavers: dict = field(default_factory=dict)
    # Subject access requests (workflow.subject_access) received in the period
    subject_access: dict = field(default_factory=dict)
    # Records reviewed at the 25th birthday (workflow.retention) in the period, and due now
    records_reviews: dict = field(default_factory=dict)
    # Exceptions: the rows listed (all, or the first `listed`), and how many there are
    closed_without_advice: list = field(default_factory=list)
    closed_without_advice_count: int = 0
    not_held: list = field(default_factory=list)
    not_held_count: int = 0
    # Access
    viewers: list = field(default_factory=list)
    downloads: list = field(default_factory=list)
    denied: list = field(default_factory=list)
    staff_beyond_own: list = field(default_factory=list)
    # Evidence
    policy_url: str = ""
    confirmation: PolicyConfirmation | None = None
    terms: list = field(default_factory=list)
    coverage: dict = field(default_factory=dict)  # {(term key | "total", value | "all"): n}

    @property
    def conversations_not_held(self):
        return sum(n for _, n in self.not_held_by_reason)

    @property
    def escalations(self):
        return sum(n for _, n in self.escalations_by_target)


def _month(moment):
    """TruncMonth's value as the first day of the month (a date on every database)."""
    if hasattr(moment, "tzinfo") and moment.tzinfo is not None:
        moment = moment.astimezone(LONDON)
    return date(moment.year, moment.month, 1)


def _ids_text(queryset):
    """The primary keys of `queryset` as text, to match AuditEvent.object_id."""
    return queryset.annotate(id_text=Cast("pk", output_field=CharField())).values("id_text")


def _in(period, name):
    return {f"{name}__gte": period.start_at, f"{name}__lt": period.end_at}


def audit_figures(school, period, *, now, listed=None):
    """All the figures of the audit report for `school` over `period`, as at `now`.

    `listed`: list only the first so many exceptions closed without advice and conversations
    not held (oldest first), for the page; their counts are always complete. None: all.
    """
    figures = AuditFigures(period=period, now=now, policy_url=school.safeguarding_policy_url)
    concerns = Concern.objects.filter(school=school, **_in(period, "recorded_at")).order_by()
    dsl_users = Membership.objects.filter(school=school, role__in=DSL_ROLES).values("user_id")
    first_dsl_action = Min(
        "events__at",
        filter=Q(events__actor_id__in=dsl_users) & ~Q(events__action=Action.RECORD),
    )
    _step_one(figures, school, concerns, first_dsl_action)
    _step_two(figures, school, period, concerns)
    _step_three(figures, school, period)
    _leavers(figures, school, period)
    _subject_access(figures, school, period)
    _records_reviews(figures, school, period)
    _exceptions(figures, school, period, listed)
    _access(figures, school, period)
    _evidence(figures, school, period)
    return figures


def _step_one(figures, school, concerns, first_dsl_action):
    # Concerns counted by month and year group at once, with how many of each sought advice
    # (at any time since): the months, the year groups and the totals all add these up.
    monthly, groups = {}, {}
    # (Asked among the school's requests, which hold every request on its concerns: from
    # its own index, rather than hashing every request of every school.)
    # A request the school withdrew is not advice sought: a concern closed after one is listed
    # among the closures without hub advice.
    sought = Exists(
        AdviceRequest.objects.filter(school=school, concern_id=OuterRef("pk")).exclude(
            status=AdviceStatus.WITHDRAWN
        )
    )
    for month, group, n, with_advice in (
        concerns.annotate(month=TruncMonth("recorded_at", tzinfo=LONDON))
        .values("month", "year_group")
        .annotate(n=Count("pk"), sought=Count("pk", filter=Q(sought)))
        .values_list("month", "year_group", "n", "sought")
    ):
        month = _month(month)
        monthly[month] = monthly.get(month, 0) + n
        groups[group] = groups.get(group, 0) + n
        figures.recorded += n
        figures.advice_sought += with_advice
    figures.by_month = [(month, monthly.get(month, 0)) for month in figures.period.months()]
    # Counting `category`, not the id, lets the database read the (concern, category) index
    # alone, without a visit to the table for each of the period's concerns.
    categories = dict(
        ConcernCategory.objects.filter(concern__in=concerns)
        .values("category")
        .annotate(n=Count("category"))
        .order_by()
        .values_list("category", "n")
    )
    figures.by_category = [(category, categories.get(category, 0)) for category in Category]
    figures.by_year_group = [(group, groups[group]) for group in Pupil.YearGroup if group in groups]
    # One query for both durations of step 1.
    times = list(
        concerns.annotate(first_dsl=first_dsl_action).values_list(
            "observed_at", "recorded_at", "first_dsl"
        )
    )
    figures.seen_to_recorded = Sample(
        tuple(max(_hours(seen, recorded), 0.0) for seen, recorded, _ in times)
    )
    figures.recorded_to_dsl = Sample(
        tuple(
            working_hours_between(recorded, first)
            for _, recorded, first in times
            if first is not None
        )
    )
    # Waiting for a DSL's decision, as the reminder to the school's leads has it: since the
    # concern was recorded, or came back undecided (reopened, its request withdrawn).
    waiting = (
        awaiting_decision(Concern.objects.filter(school=school))
        .order_by("awaiting_since", "pk")
        .values_list("pk", "reference", "awaiting_since")
    )
    for pk, reference, since in waiting:
        hours = working_hours_between(since, figures.now)
        if hours > REVIEW_WITHIN_HOURS:
            figures.awaiting_review.append((pk, reference, since, hours))


def _step_two(figures, school, period, concerns):
    answered = {urgency: [] for urgency in Urgency}
    for status, urgency, requested_at, advised_at in (
        AdviceRequest.objects.filter(school=school, **_in(period, "requested_at"))
        .order_by()
        .values_list("status", "urgency", "requested_at", "advised_at")
    ):
        figures.requests_made += 1
        if status in OPEN_REQUEST:
            figures.requests_open += 1
        elif status == AdviceStatus.ANSWERED:
            answered[urgency].append(working_hours_between(requested_at, advised_at))
        elif status == AdviceStatus.WITHDRAWN:
            figures.requests_withdrawn += 1
    figures.by_urgency = [
        UrgencyFigures(
            urgency=urgency,
            target_hours=URGENCY_TARGET_HOURS[urgency],
            times=Sample(tuple(hours)),
            within_target=sum(1 for h in hours if h <= URGENCY_TARGET_HOURS[urgency]),
        )
        for urgency, hours in answered.items()
    ]
    figures.overdue_requests = [
        (pk, reference, urgency, requested_at, due_at, working_hours_between(due_at, figures.now))
        for pk, reference, urgency, requested_at, due_at in AdviceRequest.objects.filter(
            school=school, status__in=OPEN_REQUEST, due_at__lt=figures.now
        )
        .order_by("due_at", "pk")
        .values_list("concern_id", "concern__reference", "urgency", "requested_at", "due_at")
    ]


def _reopened(concern, after, until):
    """A reopening of `concern` after `after` and no later than `until`: what came before it
    answered an earlier episode (as `workflow.rules.reopened_at` has it)."""
    return Exists(
        WorkflowEvent.objects.filter(
            concern=concern, action=Action.REOPEN, at__gt=after, at__lte=until
        )
    )


def _followed(period):
    """Whether a later parent conversation was logged on the same concern in the period with
    no reopening between: the concern's step 3 counts by its latest (a conversation not held,
    then held once the parent or carer was reached, was held; held, then not held after
    follow-up advice, was not held). A reopening starts a new episode, whose conversation
    does not change how the earlier one ended. One logged after the period counts in its own
    period: the period's last word on step 3 stays in its report (not held in July, held in
    September: last year's report shows the July one, and reads the same when run again)."""
    later = ParentConversation.objects.filter(
        Q(logged_at__gt=OuterRef("logged_at"))
        | Q(logged_at=OuterRef("logged_at"), pk__gt=OuterRef("pk")),
        concern=OuterRef("concern"),
        logged_at__lt=period.end_at,
    ).filter(
        ~_reopened(
            OuterRef(OuterRef("concern")), OuterRef(OuterRef("logged_at")), OuterRef("logged_at")
        )
    )
    return Exists(later)


def _counted_conversations(school, period):
    """The period's parent conversations as step 3 counts them: each episode of a concern
    once, by its latest conversation in the period, held or not: those no later one in the
    period followed (`_followed`)."""
    return ParentConversation.objects.filter(school=school, **_in(period, "logged_at")).filter(
        ~_followed(period)
    )


def _step_three(figures, school, period):
    latest_advice = (
        AdviceRequest.objects.filter(
            concern=OuterRef("concern"),
            advised_at__isnull=False,
            # The advice the conversation followed: the latest given before it was held, not
            # before it was logged (follow-up advice may come between the two), and in its
            # episode: advice that answered the concern before a reopening is not what a
            # later talk followed.
            advised_at__lte=OuterRef("held_at"),
        )
        .filter(
            ~_reopened(
                OuterRef(OuterRef("concern")),
                OuterRef("advised_at"),
                OuterRef(OuterRef("logged_at")),
            )
        )
        .order_by("-advised_at")
        .values("advised_at")[:1]
    )
    not_held, advice_to_conversation = {}, []
    for held, reason, advised_at, held_at in (
        _counted_conversations(school, period)
        .order_by()
        .annotate(advised_at=Subquery(latest_advice))
        .values_list("held", "not_held_reason", "advised_at", "held_at")
    ):
        if not held:
            not_held[reason] = not_held.get(reason, 0) + 1
            continue
        figures.conversations_held += 1
        # Held before the advice came (a talk the same morning, logged after it): step 3
        # before step 2, counted on its own; not a time from advice to conversation, and
        # counted as none it would pull the median down.
        if advised_at is not None and held_at >= advised_at:
            advice_to_conversation.append(working_hours_between(advised_at, held_at))
        else:
            figures.held_before_advice += 1
    figures.not_held_by_reason = [
        (reason, not_held.get(reason, 0)) for reason in ParentConversation.NotHeldReason
    ]
    figures.advice_to_conversation = Sample(tuple(advice_to_conversation))
    # A conversation before the escalation, in its episode: one that ended an earlier episode
    # did not make this escalation's step 3 unnecessary.
    talked_first = ParentConversation.objects.filter(
        concern=OuterRef("concern"), logged_at__lte=OuterRef("escalated_at")
    ).filter(
        ~_reopened(
            OuterRef(OuterRef("concern")), OuterRef("logged_at"), OuterRef(OuterRef("escalated_at"))
        )
    )
    # The escalation's episode, by the reopening that began it (None: the first). Step 3 counts
    # each episode once, as the conversations do: escalated again after a reopening, a second
    # step 3 was not needed; referred to two places in one episode, still one.
    episode = (
        WorkflowEvent.objects.filter(
            concern=OuterRef("concern"), action=Action.REOPEN, at__lte=OuterRef("escalated_at")
        )
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    by_target, outcomes, without_talk = {}, {}, set()
    for concern_id, began, target, outcome, talked in (
        Escalation.objects.filter(school=school, **_in(period, "escalated_at"))
        .order_by()
        .annotate(talked=Exists(talked_first), began=Subquery(episode))
        .values_list("concern_id", "began", "referred_to", "outcome", "talked")
    ):
        by_target[target] = by_target.get(target, 0) + 1
        outcomes[(target, outcome or None)] = outcomes.get((target, outcome or None), 0) + 1
        if not talked:
            without_talk.add((concern_id, began))
    figures.not_needed_escalated = len(without_talk)
    figures.escalations_by_target = [
        (target, by_target.get(target, 0)) for target in Escalation.Target
    ]
    figures.escalation_outcomes = [
        (target, outcome, outcomes[(target, outcome)])
        for target in Escalation.Target
        for outcome in [*Escalation.Outcome, None]
        if (target, outcome) in outcomes
    ]
    csc = Escalation.Target.CSC
    for pk, reference, referred_at in (
        Escalation.objects.filter(school=school, outcome="", referred_to=csc)
        .order_by("referred_at", "pk")
        .values_list("concern_id", "concern__reference", "referred_at")
    ):
        if decision_overdue(csc, referred_at, figures.now):
            hours = working_hours_between(referred_at, figures.now)
            figures.undecided_referrals.append((pk, reference, referred_at, hours))


def _leavers(figures, school, period):
    """How the files of the period's leavers went: sent by their due day or after it, not
    yet sent and overdue or still in time (as at `now`), or never due because the pupil came
    back before its due day; and whether their receipt was confirmed, is still awaited, or
    is no longer awaited because the pupil came back. One query, by the school's index of its
    files. A pupil who left twice in the period counts twice."""
    today = figures.now.astimezone(LONDON).date()
    # A pupil who came back ended the file's journey: before its due day, it was never due;
    # after it, the file was overdue when they came back, and counts so.
    unsent = Q(sent_on__isnull=True, returned_on__isnull=True)
    back_in_time = Q(sent_on__isnull=True, returned_on__lte=F("due_on"))
    back_overdue = Q(sent_on__isnull=True, returned_on__gt=F("due_on"))
    unconfirmed = Q(sent_on__isnull=False, received_on__isnull=True)
    figures.leavers = FileTransfer.objects.filter(
        school=school, left_on__gte=period.start, left_on__lte=period.end
    ).aggregate(
        left=Count("pk"),
        on_time=Count("pk", filter=Q(sent_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(sent_on__gt=F("due_on"))),
        overdue=Count("pk", filter=unsent & Q(due_on__lt=today) | back_overdue),
        in_time=Count("pk", filter=unsent & Q(due_on__gte=today)),
        came_back=Count("pk", filter=back_in_time),
        received=Count("pk", filter=Q(received_on__isnull=False)),
        # A file sent but not confirmed when the pupil came back is no longer awaited: the
        # school asks for its records back instead.
        awaiting=Count("pk", filter=unconfirmed & Q(returned_on__isnull=True)),
        back_unconfirmed=Count("pk", filter=unconfirmed & Q(returned_on__isnull=False)),
    )


def _subject_access(figures, school, period):
    """How the period's subject access requests went: answered by their due day or after it,
    not yet answered and overdue or still in time (as at `now`), how many were extended, and
    how many answers withheld anything. One query, by the school's index of its requests."""
    today = figures.now.astimezone(LONDON).date()
    # Waiting for the requester to clarify, the time limit stands still; waiting for their
    # proof of identity, it has not started: neither late nor overdue (clarification is asked
    # for by the due day), and the unanswered have a row (SubjectAccessRequest.on_hold).
    waiting = Q(clarification_asked_on__isnull=False, clarified_on__isnull=True) | Q(
        identity_requested_on__isnull=False, identity_confirmed_on__isnull=True
    )
    answered, unanswered = Q(answered_on__isnull=False), Q(answered_on__isnull=True) & ~waiting
    figures.subject_access = SubjectAccessRequest.objects.filter(
        school=school, received_on__gte=period.start, received_on__lte=period.end
    ).aggregate(
        received=Count("pk"),
        on_time=Count("pk", filter=Q(answered_on__lte=F("due_on")) | answered & waiting),
        late=Count("pk", filter=Q(answered_on__gt=F("due_on")) & ~waiting),
        overdue=Count("pk", filter=unanswered & Q(due_on__lt=today)),
        in_time=Count("pk", filter=unanswered & Q(due_on__gte=today)),
        waiting=Count("pk", filter=Q(answered_on__isnull=True) & waiting),
        clarified=Count("pk", filter=Q(clarified_on__isnull=False)),
        extended=Count("pk", filter=~Q(extension_reason="")),
        withheld=Count("pk", filter=Q(answer__in=WITHHOLDING)),
    )


def _records_reviews(figures, school, period):
    """The period's reviews of records at a pupil's 25th birthday, kept and destroyed, and how
    many pupils' records are due for review and not yet reviewed (as at today: the list the
    DSL works from). Two queries, by the school's indexes."""
    figures.records_reviews = RecordsReview.objects.filter(
        school=school, **_in(period, "decided_at")
    ).aggregate(
        # Pupils, not reviews: records kept twice in the period count once.
        kept=Count("file_reference", distinct=True, filter=Q(decision=ReviewDecision.KEEP)),
        destroyed=Count("file_reference", distinct=True, filter=Q(decision=ReviewDecision.DESTROY)),
    )
    figures.records_reviews["due"] = due_for_review(Pupil.objects.filter(school=school)).count()


def _first(found, order, columns, listed, count=None):
    """The first `listed` rows found (all when None), in `order`, and how many there are:
    `count` if already known, else counted apart, from the index alone, so that only the
    rows shown are read and joined."""
    rows = found.order_by(*order).values_list(*columns)
    if listed is None:
        rows = list(rows)
        return rows, len(rows)
    return list(rows[:listed]), found.order_by().count() if count is None else count


def _exceptions(figures, school, period, listed):
    figures.closed_without_advice, figures.closed_without_advice_count = _first(
        Closure.objects.filter(school=school, without_hub_advice=True, **_in(period, "closed_at")),
        ("closed_at", "pk"),
        (
            "concern_id",
            "concern__reference",
            "closed_at",
            "closed_by__full_name",
            "outcome",
            "rationale",
        ),
        listed,
    )
    figures.not_held, figures.not_held_count = _first(
        _counted_conversations(school, period).filter(held=False),
        ("logged_at", "pk"),
        (
            "concern_id",
            "concern__reference",
            "logged_at",
            "logged_by__full_name",
            "not_held_reason",
            "attempts",
            "details",
        ),
        listed,
        # Step 3 counted the period's conversations not held already, by reason.
        count=figures.conversations_not_held,
    )


def _access(figures, school, period):
    events = AuditEvent.objects.filter(school=school, **_in(period, "at")).order_by()
    people = ("actor_id", "actor__full_name")
    # Counting `action` (never empty), not the id, keeps these two counts within the covering
    # index on (school, at) with action and actor: read from the index alone (an index-only
    # scan), not row by row from the table (five years of a busy school: 60 -> 10 ms).
    figures.viewers = list(
        events.filter(action__in=VIEW_ACTIONS)
        .values(*people)
        .annotate(
            **{
                column: Count(
                    "action",
                    filter=Q(action__in=[a for a, c in VIEW_ACTIONS.items() if c == column]),
                )
                for column in VIEW_COLUMNS
            },
            total=Count("action"),
        )
        .order_by("-total", "actor__full_name", "actor_id")
    )
    figures.downloads = list(
        events.filter(action__in=[DOWNLOAD, EXPORT])
        .values(*people)
        .annotate(
            attachments=Count("action", filter=Q(action=DOWNLOAD)),
            exports=Count("action", filter=Q(action=EXPORT)),
        )
        .order_by("actor__full_name", "actor_id")
    )
    # Refusals are filed under the school of the person refused; a refused look at one of this
    # school's records by someone elsewhere is found through the record it asked for.
    figures.denied = list(
        AuditEvent.objects.filter(action=DENIED, **_in(period, "at"))
        .filter(
            Q(school=school)
            | Q(
                object_type="concern",
                object_id__in=_ids_text(Concern.objects.filter(school=school)),
            )
            | Q(
                object_type="advicerequest",
                object_id__in=_ids_text(AdviceRequest.objects.filter(school=school)),
            )
            | Q(object_type="pupil", object_id__in=_ids_text(Pupil.objects.filter(school=school)))
            | Q(
                object_type="subjectaccessrequest",
                object_id__in=_ids_text(SubjectAccessRequest.objects.filter(school=school)),
            )
        )
        .values(*people)
        .annotate(attempts=Count("pk"), latest=Max("at"))
        .order_by("-attempts", "actor__full_name", "actor_id")
    )
    staff = Membership.objects.filter(school=school, role=Role.STAFF).values("user_id")
    recorded_by_viewer = Concern.objects.annotate(
        id_text=Cast("pk", output_field=CharField())
    ).filter(id_text=OuterRef("object_id"), recorded_by_id=OuterRef("actor_id"))
    figures.staff_beyond_own = list(
        events.filter(action="concern.view", actor_id__in=staff)
        .filter(~Exists(recorded_by_viewer))
        .values(*people)
        .annotate(views=Count("pk"), concerns=Count("object_id", distinct=True))
        .order_by("-views", "actor__full_name", "actor_id")
    )


def _policy_url_then(school, period, now):
    """The address of the published policy at the end of the period (now, for a period not
    over): the address a later change replaced, if the policy has moved since. Every change
    is audited with what it replaced (`reports.services.set_policy_url`, the admin)."""
    moved_since = (
        AuditEvent.objects.filter(
            school=school,
            action=POLICY_URL_CHANGE,
            object_type="school",
            object_id=str(school.pk),
            at__gte=min(period.end_at, now),
        )
        .order_by("at", "pk")
        .values_list("detail", flat=True)
        .first()
    )
    if moved_since is None:
        return school.safeguarding_policy_url
    return moved_since.get("before") or ""


def _evidence(figures, school, period):
    # A past period is judged by the policy published then, not by where it has moved since.
    figures.policy_url = _policy_url_then(school, period, figures.now)
    figures.confirmation = (
        PolicyConfirmation.objects.filter(school=school, confirmed_at__lt=period.end_at)
        .select_related("confirmed_by")
        .first()
    )
    figures.terms = list(period.terms())
    # Activities by date and by the values they promote (a few rows a term), each date then
    # added to its term: one cheap GROUP BY rather than a filtered count per term and value.
    values = [value.value for value in BritishValue]
    columns = [term.key for term in figures.terms] + ["total"]
    figures.coverage = {(column, value): 0 for column in columns for value in [*values, "all"]}
    for day, *promotes, n in (
        ValuesEvidence.objects.filter(
            school=school, activity_date__range=(period.start, period.end)
        )
        .values("activity_date", *values)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("activity_date", *values, "n")
    ):
        term = next(term.key for term in figures.terms if term.start <= day <= term.end)
        for column in (term, "total"):
            figures.coverage[(column, "all")] += n
            for value, promoted in zip(values, promotes, strict=True):
                if promoted:
                    figures.coverage[(column, value)] += n
