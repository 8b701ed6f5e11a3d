"""What the audit trail holds after a whole journey through the pages: a row for every
transition and sign-in event, and never a word of the case's narrative.

Audit rows say who did what to which record, when and from where. A child's name, what
happened, what the child said, the hub's advice, a reason typed into a form: none of it may
reach an audit row, whose retention and readers differ from the case record's.

Other audit rows are tested where their events happen: lockouts and their clearing
(tests/schools/test_lockout.py), setting up the second factor
(tests/schools/test_second_factor.py), refusals (tests/audit/test_scope.py and the tampering
tests here), page views (tests/security/test_audit_walk.py).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from advice.models import AdviceRequest
from audit.models import AuditEvent
from concerns.models import Concern
from schools.demo import make_upn
from schools.models import Role
from tests.concerns.journey import record
from tests.conftest import reauthenticate
from tests.factories import PASSWORD, signed_in, totp_code
from tests.searching import search
from workflow.models import WorkflowEvent
from workflow.rules import Action

from .pages import FORM_PAGES
from .world import PDF


def said(field):
    """Telling words for a field: if they reach an audit row, the test finds them."""
    return f"Narrative {field.replace('_', ' ')} ZQX"


MARK = "ZQX"


class Journey:
    """A concern taken through every step by the people whose pages they are."""

    def __init__(self, w):
        self.w = w
        self.clients = {}

    def client(self, role):
        if role not in self.clients:
            client = Client()
            signed_in(client, self.w.user(role))
            self.clients[role] = client
        return self.clients[role]

    def post(self, role, url, data, expect=302):
        response = self.client(role).post(url, data)
        assert response.status_code == expect, (url, response.content.decode()[:2000])
        return response

    def form(self, form_name, url, role, **fields):
        page = next(p for cls, p in FORM_PAGES.items() if cls.__name__ == form_name)
        return self.post(role, url, page.valid(self.w) | fields)


@pytest.fixture
def journey(db, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return Journey(world)


def test_a_whole_journey_audits_every_step_and_no_narrative(journey):
    w = journey.w
    first_audit = AuditEvent.objects.order_by("pk").last().pk
    dsl, advisor, manager = Role.DSL, Role.HUB_ADVISOR, Role.HUB_MANAGER

    # Signing in: a wrong password, a wrong code, then the right ones.
    visitor = Client()
    login = reverse("account_login")
    visitor.post(login, {"login": w.user(dsl).email, "password": "Narrative password ZQX"})
    visitor.post(login, {"login": w.user(dsl).email, "password": PASSWORD})
    visitor.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "1"}
    )
    visitor.post(login, {"login": w.user(dsl).email, "password": PASSWORD})
    visitor.post(reverse("mfa_authenticate"), {"code": totp_code()})

    # Step 1: a member of staff records it, searching the roll by name.
    teacher = journey.client(Role.STAFF)
    teacher.get(search(teacher, reverse("concerns:record_pupil"), "Ahmed"))
    draft = record(
        teacher,
        w.pupil,
        **{
            "where": {"location": said("location")},
            "what-happened": {"what_happened": said("what_happened")},
            "child-words": {"child_words": said("child_words")},
            "others": {"others_present": said("others_present")},
            "action": {"immediate_action": said("immediate_action")},
        },
    )
    concern = Concern.objects.get(submission_key=draft.pk)
    on = lambda name, *more: reverse(name, args=[concern.pk, *more])  # noqa: E731

    # Step 2: the DSL asks the hub; the hub claims, releases, claims again, is re-rated and
    # reassigned by the manager, and advises.
    journey.client(dsl).get(search(journey.client(dsl), reverse("concerns:inbox"), "Ahmed"))
    journey.client(dsl).get(on("concerns:detail"))
    journey.post(
        dsl,
        on("concerns:request_advice"),
        {
            "expected_version": "1",
            "summary": said("summary"),
            "question": said("question"),
            "urgency": "amber",
        },
    )
    request = AdviceRequest.objects.get(concern=concern)
    hub = lambda name: reverse(name, args=[request.pk])  # noqa: E731
    journey.post(advisor, hub("advice:claim"), {})
    journey.post(advisor, hub("advice:release"), {"expected_version": "2"})
    journey.post(advisor, hub("advice:claim"), {})
    request.refresh_from_db()
    journey.post(
        manager,
        hub("advice:rerate"),
        {"expected_version": request.version, "urgency": "red", "reason": said("rerate")},
    )
    request.refresh_from_db()
    journey.post(
        manager,
        hub("advice:reassign"),
        {"expected_version": request.version, "to": w.user(manager).pk, "reason": said("reason")},
    )
    request.refresh_from_db()
    journey.form(
        "AdviceForm",
        hub("advice:advise"),
        manager,
        expected_version=request.version,
        expected_concern_version=request.concern.version,
        advice=said("advice"),
    )

    # Step 3: the parent conversation; then significant harm comes to light.
    concern.refresh_from_db()
    journey.form(
        "ParentConversationForm",
        on("concerns:conversation"),
        dsl,
        expected_version=concern.version,
        with_name=said("with_name"),
        discussed=said("discussed"),
        parent_view=said("parent_view"),
        agreed_actions=said("agreed_actions"),
    )
    concern.refresh_from_db()
    journey.form(
        "ConcernEscalationForm",
        on("concerns:escalate"),
        dsl,
        expected_version=concern.version,
        indicators=said("indicators"),
        spoken_to=said("spoken_to"),
        parent_not_informed_reason=said("not_informed"),
    )
    escalation = concern.escalations.get()
    journey.post(
        dsl,
        on("concerns:outcome", escalation.pk),
        {"outcome": "other", "details": said("outcome_details")},
    )
    journey.post(Role.STAFF, on("concerns:addendum"), {"text": said("addendum")})
    upload = SimpleUploadedFile(f"{said('file')}.pdf", PDF, "application/pdf")
    journey.post(dsl, on("concerns:attachment_upload"), {"file": upload})
    attachment = concern.attachments.get()
    journey.client(dsl).get(on("concerns:attachment_download", attachment.pk))

    # Closing, reopening, asking again, and withdrawing that request.
    concern.refresh_from_db()
    journey.post(
        dsl,
        on("concerns:close"),
        {"expected_version": concern.version, "outcome": "csc", "rationale": said("rationale")},
    )
    concern.refresh_from_db()
    journey.post(
        dsl, on("concerns:reopen"), {"expected_version": concern.version, "reason": said("reopen")}
    )
    concern.refresh_from_db()
    journey.post(
        dsl,
        on("concerns:request_advice"),
        {
            "expected_version": concern.version,
            "summary": said("summary_again"),
            "question": said("question_again"),
            "urgency": "green",
        },
    )
    again = AdviceRequest.objects.filter(concern=concern).latest("pk")
    concern.refresh_from_db()
    journey.post(
        dsl,
        on("concerns:withdraw_request", again.pk),
        {"expected_version": concern.version, "reason": said("withdraw")},
    )

    # Reading it all back: chronology, the hub's page, the roll, the report and its export.
    journey.client(dsl).get(reverse("concerns:pupil_chronology", args=[w.pupil.pk]))
    journey.client(dsl).get(search(journey.client(dsl), reverse("concerns:pupils"), "Ahmed"))
    journey.client(advisor).get(hub("advice:detail"))
    journey.form(
        "PupilForm",
        reverse("concerns:pupil_add"),
        dsl,
        given_name=said("given"),
        family_name=said("family"),
        upn=make_upn("821", 3001, 21, 9),
    )
    journey.form(
        "ValuesEvidenceForm",
        reverse("reports:values_add"),
        Role.STAFF,
        title=said("title"),
        description=said("description"),
        expected_version="",
    )
    head = reauthenticate(journey.client(Role.HEAD_TEACHER))
    head.get(reverse("reports:audit"))
    head.get(reverse("reports:audit") + "?format=csv")

    rows = list(AuditEvent.objects.filter(pk__gt=first_audit))
    actions = [row.action for row in rows]

    # Every transition wrote its audit row, and every kind of transition happened.
    events = WorkflowEvent.objects.filter(concern=concern)
    assert {e.action for e in events} == set(Action.values)
    for action in Action.values:
        written = events.filter(action=action).count()
        assert actions.count(f"workflow.{action}") == written, action
    # Signing in: success, a wrong password, a wrong code, the code used.
    for action in ["auth.login", "auth.login_failed", "auth.mfa_failed", "auth.mfa_used"]:
        assert action in actions, action

    # And no row holds a word of the narrative, the child's name or what was searched for.
    for row in rows:
        text = json.dumps(
            [row.action, row.object_type, row.object_id, row.path, row.user_agent, row.detail],
            ensure_ascii=False,
        )
        for word in [MARK, w.pupil.given_name, w.pupil.family_name]:
            assert word not in text, f"{row.action} row holds {word!r}: {text}"
