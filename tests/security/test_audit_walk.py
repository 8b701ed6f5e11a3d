"""The audit walk: every page a role may GET, as that role, writes exactly the audit rows it
should: one row naming the record for a page that shows a child's record or a report, and
none for a page that shows neither.

Which roles may GET a page comes from the access matrix (tests/security/access_matrix.py),
so a new page is walked as soon as it is in the matrix.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from schools.models import Role
from tests.conftest import reauthenticate
from tests.routes import all_routes

from .access_matrix import OK, READERS, ROUTES
from .conftest import Visitor
from .world import OWN, personas


def school(w):
    return w.school.pk


def concern(w):
    return w.concern.pk


# URL name -> (action, object type, the object's id in the world) of the one row a GET
# writes. A page not listed writes none.
AUDITED = {
    "concerns:record_done": ("concern.confirmation.view", "concern", concern),
    "concerns:mine": ("concern.mine.view", "school", school),
    "concerns:inbox": ("concern.inbox.view", "school", school),
    "concerns:detail": ("concern.view", "concern", concern),
    # Each action's page shows the concern it acts on.
    "concerns:request_advice": ("concern.view", "concern", lambda w: w.advised.pk),
    "concerns:conversation": ("concern.view", "concern", lambda w: w.advised.pk),
    "concerns:escalate": ("concern.view", "concern", concern),
    "concerns:outcome": ("concern.view", "concern", concern),
    "concerns:close": ("concern.view", "concern", concern),
    "concerns:reopen": ("concern.view", "concern", lambda w: w.closed.pk),
    "concerns:withdraw_request": ("concern.view", "concern", lambda w: w.waiting.pk),
    "concerns:addendum": ("concern.view", "concern", concern),
    "concerns:attachment_upload": ("concern.view", "concern", concern),
    "concerns:attachment_download": (
        "attachment.download",
        "attachment",
        lambda w: w.attachment.pk,
    ),
    "concerns:pupils": ("pupil.list.view", "school", school),
    "concerns:pupil_edit": ("pupil.view", "pupil", lambda w: w.pupil.pk),
    "concerns:pupil_chronology": ("pupil.chronology.view", "pupil", lambda w: w.pupil.pk),
    "concerns:pupil_file": ("pupil.file.view", "pupil", lambda w: w.pupil.pk),
    "concerns:leavers": ("pupil.leavers.view", "school", school),
    "concerns:access_requests": ("pupil.access_requests.view", "school", school),
    "concerns:access_request_new": ("pupil.access_request.view", "pupil", lambda w: w.pupil.pk),
    "concerns:access_request_extend": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.access_request.pupil_id,
    ),
    "concerns:access_request_answer": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.access_request.pupil_id,
    ),
    "concerns:access_request_clarify": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.access_request.pupil_id,
    ),
    "concerns:access_request_correct": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.access_request.pupil_id,
    ),
    "concerns:access_request_correct_extension": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.extended_request.pupil_id,
    ),
    "concerns:access_request_correct_clarification": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.clarifying_request.pupil_id,
    ),
    "concerns:access_request_clarified": (
        "pupil.access_request.view",
        "pupil",
        lambda w: w.clarifying_request.pupil_id,
    ),
    "concerns:records_reviews": ("pupil.reviews.view", "school", school),
    "concerns:records_review": ("pupil.review.view", "pupil", lambda w: w.former.pk),
    "concerns:leaving": ("pupil.leaving.view", "pupil", lambda w: w.pupil.pk),
    "concerns:file_sent": ("pupil.leaving.view", "pupil", lambda w: w.leaver.pk),
    "concerns:file_received": ("pupil.leaving.view", "pupil", lambda w: w.sent_leaver.pk),
    "concerns:returned": ("pupil.leaving.view", "pupil", lambda w: w.leaver.pk),
    "concerns:leaving_change": ("pupil.leaving.view", "pupil", lambda w: w.leaver.pk),
    "advice:detail": ("advicerequest.view", "advicerequest", lambda w: w.request.pk),
    # Giving advice shows the school's question about the child.
    "advice:advise": ("advicerequest.view", "advicerequest", lambda w: w.request.pk),
    "reports:audit": ("report.view", "report", lambda w: "audit"),
    "reports:hub_overview": ("report.view", "report", lambda w: "hub_overview"),
}

GET_NAMES = sorted({name for name, _, _ in all_routes() if not name.startswith("admin:")})


def walk(visitor, url):
    """GET `url`: its status, and the audit rows it wrote (rolled back afterwards)."""
    since = AuditEvent.objects.order_by("pk").last().pk
    found = {}

    def look(response):
        rows = AuditEvent.objects.filter(pk__gt=since).order_by("pk")
        found["rows"] = [(r.action, r.object_type, r.object_id, r.actor_id) for r in rows]

    response = visitor.request("GET", url, then=look)
    return response.status_code, found["rows"]


def test_every_audited_page_is_a_page():
    assert set(AUDITED) <= set(ROUTES)


@pytest.mark.parametrize("name", GET_NAMES)
def test_each_page_audits_exactly_what_it_shows(db, world, name):
    route = ROUTES[name]
    url = reverse(name, args=route.url_args(world))
    allowed = [
        p
        for p in personas()
        if p.role != "anonymous" and p.place == OWN and route.expected(p, "GET") == OK
    ]
    wrong = []
    for persona in allowed:
        user = world.people[persona]
        status, rows = walk(Visitor(user), url)
        expected = []
        if name in AUDITED:
            action, object_type, pick = AUDITED[name]
            expected = [(action, object_type, str(pick(world)), user.pk)]
        if status != 200 or rows != expected:
            wrong.append(f"{persona.label}: {status} wrote {rows}, expected {expected}")
    assert not wrong, f"{name} ({url}):\n" + "\n".join(wrong)


def test_a_search_of_the_roll_is_audited_once(db, world):
    """Sending the search writes nothing; its results page writes the one row."""
    teacher = world.user(Role.STAFF)
    visitor = Visitor(teacher)
    since = AuditEvent.objects.order_by("pk").last().pk
    found = {}

    def results(response):
        assert response.status_code == 303
        assert not AuditEvent.objects.filter(pk__gt=since).exists()
        found["status"], found["rows"] = walk(visitor, response["Location"])

    visitor.request("POST", reverse("concerns:record_pupil"), {"q": "Ahmed"}, then=results)
    assert found["status"] == 200
    assert found["rows"] == [("pupil.search", "pupil", "", teacher.pk)]


@pytest.mark.parametrize(
    ("name", "output", "roles", "object_id"),
    [
        ("reports:audit", "csv", READERS, "audit"),
        ("reports:audit", "pdf", READERS, "audit"),
        ("reports:hub_overview", "csv", {Role.HUB_MANAGER}, "hub_overview"),
    ],
)
def test_each_export_is_audited_once(db, world, name, output, roles, object_id):
    for role in sorted(roles):
        user = world.user(role)
        visitor = Visitor(user)
        reauthenticate(visitor.client)
        status, rows = walk(visitor, reverse(name) + f"?format={output}")
        assert status == 200
        assert rows == [("report.export", "report", object_id, user.pk)], role


def test_a_pupils_files_at_once_are_audited_as_each_files_download(db, world):
    """Asked for after the second factor again (an export); the world's pupil has one
    attached file: its download is the row."""
    url = reverse("concerns:pupil_attachments", args=[world.pupil.pk])
    for role in sorted(READERS):
        user = world.user(role)
        visitor = Visitor(user)
        reauthenticate(visitor.client)
        status, rows = walk(visitor, url)
        assert status == 200
        assert rows == [("attachment.download", "attachment", str(world.attachment.pk), user.pk)]
