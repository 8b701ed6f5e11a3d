"""Ids changed by hand, in paths, query strings and hidden fields, are refused: a 404, a 400
or a form error; nothing is written; and a refused scoped look-up leaves an access.denied
audit row naming what was asked for."""

import base64
import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditEvent
from concerns.inbox import inbox_page
from concerns.models import Addendum, Attachment, Concern, ConcernDraft, Escalation
from reports.models import PolicyConfirmation, ValuesEvidence
from reports.services import add_values_evidence
from schools.demo import make_upn
from schools.models import Membership, Pupil, Role
from tests.factories import PupilFactory, signed_in
from tests.searching import search
from tests.walk import snapshot
from workflow.models import WorkflowEvent

from .world import OTHER_AUTHORITY, OTHER_SCHOOL, escalated_case


@dataclass
class Elsewhere:
    """Records of another authority's school and of another school of the same authority."""

    pupil: Pupil
    concern: Concern
    request: AdviceRequest
    escalation: Escalation
    attachment: Attachment
    draft: ConcernDraft
    values: ValuesEvidence
    next_door_pupil: Pupil


@pytest.fixture(scope="module")
def far(world, django_db_blocker):
    with django_db_blocker.unblock():
        school, staff = world.other_la_school, world.user(Role.STAFF, OTHER_AUTHORITY)
        pupil = PupilFactory(school=school, given_name="Farah", family_name="Faraway")
        concern, request, escalation, attachment = escalated_case(world, OTHER_AUTHORITY, pupil)
        return Elsewhere(
            pupil=pupil,
            concern=concern,
            request=request,
            escalation=escalation,
            attachment=attachment,
            draft=ConcernDraft.objects.create(author=staff, school=school, pupil=pupil),
            values=add_values_evidence(
                school,
                by=staff,
                activity_date=timezone.localdate() - timedelta(days=1),
                title="Mock trial",
                description="A mock trial.",
                year_groups=["5"],
                values=["rule_of_law"],
            ),
            next_door_pupil=PupilFactory(school=world.other_school, family_name="Nextdoor"),
        )


def everything():
    """All that a request could write, but the audit trail (checked on its own)."""
    state = snapshot()
    del state["counts"]["AuditEvent"]
    return state | {
        "addenda": Addendum.objects.count(),
        "attachments": Attachment.objects.count(),
        "drafts": list(ConcernDraft.objects.order_by("pk").values_list("pk", "pupil", "answers")),
        "pupils": list(Pupil.objects.order_by("pk").values()),
        "values": list(ValuesEvidence.objects.order_by("pk").values()),
        "confirmations": PolicyConfirmation.objects.count(),
        "events": WorkflowEvent.objects.count(),
    }


def attempt(user, method, url, data=None, *, searched=None):
    """The response, and the audit rows it wrote, after checking it wrote nothing else.
    With `searched`, the page's search box is sent those words first, and `url` is then the
    address of the results."""
    client = Client()
    signed_in(client, user)
    if searched is not None:
        url = search(client, url, searched)
    before, last_audit = everything(), AuditEvent.objects.order_by("pk").last().pk
    response = getattr(client, method.lower())(url, data or {})
    assert everything() == before, f"{method} {url} wrote something"
    return response, list(AuditEvent.objects.filter(pk__gt=last_audit))


def assert_refused_and_audited(response, audit, object_type, object_id):
    assert response.status_code == 404
    assert [(a.action, a.object_type, a.object_id) for a in audit] == [
        ("access.denied", object_type, str(object_id))
    ]


# Ids in paths.


def test_another_concerns_attachment_is_not_found_under_this_concern(db, world, far):
    dsl = world.user(Role.DSL)
    url = reverse("concerns:attachment_download", args=[world.concern.pk, far.attachment.pk])
    response, audit = attempt(dsl, "GET", url)
    assert_refused_and_audited(response, audit, "attachment", far.attachment.pk)
    # The other way round: this school's file under the other school's concern.
    url = reverse("concerns:attachment_download", args=[far.concern.pk, world.attachment.pk])
    response, audit = attempt(dsl, "GET", url)
    assert_refused_and_audited(response, audit, "concern", far.concern.pk)


