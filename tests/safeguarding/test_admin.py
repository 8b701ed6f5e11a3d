"""Django's admin: reached only through the service's sign-in, with its second factor, and
holding no child's data, since it is scoped to nobody and audits nothing."""

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from schools.models import Pupil, Role
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, member, signed_in, totp_code
from tests.schools.test_sign_in import sign_in
from workflow.models import Notification


def _superuser(school=None):
    if school is None:
        return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    return member(Role.STAFF, school, email="root@example.org", is_staff=True, is_superuser=True)


def test_the_admins_sign_in_page_sends_people_to_the_services_sign_in(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_a_password_alone_at_the_admins_sign_in_signs_nobody_in(client, school):
    """The admin's own form would sign a superuser in without the authenticator app's code."""
    root = _superuser(school)
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": root.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("concerns:mine")).status_code == 302


def test_the_admin_opens_after_the_password_and_the_code(client, db):
    root = _superuser()
    client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302  # the code is still to come
    client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_in_person_without_staff_rights_is_refused_the_admins_sign_in(client, dsl):
    sign_in(client, dsl.email)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def _holds_a_childs_data():
    """The pupil, and every model that points at one, or at a model that does: a concern, its
    steps and addenda, an advice request, a workflow event, an attachment, a draft."""
    found = {Pupil}
    while True:
        more = {
            model
            for model in apps.get_models()
            if model not in found
            and any(
                field.many_to_one and field.related_model in found
                for field in model._meta.get_fields()
            )
        }
        if not more:
            return found
        found |= more


def test_no_childs_data_is_in_the_admin():
    """Such records are read on the service's own pages, scoped and audited. Notifications are
    the emails sent, which hold a reference and a school's name, never a child's data."""
    in_admin = {model for model in _holds_a_childs_data() if admin.site.is_registered(model)}
    assert in_admin == {Notification}


def test_a_superuser_finds_no_concern_or_pupil_in_the_admin(client, school, walk):
    concern = walk.recorded()
    signed_in(client, _superuser(school))
    before = AuditEvent.objects.count()
    for path in [
        "/admin/concerns/concern/",
        f"/admin/concerns/concern/{concern.pk}/change/",
        "/admin/schools/pupil/",
        f"/admin/schools/pupil/{concern.pupil_id}/change/",
        "/admin/advice/advicerequest/",
        "/admin/workflow/workflowevent/",
    ]:
        assert client.get(path).status_code == 404, path
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert concern.pupil.family_name not in index.text
    assert AuditEvent.objects.count() == before


def test_the_admin_never_shows_an_authenticator_apps_secret(client, db):
    """From the secret anyone could make the user's codes. A lost phone is reset by deleting
    the app, and the user sets one up again at the next sign-in."""
    root = _superuser()
    person = UserFactory(email="lost.phone@example.org")
    app = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    signed_in(client, root)
    for path in [
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:mfa_authenticator_change", args=[app.pk]),
    ]:
        page = client.get(path)
        assert page.status_code == 200
        assert TOTP_SECRET not in page.text
        assert app.data["secret"] not in page.text
    client.post(reverse("admin:mfa_authenticator_delete", args=[app.pk]), {"post": "yes"})
    assert not Authenticator.objects.filter(pk=app.pk).exists()


def test_a_membership_is_ended_not_rewritten_or_deleted(client, school, dsl, other_school):
    """Past reports read who was a DSL when they acted: a role is changed by ending the
    membership and adding another, never by editing or deleting it."""
    membership = dsl.memberships.get()
    signed_in(client, _superuser())
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    sent = {"user": dsl.pk, "role": Role.HEAD_TEACHER, "school": other_school.pk}
    sent |= {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}
    assert client.post(url, sent).status_code == 302  # is_active left unticked: ended
    membership.refresh_from_db()
    assert (membership.role, membership.school, membership.is_active) == (Role.DSL, school, False)
    delete = reverse("admin:schools_membership_delete", args=[membership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert dsl.memberships.count() == 1


def test_a_schools_authority_is_not_changed_in_the_admin(client, school, other_authority):
    signed_in(client, _superuser())
    url = reverse("admin:schools_school_change", args=[school.pk])
    page = client.get(url).text
    assert 'name="local_authority"' not in page
    fields = {"name": school.name, "urn": school.urn, "phase": school.phase}
    client.post(url, fields | {"local_authority": other_authority.pk})
    school.refresh_from_db()
    assert school.local_authority != other_authority


def test_the_audit_trail_opens_without_reading_every_row_for_its_dates(client, school, walk):
    # At millions of rows a list of the years present (a date hierarchy) took seconds: the
    # trail's date filters are offered without asking the table which dates it holds.
    walk.recorded()
    signed_in(client, _superuser(school))
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/admin/audit/auditevent/")
    assert page.status_code == 200
    grouped = [q["sql"] for q in captured if "DISTINCT" in q["sql"] and '"at"' in q["sql"]]
    assert grouped == []
    assert "Past 7 days" in page.text


def test_the_admins_list_of_notifications_names_each_ones_person(client, school, dsl):
    """An operator asked why someone never had an email finds that person's notifications: the
    list names whom each is for (whatever address it went to) and is searched by their name or
    address, in the same number of queries however many rows; the hub's mailbox is no one's."""
    root = _superuser(school)
    dsl.full_name, dsl.email = "Maryam Khan", "m.khan@example.org"
    dsl.save(update_fields=["full_name", "email"])
    other = member(Role.DSL, school, full_name="Omar Farooq", email="o.farooq@example.org")
    ours = Notification.objects.create(
        kind="advice_given", user=dsl, recipient="old.address@example.org", subject="s", body="b"
    )
    Notification.objects.create(
        kind="advice_given", user=other, recipient=other.email, subject="s", body="b"
    )
    Notification.objects.create(
        kind="advice_requested", recipient="hub@example.org", subject="s", body="b"
    )
    signed_in(client, root)
    url = reverse("admin:workflow_notification_changelist")
    client.get(url)  # the session's first page writes to it
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).text
    assert "Maryam Khan" in page
    assert "Omar Farooq" in page
    for _ in range(5):
        Notification.objects.create(
            kind="advice_given", user=member(Role.DSL, school), recipient="x@example.org"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    for query in ["Maryam", "m.khan@example.org"]:
        found = client.get(url, {"q": query}).context["cl"].result_list
        assert list(found) == [ours], query
