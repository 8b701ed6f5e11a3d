"""The audit report as sections of tables, for one audience.

The page, the PDF (the same page) and the CSV are all written from these tables, so the three
always hold the same figures. The governors' version (see `reports.presentation` for how its
numbers are shown) also names nobody: no staff, no pupils and no concern references; the lists
of exceptions and of who looked at what become counts.
"""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from advice.models import URGENCY_TARGET_TEXT, Urgency
from concerns.models import Category, Closure, Escalation, ParentConversation
from safeguarding.templatetags.presenters import uk_date, uk_datetime
from schools.models import Pupil

from .figures import VIEW_COLUMNS
from .models import BritishValue
from .periods import TERM_RULE
from .presentation import (
    FEWER,
    FULL,
    GOVERNORS,
    WITHHELD,
    Formatter,
    Link,
    Section,
    Table,
    counted,
    key_figures,
)
from .selectors import year_ago


def _concern_link():
    """Links from a concern reference to its page, once the school-side pages exist. The
    address is worked out once, not once a row: a long report links thousands of concerns."""
    marker = "9090909090909"
    try:
        before, after = reverse("concerns:detail", args=[marker]).split(marker)
    except NoReverseMatch:
        return lambda pk, reference: reference
    return lambda pk, reference: Link(reference, f"{before}{pk}{after}")


def _person(name):
    return name or "Unknown"


def build_sections(figures, audience=FULL, listed=None):
    """The report's sections. `listed`: show only the first so many rows of each list of
    exceptions (the page: a five-year report has thousands), saying so under the table;
    their counts are complete whatever it is. None: every row (the CSV)."""
    fmt = Formatter(audience)
    governors = audience == GOVERNORS
    return [
        _step_one(figures, fmt),
        _step_two(figures, fmt),
        _step_three(figures, fmt),
        _escalations(figures, fmt),
        _leavers(figures, fmt),
        _subject_access(figures, fmt),
        _records_reviews(figures, fmt),
        _exceptions(figures, fmt, governors, listed),
        _access(figures, fmt, governors),
        _evidence(figures, fmt, governors),
    ]


def _recorded(f, fmt):
    """The number of concerns recorded, which the months and the year groups add up to."""
    return fmt.total(f.recorded, [n for _, n in f.by_month], [n for _, n in f.by_year_group])


def _step_one(f, fmt):
    recorded = _recorded(f, fmt)
    # Not shown, the number recorded must not be given back by the months or year groups
    # adding up to it (all in one month, say).
    whole_hidden = recorded == WITHHELD
    return Section(
        key="step-1",
        title="Step 1: recording concerns",
        tables=[
            key_figures(
                "step-1-summary",
                "step 1, recording concerns",
                [
                    ["Concerns recorded", recorded],
                    [
                        "Median time from seen or heard to recorded (hours)",
                        fmt.hours(f.seen_to_recorded),
                    ],
                    [
                        "Median time from recorded to a DSL's first action (working hours)",
                        fmt.hours(f.recorded_to_dsl),
                    ],
                    [
                        "Concerns awaiting DSL review for more than one working day (now)",
                        fmt.count(len(f.awaiting_review)),
                    ],
                ],
            ),
            counted(
                "step-1-month",
                "Concerns recorded by month",
                "Month",
                [(f"{month:%B %Y}", n) for month, n in f.by_month],
                fmt,
                whole_hidden=whole_hidden,
            ),
            counted(
                "step-1-category",
                "Concerns recorded by category",
                "Category",
                [(Category(c).label, n) for c, n in f.by_category],
                fmt,
                note="A concern can be in more than one category, so these can add up to more "
                "than the number of concerns. Radicalisation or extremism (Prevent) is one "
                "category among the others, with no separate pathway (step 4).",
            ),
            counted(
                "step-1-year-group",
                "Concerns recorded by year group",
                "Year group",
                [(Pupil.YearGroup(g).label, n) for g, n in f.by_year_group],
                fmt,
                note="The pupil's year group when the concern was recorded.",
                whole_hidden=whole_hidden,
                empty="No concerns were recorded in this period.",
            ),
        ],
    )