def test_a_file_of_the_schools_other_concern_is_not_found_under_this_one(db, world):
    other = Attachment.objects.create(
        concern=world.advised,
        uploaded_by=world.user(Role.DSL),
        original_name="letter.pdf",
        stored_name="attachments/not-a-real-file",
        content_type="application/pdf",
        size=1,
    )
    url = reverse("concerns:attachment_download", args=[world.concern.pk, other.pk])
    response, audit = attempt(world.user(Role.DSL), "GET", url)
    assert_refused_and_audited(response, audit, "attachment", other.pk)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_concerns_escalation_is_not_found_on_the_outcome_form(db, world, far, method):
    url = reverse("concerns:outcome", args=[world.concern.pk, far.escalation.pk])
    data = {"outcome": "section_47", "details": "Tampered."}
    response, audit = attempt(world.user(Role.DSL), method, url, data)
    assert_refused_and_audited(response, audit, "escalation", far.escalation.pk)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_concerns_advice_request_cannot_be_withdrawn_through_this_one(
    db, world, far, method
):
    for request in [far.request, world.request]:  # another authority's; this school's other
        url = reverse("concerns:withdraw_request", args=[world.waiting.pk, request.pk])
        data = {"expected_version": request.version, "reason": "Tampered."}
        response, audit = attempt(world.user(Role.DSL), method, url, data)
        assert_refused_and_audited(response, audit, "advicerequest", request.pk)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("advice:claim", {}),
        ("advice:release", {"expected_version": "2"}),
        ("advice:advise", {"advice": "x", "next_step": "talk_to_parent", "level_of_need": "2"}),
    ],
)
def test_hub_staff_cannot_act_on_another_authoritys_request(db, world, far, name, data):
    url = reverse(name, args=[far.request.pk])
    response, audit = attempt(world.user(Role.HUB_ADVISOR), "POST", url, data)
    assert_refused_and_audited(response, audit, "advicerequest", far.request.pk)


@pytest.mark.parametrize("slug", ["where", "what-happened"])
def test_someone_elses_draft_cannot_be_written_to(db, world, far, slug):
    for user, draft in [(world.user(Role.STAFF), far.draft), (world.user(Role.DSL), world.draft)]:
        url = reverse("concerns:record_question", args=[draft.pk, slug])
        data = {"location": "Tampered", "what_happened": "Tampered."}
        response, audit = attempt(user, "POST", url, data)
        assert_refused_and_audited(response, audit, "concern draft", draft.pk)


def test_a_concern_of_another_school_takes_no_addendum(db, world, far):
    url = reverse("concerns:addendum", args=[far.concern.pk])
    response, audit = attempt(world.user(Role.DSL), "POST", url, {"text": "Tampered."})
    assert_refused_and_audited(response, audit, "concern", far.concern.pk)


def test_another_schools_pupil_cannot_be_changed(db, world, far):
    url = reverse("concerns:pupil_edit", args=[far.pupil.pk])
    data = {
        "given_name": "Tampered",
        "family_name": "Tampered",
        "date_of_birth_0": "1",
        "date_of_birth_1": "1",
        "date_of_birth_2": "2016",
        "year_group": "4",
        "upn": far.pupil.upn,
    }
    response, audit = attempt(world.user(Role.DSL), "POST", url, data)
    assert_refused_and_audited(response, audit, "pupil", far.pupil.pk)


def test_another_schools_values_entry_cannot_be_changed(db, world, far):
    url = reverse("reports:values_edit", args=[far.values.pk])
    data = {"title": "Tampered", "expected_version": "1"}
    response, audit = attempt(world.user(Role.HEAD_TEACHER), "POST", url, data)
    assert_refused_and_audited(response, audit, "valuesevidence", far.values.pk)


# Ids in query strings: cursors made by hand.


def cursor(*values):
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def listed(response, pattern):
    return {int(pk) for pk in re.findall(pattern, response.text)}


CURSORS = [
    "not-a-cursor",
    cursor("Faraway", "Farah"),  # too few keys
    cursor(["Faraway"], "Farah", 1),  # a key of the wrong type
    cursor("\x00", "\x00", 0),  # text a PostgreSQL query cannot carry
    cursor("A", "A", 10**30),  # a number no column holds
]


