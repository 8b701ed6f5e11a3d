"""A role that opens children's records, given by the local authority's administrator, is told
to those who would notice a stranger: the school's DSLs, deputies and head teacher, or the
hub's managers. An administrator giving a DSL's role to a second account of their own (the
rule against a role to themselves compares accounts, not people) is then seen, not only
audited."""

import pytest
from django.core import mail
from django.urls import reverse

from schools.models import Membership, Role
from tests.factories import member


def _add(client, url, role, email="second.account@example.org", callbacks=None):
    sent = {"email": email, "full_name": "Sam Second", "role": role}
    with callbacks(execute=True):
        response = client.post(url, sent)
    assert response.status_code == 302
    return [m for m in mail.outbox if "given a role" in m.subject]


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEAD_TEACHER])
def test_a_schools_leads_and_head_are_told_of_a_new_lead(
    client_for,
    la_admin,
    school,
    dsl,
    deputy_dsl,
    head,
    teacher,
    role,
    django_capture_on_commit_callbacks,
):
    url = reverse("people:school_add", args=[school.pk])
    told = _add(client_for(la_admin), url, role, callbacks=django_capture_on_commit_callbacks)
    assert sorted(address for m in told for address in m.to) == sorted(
        [dsl.email, deputy_dsl.email, head.email]
    )  # not the member of staff, not the new account, not the administrator
    email = told[0]
    label = Role(role).label
    assert email.subject == f"Sam Second has been given a role at {school.name}: {label}"
    assert "Sam Second (second.account@example.org)" in email.body
    assert f"by {la_admin.full_name}" in email.body
    assert "every child's safeguarding record at the school" in email.body
    assert "If you did not expect this" in email.body


def test_a_member_of_staffs_role_is_not_told(
    client_for, la_admin, school, dsl, head, django_capture_on_commit_callbacks
):
    url = reverse("people:school_add", args=[school.pk])
    told = _add(client_for(la_admin), url, Role.STAFF, callbacks=django_capture_on_commit_callbacks)
    assert told == []


def test_the_hubs_managers_are_told_of_a_new_member_of_the_hub(
    client_for,
    la_admin,
    authority,
    hub_manager,
    hub_advisor,
    dsl,
    django_capture_on_commit_callbacks,
):
    url = reverse("people:authority_add")
    told = _add(
        client_for(la_admin), url, Role.HUB_ADVISOR, callbacks=django_capture_on_commit_callbacks
    )
    assert [m.to for m in told] == [[hub_manager.email]]
    assert "the advice requests of every school in the authority" in told[0].body


def test_a_role_given_again_after_it_ended_is_told_too(
    client_for, la_admin, school, dsl, django_capture_on_commit_callbacks
):
    other = member(Role.DEPUTY_DSL, school, email="returning@example.org", full_name="Rae Return")
    Membership.objects.filter(user=other).update(is_active=False)
    url = reverse("people:school_add", args=[school.pk])
    told = _add(
        client_for(la_admin),
        url,
        Role.DEPUTY_DSL,
        email="returning@example.org",
        callbacks=django_capture_on_commit_callbacks,
    )
    assert [m.to for m in told] == [[dsl.email]]


def test_a_refused_role_tells_no_one(
    client_for, la_admin, school, dsl, django_capture_on_commit_callbacks
):
    url = reverse("people:school_add", args=[school.pk])
    sent = {"email": dsl.email, "full_name": "Dee Lead", "role": Role.DSL}  # already held
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(la_admin).post(url, sent)
    assert response.status_code == 200
    assert [m for m in mail.outbox if "given a role" in m.subject] == []


def test_a_role_at_a_school_with_a_long_name_is_given_and_told(
    client_for, la_admin, school, dsl, django_capture_on_commit_callbacks
):
    # On PostgreSQL the email's subject, the person's name, the school's and the role's, was
    # too long to be kept: giving a deputy DSL's role at a school with a long name failed with
    # the service's error page, and the role was not given.
    school.name = (
        "St Mary and St Joseph's Catholic Primary School and Nursery, "
        "a Voluntary Academy of the Diocese of Northampton"
    )
    school.save(update_fields=["name"])
    url = reverse("people:school_add", args=[school.pk])
    sent = {
        "email": "a.montgomery@example.org",
        "full_name": "Alexandra Montgomery-Fitzwilliam",
        "role": Role.DEPUTY_DSL,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(la_admin).post(url, sent)

    assert response.status_code == 302
    assert Membership.objects.filter(
        user__email="a.montgomery@example.org", school=school, role=Role.DEPUTY_DSL
    ).exists()
    [told] = [m for m in mail.outbox if dsl.email in m.to]
    assert told.subject.startswith("Alexandra Montgomery-Fitzwilliam has been given a role")
    assert "Alexandra Montgomery-Fitzwilliam (a.montgomery@example.org)" in told.body
    assert school.name in told.body
    assert "Deputy designated safeguarding lead" in told.body
