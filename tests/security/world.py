"""One small world for the security tests: three schools in two authorities, every role at
each place, and one of every record a URL can point at, made through the real workflow.

Places, from the point of view of the records (which all belong to the home school):
- "own": the home school (Lea Bank), or its authority (Luton) for an authority role;
- "other school": another school of the same authority (Chiltern Rise); authority roles have
  no school, so for them this place is the same as "own" and is not repeated;
- "other authority": a school of another authority (Greensand Ridge), or that authority.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from advice.models import AdviceRequest
from concerns.attachments import store_attachment
from concerns.models import ConcernDraft
from reports.services import add_values_evidence
from schools.models import AUTHORITY_ROLES, Role
from tests.factories import LocalAuthorityFactory, PupilFactory, SchoolFactory, member
from tests.walk import (
    advice_data,
    closing,
    concern_data,
    escalation_data,
    given_advice,
    held_conversation,
)
from workflow.advice import claim_advice_request, give_advice, request_hub_advice
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
)
from workflow.leavers import record_file_sent, record_leaving
from workflow.subject_access import ask_to_clarify, extend_request, record_request

OWN, OTHER_SCHOOL, OTHER_AUTHORITY = "own", "other school", "other authority"
ANONYMOUS = "anonymous"

# Every role, in the order the tables list them.
ROLES = [
    Role.STAFF,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.HEAD_TEACHER,
    Role.HUB_ADVISOR,
    Role.HUB_MANAGER,
    Role.LA_ADMIN,
]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Persona:
    """Someone asking for a page: a role at a place, or nobody signed in."""

    role: str
    place: str = OWN

    @property
    def label(self):
        if self.role == ANONYMOUS:
            return ANONYMOUS
        return f"{Role(self.role).label} ({self.place})"


def personas():
    """Anonymous, then every role at each place it can hold: 4 x 3 + 3 x 2 + 1 = 19."""
    found = [Persona(ANONYMOUS)]
    for role in ROLES:
        places = [OWN, OTHER_AUTHORITY]
        if role not in AUTHORITY_ROLES:
            places.insert(1, OTHER_SCHOOL)
        found += [Persona(role, place) for place in places]
    return found


@dataclass
class World:
    people: dict = field(default_factory=dict)  # Persona -> user

    def user(self, role, place=OWN):
        return self.people[Persona(role, place)]


def escalated_case(w, place, pupil):
    """A concern about `pupil` recorded by the place's member of staff, escalated by its DSL
    while the hub worked on it: an escalation awaiting its outcome, a request claimed by the
    authority's advisor, and a file the member of staff attached.
    (concern, request, escalation, attachment)."""
    staff, dsl = w.user(Role.STAFF, place), w.user(Role.DSL, place)
    advisor = w.user(Role.HUB_ADVISOR, OTHER_AUTHORITY if place == OTHER_AUTHORITY else OWN)
    concern = record_concern(by=staff, pupil=pupil, submission_key=uuid.uuid4(), **concern_data())
    request = request_hub_advice(concern, by=dsl, **advice_data())
    claim_advice_request(request, by=advisor)
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    attachment = store_attachment(
        concern, by=staff, upload=SimpleUploadedFile("body-map.pdf", PDF, "application/pdf")
    )
    concern = type(concern).objects.get(pk=concern.pk)
    return concern, AdviceRequest.objects.get(pk=request.pk), concern.escalations.get(), attachment


def build_world():
    w = World()
    w.authority = LocalAuthorityFactory(name="Luton Borough Council", code="LUT")
    w.other_authority = LocalAuthorityFactory(name="Central Bedfordshire Council", code="CBD")
    w.school = SchoolFactory(local_authority=w.authority, name="Lea Bank Primary School")
    w.other_school = SchoolFactory(local_authority=w.authority, name="Chiltern Rise Academy")
    w.other_la_school = SchoolFactory(
        local_authority=w.other_authority, name="Greensand Ridge Primary School"
    )
    schools = {OWN: w.school, OTHER_SCHOOL: w.other_school, OTHER_AUTHORITY: w.other_la_school}
    authorities = {OWN: w.authority, OTHER_AUTHORITY: w.other_authority}
    for persona in personas()[1:]:
        places = authorities if persona.role in AUTHORITY_ROLES else schools
        w.people[persona] = user = member(
            persona.role,
            places[persona.place],
            full_name=f"{persona.label}",
            email=f"{persona.role}.{persona.place.replace(' ', '-')}@example.org",
        )
        RecoveryCodes.activate(user)  # as setting up the authenticator app gives everyone

    # A DSL who has not yet set up an authenticator app (signed in, sent to set one up).
    w.newcomer = member(Role.DSL, w.school, mfa=False, full_name="Nia Newcomer")

    teacher, dsl, advisor = w.user(Role.STAFF), w.user(Role.DSL), w.user(Role.HUB_ADVISOR)
    w.pupil = PupilFactory(school=w.school, given_name="Amelia", family_name="Ahmed")

    def recorded(**more):
        return record_concern(by=teacher, pupil=w.pupil, **concern_data(**more))

    w.concern, w.request, w.escalation, w.attachment = escalated_case(w, OWN, w.pupil)
    # Advice received: the parent conversation, or a follow-up request, comes next.
    w.advised = recorded()
    advised_request = request_hub_advice(w.advised, by=dsl, **advice_data())
    claim_advice_request(advised_request, by=advisor)
    give_advice(advised_request, by=advisor, **given_advice())
    # The parent conversation logged after the advice: ready to close.
    w.talked = recorded()
    talked_request = request_hub_advice(w.talked, by=dsl, **advice_data())
    claim_advice_request(talked_request, by=advisor)
    give_advice(talked_request, by=advisor, **given_advice())
    log_parent_conversation(w.talked, by=dsl, **held_conversation())
    # With the hub, nobody has claimed it yet.
    w.waiting = recorded()
    w.waiting_request = request_hub_advice(w.waiting, by=dsl, **advice_data())
    # Closed with no further action.
    w.closed = recorded()
    close_concern(w.closed, by=dsl, **closing(outcome="nfa"))

    # Two pupils who have left: one whose file is still to send, one whose file was sent.
    today = timezone.localdate()
    w.leaver, w.sent_leaver = (
        PupilFactory(school=w.school, given_name=given, family_name="Lewis")
        for given in ("Leo", "Lily")
    )
    for leaver in (w.leaver, w.sent_leaver):
        record_concern(by=teacher, pupil=leaver, **concern_data())
        transfer = record_leaving(
            leaver,
            by=dsl,
            left_on=today - timedelta(days=3),
            starts_on=today - timedelta(days=2),
            new_school="Wardown Vale High School",
        )
    record_file_sent(transfer, by=dsl, sent_on=today, sent_how="electronic")
    # A subject access request about the pupil, still to answer (and still extendable).
    w.access_request = record_request(
        w.pupil, by=dsl, requester="Jane Ahmed, mother", received_on=today - timedelta(days=2)
    )
    # Another, sent back to the requester to clarify: its time limit stands still.
    w.clarifying_request = ask_to_clarify(
        record_request(
            w.pupil, by=dsl, requester="Sam Ahmed, father", received_on=today - timedelta(days=2)
        ),
        by=dsl,
        asked_on=today,
        question="Which school years is the request about?",
    )
    # Another, extended: the extension may be corrected.
    w.extended_request = extend_request(
        record_request(
            w.pupil, by=dsl, requester="Ann Ahmed, aunt", received_on=today - timedelta(days=2)
        ),
        by=dsl,
        told_on=today,
        reason="Many records, and others named in them to ask.",
    )

    # A former pupil, 26 now, whose closed concern is due for review at their 25th birthday.
    w.former = PupilFactory(
        school=w.school,
        given_name="Fern",
        family_name="Former",
        date_of_birth=today - timedelta(days=26 * 366),
    )
    close_concern(
        record_concern(by=teacher, pupil=w.former, **concern_data()),
        by=dsl,
        **closing(outcome="nfa"),
    )

    w.draft = ConcernDraft.objects.create(author=teacher, school=w.school, pupil=w.pupil)
    w.values = add_values_evidence(
        w.school,
        by=teacher,
        activity_date=timezone.localdate() - timedelta(days=3),
        title="School council elections",
        description="Year 5 held elections for the school council.",
        year_groups=["5"],
        values=["democracy"],
    )
    for name in ("advised", "talked", "waiting", "closed"):
        setattr(w, name, type(getattr(w, name)).objects.get(pk=getattr(w, name).pk))
    return w
