"""Who may use the recording pages: the access ladder for every one of them."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from concerns.models import ConcernDraft

from .journey import record

ROLES_THAT_DO_NOT_RECORD = ["head", "hub_advisor", "hub_manager", "la_admin"]
ROLES_THAT_RECORD = ["teacher", "dsl", "deputy_dsl"]


@pytest.fixture
def draft(teacher, pupil):
    return ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)


def _pages(draft):
    return [
        reverse("concerns:start"),
        reverse("concerns:record_pupil"),
        reverse("concerns:mine"),
        reverse("concerns:record_draft", args=[draft.pk]),
        reverse("concerns:record_draft_pupil", args=[draft.pk]),
        reverse("concerns:record_question", args=[draft.pk, "where"]),
        reverse("concerns:record_check", args=[draft.pk]),
        reverse("concerns:record_delete", args=[draft.pk]),
        reverse("concerns:record_done", args=[draft.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    for url in _pages(draft):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}", url


@pytest.mark.parametrize("role", ROLES_THAT_DO_NOT_RECORD)
def test_roles_that_do_not_record_get_a_403_page(request, client_for, draft, role):
    client = client_for(request.getfixturevalue(role))
    for url in _pages(draft):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You cannot record concerns in this role" in response.text
    question = reverse("concerns:record_question", args=[draft.pk, "where"])
    assert client.post(question, {"location": "Hall"}).status_code == 403
    draft.refresh_from_db()
    assert draft.answers == {}


@pytest.mark.parametrize("role", ROLES_THAT_DO_NOT_RECORD)
def test_each_refusal_of_a_recording_page_is_audited(request, client_for, draft, role):
    """As every other 403 is: the head teacher's report lists the refusals at the school."""
    person = request.getfixturevalue(role)
    client = client_for(person)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    for url in _pages(draft):
        client.get(url)
    rows = AuditEvent.objects.exclude(pk__in=before).order_by("pk")
    assert [(row.action, row.actor) for row in rows] == [("access.denied", person)] * len(
        _pages(draft)
    )
    working_as = person.memberships.get()
    assert {(row.school_id, row.local_authority_id) for row in rows} == {
        (working_as.school_id, working_as.school.local_authority_id)
        if working_as.school_id
        else (None, working_as.local_authority_id)
    }


def test_another_schools_dsl_gets_a_404_for_a_draft_or_a_confirmation(
    client_for, teacher, pupil, other_school_dsl
):
    sent = record(client_for(teacher), pupil)
    unsent = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    client = client_for(other_school_dsl)
    assert client.get(reverse("concerns:record_done", args=[sent.pk])).status_code == 404
    assert client.get(reverse("concerns:record_check", args=[sent.pk])).status_code == 404
    for url in _pages(unsent)[3:]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ROLES_THAT_RECORD)
def test_staff_dsls_and_deputies_may_record(request, client_for, pupil, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    for url in [
        reverse("concerns:start"),
        reverse("concerns:record_pupil"),
        reverse("concerns:mine"),
    ]:
        assert client.get(url).status_code == 200, url
    own = ConcernDraft.objects.create(author=user, school=pupil.school, pupil=pupil)
    for url in _pages(own)[4:8]:
        assert client.get(url).status_code == 200, url


def test_an_unknown_question_is_a_404(client_for, teacher, draft):
    url = reverse("concerns:record_question", args=[draft.pk, "prevent"])
    assert client_for(teacher).get(url).status_code == 404