def _step_two(f, fmt):
    # Each request made is still open, answered (in one urgency's row) or withdrawn: with the
    # number made shown, `breakdown` hides a further count where the shown ones would give a
    # hidden one away.
    parts = [f.requests_open, f.requests_withdrawn, *(u.times.n for u in f.by_urgency)]
    still_open, withdrawn, *answered = fmt.breakdown(parts)
    # "... of 5" would give back a number of concerns recorded that is not shown.
    sought = WITHHELD if _recorded(f, fmt) == WITHHELD else fmt.share(f.advice_sought, f.recorded)
    return Section(
        key="step-2",
        title="Step 2: advice from the Early Help Hub",
        tables=[
            key_figures(
                "step-2-summary",
                "step 2, advice from the Early Help Hub",
                [
                    [
                        "Concerns recorded where hub advice was sought",
                        sought,
                    ],
                    [
                        "Advice requests made, withdrawn ones included",
                        fmt.total(f.requests_made, parts),
                    ],
                    ["Advice requests made in the period and still open", still_open],
                    [
                        "Advice requests made in the period and since withdrawn by the school",
                        withdrawn,
                    ],
                ],
            ),
            Table(
                key="step-2-urgency",
                caption="Time from request to advice, by urgency",
                headers=[
                    "Urgency",
                    "Target",
                    "Answered",
                    "Median (working hours)",
                    "90th percentile (working hours)",
                    "Within target",
                ],
                rows=[
                    [
                        Urgency(u.urgency).label,
                        URGENCY_TARGET_TEXT[u.urgency],
                        n,
                        fmt.hours(u.times),
                        fmt.hours(u.times, "p90"),
                        # "... of 7" would give a withheld count back.
                        WITHHELD if n == WITHHELD else fmt.share(u.within_target, u.times.n),
                    ]
                    for u, n in zip(f.by_urgency, answered, strict=True)
                ],
                numeric=(2, 3, 4, 5),
                note="Requests answered, by the urgency they had when answered. With those "
                "still open and those withdrawn, they add up to the advice requests made.",
            ),
        ],
    )


def _step_three(f, fmt):
    # The conversations held were held before the advice or timed from it: with the number
    # held shown, `breakdown` hides the first where it would give away a few held after.
    held = [f.held_before_advice, f.advice_to_conversation.n]
    before_advice, _ = fmt.breakdown(held)
    return Section(
        key="step-3",
        title="Step 3: talking with the parent or carer",
        tables=[
            key_figures(
                "step-3-summary",
                "step 3, talking with the parent or carer",
                [
                    ["Conversations held", fmt.total(f.conversations_held, held)],
                    [
                        "Of those, held before the hub's advice came",
                        before_advice,
                    ],
                    ["Conversations not held (with a reason)", _not_held(f, fmt)],
                    [
                        "Not needed because the concern was escalated for significant harm",
                        fmt.count(f.not_needed_escalated),
                    ],
                    [
                        "Median time from hub advice to the conversation (working hours)",
                        fmt.hours(f.advice_to_conversation),
                    ],
                ],
            ),
            counted(
                "step-3-not-held",
                "Conversations not held, by reason",
                "Reason",
                [(ParentConversation.NotHeldReason(r).label, n) for r, n in f.not_held_by_reason],
                fmt,
                chart=False,
            ),
        ],
    )


def _not_held(f, fmt):
    """The number of conversations not held, which the reasons add up to."""
    return fmt.total(f.conversations_not_held, [n for _, n in f.not_held_by_reason])


