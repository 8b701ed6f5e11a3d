"""The local authority administrator's pages: their authority's schools and people, who
holds which role, adding a person and ending a role. Never another authority's, never case
content, and every write audited."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from schools.exceptions import Refused
from schools.models import Membership, Role, User
from schools.selectors import members_at
from schools.services import add_member, end_membership, resend_set_password_email
from schools.views import send_set_password_email
from tests.factories import member
from tests.notices import notice, words


def _last_pk():
    last = AuditEvent.objects.order_by("pk").last()
    return last.pk if last else 0


def _rows(before):
    return [
        (r.action, r.object_type, r.object_id)
        for r in AuditEvent.objects.filter(pk__gt=before).order_by("pk")
    ]


def _writes(before):
    """Rows other than reads refused out of scope (which are audited, and write nothing)."""
    return [row for row in _rows(before) if not row[0].startswith(("access.", "denied"))]


def _pages(school):
    return [
        reverse("people:schools"),
        reverse("people:authority"),
        reverse("people:authority_add"),
        reverse("people:school", args=[school.pk]),
        reverse("people:school_add", args=[school.pk]),
    ]


def test_a_visitor_is_sent_to_sign_in(client, school, dsl):
    pages = [*_pages(school), reverse("people:end", args=[dsl.memberships.get().pk])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("persona", ["teacher", "dsl", "head", "hub_advisor", "hub_manager"])
def test_other_roles_are_refused(client_for, school, dsl, persona, request):
    client = client_for(request.getfixturevalue(persona))
    for url in [*_pages(school), reverse("people:end", args=[dsl.memberships.get().pk])]:
        assert client.get(url).status_code == 403, url


def test_the_la_admin_opens_each_page(client_for, la_admin, school, dsl):
    client = client_for(la_admin)
    for url in [*_pages(school), reverse("people:end", args=[dsl.memberships.get().pk])]:
        assert client.get(url).status_code == 200, url


def test_the_start_page_links_to_schools_and_people(client_for, la_admin):
    home = client_for(la_admin).get(reverse("home")).text
    assert f'href="{reverse("people:schools")}"' in home
    assert reverse("admin:index") not in home


def test_the_la_admin_sees_their_schools_and_people_only(
    client_for, la_admin, school, other_school, other_la_school, dsl, hub_advisor, walk
):
    other_person = member(Role.DSL, other_la_school, full_name="Cara Centralbeds")
    walk.recorded()
    client = client_for(la_admin)
    schools = client.get(reverse("people:schools")).text
    assert school.name in schools
    assert other_school.name in schools
    assert other_la_school.name not in schools
    people = client.get(reverse("people:school", args=[school.pk])).text
    assert dsl.full_name in people
    assert dsl.email in people
    assert other_person.full_name not in people
    assert "Amelia" not in people  # no child's name, no case content
    hub = client.get(reverse("people:authority")).text
    assert hub_advisor.full_name in hub
    assert la_admin.full_name in hub


def test_another_authoritys_school_and_roles_answer_404_and_change_nothing(
    client_for, la_admin, other_la_school
):
    other_dsl = member(Role.DSL, other_la_school)
    membership = other_dsl.memberships.get()
    client = client_for(la_admin)
    before, people = _last_pk(), Membership.objects.count()
    assert client.get(reverse("people:school", args=[other_la_school.pk])).status_code == 404
    add = reverse("people:school_add", args=[other_la_school.pk])
    assert client.get(add).status_code == 404
    sent = {"email": la_admin.email, "full_name": "Me", "role": Role.DSL}
    assert client.post(add, sent).status_code == 404
    end = reverse("people:end", args=[membership.pk])
    assert client.get(end).status_code == 404
    assert client.post(end).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active
    assert Membership.objects.count() == people
    assert _writes(before) == []


def test_another_authoritys_hub_roles_answer_404_and_change_nothing(
    client_for, la_admin, other_la_advisor
):
    membership = other_la_advisor.memberships.get()
    client = client_for(la_admin)
    before = _last_pk()
    end = reverse("people:end", args=[membership.pk])
    assert client.get(end).status_code == 404
    assert client.post(end).status_code == 404
    assert client.post(reverse("people:resend", args=[membership.pk])).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active
    assert mail.outbox == []
    assert _writes(before) == []


def test_adding_a_new_person_makes_their_account_and_audits_both(client_for, la_admin, school):
    client = client_for(la_admin)
    before = _last_pk()
    sent = {"email": " New.Person@Example.org ", "full_name": "Nell New", "role": Role.DSL}
    response = client.post(reverse("people:school_add", args=[school.pk]), sent)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:school", args=[school.pk])
    user = User.objects.get(email="new.person@example.org")
    assert user.full_name == "Nell New"
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert (membership.school, membership.role, membership.is_active) == (school, Role.DSL, True)
    assert _rows(before) == [
        ("user.create", "user", str(user.pk)),
        ("membership.grant", "membership", str(membership.pk)),
    ]
    grant = AuditEvent.objects.get(action="membership.grant")
    assert (grant.actor, grant.school, grant.local_authority_id) == (
        la_admin,
        school,
        school.local_authority_id,
    )
    assert grant.detail == {"user": user.pk, "role": Role.DSL}
    [email] = mail.outbox  # a link to choose a password
    assert email.to == ["new.person@example.org"]
    assert "/account/password/reset/key/" in email.body


def test_a_new_persons_email_asks_them_to_set_a_password_on_the_service(
    client_for, la_admin, school, settings
):
    """The email is the person's only way in: it says what it is, is not a password reset
    "you can safely ignore", and links to the service's own address."""
    settings.SITE_URL = "https://safeguarding.example.gov.uk"
    sent = {"email": "new.person@example.org", "full_name": "Nell New", "role": Role.DSL}
    client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    [email] = mail.outbox
    assert email.subject == "Set your password for Record a safeguarding concern"
    assert "ignore" not in email.body
    assert "testserver" not in email.body
    assert "\nhttps://safeguarding.example.gov.uk/account/password/reset/key/" in email.body


