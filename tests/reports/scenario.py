"""A small, fixed school year for the audit report, made through the real workflow.

Every time is Europe/London (March 2026 is GMT). The report is run at Monday 16 March 2026,
12:00, over the 2025 to 2026 academic year. The figures each test expects are worked out by
hand from the timeline below, in the test.

  A  Y4 neglect           seen Mon 2 Mar 09:00, recorded 10:00 by the teacher (1h)
                          DSL asks the hub, amber, 12:00 (DSL after 2 working hours)
                          advice 16:00 (4 working hours: within amber's 8)
                          conversation held Tue 3 Mar 11:00, logged Wed 4 Mar 10:00
                          (3 working hours after the advice); closed Thu 5 Mar 10:00
  B  Y6 Prevent, online   seen Tue 3 Mar 08:00, recorded 12:00 (4h)
                          DSL asks, red, 13:00 (1 wh); advice 16:00 (3 wh: within red's 4)
                          conversation not held (unreachable), logged Wed 4 Mar 11:00
  C  Y4 physical abuse    seen Wed 4 Mar 09:00, recorded by the DSL Thu 5 Mar 09:00 (24h)
                          escalated to children's social care 11:00 (2 wh); outcome s47
  D  Y4 neglect           seen Mon 9 Mar 09:00, recorded 11:00 (2h)
                          closed without hub advice 14:00 (3 wh): an exception
  E  Y6 emotional abuse   seen Tue 10 Mar 08:30, recorded 09:00 (0.5h)
                          DSL asks, green, 10:00 (1 wh); due Fri 13 Mar 10:00: overdue now
                          by 10 working hours (Fri 10:00-17:00, Mon 09:00-12:00)
  F  Y4 mental health     seen Wed 11 Mar 09:00, recorded 10:00 (1h); no DSL action:
                          26 working hours waiting now (7 + 8 + 8 + 3)
  G  Y4 neglect           seen Fri 13 Mar 14:00, recorded 15:00 (1h); no DSL action:
                          5 working hours waiting now (not yet a working day)
  I  Y6 neglect           seen Mon 2 Mar 07:30, recorded 09:30 (2h)
                          DSL asks, amber, 10:00 (0.5 wh); advice Wed 4 Mar 10:00
                          (7 + 8 + 1 = 16 working hours: outside amber's 8)
"""

from dataclasses import dataclass
from datetime import date, datetime

from audit.log import record
from concerns.models import Concern
from reports.services import add_values_evidence, confirm_prevent_policy
from tests.factories import PupilFactory
from tests.walk import concern_data
from workflow.advice import claim_advice_request, give_advice, request_hub_advice
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    record_escalation_outcome,
)

from .conftest import LONDON

NFA_RATIONALE = "Uniform was lost on the bus; a one-off with no other worries at all."
NOT_HELD_DETAILS = "No answer at any number we hold."
NOT_HELD_ATTEMPTS = "Three calls and a letter home."


@dataclass
class People:
    teacher: object
    dsl: object
    head: object
    advisor: object
    other_school_dsl: object


def _record(clock, people, pupil, seen, recorded, categories, by=None):
    clock.set(*recorded)
    return record_concern(
        by=by or people.teacher,
        pupil=pupil,
        **concern_data(
            observed_at=datetime(*seen, tzinfo=LONDON), categories=categories, location="Class"
        ),
    )


def _ask(clock, people, concern, urgency, at):
    clock.set(*at)
    return request_hub_advice(
        concern, by=people.dsl, summary="Summary.", question="What next?", urgency=urgency
    )


def _advise(clock, people, request, claimed, advised):
    clock.set(*claimed)
    claim_advice_request(request, by=people.advisor)
    clock.set(*advised)
    return give_advice(
        request,
        by=people.advisor,
        advice="Talk with the family.",
        next_step="talk_to_parent",
        level_of_need=2,
    )