def _escalations(f, fmt):
    return Section(
        key="escalations",
        title="Escalations for significant harm",
        tables=[
            counted(
                "escalations-target",
                "Escalations by who the concern was referred to",
                "Referred to",
                [(Escalation.Target(t).label, n) for t, n in f.escalations_by_target],
                fmt,
                chart=False,
                # Each target's outcomes, in the table after, add up to its number.
                parts=[
                    [n for target, _, n in f.escalation_outcomes if target == t]
                    for t, _ in f.escalations_by_target
                ],
            ),
            Table(
                key="escalations-outcome",
                caption="Recorded outcomes of escalations",
                headers=["Referred to", "Outcome", "Number"],
                rows=_outcome_rows(f.escalation_outcomes, fmt),
                numeric=(2,),
                empty="No escalations in this period.",
            ),
        ],
    )


def _outcome_rows(outcomes, fmt):
    """A row for each target and outcome. A target's outcomes add up to its total in the
    table before: `breakdown` hides one more where the shown ones would give away a hidden
    one."""
    rows, by_target = [], {}
    for target, outcome, n in outcomes:
        by_target.setdefault(target, []).append((outcome, n))
    for target, counted_outcomes in by_target.items():
        texts = fmt.breakdown([n for _, n in counted_outcomes])
        for (outcome, _), text in zip(counted_outcomes, texts, strict=True):
            label = Escalation.Outcome(outcome).label if outcome else "Not yet recorded"
            rows.append([Escalation.Target(target).label, label, text])
    return rows


SENT = ("on_time", "late", "overdue", "in_time", "came_back")
ANSWERED = ("on_time", "late", "overdue", "in_time", "waiting")


def _leavers(f, fmt):
    n = f.leavers
    # Each file is in one of the first five rows, and each file sent in one of the last three:
    # `breakdown` hides a further count where the shown ones would give away a hidden one.
    sent = fmt.breakdown([n[key] for key in SENT])
    received = fmt.breakdown([n["received"], n["awaiting"], n["back_unconfirmed"]])
    if {FEWER, WITHHELD} & set(sent[:2]):
        # The three receipt rows add up to the files sent (the first two rows): shown, they
        # would give back a count hidden there.
        received = [WITHHELD] * len(received)
    elif fmt.gives_away([n["received"], n["awaiting"], n["back_unconfirmed"]]):
        # Shown, the files sent (the first two rows) would fix a count hidden here.
        received = [WITHHELD] * len(received)
    labels = [
        "Files sent within 5 school days",
        "Files sent late",
        "Files not sent, and overdue",
        "Files not yet sent, still in time",
        "Not sent: the pupil came back before it was due",
        "Receipt confirmed by the new school",
        "Sent, receipt not yet confirmed",
        "Sent, and the pupil came back before receipt was confirmed",
    ]
    return Section(
        key="leavers",
        title="Child protection files of pupils who left",
        tables=[
            key_figures(
                "leavers-summary",
                "leavers' child protection files",
                [
                    [
                        "Leavers with a child protection file",
                        fmt.total(n["left"], [n[key] for key in SENT]),
                    ],
                    *([label, text] for label, text in zip(labels, sent + received, strict=True)),
                ],
            ),
        ],
    )


def _subject_access(f, fmt):
    n = f.subject_access
    # Each request is in one of these five rows: `breakdown` hides a further count where the
    # shown ones and the total would give away a hidden one.
    answered = fmt.breakdown([n[key] for key in ANSWERED])
    labels = [
        "Answered by the day due",
        "Answered late",
        "Not yet answered, and overdue",
        "Not yet answered, still in time",
        "Not yet answered, waiting for the requester to clarify it or to prove who they are",
    ]
    return Section(
        key="subject-access",
        title="Subject access requests",
        tables=[
            key_figures(
                "subject-access-summary",
                "subject access requests",
                [
                    [
                        "Requests received for a pupil's records",
                        fmt.total(n["received"], [n[key] for key in ANSWERED]),
                    ],
                    *([label, text] for label, text in zip(labels, answered, strict=True)),
                    [
                        "Extended to three months, with the reason given",
                        fmt.count(n["extended"]),
                    ],
                    [
                        "Clarified by the requester, the time limit stopped meanwhile",
                        fmt.count(n["clarified"]),
                    ],
                    ["Answers that withheld some or all of the records", fmt.count(n["withheld"])],
                ],
            ),
        ],
    )