def test_adding_a_role_to_an_existing_account_makes_no_account(client_for, la_admin, authority):
    person = member(
        Role.STAFF, member_school := _school(authority), email="known@example.org", full_name="Kim"
    )
    client = client_for(la_admin)
    before = _last_pk()
    sent = {"email": "known@example.org", "full_name": "Kimberley Known", "role": Role.HUB_ADVISOR}
    response = client.post(reverse("people:authority_add"), sent)
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, local_authority=authority)
    assert membership.role == Role.HUB_ADVISOR
    person.refresh_from_db()
    assert person.full_name == "Kim"  # their account's own name stands
    assert _rows(before) == [("membership.grant", "membership", str(membership.pk))]
    assert person.memberships.get(school=member_school).is_active
    assert mail.outbox == []


def _school(authority):
    from tests.factories import SchoolFactory

    return SchoolFactory(local_authority=authority)


@pytest.mark.parametrize(
    ("place", "role"),
    [
        ("school", Role.LA_ADMIN),
        ("school", Role.HUB_ADVISOR),
        ("authority", Role.LA_ADMIN),
        ("authority", Role.DSL),
        ("authority", "superuser"),
    ],
)
def test_a_role_outside_the_allowed_set_is_refused_and_nothing_written(
    client_for, la_admin, school, place, role
):
    url = reverse("people:school_add", args=[school.pk]) if place == "school" else None
    url = url or reverse("people:authority_add")
    before, people = _last_pk(), Membership.objects.count()
    sent = {"email": "new.person@example.org", "full_name": "Nell New", "role": role}
    page = client_for(la_admin).post(url, sent)
    assert page.status_code == 200
    assert "Select one of the roles listed" in page.text
    assert 'value="new.person@example.org"' in page.text  # what was typed is kept
    assert Membership.objects.count() == people
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert _rows(before) == []


