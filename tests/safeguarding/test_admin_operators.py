"""Django's admin is for the service's operators (superusers) alone, and every write made
there is audited as the service's own pages audit theirs."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from schools.admin import AuditedAdmin
from schools.models import LocalAuthority, Membership, Role, School, User
from tests.factories import (
    PASSWORD,
    LocalAuthorityFactory,
    SchoolFactory,
    UserFactory,
    signed_in,
)
from tests.schools.test_lockout import fail
from tests.schools.test_sign_in import sign_in


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


def test_granting_a_role_in_the_admin_is_audited(client, school):
    root, person = _operator(), UserFactory(email="p@example.org")
    signed_in(client, root)
    before = _last_pk()
    sent = {"user": person.pk, "school": school.pk, "role": Role.DSL, "is_active": "on"}
    sent |= {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}
    assert client.post(reverse("admin:schools_membership_add"), sent).status_code == 302
    membership = Membership.objects.get(user=person, school=school, role=Role.DSL)
    [row] = _new_rows(before)
    assert (row.action, row.actor, row.object_id) == ("membership.grant", root, str(membership.pk))
    assert (row.school, row.local_authority_id) == (school, school.local_authority_id)
    assert row.detail == {"via": "admin", "user": person.pk, "role": Role.DSL}


def test_granting_a_role_on_a_persons_page_is_audited(client, school):
    root, person = _operator(), UserFactory(email="p@example.org", full_name="Pat Person")
    signed_in(client, root)
    before = _last_pk()
    prefix = "memberships"
    sent = {"email": person.email, "full_name": person.full_name}
    sent |= {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}
    sent |= {f"{prefix}-0-school": school.pk, f"{prefix}-0-role": Role.STAFF}
    sent |= {f"{prefix}-0-is_active": "on", f"{prefix}-0-created_at_0": "2026-01-05"}
    sent |= {f"{prefix}-0-created_at_1": "09:00:00"}
    url = reverse("admin:schools_user_change", args=[person.pk])
    assert client.post(url, sent).status_code == 302
    membership = Membership.objects.get(user=person, school=school)
    actions = [(r.action, r.object_id) for r in _new_rows(before)]
    assert ("membership.grant", str(membership.pk)) in actions


def test_ending_and_restarting_a_role_in_the_admin_is_audited(client, school, dsl):
    membership = dsl.memberships.get()
    signed_in(client, _operator())
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    when = {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}
    before = _last_pk()
    assert client.post(url, when).status_code == 302
    assert client.post(url, when | {"is_active": "on"}).status_code == 302
    rows = [(r.action, r.object_id, r.school_id) for r in _new_rows(before)]
    pk = str(membership.pk)
    assert rows == [("membership.end", pk, school.pk), ("membership.restart", pk, school.pk)]


def test_a_change_of_superuser_rights_is_audited(client, db):
    root, person = _operator(), UserFactory(email="p@example.org", full_name="Pat Person")
    signed_in(client, root)
    before = _last_pk()
    url = reverse("admin:schools_user_change", args=[person.pk])
    sent = {"email": person.email, "full_name": person.full_name, "is_active": "on"}
    sent |= {"is_superuser": "on", "memberships-TOTAL_FORMS": "0"}
    sent |= {"memberships-INITIAL_FORMS": "0"}
    assert client.post(url, sent).status_code == 302
    [row] = _new_rows(before)
    assert (row.action, row.object_id) == ("user.change", str(person.pk))
    assert row.detail == {"via": "admin", "fields": ["is_superuser"]}


def test_changing_a_schools_policy_address_in_the_admin_is_audited(client, school):
    root = _operator()
    signed_in(client, root)
    before_url = school.safeguarding_policy_url
    before = _last_pk()
    url = reverse("admin:schools_school_change", args=[school.pk])
    sent = {"name": school.name, "urn": school.urn, "phase": school.phase}
    sent |= {"safeguarding_policy_url": "https://elsewhere.example/policy"}
    assert client.post(url, sent).status_code == 302
    rows = _new_rows(before)
    assert [r.action for r in rows] == ["school.change", "school.policy_url.change"]
    assert rows[0].detail["fields"] == ["safeguarding_policy_url"]
    assert rows[1].school == school
    assert rows[1].detail == {
        "via": "admin",
        "before": before_url,
        "after": "https://elsewhere.example/policy",
    }


def test_resetting_a_persons_authenticator_in_the_admin_is_audited(client, db):
    root, person = _operator(), UserFactory(email="lost.phone@example.org")
    app = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    signed_in(client, root)
    before = _last_pk()
    client.post(reverse("admin:mfa_authenticator_delete", args=[app.pk]), {"post": "yes"})
    assert not Authenticator.objects.filter(pk=app.pk).exists()
    [row] = _new_rows(before)
    assert (row.action, row.actor, row.object_id) == ("authenticator.delete", root, str(app.pk))
    assert row.detail == {"via": "admin", "user": person.pk, "mfa_type": "totp"}


def test_resetting_authenticators_in_bulk_audits_each(client, db):
    root = _operator()
    people = [UserFactory(email=f"p{n}@example.org") for n in range(2)]
    apps = list(Authenticator.objects.filter(user__in=people))
    signed_in(client, root)
    before = _last_pk()
    sent = {"action": "delete_selected", "_selected_action": [a.pk for a in apps], "post": "yes"}
    client.post(reverse("admin:mfa_authenticator_changelist"), sent)
    assert not Authenticator.objects.filter(user__in=people).exists()
    rows = _new_rows(before)
    assert sorted(r.object_id for r in rows) == sorted(str(a.pk) for a in apps)
    assert {r.action for r in rows} == {"authenticator.delete"}


def test_setting_a_persons_password_in_the_admin_is_audited(client, db):
    root, person = _operator(), UserFactory(email="p@example.org")
    signed_in(client, root)
    before = _last_pk()
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    new = "a-new-and-long-passphrase-2026"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)
    [row] = _new_rows(before)
    assert (row.action, row.object_id) == ("user.password_set", str(person.pk))


def test_changing_an_authority_in_the_admin_is_audited(client, authority):
    root = _operator()
    signed_in(client, root)
    before = _last_pk()
    url = reverse("admin:schools_localauthority_change", args=[authority.pk])
    sent = {"name": authority.name, "code": authority.code, "hub_email": "new.hub@lut.example"}
    assert client.post(url, sent).status_code == 302
    authority.refresh_from_db()
    assert authority.hub_email == "new.hub@lut.example"
    [row] = _new_rows(before)
    assert (row.action, row.actor, row.object_id) == (
        "localauthority.change",
        root,
        str(authority.pk),
    )
    assert row.detail == {"via": "admin", "fields": ["hub_email"]}


# Only what nothing else points at can be deleted (PROTECT keeps the rest): a school with no
# people or pupils, an authority with no schools, an account with no roles or actions.
@pytest.mark.parametrize(
    ("model", "make"),
    [
        (School, lambda authority: SchoolFactory(local_authority=authority)),
        (LocalAuthority, lambda authority: LocalAuthorityFactory(name="Empty", code="EMP")),
        (User, lambda authority: UserFactory(email="leaver@example.org")),
    ],
)
def test_deleting_in_the_admin_is_audited(client, authority, model, make):
    obj = make(authority)
    root = _operator()
    signed_in(client, root)
    before = _last_pk()
    name = model._meta.model_name
    url = reverse(f"admin:schools_{name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    rows = [(r.action, r.actor, r.object_type, r.object_id) for r in _new_rows(before)]
    assert rows == [(f"{name}.delete", root, name, str(obj.pk))]


def test_a_lost_phone_reset_in_the_admin_lets_the_person_set_up_the_app_again(client, db):
    # Setting the app up in the service also makes recovery codes. Deleting the app alone
    # left them: setting up the new app keeps codes that exist, so the old ones, perhaps
    # kept beside the lost phone, went on working as a second factor.
    root, person = _operator(), UserFactory(email="lost.phone@example.org")
    RecoveryCodes.activate(person)
    app = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    signed_in(client, root)
    before = _last_pk()
    client.post(reverse("admin:mfa_authenticator_delete", args=[app.pk]), {"post": "yes"})

    theirs = Client()
    response = theirs.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response["Location"] == reverse("home")  # no code asked for
    assert theirs.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
    assert not Authenticator.objects.filter(user=person).exists()  # the old codes went too
    rows = [r for r in _new_rows(before) if r.action == "authenticator.delete"]
    assert [(r.actor, r.detail["mfa_type"]) for r in rows] == [
        (root, "totp"),
        (root, "recovery_codes"),
    ]


def test_resetting_an_app_and_its_recovery_codes_together_audits_each_once(client, db):
    root, person = _operator(), UserFactory(email="lost.phone@example.org")
    RecoveryCodes.activate(person)
    chosen = list(Authenticator.objects.filter(user=person).order_by("pk"))
    signed_in(client, root)
    before = _last_pk()
    sent = {"action": "delete_selected", "_selected_action": [a.pk for a in chosen], "post": "yes"}
    client.post(reverse("admin:mfa_authenticator_changelist"), sent)

    assert not Authenticator.objects.filter(user=person).exists()
    rows = _new_rows(before)
    assert sorted(r.object_id for r in rows) == sorted(str(a.pk) for a in chosen)


def test_every_page_of_the_admin_that_writes_audits_its_writes():
    """Whatever an operator may add, change or delete there is audited (AuditedAdmin); the
    rest is shown read-only. A library's own admin audits nothing."""
    request = RequestFactory().get("/admin/")
    request.user = User(is_active=True, is_staff=True, is_superuser=True)
    writable = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
        and (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
    }
    assert writable == set()


def test_an_operator_cannot_clear_a_lockout_in_the_admin_unaudited(client, dsl):
    # The LA admin clears one on the lockouts page, audited; in the admin, deleting the
    # attempts cleared it with no row, as deleting the sign-in history erased it.
    fail(Client(), dsl.email, 5)
    signed_in(client, _operator())
    attempt = AccessAttempt.objects.get()
    for url in [
        reverse("admin:index") + f"axes/accessattempt/{attempt.pk}/delete/",
        reverse("admin:index") + "axes/accesslog/",
    ]:
        assert client.post(url, {"post": "yes"}).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert sign_in(Client(), dsl.email).status_code == 429


def test_an_operator_cannot_give_a_person_another_address_to_sign_in_with(client, dsl):
    # Neither may the person (tests/schools/test_sign_in.py): a password reset sent there
    # would give whoever reads it the account, with nothing in the audit trail.
    signed_in(client, _operator())
    sent = {"user": dsl.pk, "email": "someone@elsewhere.example", "verified": "on"}
    response = client.post(reverse("admin:index") + "account/emailaddress/add/", sent)
    assert response.status_code == 404
    assert not EmailAddress.objects.filter(email="someone@elsewhere.example").exists()