def _records_reviews(f, fmt):
    n = f.records_reviews
    return Section(
        key="records-reviews",
        title="Records reviewed at a pupil's 25th birthday",
        tables=[
            key_figures(
                "records-reviews-summary",
                "records reviewed at the 25th birthday",
                [
                    ["Pupils' records kept for longer, with the reason", fmt.count(n["kept"])],
                    ["Pupils' records destroyed", fmt.count(n["destroyed"])],
                    ["Due for review now and not yet reviewed", fmt.count(n["due"])],
                ],
            ),
        ],
    )


# Children's social care decides what to do about a referral within one working day; the
# school follows it up when no decision comes (concerns.casework.decision_overdue).
UNDECIDED = (
    "Referrals to children's social care with no outcome recorded a working day after them (now)"
)


def _shown(rows, total, listed):
    """The rows to show, and the note under the table when some are left out."""
    rows = rows if listed is None else rows[:listed]
    if len(rows) >= total:
        return rows, ""
    return rows, (
        f"The first {len(rows):,} of {total:,}, oldest first. The full list is in the CSV "
        "spreadsheet."
    )


def _exceptions(f, fmt, governors, listed):
    summary = key_figures(
        "exceptions-summary",
        "exceptions",
        [
            ["Closures without hub advice", fmt.count(f.closed_without_advice_count)],
            ["Parent conversations not held", _not_held(f, fmt)],
            ["Advice requests past their due time (now)", fmt.count(len(f.overdue_requests))],
            [
                "Concerns awaiting DSL review for more than one working day (now)",
                fmt.count(len(f.awaiting_review)),
            ],
            [UNDECIDED, fmt.count(len(f.undecided_referrals))],
        ],
    )
    section = Section(
        key="exceptions",
        title="Exceptions",
        intro="Decisions that left the usual steps, with the reasons recorded, and work that "
        "is late.",
        tables=[summary],
    )
    if governors:
        return section
    link = _concern_link()
    reason = ParentConversation.NotHeldReason
    closed, closed_note = _shown(f.closed_without_advice, f.closed_without_advice_count, listed)
    not_held, not_held_note = _shown(f.not_held, f.not_held_count, listed)
    overdue, overdue_note = _shown(f.overdue_requests, len(f.overdue_requests), listed)
    section.tables += [
        Table(
            key="exceptions-closed",
            caption="Closed without hub advice",
            headers=["Concern", "Closed", "Closed by", "Outcome", "Reason given"],
            rows=[
                [link(pk, ref), uk_datetime(at), _person(by), Closure.Outcome(outcome).label, why]
                for pk, ref, at, by, outcome, why in closed
            ],
            note=closed_note,
        ),
        Table(
            key="exceptions-not-held",
            caption="Parent conversations not held",
            headers=[
                "Concern",
                "Logged",
                "Logged by",
                "Reason",
                "Attempts to reach them",
                "Details",
            ],
            rows=[
                [link(pk, ref), uk_datetime(at), _person(by), reason(why).label, attempts, details]
                for pk, ref, at, by, why, attempts, details in not_held
            ],
            note=not_held_note,
        ),
        Table(
            key="exceptions-overdue",
            caption="Advice requests past their due time (now)",
            headers=["Concern", "Urgency", "Requested", "Due", "Overdue by (working hours)"],
            rows=[
                [
                    link(pk, ref),
                    Urgency(u).label,
                    uk_datetime(asked),
                    uk_datetime(due),
                    f"{late:.1f}",
                ]
                for pk, ref, u, asked, due, late in overdue
            ],
            numeric=(4,),
            empty="None now.",
            note=overdue_note,
        ),
        _waiting(
            "exceptions-awaiting",
            "Concerns awaiting DSL review for more than one working day (now)",
            "Waiting since",
            f.awaiting_review,
            listed,
        ),
        _waiting("exceptions-undecided", UNDECIDED, "Referred", f.undecided_referrals, listed),
    ]
    return section