@pytest.mark.parametrize("place_name", ["school", "authority"])
@pytest.mark.parametrize("role", [Role.LA_ADMIN, Role.DSL, Role.HUB_MANAGER])
def test_the_service_refuses_roles_an_la_admin_may_not_give(
    la_admin, school, authority, place_name, role
):
    place = school if place_name == "school" else authority
    allowed = {"school": {Role.DSL}, "authority": {Role.HUB_MANAGER}}[place_name]
    before = _last_pk()
    if role in allowed:
        add_member(place, by=la_admin, email="n@example.org", full_name="N", role=role)
        assert Membership.objects.filter(user__email="n@example.org", role=role).exists()
        return
    with pytest.raises(Refused) as refused:
        add_member(place, by=la_admin, email="n@example.org", full_name="N", role=role)
    assert refused.value.field == "role"
    assert _rows(before) == []


def test_an_la_admin_cannot_give_themselves_a_role(client_for, la_admin, school):
    before, people = _last_pk(), Membership.objects.count()
    sent = {"email": la_admin.email, "full_name": "Me", "role": Role.DSL}
    page = client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    assert page.status_code == 200
    assert "You cannot give yourself a role" in page.text
    assert Membership.objects.count() == people
    assert _rows(before) == []


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"email": "", "role": Role.STAFF}, "email", "Enter the person&#x27;s email address"),
        ({"email": "not-an-email", "role": Role.STAFF}, "email", "correct format"),
        ({"email": "n@example.org"}, "role", "Select the person&#x27;s role"),
        ({"email": "n@example.org", "role": Role.STAFF}, "full_name", "Enter the person&#x27;s"),
    ],
)
def test_bad_input_gets_a_message_beside_its_field(
    client_for, la_admin, school, sent, field, message
):
    page = client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert f'href="#id_{field}' in page.text
    assert message in page.text
    assert not Membership.objects.filter(user__email="n@example.org").exists()


def test_the_form_does_not_tell_whether_an_address_has_an_account(
    client_for, la_admin, school, other_la_school
):
    """An LA admin of one authority could otherwise learn, address by address, who signs in to
    the service anywhere, and under what name: the name is asked for every address alike."""
    member(Role.DSL, other_la_school, email="elsewhere@example.org", full_name="Cara Elsewhere")
    client = client_for(la_admin)
    url = reverse("people:school_add", args=[school.pk])
    pages = [
        client.post(url, {"email": email, "role": Role.STAFF}).text.replace(email, "")
        for email in ("elsewhere@example.org", "nobody@example.org")
    ]
    assert "Enter the person&#x27;s full name" in pages[0]
    assert _without_token(pages[0]) == _without_token(pages[1])
    assert "Cara Elsewhere" not in pages[0]
    assert not Membership.objects.filter(school=school, role=Role.STAFF).exists()


def _without_token(page):
    """The page less its two tokens: the CSRF token, and the form's signed 'typed by' token,
    which carries the second it was drawn (safeguarding/kept.py), so two pages drawn across a
    second's boundary differ there and only there."""
    return re.sub(r'name="(csrfmiddlewaretoken|_typed_by)" value="[^"]*"', "", page)


def test_a_role_already_held_is_refused(client_for, la_admin, school, dsl):
    before = _last_pk()
    sent = {"email": dsl.email, "full_name": dsl.full_name, "role": Role.DSL}
    page = client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    assert "is already designated safeguarding lead" in page.text
    assert _rows(before) == []


def test_ending_a_role_is_audited_and_it_stops_working(client_for, la_admin, school, dsl):
    member(Role.DSL, school)  # the school keeps a designated safeguarding lead
    membership = dsl.memberships.get()
    client = client_for(la_admin)
    before = _last_pk()
    response = client.post(reverse("people:end", args=[membership.pk]))
    assert response["Location"] == reverse("people:school", args=[school.pk])
    membership.refresh_from_db()
    assert not membership.is_active
    assert _rows(before) == [("membership.end", "membership", str(membership.pk))]
    row = AuditEvent.objects.get(action="membership.end")
    assert (row.actor, row.school) == (la_admin, school)
    assert client_for(dsl).get(reverse("concerns:inbox")).status_code == 302  # no role now


def test_an_ended_role_can_be_given_again(client_for, la_admin, school, dsl):
    member(Role.DSL, school)
    membership = dsl.memberships.get()
    end_membership(membership, by=la_admin)
    before = _last_pk()
    sent = {"email": dsl.email, "full_name": dsl.full_name, "role": Role.DSL}
    client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    membership.refresh_from_db()
    assert membership.is_active
    assert _rows(before) == [("membership.restart", "membership", str(membership.pk))]


