"""Django's admin is for the service's operators (superusers) alone."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from schools.models import Membership, Role
from tests.factories import PASSWORD, UserFactory, signed_in


def _operator():
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


def _new_rows(before):
    return list(AuditEvent.objects.filter(pk__gt=before).order_by("pk"))


def _last_pk():
    last = AuditEvent.objects.order_by("pk").last()
    return last.pk if last else 0


@pytest.fixture
def staff_la_admin(la_admin):
    """An LA admin an operator has given staff rights and every permission on people."""
    la_admin.is_staff = True
    la_admin.save()
    la_admin.user_permissions.set(Permission.objects.filter(content_type__app_label="schools"))
    return la_admin


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:schools_school_changelist",
        "admin:schools_membership_add",
        "admin:schools_user_changelist",
    ],
)
def test_staff_rights_without_superuser_open_nothing(client, staff_la_admin, name):
    signed_in(client, staff_la_admin)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(response["Location"]).status_code == 403


def test_a_staff_la_admin_cannot_grant_a_role_at_another_authority(
    client, staff_la_admin, other_la_school
):
    signed_in(client, staff_la_admin)
    sent = {"user": staff_la_admin.pk, "school": other_la_school.pk, "role": Role.DSL}
    sent |= {"is_active": "on", "created_at_0": "2026-01-05", "created_at_1": "09:00:00"}
    before = _last_pk()
    client.post(reverse("admin:schools_membership_add"), sent)
    assert not Membership.objects.filter(user=staff_la_admin, school=other_la_school).exists()
    assert _new_rows(before) == []


def test_a_staff_la_admin_cannot_make_themselves_superuser(client, staff_la_admin):
    signed_in(client, staff_la_admin)
    url = reverse("admin:schools_user_change", args=[staff_la_admin.pk])
    sent = {"email": staff_la_admin.email, "full_name": "x", "is_active": "on"}
    sent |= {"is_staff": "on", "is_superuser": "on"}
    sent |= {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    client.post(url, sent)
    staff_la_admin.refresh_from_db()
    assert not staff_la_admin.is_superuser


def test_the_admins_sign_in_form_is_refused_to_staff_who_are_not_operators(client, staff_la_admin):
    """Its form would sign in anyone, an operator too, with a password alone."""
    root = _operator()
    signed_in(client, staff_la_admin)
    response = client.post(reverse("admin:login"), {"username": root.email, "password": PASSWORD})
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(staff_la_admin.pk)