def _waiting(key, caption, since, waiting, listed):
    """A list of the concerns still waiting now, oldest first, with the working hours each
    has waited since `since`."""
    rows, note = _shown(waiting, len(waiting), listed)
    link = _concern_link()
    return Table(
        key=key,
        caption=caption,
        headers=["Concern", since, "Waiting (working hours)"],
        rows=[[link(pk, ref), uk_datetime(at), f"{hours:.1f}"] for pk, ref, at, hours in rows],
        numeric=(2,),
        empty="None now.",
        note=note,
    )


def _access(f, fmt, governors):
    section = Section(
        key="access",
        title="Access to children's records",
        intro="From the audit trail: every page of a child's record opened, every list of "
        "children's names shown, every download, and every refused attempt.",
    )
    if governors:
        views = {column: sum(row[column] for row in f.viewers) for column in VIEW_COLUMNS}
        section.tables.append(
            Table(
                key="access-summary",
                caption="Access in numbers",
                headers=["Measure", "Number"],
                numeric=(1,),
                rows=[
                    ["People who viewed children's records", fmt.count(len(f.viewers))],
                    ["Concern pages viewed", fmt.count(views["concern"])],
                    ["Pupil details pages viewed", fmt.count(views["pupil"])],
                    ["Pupil chronologies viewed", fmt.count(views["chronology"])],
                    ["Attachments downloaded", fmt.count(views["attachment"])],
                    ["Advice requests viewed", fmt.count(views["advice"])],
                    ["Lists of children viewed", fmt.count(views["lists"])],
                    ["Reports exported", fmt.count(sum(row["exports"] for row in f.downloads))],
                    [
                        "Refused access attempts",
                        fmt.count(sum(row["attempts"] for row in f.denied)),
                    ],
                    [
                        "Staff who viewed concerns they did not record",
                        fmt.count(len(f.staff_beyond_own)),
                    ],
                    [
                        "Views of concerns by staff who did not record them",
                        fmt.count(sum(row["views"] for row in f.staff_beyond_own)),
                    ],
                ],
            )
        )
        return section
    section.tables += [
        Table(
            key="access-viewers",
            caption="Who viewed children's records",
            headers=[
                "Person",
                "Concern pages",
                "Pupil details",
                "Pupil chronologies",
                "Attachment downloads",
                "Advice requests",
                "Lists of children",
                "Total",
            ],
            rows=[
                [
                    _person(row["actor__full_name"]),
                    *(fmt.count(row[column]) for column in VIEW_COLUMNS),
                    fmt.count(row["total"]),
                ]
                for row in f.viewers
            ],
            numeric=(1, 2, 3, 4, 5, 6, 7),
            note="Pupil details: a pupil's page, and a page recording a step about them (their "
            "leaving, a subject access request). Pupil chronologies: each page of one, and each "
            "whole file opened. Lists of children: the concerns list, the pupil list, the "
            "leavers' files, the subject access requests, a person's own concerns, a pupil "
            "import's preview and the pupils found when recording a concern, each time one was "
            "shown.",
        ),
        Table(
            key="access-downloads",
            caption="Downloads and exports",
            headers=["Person", "Attachment downloads", "Report exports"],
            rows=[
                [
                    _person(row["actor__full_name"]),
                    fmt.count(row["attachments"]),
                    fmt.count(row["exports"]),
                ]
                for row in f.downloads
            ],
            numeric=(1, 2),
        ),
        Table(
            key="access-denied",
            caption="Refused access attempts",
            headers=["Person", "Attempts", "Latest"],
            rows=[
                [
                    _person(row["actor__full_name"]),
                    fmt.count(row["attempts"]),
                    uk_datetime(row["latest"]),
                ]
                for row in f.denied
            ],
            numeric=(1,),
            note="Attempts by people of this school to open records they may not see, and "
            "attempts by anyone to open this school's records.",
        ),
        Table(
            key="access-staff",
            caption="Staff who viewed concerns they did not record",
            headers=["Person", "Views", "Different concerns"],
            rows=[
                [
                    _person(row["actor__full_name"]),
                    fmt.count(row["views"]),
                    fmt.count(row["concerns"]),
                ]
                for row in f.staff_beyond_own
            ],
            numeric=(1, 2),
            note="People with a staff role here who opened a concern someone else recorded "
            "(including anyone who also holds a DSL or head teacher role).",
        ),
    ]
    return section