def test_a_role_given_to_someone_who_has_not_set_a_password_emails_them_the_link(
    client_for, la_admin, school, other_school
):
    # Added at one school, they never used the link (it expires); given a role at another,
    # they are sent one again, not left with no way to sign in while told they have the role.
    client = client_for(la_admin)
    sent = {"email": "new.person@example.org", "full_name": "Nell New", "role": Role.STAFF}
    client.post(reverse("people:school_add", args=[school.pk]), sent)
    mail.outbox.clear()

    response = client.post(reverse("people:school_add", args=[other_school.pk]), sent, follow=True)

    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert "/account/password/reset/key/" in email.body
    assert "Nell New is now Member of staff, Chiltern Rise Academy." in notice(response.text)


def test_an_la_admin_cannot_end_their_own_or_another_admins_role(client_for, la_admin, authority):
    colleague = member(Role.LA_ADMIN, authority)
    client = client_for(la_admin)
    before = _last_pk()
    for person in (la_admin, colleague):
        membership = person.memberships.get()
        page = client.post(reverse("people:end", args=[membership.pk]))
        assert page.status_code == 400
        membership.refresh_from_db()
        assert membership.is_active
    assert _rows(before) == []


def test_only_an_la_admin_of_the_authority_may_use_the_services(
    school, dsl, hub_manager, other_authority, la_admin
):
    outsider = member(Role.LA_ADMIN, other_authority)
    newcomer = _new_person(la_admin, school)
    before = _last_pk()
    for actor in (dsl, hub_manager, outsider):
        with pytest.raises(Refused):
            add_member(school, by=actor, email="n@example.org", full_name="N", role=Role.STAFF)
        with pytest.raises(Refused):
            end_membership(dsl.memberships.get(), by=actor)
        with pytest.raises(Refused):
            resend_set_password_email(newcomer, by=actor, send=send_set_password_email)
    assert mail.outbox == []
    assert dsl.memberships.get().is_active
    assert not User.objects.filter(email="n@example.org").exists()
    assert _rows(before) == []


def test_a_role_already_ended_is_not_ended_again(la_admin, school, dsl):
    member(Role.DSL, school)
    membership = dsl.memberships.get()
    end_membership(membership, by=la_admin)
    before = _last_pk()
    with pytest.raises(Refused):
        end_membership(membership, by=la_admin)  # a page opened before it was ended
    assert _rows(before) == []