@pytest.mark.parametrize("after", [*CURSORS, "far"])
def test_a_hand_made_cursor_never_reaches_past_the_schools_roll(db, world, far, after):
    if after == "far":  # the cursor of a row on another school's roll
        after = cursor(far.pupil.family_name, far.pupil.given_name, far.pupil.pk)
    for key in ("after", "before"):
        response, _ = attempt(world.user(Role.DSL), "GET", reverse("concerns:pupils"), {key: after})
        assert response.status_code == 200
        assert listed(response, r'href="/concerns/pupils/(\d+)/chronology/"') <= set(
            Pupil.objects.filter(school=world.school).values_list("pk", flat=True)
        )


@pytest.mark.parametrize(
    "after",
    [
        *CURSORS,
        cursor(0, True, "2026-01-01T00:00:00+00:00", 1),
        cursor(0, True, "\x00", 1),
        # The inbox's keys as they are: group, urgent, when closed, when recorded, id.
        cursor(0, True, "1970-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", 1),
        cursor(6, False, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", 10**30),
        # Times no clock in UTC can show: the first moment there is, an hour east of UTC,
        # and the last, an hour west of it.
        cursor(6, False, "0001-01-01T00:00:00+01:00", "2026-01-01T00:00:00+00:00", 1),
        cursor(0, True, "1970-01-01T00:00:00+00:00", "9999-12-31T23:59:59-01:00", 1),
    ],
)
def test_a_hand_made_cursor_never_reaches_past_the_schools_inbox(db, world, far, after):
    for key in ("after", "before"):
        response, _ = attempt(world.user(Role.DSL), "GET", reverse("concerns:inbox"), {key: after})
        assert response.status_code == 200
        assert listed(response, r'href="/concerns/(\d+)/"') <= set(
            Concern.objects.filter(school=world.school).values_list("pk", flat=True)
        )


def _edited(token):
    """`token` with the immediate-risk flag in its key turned round, its signature kept."""
    payload, signature = token.split(":", 1)
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    values[1] = not values[1]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + ":" + signature


@pytest.mark.parametrize("made", ["by hand", "edited"])
def test_an_inbox_cursor_made_or_edited_by_hand_shows_the_first_page(db, world, made):
    # The inbox's cursor carries a row's sort key (its group, whether the child was thought
    # at immediate risk, when closed and recorded): the page after one made or changed by
    # hand would start wherever its maker chose. Signed, as the hub's queue's is, it is
    # ignored unless the service made it.
    dsl = world.user(Role.DSL)
    membership = Membership.objects.get(user=dsl, school=world.school, role=Role.DSL)
    first = inbox_page(membership, size=1)
    row = first.rows[0]
    shown = r'href="/concerns/(\d+)/"'
    response, _ = attempt(dsl, "GET", reverse("concerns:inbox"), {"after": first.next_cursor})
    assert row.id not in listed(response, shown)  # a cursor the service made is followed
    if made == "by hand":
        times = (row.closed_order.isoformat(), row.recorded_at.isoformat())
        after = cursor(row.stage, row.urgent, *times, row.id)
    else:
        after = _edited(first.next_cursor)
    response, _ = attempt(dsl, "GET", reverse("concerns:inbox"), {"after": after})
    assert response.status_code == 200
    assert row.id in listed(response, shown)


@pytest.mark.parametrize("before", ["x", "1.x", "99999999999999999999999.1", "-1.-1", "1.1.1"])
def test_a_hand_made_cursor_on_my_concerns_shows_only_mine(db, world, far, before):
    teacher = world.user(Role.STAFF)
    response, _ = attempt(teacher, "GET", reverse("concerns:mine"), {"before": before})
    assert response.status_code == 200
    assert listed(response, r'href="/concerns/(\d+)/"') <= set(
        Concern.objects.filter(recorded_by=teacher).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("after", ["x", "e30:1tampered:signature", cursor("x")])
def test_a_forged_queue_cursor_is_ignored(db, world, far, after):
    response, _ = attempt(
        world.user(Role.HUB_ADVISOR), "GET", reverse("advice:queue"), {"after": after}
    )
    assert response.status_code == 200
    assert listed(response, r'href="/hub/requests/(\d+)/"') <= set(
        AdviceRequest.objects.filter(concern__school__local_authority=world.authority).values_list(
            "pk", flat=True
        )
    )
    assert far.concern.reference not in response.text


# Ids and versions in hidden fields.


@pytest.mark.parametrize(
    "version", ["{stale}", "{older}", "0", "-1", "99999999999999999999999", "1e3", "abc", ""]
)
def test_a_tampered_version_is_refused_and_nothing_is_written(db, world, version):
    concern = world.concern
    version = version.format(stale=concern.version + 1, older=concern.version - 1)
    url = reverse("concerns:close", args=[concern.pk])
    data = {"expected_version": version, "outcome": "nfa", "rationale": "Tampered with."}
    response, audit = attempt(world.user(Role.DSL), "POST", url, data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert not [a for a in audit if a.action.startswith("workflow.")]


@pytest.mark.parametrize("version", ["{stale}", "0", "99999999999999999999999", "abc"])
def test_a_tampered_version_on_a_hub_move_is_refused(db, world, version):
    request = world.request
    url = reverse("advice:rerate", args=[request.pk])
    data = {
        "expected_version": version.format(stale=request.version + 1),
        "urgency": "red",
        "reason": "Tampered.",
    }
    response, _ = attempt(world.user(Role.HUB_MANAGER), "POST", url, data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text


@pytest.mark.parametrize("to", ["far advisor", "school dsl", "999999", "abc"])
def test_a_request_cannot_be_reassigned_outside_the_authoritys_hub(db, world, to):
    chosen = {
        "far advisor": str(world.user(Role.HUB_ADVISOR, OTHER_AUTHORITY).pk),
        "school dsl": str(world.user(Role.DSL).pk),
    }.get(to, to)
    url = reverse("advice:reassign", args=[world.request.pk])
    data = {"expected_version": world.request.version, "to": chosen}
    response, _ = attempt(world.user(Role.HUB_MANAGER), "POST", url, data)
    assert response.status_code == 200
    assert "Select someone from this authority" in response.text


def test_another_persons_membership_cannot_be_chosen(db, world):
    dsl = world.user(Role.DSL)
    theirs = Membership.objects.get(user=world.user(Role.HUB_MANAGER, OTHER_AUTHORITY))
    client = Client()
    signed_in(client, dsl)
    response = client.post(reverse("choose_role"), {"membership": theirs.pk})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    home = client.get(reverse("home"))
    assert "Designated safeguarding lead" in home.text
    assert "Early Help Hub manager" not in home.text


@pytest.mark.parametrize("place", [OTHER_SCHOOL, OTHER_AUTHORITY])
def test_another_schools_pupil_cannot_be_chosen_for_a_concern(db, world, far, place):
    pupil = far.next_door_pupil if place == OTHER_SCHOOL else far.pupil
    teacher = world.user(Role.STAFF)
    url = reverse("concerns:record_pupil")
    response, _ = attempt(teacher, "POST", url, {"pupil": pupil.pk}, searched=pupil.family_name)
    assert response.status_code == 200
    assert "Select a pupil from the list" in response.text
    url = reverse("concerns:record_draft_pupil", args=[world.draft.pk])
    response, _ = attempt(teacher, "POST", url, {"pupil": pupil.pk}, searched=pupil.upn)
    assert response.status_code == 200
    assert "Select a pupil from the list" in response.text


def test_the_policy_confirmation_names_the_address_the_head_was_shown(db, world):
    url = reverse("reports:policy_confirm")
    data = {"confirm": "on", "expected_url": "https://elsewhere.example/policy"}
    response, _ = attempt(world.user(Role.HEAD_TEACHER), "POST", url, data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text


def test_a_pupil_import_cannot_be_confirmed_with_another_token(db, world):
    client = Client()
    signed_in(client, world.user(Role.DSL))
    upn = make_upn("821", 3001, 21, 7)
    csv = f"UPN,Forename,Surname,Date of Birth,Year\n{upn},Zoe,Kowalska,17/05/2016,4\n"
    upload = SimpleUploadedFile("pupils.csv", csv.encode(), "text/csv")
    assert client.post(reverse("concerns:pupil_import"), {"file": upload}).status_code == 302
    before = everything()
    response = client.post(reverse("concerns:pupil_import_preview"), {"token": "0" * 32})
    assert response.status_code == 302
    assert everything() == before
    assert not Pupil.objects.filter(upn=upn).exists()
