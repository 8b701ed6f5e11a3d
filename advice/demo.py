"""Fictional demo cases, so that a demo hub advisor finds work in the queue after `make run`.

Recorded through the real workflow by the demo people of `schools.demo`: a teacher records
each concern, the school's DSL asks the hub (red, amber and green), the demo advisor claims
one and answers another. Every child, event and word here is made up. Idempotent: each
concern has a fixed submission key, and nothing is recorded if the first one exists.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from concerns.models import Closure, Concern
from schools.demo import make_upn
from schools.models import Pupil, School, User
from workflow.advice import claim_advice_request, give_advice, request_hub_advice
from workflow.concerns import close_concern, record_concern
from workflow.leavers import record_leaving
from workflow.subject_access import record_request

_NAMESPACE = uuid.UUID("6f1c1c8e-3d51-4a4b-9d8e-5a0c2f1b7e10")
ADVISOR_EMAIL = "hub.advisor@luton.example"
FICTIONAL = "Fictional demo example. "

CASES = [
    {
        "key": "bruise-and-worry",
        "school": ("900101", "leabank"),
        "pupil": 0,
        "categories": ["physical_abuse"],
        "location": "Year 3 classroom",
        "what_happened": "The pupil had a bruise on the upper arm during PE. Asked about it, "
        "they said they fell off a bike, then later told the teaching assistant that "
        "home is 'shouty' at the moment.",
        "child_words": "I fell off my bike. Dad gets cross when I'm slow.",
        "immediate_action": "Listened, did not ask leading questions, told the DSL at once.",
        "urgency": "red",
        "summary": "Bruise on the arm and a worrying comment about home.",
        "question": "Should we speak to the parents today, or refer straight to MASH?",
    },
    {
        "key": "forum-recruitment",
        "school": ("900101", "leabank"),
        "pupil": 1,
        "categories": ["radicalisation", "online_safety"],
        "location": "ICT suite",
        "what_happened": "The pupil told a classmate that a gaming forum says people from "
        "another country are 'invaders', and asked the teacher how to join the forum's group.",
        "child_words": "They say we have to stand up for our own people.",
        "immediate_action": "Explained the school's values, logged the forum name, told the DSL.",
        "urgency": "amber",
        "summary": "Extremist ideas picked up on a gaming forum.",
        "question": "Does this meet the threshold for a Prevent referral?",
        "then": "claim",
    },
    {
        "key": "withdrawn-at-lunch",
        "school": ("900102", "chilternrise"),
        "pupil": 0,
        "categories": ["mental_health"],
        "location": "Dining hall",
        "what_happened": "For two weeks the pupil has eaten alone and stopped attending "
        "football club. Their form tutor asked how they were.",
        "child_words": "I don't really see the point of anything at the moment.",
        "immediate_action": "Tutor stayed with them, made sure they had lunch, told the DSL.",
        "urgency": "green",
        "summary": "Low mood and withdrawal over two weeks.",
        "question": "Is there early help we can offer alongside school counselling?",
    },
    {
        "key": "hungry-at-break",
        "school": ("900101", "leabank"),
        "pupil": 2,
        "categories": ["neglect"],
        "location": "Playground",
        "what_happened": "The pupil has worn the same unwashed uniform all week and asked "
        "staff for food at morning break on three days.",
        "child_words": "There wasn't any breakfast again.",
        "immediate_action": "Gave toast from breakfast club and told the DSL.",
        "urgency": "amber",
        "summary": "Signs of neglect: hunger and unwashed uniform.",
        "question": "Should we talk to mum first?",
        "then": "answer",
    },
]


def _key(name):
    return uuid.uuid5(_NAMESPACE, name)


@transaction.atomic
def seed_demo_cases():
    """Record the demo cases if they are missing. Returns how many concerns it recorded."""
    if Concern.objects.filter(submission_key__in=[_key(case["key"]) for case in CASES]).exists():
        return 0
    advisor = User.objects.get(email=ADVISOR_EMAIL)
    now = timezone.now()
    for hours_ago, case in enumerate(CASES, start=2):
        urn, slug = case["school"]
        school = School.objects.get(urn=urn)
        concern = record_concern(
            by=User.objects.get(email=f"teacher@{slug}.example"),
            pupil=school.pupils.order_by("upn")[case["pupil"]],
            observed_at=now - timedelta(hours=hours_ago),
            location=case["location"],
            categories=case["categories"],
            what_happened=FICTIONAL + case["what_happened"],
            child_words=case["child_words"],
            immediate_action=case["immediate_action"],
            submission_key=_key(case["key"]),
        )
        request = request_hub_advice(
            concern,
            by=User.objects.get(email=f"dsl@{slug}.example"),
            summary=case["summary"],
            question=case["question"],
            urgency=case["urgency"],
        )
        if case.get("then") in {"claim", "answer"}:
            claim_advice_request(request, by=advisor)
        if case.get("then") == "answer":
            give_advice(
                request,
                by=advisor,
                advice=FICTIONAL + "Talk with mum this week about breakfast club and uniform "
                "support, and offer an early help assessment with the family's consent.",
                next_step="early_help",
                level_of_need=2,
                follow_up_on=timezone.localdate() + timedelta(days=14),
            )
    # The neglect case's pupil leaves today: their file is on Lea Bank's leavers' list.
    today = timezone.localdate()
    record_leaving(
        School.objects.get(urn="900101").pupils.order_by("upn")[2],
        by=User.objects.get(email="dsl@leabank.example"),
        left_on=today,
        starts_on=today + timedelta(days=3),
        new_school="Wardown Vale High School",
    )
    # A parent asked for the first case's pupil's records last week: due within a month.
    record_request(
        School.objects.get(urn="900101").pupils.order_by("upn")[0],
        by=User.objects.get(email="dsl@leabank.example"),
        requester="A parent (fictional demo example)",
        received_on=today - timedelta(days=7),
    )
    _former_pupil_due_for_review(today)
    return len(CASES)


def _former_pupil_due_for_review(today):
    """A former pupil, 26 now, whose concern from the school's paper files was entered and
    closed: their records are on Lea Bank's list to review."""
    school = School.objects.get(urn="900101")
    dsl = User.objects.get(email="dsl@leabank.example")
    born = today.replace(month=1, day=15, year=today.year - 26)
    pupil = Pupil.objects.create(
        school=school,
        given_name="Jordan",
        family_name="Example",
        date_of_birth=born,
        year_group="6",
        upn=make_upn("821", 2000, born.year + 4, 999),
    )
    concern = record_concern(
        by=dsl,
        pupil=pupil,
        observed_at=timezone.now() - timedelta(days=16 * 365),
        location="Year 5 classroom",
        categories=["neglect"],
        what_happened=FICTIONAL + "Came to school hungry on several days.",
        delay_reason=FICTIONAL + "Entered from the school's paper records.",
        submission_key=_key("former-pupil"),
    )
    close_concern(
        concern,
        by=dsl,
        outcome=Closure.Outcome.MONITORING,
        rationale=FICTIONAL + "Breakfast club place given; no further worries were recorded.",
    )