def test_the_schools_only_dsl_keeps_their_role_until_another_is_added(
    client_for, la_admin, school, dsl, deputy_dsl, other_school_dsl
):
    """Every school has a designated safeguarding lead (Keeping Children Safe in Education):
    without one, nobody is named to take the lead on the school's concerns."""
    membership = dsl.memberships.get()
    client = client_for(la_admin)
    before = _last_pk()
    page = client.post(reverse("people:end", args=[membership.pk]))
    assert page.status_code == 400
    assert "Dee Lead is the only designated safeguarding lead at Lea Bank Primary School" in (
        words(page.text)
    )
    membership.refresh_from_db()
    assert membership.is_active
    assert _rows(before) == []
    # A DSL whose account is switched off is no DSL: the school still has only Dee Lead.
    member(Role.DSL, school, is_active=False)
    assert client.post(reverse("people:end", args=[membership.pk])).status_code == 400
    membership.refresh_from_db()
    assert membership.is_active
    # Once another DSL is added, the role can be ended.
    member(Role.DSL, school)
    response = client.post(reverse("people:end", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_the_end_page_says_up_front_why_the_only_dsls_role_cannot_end(
    client_for, la_admin, school, dsl
):
    # Not a button that is then refused: the reason, and what to do, before anything is pressed.
    url = reverse("people:end", args=[dsl.memberships.get().pk])
    client = client_for(la_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "Dee Lead is the only designated safeguarding lead at Lea Bank Primary School" in (
        words(page.text)
    )
    assert "End the role</button>" not in page.text
    assert "Error:" not in page.text  # nothing was sent to be wrong
    member(Role.DSL, school)
    page = client.get(url)
    assert "End the role</button>" in page.text
    assert "only designated safeguarding lead" not in page.text


def test_the_schools_last_dsl_is_not_ended_from_the_service_either(la_admin, school, dsl):
    with pytest.raises(Refused):
        end_membership(dsl.memberships.get(), by=la_admin)
    assert dsl.memberships.get().is_active


def test_ending_a_role_a_colleague_has_just_ended_says_so(client_for, la_admin, school, teacher):
    """The page was drawn before another administrator ended the role (or the button was
    pressed twice): the person is told what happened, not "page not found"."""
    membership = teacher.memberships.get()
    client = client_for(la_admin)
    assert client.get(reverse("people:end", args=[membership.pk])).status_code == 200
    end_membership(membership, by=member(Role.LA_ADMIN, school.local_authority))
    before = _last_pk()
    page = client.post(reverse("people:end", args=[membership.pk]))
    assert page.status_code == 400
    assert "This role has already been ended" in page.text
    assert "End the role</button>" not in page.text
    assert _rows(before) == []
    page = client.get(reverse("people:end", args=[membership.pk]))  # opened again later
    assert "This role has already been ended" in page.text
    assert "End the role</button>" not in page.text


def test_a_role_already_ended_says_so_plainly_and_leads_back_to_the_people(
    client_for, la_admin, school, teacher
):
    """Opened again once the role has ended (from a bookmark, the browser's history): what
    happened is said as a fact, not as a mistake the administrator made, nothing says the
    role is yet to stop, and a link in the page's words leads back to the school's people."""
    membership = teacher.memberships.get()
    end_membership(membership, by=la_admin)
    client = client_for(la_admin)
    page = client.get(reverse("people:end", args=[membership.pk]))
    assert page.status_code == 200
    assert "This role has already been ended" in page.text
    assert "Error:" not in page.text  # nothing was sent to be wrong
    assert "govuk-error-summary" not in page.text
    for sent in (page, client.post(reverse("people:end", args=[membership.pk]))):
        assert "stops working" not in sent.text  # said of a role still to end
        back = re.search(r'<p class="govuk-body"><a href="([^"]+)" class="govuk-link">', sent.text)
        assert back is not None
        assert back.group(1) == reverse("people:school", args=[school.pk])


def test_the_set_password_email_is_not_sent_for_a_role_ended_meanwhile(
    client_for, la_admin, school
):
    member(Role.DSL, school)
    membership = _new_person(la_admin, school)
    client = client_for(la_admin)
    end_membership(membership, by=member(Role.LA_ADMIN, school.local_authority))
    before = _last_pk()
    response = client.post(reverse("people:resend", args=[membership.pk]))
    assert response["Location"] == reverse("people:school", args=[school.pk])
    assert mail.outbox == []
    assert _rows(before) == []
    assert "role has been ended" in client.get(response["Location"]).text


MAIL_DOWN = "tests.mail_down.MailServerDown"


def _new_person(la_admin, school, email="new.person@example.org"):
    """A person the LA admin has just added, who has not set a password yet."""
    membership, _ = add_member(
        school, by=la_admin, email=email, full_name="Nell New", role=Role.DSL
    )
    mail.outbox.clear()
    return membership


def test_adding_a_new_person_when_mail_is_down_keeps_the_role_and_says_so(
    client_for, la_admin, school, settings, caplog
):
    settings.EMAIL_BACKEND = MAIL_DOWN
    client = client_for(la_admin)
    before = _last_pk()
    sent = {"email": "new.person@example.org", "full_name": "Nell New", "role": Role.DSL}
    response = client.post(reverse("people:school_add", args=[school.pk]), sent)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:school", args=[school.pk])
    membership = Membership.objects.get(user__email="new.person@example.org", school=school)
    assert membership.is_active
    assert [action for action, *_ in _rows(before)] == ["user.create", "membership.grant"]
    page = client.get(response["Location"]).text
    assert "Nell New is now" in notice(page)
    assert "the email to set their password could not be sent" in page
    assert "Send the set-password email again" in page
    assert "new.person@example.org" not in caplog.text  # the log names the account's number


def test_the_set_password_button_is_shown_only_to_people_without_a_password(
    client_for, la_admin, school, dsl
):
    newcomer = _new_person(la_admin, school)
    page = client_for(la_admin).get(reverse("people:school", args=[school.pk])).text
    assert reverse("people:resend", args=[newcomer.pk]) in page
    assert reverse("people:resend", args=[dsl.memberships.get().pk]) not in page


def test_the_set_password_email_is_sent_again_and_audited(client_for, la_admin, school):
    membership = _new_person(la_admin, school)
    client = client_for(la_admin)
    before = _last_pk()
    response = client.post(reverse("people:resend", args=[membership.pk]))
    assert response["Location"] == reverse("people:school", args=[school.pk])
    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert "/account/password/reset/key/" in email.body
    assert _rows(before) == [("user.set_password_email", "user", str(membership.user_id))]
    row = AuditEvent.objects.get(action="user.set_password_email")
    assert (row.actor, row.school, row.local_authority_id) == (
        la_admin,
        school,
        school.local_authority_id,
    )
    assert row.detail == {"membership": membership.pk}  # no address, no link
    page = client.get(response["Location"]).text
    assert "The email to set a password has been sent to Nell New" in notice(page)


def test_sending_again_to_another_authoritys_person_answers_404(
    client_for, la_admin, other_la_school, other_authority
):
    other_admin = member(Role.LA_ADMIN, other_authority)
    membership = _new_person(other_admin, other_la_school)
    before = _last_pk()
    response = client_for(la_admin).post(reverse("people:resend", args=[membership.pk]))
    assert response.status_code == 404
    assert mail.outbox == []
    assert _writes(before) == []


def test_sending_again_to_someone_with_a_password_is_refused(client_for, la_admin, school, dsl):
    client = client_for(la_admin)
    before = _last_pk()
    response = client.post(reverse("people:resend", args=[dsl.memberships.get().pk]))
    assert response["Location"] == reverse("people:school", args=[school.pk])
    assert mail.outbox == []
    assert _rows(before) == []
    assert "has set a password already" in client.get(response["Location"]).text


def test_sending_again_to_an_account_switched_off_is_refused(client_for, la_admin, school):
    membership = _new_person(la_admin, school)
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    client = client_for(la_admin)
    before = _last_pk()
    response = client.post(reverse("people:resend", args=[membership.pk]))
    assert mail.outbox == []
    assert _rows(before) == []
    page = client.get(response["Location"]).text
    assert "Nell New's account has been switched off" in notice(page)
    assert "has been sent" not in page


def test_sending_again_when_mail_is_down_says_so_and_audits_nothing(
    client_for, la_admin, school, settings
):
    membership = _new_person(la_admin, school)
    settings.EMAIL_BACKEND = MAIL_DOWN
    client = client_for(la_admin)
    before = _last_pk()
    response = client.post(reverse("people:resend", args=[membership.pk]))
    assert response["Location"] == reverse("people:school", args=[school.pk])
    assert _rows(before) == []
    assert "could not be sent" in client.get(response["Location"]).text


def test_an_ended_role_leaves_the_people_page_and_the_schools_count(
    client_for, la_admin, school, dsl, teacher
):
    client = client_for(la_admin)

    def counted():
        schools = client.get(reverse("people:schools")).context["schools"]
        return next(s.people for s in schools if s == school)

    member(Role.DSL, school)
    assert counted() == 3
    end_membership(dsl.memberships.get(), by=la_admin)
    assert counted() == 2
    page = client.get(reverse("people:school", args=[school.pk])).text
    assert teacher.email in page
    assert dsl.email not in page  # the page lists who holds a role now; reports keep the past


def test_the_end_link_is_shown_only_for_roles_the_la_admin_may_end(
    client_for, la_admin, hub_advisor
):
    page = client_for(la_admin).get(reverse("people:authority")).text
    assert reverse("people:end", args=[hub_advisor.memberships.get().pk]) in page
    assert reverse("people:end", args=[la_admin.memberships.get().pk]) not in page


def test_an_existing_account_is_found_whatever_the_capitals_typed(client_for, la_admin, school):
    person = member(Role.STAFF, school, email="known.person@example.org")
    accounts = User.objects.count()
    sent = {"email": "Known.Person@Example.ORG", "full_name": "Kim Known", "role": Role.DSL}
    response = client_for(la_admin).post(reverse("people:school_add", args=[school.pk]), sent)
    assert response.status_code == 302
    assert person.memberships.filter(school=school, role=Role.DSL, is_active=True).exists()
    assert User.objects.count() == accounts
    assert mail.outbox == []


def test_a_second_click_on_send_again_sends_one_email_and_says_it_was_sent(
    clock, client_for, la_admin, school
):
    membership = _new_person(la_admin, school)
    client = client_for(la_admin)
    url = reverse("people:resend", args=[membership.pk])
    client.post(url)
    page = client.post(url, follow=True).text
    assert len(mail.outbox) == 1
    assert "The email to set a password was sent to Nell New less than a minute ago" in notice(page)
    assert AuditEvent.objects.filter(action="user.set_password_email").count() == 1
    clock.moment += timedelta(minutes=1, seconds=1)
    client = client_for(la_admin)
    client.post(url)
    assert len(mail.outbox) == 2  # a minute later, a real second need


def test_a_role_is_not_given_to_an_account_switched_off(client_for, la_admin, school, dsl):
    """Someone who cannot sign in would look like the school's second DSL and never come."""
    leaver = member(Role.DSL, school, full_name="Lee Leaver")
    leaver.memberships.update(is_active=False)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    client = client_for(la_admin)
    before = _last_pk()
    sent = {"email": leaver.email, "full_name": "Lee Leaver", "role": Role.DSL}
    page = client.post(reverse("people:school_add", args=[school.pk]), sent)
    assert page.status_code == 200
    assert 'href="#id_email' in page.text
    assert "has been switched off: ask the service&#x27;s operators" in page.text
    assert f'value="{leaver.email}"' in page.text  # what was typed is kept
    assert not leaver.memberships.filter(is_active=True).exists()
    assert _rows(before) == []


def test_the_schools_list_counts_a_person_with_two_roles_once(client_for, la_admin, school, dsl):
    """A small school's head teacher is often its DSL too: one person, not two."""
    Membership.objects.create(user=dsl, school=school, role=Role.HEAD_TEACHER)
    member(Role.STAFF, school)
    schools = client_for(la_admin).get(reverse("people:schools")).context["schools"]
    assert [s.people for s in schools if s == school] == [2]


def test_a_role_whose_account_is_switched_off_is_marked(client_for, la_admin, school, dsl):
    """The school's DSL cannot sign in: the administrator sees so, rather than a DSL in post."""
    leaver = _new_person(la_admin, school)
    for user in (dsl, leaver.user):
        user.is_active = False
        user.save(update_fields=["is_active"])
    page = client_for(la_admin).get(reverse("people:school", args=[school.pk])).text
    row = page[page.index(dsl.email) :].split("</tr>")[0]
    assert "Account switched off" in row
    assert page.count("Account switched off") == 2
    # Sending the set-password email to someone who cannot sign in is not offered.
    assert reverse("people:resend", args=[leaver.pk]) not in page


def test_people_are_listed_whatever_the_case_of_their_first_letter(client_for, la_admin, school):
    """Added with their name as they write it (trimmed, otherwise exactly), and listed among
    the others: de Souza among the Ds, not after Zielinski."""
    client = client_for(la_admin)
    for n, name in enumerate(["Ola Zielinski", "  ana de Souza ", "Siobhán Ní Bhriain"]):
        sent = {"email": f"p{n}@example.org", "full_name": name, "role": Role.STAFF}
        assert client.post(reverse("people:school_add", args=[school.pk]), sent).status_code == 302
    assert User.objects.get(email="p1@example.org").full_name == "ana de Souza"
    listed = [m.user.full_name for m in members_at(school)]
    assert listed == ["ana de Souza", "Ola Zielinski", "Siobhán Ní Bhriain"]
