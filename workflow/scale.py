"""Authority-sized data sets for benchmarks and load tests (`seed_demo --scale NAME`).

Deterministic (seeded), fictional, with a realistic skew: a fifth of schools make half the
concerns, and a few pupils have long chronologies of 50 to 200 concerns. Rows are written with
PostgreSQL's COPY (or executemany on SQLite), never one save() per row. Every concern gets the
WorkflowEvents its status implies and the AuditEvents those transitions (and some reads) would
have written, hash-chained exactly as `audit.log.record` chains them, so
`verify_audit_chain` passes on the result. Each record (request, claim, advice, conversation,
referral and its outcome, closure) has the event and audit row that wrote it, with the detail
the transition gives it; nothing is dated after now; references follow the order of recording
across the authority; and a concern keeps the year group its pupil was in then.
`tests/coherence.py` checks all of this, on this set and on the demo's own cases.

Not yet as the service would have written it: audit rows are chained concern by concern, not
in time order (their ids do not follow their times; the chain still verifies), and a set
longer than a pupil's time at school (luton-stress) has concerns about children from before
they started there, even before they were born: it would need former pupils.

This module writes workflow rows directly because it builds history in bulk; the transition
functions remain the only way status changes in the running service.
"""

import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditChainHead, AuditEvent, chain_hash
from concerns.models import (
    Category,
    Closure,
    Concern,
    ConcernCategory,
    Escalation,
    ParentConversation,
    ReferenceSequence,
)
from schools.demo import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    academic_year_start,
    date_of_birth,
    make_upn,
)
from schools.models import LocalAuthority, Membership, Pupil, Role, School, User

from .models import WorkflowEvent
from .working_time import add_working_hours


@dataclass(frozen=True)
class Scale:
    schools: int  # schools in the first authority (the demo's three included)
    pupils: int  # pupils in all
    concerns: int
    requests: int
    open_requests: int
    years: int
    reads_per_concern: int  # audited views of each concern, besides its transitions


SCALES = {
    "ci": Scale(
        schools=5,
        pupils=600,
        concerns=2000,
        requests=300,
        open_requests=40,
        years=1,
        reads_per_concern=1,
    ),
    "luton": Scale(
        schools=90,
        pupils=50_000,
        concerns=15_000,
        requests=1_500,
        open_requests=150,
        years=1,
        reads_per_concern=2,
    ),
    "luton-stress": Scale(
        schools=90,
        pupils=50_000,
        concerns=750_000,
        requests=100_000,
        open_requests=10_000,
        years=15,
        reads_per_concern=4,
    ),
}

URGENCY_HOURS = {"red": 4, "amber": 8, "green": 24}
# How long after a referral to children's social care the DSL records what came of it: before
# the earliest the concern closes (5 days after).
OUTCOME_AFTER = timedelta(days=3)
LOCATIONS = [
    "Playground",
    "Classroom",
    "Dining hall",
    "Corridor",
    "School gate",
    "PE changing room",
]
FACTS = [
    "Arrived late and hungry, without a coat, for the third day this week.",
    "Said that an older cousin has been showing videos from an extremist group online.",
    "Has a bruise on the upper arm and flinched when the teacher raised a hand to point.",
    "Told a friend that nobody is at home in the evenings and they make their own tea.",
    "Was seen getting into a car with adults not known to the school after school.",
    "Has been self-harming: cuts on the forearm seen during PE.",
]