def build(clock, school, people, pupil_y4):
    """Make the timeline above. Returns the concerns by letter."""
    pupil_y6 = PupilFactory(school=school, year_group="6", given_name="Bilal", family_name="Begum")
    c = {}
    c["A"] = _record(clock, people, pupil_y4, (2026, 3, 2, 9, 0), (2026, 3, 2, 10, 0), ["neglect"])
    c["I"] = _record(clock, people, pupil_y6, (2026, 3, 2, 7, 30), (2026, 3, 2, 9, 30), ["neglect"])
    request_i = _ask(clock, people, c["I"], "amber", (2026, 3, 2, 10, 0))
    request_a = _ask(clock, people, c["A"], "amber", (2026, 3, 2, 12, 0))
    _advise(clock, people, request_a, (2026, 3, 2, 12, 30), (2026, 3, 2, 16, 0))
    _advise(clock, people, request_i, (2026, 3, 2, 10, 30), (2026, 3, 4, 10, 0))

    c["B"] = _record(
        clock,
        people,
        pupil_y6,
        (2026, 3, 3, 8, 0),
        (2026, 3, 3, 12, 0),
        ["radicalisation", "online_safety"],
    )
    request_b = _ask(clock, people, c["B"], "red", (2026, 3, 3, 13, 0))
    _advise(clock, people, request_b, (2026, 3, 3, 13, 30), (2026, 3, 3, 16, 0))

    clock.set(2026, 3, 4, 10, 0)
    log_parent_conversation(
        c["A"],
        by=people.dsl,
        held=True,
        held_at=datetime(2026, 3, 3, 11, 0, tzinfo=LONDON),
        with_name="Mrs Ahmed",
        with_relationship="Mother",
        method="in_person",
        discussed="Breakfast and routines.",
    )
    clock.set(2026, 3, 4, 11, 0)
    log_parent_conversation(
        c["B"],
        by=people.dsl,
        held=False,
        not_held_reason="unreachable",
        attempts=NOT_HELD_ATTEMPTS,
        details=NOT_HELD_DETAILS,
    )

    c["C"] = _record(
        clock,
        people,
        pupil_y4,
        (2026, 3, 4, 9, 0),
        (2026, 3, 5, 9, 0),
        ["physical_abuse"],
        by=people.dsl,
    )
    clock.set(2026, 3, 5, 10, 0)
    close_concern(c["A"], by=people.dsl, outcome="monitoring", rationale="Breakfast club works.")
    clock.set(2026, 3, 5, 11, 0)
    escalation = escalate_significant_harm(
        c["C"],
        by=people.dsl,
        indicators="Bruising to the face.",
        referred_to="csc",
        referred_at=datetime(2026, 3, 5, 10, 45, tzinfo=LONDON),
        parent_informed=False,
        parent_not_informed_reason="It could place the child at risk.",
    )
    clock.set(2026, 3, 6, 10, 0)
    record_escalation_outcome(escalation, by=people.dsl, outcome="section_47")

    c["D"] = _record(clock, people, pupil_y4, (2026, 3, 9, 9, 0), (2026, 3, 9, 11, 0), ["neglect"])
    clock.set(2026, 3, 9, 14, 0)
    close_concern(c["D"], by=people.dsl, outcome="nfa", rationale=NFA_RATIONALE)

    c["E"] = _record(
        clock, people, pupil_y6, (2026, 3, 10, 8, 30), (2026, 3, 10, 9, 0), ["emotional_abuse"]
    )
    _ask(clock, people, c["E"], "green", (2026, 3, 10, 10, 0))
    c["F"] = _record(
        clock, people, pupil_y4, (2026, 3, 11, 9, 0), (2026, 3, 11, 10, 0), ["mental_health"]
    )
    c["G"] = _record(
        clock, people, pupil_y4, (2026, 3, 13, 14, 0), (2026, 3, 13, 15, 0), ["neglect"]
    )
    _access(clock, school, people, c)
    _evidence(clock, school, people)
    clock.set(2026, 3, 16, 12, 0)
    return {key: Concern.objects.get(pk=concern.pk) for key, concern in c.items()}


def _access(clock, school, people, c):
    """Reads of children's records, as the pages that show them audit them."""
    clock.set(2026, 3, 12, 9, 0)
    for actor, action, concern, times in [
        (people.head, "concern.view", c["A"], 2),
        (people.head, "pupil.chronology.view", c["A"], 1),
        (people.dsl, "concern.view", c["B"], 1),
        (people.dsl, "attachment.download", c["B"], 1),
        (people.teacher, "concern.view", c["A"], 1),  # recorded it: not "beyond"
        (people.teacher, "concern.view", c["C"], 2),  # the DSL recorded it: beyond
    ]:
        for _ in range(times):
            record(action, actor=actor, obj=concern, school=school)
    record("pupil.view", actor=people.dsl, obj=c["B"].pupil, school=school)  # their details
    # Lists that name children: the DSL's inbox twice and an import's preview, the teacher's own
    # concerns and a search for a pupil to record a concern about.
    for actor, action in [
        (people.dsl, "concern.inbox.view"),
        (people.dsl, "concern.inbox.view"),
        (people.dsl, "pupil.import.view"),
        (people.teacher, "concern.mine.view"),
    ]:
        record(action, actor=actor, obj=school, school=school)
    record("pupil.search", actor=people.teacher, school=school, object_type="pupil", results=3)
    # The page that confirms a concern was sent shows it: a concern page.
    record("concern.confirmation.view", actor=people.teacher, obj=c["A"], school=school)
    request = c["A"].advice_requests.get()
    record("advicerequest.view", actor=people.advisor, obj=request, school=school)
    record(
        "report.export", actor=people.head, school=school, object_type="report", object_id="audit"
    )
    record(
        "access.denied",
        actor=people.teacher,
        school=school,
        object_type="concern",
        object_id=c["C"].pk,
    )
    # Someone at another school tries one of this school's concerns: filed under their school.
    other = people.other_school_dsl.memberships.get().school
    record(
        "access.denied",
        actor=people.other_school_dsl,
        school=other,
        object_type="concern",
        object_id=c["A"].pk,
    )
    # Not this school's business: their own refusal on their own kind of record.
    record(
        "access.denied",
        actor=people.other_school_dsl,
        school=other,
        object_type="pupil",
        object_id="999999",
    )
    # Outside the period: not counted.
    clock.set(2025, 8, 31, 12, 0)
    record("concern.view", actor=people.head, obj=c["A"], school=school)


def _evidence(clock, school, people):
    clock.set(2025, 10, 1, 9, 0)
    confirm_prevent_policy(school, by=people.head, expected_url=school.safeguarding_policy_url)
    clock.set(2026, 4, 2, 9, 0)  # so that the summer-term activity is not in the future
    for day, title, values, groups in [
        (date(2025, 10, 1), "School council elections", ["democracy", "rule_of_law"], ["4", "5"]),
        (date(2026, 1, 15), "Faith visits", ["mutual_respect"], ["6"]),
        (date(2026, 3, 31), "Mock referendum", ["democracy"], ["6"]),
        (date(2026, 4, 1), "Choosing clubs", ["individual_liberty", "democracy"], ["3"]),
        (date(2025, 8, 31), "Last year's assembly", ["democracy"], ["3"]),
    ]:
        add_values_evidence(
            school,
            by=people.head,
            activity_date=day,
            title=title,
            description="What the pupils did.",
            year_groups=groups,
            values=values,
        )