def _confirmation_text(confirmation, governors, policy, as_at, *, over):
    """Whether the policy was confirmed to cover Prevent, as the start page's reminder judges
    it (`reports.selectors.policy_reminder`), at `as_at`: the period's last day, or today,
    for a period not `over` yet."""
    if confirmation is None:
        # A period still running has no end yet to be judged at: the head may still confirm.
        return (
            "Not confirmed by the end of the period"
            if over
            else "Not confirmed in this period so far"
        )
    on = uk_date(confirmation.confirmed_at)
    who = (
        "the head teacher" if governors else f"{confirmation.confirmed_by.full_name}, head teacher,"
    )
    if timezone.localtime(confirmation.confirmed_at).date() < year_ago(as_at):
        # The start page already asks the head to confirm again: not evidence for the period.
        return (
            f"Not confirmed in the 12 months to {uk_date(as_at)}: the last confirmation, "
            f"by {who} on {on}, is more than 12 months old"
        )
    if confirmation.policy_url != policy:
        # The head confirmed what another address held, not the policy published now.
        return (
            f"Not confirmed for this address: the last confirmation, by {who} on {on}, was for "
            "a different address"
        )
    return f"Confirmed by {who} on {on}"


def _evidence(f, fmt, governors):
    confirmation = f.confirmation
    policy = f.policy_url
    rows = [
        [
            "Published safeguarding policy (step 1)",
            Link(policy, policy) if policy else "Not recorded",
        ],
        [
            "Policy covers Prevent, with no separate Prevent policy (step 4)",
            _confirmation_text(
                confirmation,
                governors,
                policy,
                min(f.period.end, timezone.localdate(f.now)),
                over=f.period.end < timezone.localdate(f.now),
            ),
        ],
    ]
    if confirmation is not None:
        rows += [
            ["Policy address confirmed", Link(confirmation.policy_url, confirmation.policy_url)],
            ["Statement confirmed", confirmation.statement],
        ]
    columns = [(term.key, term.label) for term in f.terms] + [("total", "Whole period")]
    # In full for the governors too: a curriculum activity is about no child and names nobody,
    # and 'fewer than 5' would hide from them how often each value was taught.
    activities = Formatter(FULL)
    coverage_rows = [
        [
            value.label,
            *(activities.count(f.coverage.get((key, value.value), 0)) for key, _ in columns),
        ]
        for value in BritishValue
    ]
    coverage_rows.append(
        [
            "Activities (any value)",
            *(activities.count(f.coverage.get((key, "all"), 0)) for key, _ in columns),
        ]
    )
    return Section(
        key="evidence",
        title="Evidence for steps 1, 4 and 5",
        tables=[
            Table(
                key="evidence-policy",
                caption="Safeguarding policy",
                headers=["Item", "Detail"],
                rows=rows,
                note="The policy published at the end of the period (today, for a period not "
                "over yet), and the head teacher's latest confirmation by then.",
            ),
            Table(
                key="evidence-values",
                caption="British values: activities per value per term (step 5)",
                headers=["Value", *(label for _, label in columns)],
                rows=coverage_rows,
                numeric=tuple(range(1, len(columns) + 1)),
                note="From the British values log. An activity can promote more than one "
                f"value. {TERM_RULE}",
            ),
        ],
    )