class Progress:
    def __init__(self, out, label, total):
        self.out, self.label, self.total, self.done, self.shown = out, label, max(total, 1), 0, -1

    def step(self, n=1):
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if percent != self.shown and percent % 5 == 0:
            bar = "#" * (percent // 5)
            self.out.write(f"\r  {self.label:<28} [{bar:<20}] {percent:3d}%")
            self.out.flush()
            self.shown = percent
            if percent == 100:
                self.out.write("\n")


class Writer:
    """Bulk rows into a model's table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model, columns):
        self.model = model
        self.table = model._meta.db_table
        fields = {f.column: f for f in model._meta.concrete_fields}
        given = set(columns)
        self.defaults = {
            column: field.get_default()
            for column, field in fields.items()
            if column not in given and column != "id"
        }
        self.columns = list(columns) + list(self.defaults)
        self.json_columns = {
            c for c in self.columns if fields[c].get_internal_type() == "JSONField"
        }
        self.pg = connection.vendor == "postgresql"
        self.buffer = []

    def add(self, *values):
        row = list(values) + list(self.defaults.values())
        for index, column in enumerate(self.columns):
            value = row[index]
            if column in self.json_columns:
                row[index] = json.dumps(value)
            elif not self.pg and hasattr(value, "tzinfo") and hasattr(value, "hour"):
                row[index] = connection.ops.adapt_datetimefield_value(value)
            elif not self.pg and isinstance(value, date):
                row[index] = connection.ops.adapt_datefield_value(value)
        self.buffer.append(row)
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self):
        if not self.buffer:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {self.table} ({quoted}) FROM STDIN") as copy:
                    for row in self.buffer:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})"  # nosec B608
                cursor.executemany(sql, self.buffer)
        self.buffer = []


def _next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(models):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"  # table names from the models
            )


def _vacuum():
    """Planner statistics and visibility maps for what was just loaded, as a database that has
    been running a while has them. Autovacuum would get there in its own time; until then
    PostgreSQL plans for empty tables (the inbox took 130 ms, not 37), and reads the table
    behind every index entry it could have answered from the index alone (the hub queue's
    counts: 4.6 ms, not 2.5). VACUUM cannot run inside a transaction (a test's): there the
    statistics alone are gathered."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def build(name, *, out=sys.stdout, seed=2016):
    """Grow the demo's first authority to the named scale. Returns counts of rows written."""
    scale = SCALES[name]
    rng = random.Random(seed)
    started = time.monotonic()
    authority = LocalAuthority.objects.get(code="LUT")
    if Concern.objects.filter(school__local_authority=authority).count() > 100:
        raise ValueError("This database already holds a scaled data set: use a fresh one.")
    with transaction.atomic():
        schools = _schools(authority, scale, rng)
        people = _people(authority, schools)
        pupils, year_groups = _pupils(schools, scale, rng, out)
        counts = _cases(authority, schools, people, pupils, year_groups, scale, rng, out)
    _reset_sequences(
        [
            School,
            Pupil,
            Concern,
            ConcernCategory,
            AdviceRequest,
            ParentConversation,
            Escalation,
            Closure,
            WorkflowEvent,
            AuditEvent,
        ]
    )
    _vacuum()
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _schools(authority, scale, rng):
    existing = list(School.objects.filter(local_authority=authority).order_by("pk"))
    new = [
        School(
            local_authority=authority,
            name=f"Luton School {n:02d}",
            urn=f"{910000 + n}",
            phase=rng.choice([School.Phase.PRIMARY] * 3 + [School.Phase.SECONDARY]),
            safeguarding_policy_url=f"https://school{n:02d}.example/safeguarding-policy",
        )
        for n in range(1, scale.schools - len(existing) + 1)
    ]
    School.objects.bulk_create(new)
    return list(School.objects.filter(local_authority=authority).order_by("pk"))


def _people(authority, schools):
    """One DSL, deputy, head and two staff per new school (no passwords: not for signing in)."""
    unusable = make_password(None)
    users, memberships = [], []
    have = set(Membership.objects.filter(school__in=schools).values_list("school_id", "role"))
    for school in schools:
        for role, count in [
            (Role.DSL, 1),
            (Role.DEPUTY_DSL, 1),
            (Role.HEAD_TEACHER, 1),
            (Role.STAFF, 2),
        ]:
            if (school.pk, role) in have:
                continue
            for n in range(count):
                user = User(
                    email=f"{role.value}{n}.{school.urn}@scale.example",
                    full_name=f"{role.label} {n + 1} of {school.name}",
                    password=unusable,
                )
                users.append(user)
                memberships.append((user, school, role))
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(Membership(user=u, school=s, role=r) for u, s, r in memberships)
    hub = list(
        Membership.objects.filter(
            local_authority=authority, role__in=[Role.HUB_ADVISOR, Role.HUB_MANAGER]
        ).values_list("user_id", flat=True)
    )
    people = {"hub": hub}
    for m in Membership.objects.filter(school__in=schools).select_related("user"):
        people.setdefault((m.school_id, m.role), []).append(m.user_id)
    return people


def _pupils(schools, scale, rng, out):
    have = Pupil.objects.filter(school__in=schools).count()
    per_school = max(1, (scale.pupils - have) // len(schools))
    progress = Progress(out, "pupils", per_school * len(schools))
    writer = Writer(
        Pupil, ["school_id", "given_name", "family_name", "date_of_birth", "year_group", "upn"]
    )
    # Born in the school year that puts them in their year group now, as the demo's own pupils.
    start_year = academic_year_start(timezone.localdate())
    for index, school in enumerate(schools):
        groups = _year_groups(school)
        for serial in range(per_school):
            group = rng.choice(groups)
            born = date_of_birth(rng, group, start_year)
            writer.add(
                school.pk,
                rng.choice(GIVEN_NAMES),
                rng.choice(FAMILY_NAMES),
                born,
                group,
                make_upn("821", 5000 + index, 90 + serial // 1000 % 10, serial % 1000),
            )
            progress.step()
    writer.flush()
    pupils, year_groups = {}, {}
    rows = Pupil.objects.filter(school__in=schools).values_list("pk", "school_id", "year_group")
    for pk, school_id, group in rows:
        pupils.setdefault(school_id, []).append(pk)
        year_groups[pk] = group
    return pupils, year_groups


def _year_groups(school):
    if school.phase != "secondary":
        return ["R", *map(str, range(1, 7))]
    return list(map(str, range(7, 12)))


def _year_then(group, years_back):
    """The year group of a pupil in `group` now, `years_back` school years ago (pupils move up
    each September), or None if they were not yet at school."""
    number = {"N": -1, "R": 0}.get(group)
    then = (int(group) if number is None else number) - years_back
    return {-1: "N", 0: "R"}.get(then, str(then)) if then >= -1 else None


def _concern_counts(schools, total, rng):
    """A fifth of schools make half the concerns."""
    busy = max(1, len(schools) // 5)
    order = schools[:]
    rng.shuffle(order)
    counts = {}
    for index, school in enumerate(order):
        share = (total / 2) / busy if index < busy else (total / 2) / max(1, len(order) - busy)
        counts[school.pk] = int(share)
    counts[order[0].pk] += total - sum(counts.values())
    return counts


def _cases(authority, schools, people, pupils, year_groups, scale, rng, out):
    now = timezone.now()
    start = now - timedelta(days=365 * scale.years)
    writers = {
        "concern": Writer(
            Concern,
            [
                "id",
                "reference",
                "school_id",
                "pupil_id",
                "year_group",
                "recorded_by_id",
                "observed_at",
                "recorded_at",
                "location",
                "what_happened",
                "child_words",
                "immediate_risk",
                "status",
                "version",
            ],
        ),
        "category": Writer(ConcernCategory, ["concern_id", "category"]),
        "request": Writer(
            AdviceRequest,
            [
                "id",
                "concern_id",
                "local_authority_id",
                "school_id",
                "requested_by_id",
                "requested_at",
                "summary",
                "question",
                "urgency",
                "due_at",
                "status",
                "version",
                "concern_status_before",
                "claimed_by_id",
                "claimed_at",
                "advice",
                "recommended_next_step",
                "level_of_need",
                "advised_by_id",
                "advised_at",
            ],
        ),
        "conversation": Writer(
            ParentConversation,
            [
                "concern_id",
                "school_id",
                "held",
                "held_at",
                "with_name",
                "with_relationship",
                "method",
                "discussed",
                "logged_by_id",
                "logged_at",
            ],
        ),
        "escalation": Writer(
            Escalation,
            [
                "concern_id",
                "school_id",
                "indicators",
                "referred_to",
                "referred_at",
                "parent_informed",
                "parent_not_informed_reason",
                "escalated_by_id",
                "escalated_at",
                "outcome",
                "outcome_recorded_by_id",
                "outcome_recorded_at",
            ],
        ),
        "closure": Writer(
            Closure,
            [
                "concern_id",
                "school_id",
                "outcome",
                "rationale",
                "without_hub_advice",
                "closed_by_id",
                "closed_at",
            ],
        ),
        "event": Writer(
            WorkflowEvent,
            [
                "concern_id",
                "advice_request_id",
                "action",
                "from_status",
                "to_status",
                "actor_id",
                "at",
                "concern_version",
            ],
        ),
        "audit": Writer(
            AuditEvent,
            [
                "id",
                "at",
                "actor_id",
                "action",
                "object_type",
                "object_id",
                "school_id",
                "local_authority_id",
                "detail",
                "chain",
                "previous_hash",
                "hash",
            ],
        ),
    }
    AuditChainHead.objects.get_or_create(chain=authority.pk)
    head = AuditChainHead.objects.select_for_update().get(chain=authority.pk)
    chain = {"hash": head.last_hash, "id": _next_id(AuditEvent)}
    concern_id, request_id = _next_id(Concern), _next_id(AdviceRequest)
    sequence = dict(
        ReferenceSequence.objects.filter(local_authority=authority).values_list(
            "year", "last_number"
        )
    )
    counts = _concern_counts(schools, scale.concerns, rng)
    progress = Progress(out, "concerns and their history", scale.concerns)
    categories = Category.values
    written = dict.fromkeys(["concerns", "requests", "events", "audit"], 0)

    def audit(at, actor, action, object_type, object_id, school_id, detail):
        at = at.astimezone(UTC)  # as the database will hand it back
        digest = chain_hash(
            chain["hash"],
            at,
            actor,
            action,
            object_type,
            str(object_id),
            school_id,
            authority.pk,
            None,
            "",
            "",
            "",
            detail,
        )
        writers["audit"].add(
            chain["id"],
            at,
            actor,
            action,
            object_type,
            str(object_id),
            school_id,
            authority.pk,
            detail,
            authority.pk,
            chain["hash"],
            digest,
        )
        chain["hash"], chain["last"] = digest, chain["id"]
        chain["id"] += 1
        written["audit"] += 1

    def event(cid, rid, action, before, after, actor, at, school_id, produced, detail):
        writers["event"].add(cid, rid, action, before, after, actor, at, produced)
        written["events"] += 1
        obj = ("advicerequest", rid) if rid else ("concern", cid)
        # What the transition adds to its audit row (workflow.core.history's audit detail).
        detail = {"concern": cid, "from_status": before, "to_status": after, **detail}
        audit(at, actor, f"workflow.{action}", *obj, school_id, detail)

    this_year = academic_year_start(timezone.localdate(now))
    # When each school's concerns were seen and recorded, first: the authority numbers its
    # concerns in the order they were recorded (LUT-2026-00042), across all its schools.
    timeline = {}
    for school in schools:
        moments = sorted(start + (now - start) * rng.random() for _ in range(counts[school.pk]))
        recorded = [min(now, m + timedelta(hours=rng.uniform(0.2, 30))) for m in moments]
        timeline[school.pk] = (moments, recorded, [None] * len(recorded))
    in_order = sorted(
        (moment, school_pk, index)
        for school_pk, (_, recorded, _) in timeline.items()
        for index, moment in enumerate(recorded)
    )
    for moment, school_pk, index in in_order:
        year = timezone.localtime(moment).year
        sequence[year] = sequence.get(year, 0) + 1
        timeline[school_pk][2][index] = f"{authority.code}-{year}-{sequence[year]:05d}"
    del in_order
    for school in schools:
        school_pupils = pupils[school.pk]
        count = counts[school.pk]
        groups = _year_groups(school)
        at_school = {}

        def pupils_then(years_back, school_pupils=school_pupils, groups=groups, at=at_school):
            """The pupils now on the roll who were at the school `years_back` school years
            ago, as the workflow asks (a concern is about a pupil on the roll when it is
            recorded). All of them if none were: only a data set longer than the oldest
            pupil's time at the school (luton-stress) asks that."""
            if years_back not in at:
                then = [
                    p for p in school_pupils if _year_then(year_groups[p], years_back) in groups
                ]
                at[years_back] = (then or school_pupils, set(then or school_pupils))
            return at[years_back]

        # Pupils with long chronologies have been at the school all the data set's years.
        earliest, _ = pupils_then(this_year - academic_year_start(timezone.localdate(start)))
        long_pupils = rng.sample(earliest, k=min(len(earliest), max(1, count // 400)))
        dsl = people[(school.pk, Role.DSL)][0]
        staff = people.get((school.pk, Role.STAFF), [dsl])
        remaining_long = {p: rng.randint(50, 200) for p in long_pupils}
        moments, recorded_times, references = timeline.pop(school.pk)
        # This school's share of the hub's requests; the most recent of them are still open.
        with_request = sorted(
            rng.sample(range(count), k=min(count, round(scale.requests * count / scale.concerns)))
        )
        still_open = set(
            with_request[len(with_request) - round(scale.open_requests * count / scale.concerns) :]
        )
        with_request = set(with_request)
        for index, observed in enumerate(moments):
            recorded, reference = recorded_times[index], references[index]
            years_back = this_year - academic_year_start(timezone.localdate(recorded))
            candidates, on_roll = pupils_then(years_back)
            if remaining_long and rng.random() < 0.35:
                pupil = rng.choice(list(remaining_long))
                remaining_long[pupil] -= 1
                if remaining_long[pupil] <= 0:
                    del remaining_long[pupil]
                if pupil not in on_roll:
                    pupil = rng.choice(candidates)
            else:
                pupil = rng.choice(candidates)
            # The concern keeps the year group the pupil was in when it was recorded.
            year_group = _year_then(year_groups[pupil], years_back)
            if year_group not in groups:
                year_group = year_groups[pupil]
            recorder = rng.choice(staff)
            cid = concern_id
            concern_id += 1
            age_days = (now - recorded).days
            path = (
                "open_request"
                if index in still_open
                else "advice"
                if index in with_request
                else "escalated"
                if rng.random() < 0.04
                else "recorded"
                if age_days < 3
                else "nfa"
            )
            # A concern marked at immediate risk is escalated or advised on before it closes
            # (workflow.concerns.close_concern), never closed as no further action alone.
            risk = path == "escalated" or (rng.random() < 0.03 and path != "nfa")
            category = rng.choice(categories)
            # Nothing is done after now: a step that would come later has not happened yet, and
            # neither has the record it writes.
            dsl_at = min(now, recorded + timedelta(hours=rng.uniform(0.5, 20)))
            status, version = "recorded", 1
            steps = []  # (action, to_status, actor, at, request id, what its audit row adds)
            rid = None
            if path in {"advice", "open_request"}:
                rid = request_id
                request_id += 1
                urgency = rng.choice(["red", "amber", "amber", "green", "green"])
                due = add_working_hours(dsl_at, URGENCY_HOURS[urgency])
                steps.append(
                    ("request_hub_advice", "with_hub", dsl, dsl_at, rid, {"urgency": urgency})
                )
                advisor = rng.choice(people["hub"]) if people["hub"] else dsl
                if path == "advice":
                    claimed = dsl_at + timedelta(hours=rng.uniform(0.1, 2))
                    advised = add_working_hours(
                        dsl_at, URGENCY_HOURS[urgency] * rng.uniform(0.2, 1.6)
                    )
                    advised = max(advised, claimed + timedelta(minutes=5))
                    level = rng.choice([1, 2, 2, 3])
                    talk = advised + timedelta(hours=rng.uniform(2, 72))
                else:
                    claimed = dsl_at + timedelta(minutes=30) if rng.random() < 0.5 else None
                    advised = talk = None
                if claimed is not None and claimed > now:
                    claimed = None
                if advised is not None and (claimed is None or advised > now):
                    advised = talk = None
                if claimed is not None:
                    steps.append(("claim_advice_request", "with_hub", advisor, claimed, rid, {}))
                if advised is not None:
                    steps.append(
                        (
                            "give_advice",
                            "advice_received",
                            advisor,
                            advised,
                            rid,
                            {"next_step": "talk_to_parent", "level_of_need": level},
                        )
                    )
                # Its version: 1 when asked, and one more for each claim and answer.
                writers["request"].add(
                    rid,
                    cid,
                    authority.pk,
                    school.pk,
                    dsl,
                    dsl_at,
                    "Summary for the hub.",
                    "What should we do next?",
                    urgency,
                    due,
                    "answered" if advised else "claimed" if claimed else "open",
                    len(steps),
                    "recorded",
                    advisor if claimed else None,
                    claimed,
                    "Talk with the parent." if advised else "",
                    "talk_to_parent" if advised else "",
                    level if advised else None,
                    advisor if advised else None,
                    advised,
                )
                if talk is not None and talk < now:
                    writers["conversation"].add(
                        cid,
                        school.pk,
                        True,
                        talk,
                        "Parent",
                        "Mother",
                        "phone",
                        "The concern and support available.",
                        dsl,
                        talk,
                    )
                    steps.append(
                        (
                            "log_parent_conversation",
                            "parent_conversation_logged",
                            dsl,
                            talk,
                            None,
                            {"held": True},
                        )
                    )
                    close = talk + timedelta(days=rng.uniform(1, 20))
                    if close < now:
                        writers["closure"].add(
                            cid,
                            school.pk,
                            "monitoring",
                            "Support in place; monitoring.",
                            False,
                            dsl,
                            close,
                        )
                        steps.append(
                            (
                                "close_concern",
                                "closed",
                                dsl,
                                close,
                                None,
                                {"outcome": "monitoring", "without_hub_advice": False},
                            )
                        )
                written["requests"] += 1
            elif path == "escalated":
                steps.append(
                    (
                        "escalate_significant_harm",
                        "escalated",
                        dsl,
                        dsl_at,
                        None,
                        {"referred_to": "csc"},
                    )
                )
                # Children's social care open a section 47 enquiry, and the DSL records it
                # (workflow.concerns.record_escalation_outcome) before the concern closes.
                outcome_at = dsl_at + OUTCOME_AFTER
                if outcome_at <= now:
                    steps.append(
                        (
                            "record_escalation_outcome",
                            "escalated",
                            dsl,
                            outcome_at,
                            None,
                            {"outcome": "section_47"},
                        )
                    )
                writers["escalation"].add(
                    cid,
                    school.pk,
                    "Disclosure indicating significant harm.",
                    "csc",
                    dsl_at,
                    False,
                    "Telling them could place the child at risk.",
                    dsl,
                    dsl_at,
                    "section_47" if outcome_at <= now else "",
                    dsl if outcome_at <= now else None,
                    outcome_at if outcome_at <= now else None,
                )
                close = dsl_at + timedelta(days=rng.uniform(5, 40))
                if close < now:
                    writers["closure"].add(
                        cid, school.pk, "csc", "Children's social care leads.", False, dsl, close
                    )
                    steps.append(
                        (
                            "close_concern",
                            "closed",
                            dsl,
                            close,
                            None,
                            {"outcome": "csc", "without_hub_advice": False},
                        )
                    )
            elif path == "nfa":
                writers["closure"].add(
                    cid,
                    school.pk,
                    "monitoring",
                    "Spoke with the class teacher; no further action needed beyond monitoring.",
                    True,
                    dsl,
                    dsl_at,
                )
                steps.append(
                    (
                        "close_concern",
                        "closed",
                        dsl,
                        dsl_at,
                        None,
                        {"outcome": "monitoring", "without_hub_advice": True},
                    )
                )
            if steps:
                status = steps[-1][1]
                # A claim moves only the request's version (workflow.advice).
                version = 1 + sum(step[0] != "claim_advice_request" for step in steps)
            writers["concern"].add(
                cid,
                reference,
                school.pk,
                pupil,
                year_group,
                recorder,
                observed,
                recorded,
                rng.choice(LOCATIONS),
                rng.choice(FACTS),
                "",
                risk,
                status,
                version,
            )
            writers["category"].add(cid, category)
            written["concerns"] += 1
            event(cid, None, "record_concern", "", "recorded", recorder, recorded, school.pk, 1, {})
            before, produced = "recorded", 1
            for action, after, actor, moment, step_request, detail in steps:
                claim = action == "claim_advice_request"
                produced += 0 if claim else 1
                event(
                    cid,
                    step_request,
                    action,
                    before,
                    after,
                    actor,
                    moment,
                    school.pk,
                    None if claim else produced,
                    detail,
                )
                before = after
            for n in range(scale.reads_per_concern):
                moment = min(now, recorded + timedelta(hours=1 + n * 5))
                audit(moment, dsl, "concern.view", "concern", cid, school.pk, {})
            progress.step()
    for writer in writers.values():
        writer.flush()
    if "last" in chain:
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_id=chain["last"], last_hash=chain["hash"]
        )
    for year, number in sequence.items():
        ReferenceSequence.objects.update_or_create(
            local_authority=authority, year=year, defaults={"last_number": number}
        )
    return written
