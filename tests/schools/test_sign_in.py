import re
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from schools.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, totp_code


def sign_in(client, email, password=PASSWORD, code=None):
    """The real two-step sign-in: password, then the authenticator app's code."""
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    if response.status_code != 302 or response["Location"] != reverse("mfa_authenticate"):
        return response
    return client.post(reverse("mfa_authenticate"), {"code": code or totp_code()})


def test_sign_in_with_email_and_password_lands_on_the_role_start_page(client, dsl):
    response = sign_in(client, dsl.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Designated safeguarding lead" in home.text
    assert "Lea Bank Primary School" in home.text


@pytest.mark.parametrize(
    "away",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example",
     "javascript:alert(1)", "\thttps://evil.example/"],
)  # fmt: skip
def test_signing_in_never_sends_the_person_off_the_service(client, dsl, away):
    """A link to sign in that names another site to go to after (a phishing email's) lands on
    the service's own start page: the second step's 'next' carries it, so both steps are
    asked."""
    login = reverse("account_login") + "?" + urlencode({"next": away})
    step = client.post(login, {"login": dsl.email, "password": PASSWORD})
    assert step["Location"].startswith(reverse("mfa_authenticate"))
    done = client.post(step["Location"], {"code": totp_code(), "next": away})
    assert done.status_code == 302
    assert done["Location"] == reverse("home"), away


def test_sign_in_email_is_not_case_sensitive(client, dsl):
    response = sign_in(client, dsl.email.upper())
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, dsl):
    response = sign_in(client, dsl.email, "not-the-password")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "_auth_user_id" not in client.session


def test_passwords_are_stored_with_argon2(dsl):
    assert dsl.password.startswith("argon2")


def test_sign_out_ends_the_session_on_the_server(client, dsl):
    sign_in(client, dsl.email)
    session_key = client.session.session_key
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_there_is_no_public_sign_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert "You cannot create an account here" in response.text
    from schools.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_the_sign_in_page_sends_someone_without_an_account_to_whoever_can_make_one(client, db):
    # Only the local authority's administrator gives anyone a role (schools.services): a DSL
    # asked to set up an account has no way to.
    said = client.get(reverse("account_login")).text.replace("&#x27;", "'")
    assert "the local authority's administrator sets one up for you" in said
    assert "your DSL or the local authority sets one up" not in said


def test_password_reset_by_email_round_trip(client, dsl):
    response = client.post(reverse("account_reset_password"), {"email": dsl.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.text
    new_password = "plum-orbit-lantern-42"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    dsl.refresh_from_db()
    assert dsl.check_password(new_password)


def test_the_reset_link_is_to_the_services_own_address_whatever_host_was_asked(
    client, dsl, settings
):
    settings.SITE_URL = "https://safeguarding.example.gov.uk"
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]
    client.post(
        reverse("account_reset_password"), {"email": dsl.email}, HTTP_HOST="internal.example"
    )
    [email] = mail.outbox
    assert email.subject == "Reset your password for Record a safeguarding concern"
    assert "internal.example" not in email.body
    assert "\nhttps://safeguarding.example.gov.uk/account/password/reset/key/" in email.body


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_a_reset_asked_for_an_unknown_address_does_not_invite_them_to_sign_up(client, db):
    """Anyone can type any address. It is answered by email, as a known one is (so the time
    the page takes does not say which addresses have accounts), but not with an invitation to
    sign up, which nobody can, and only a few times a minute."""
    for _ in range(8):
        client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    email = mail.outbox[0]
    assert email.subject == "Password reset for Record a safeguarding concern"
    assert "no account uses this address" in email.body
    assert "/account/signup/" not in email.body
    assert "sign up" not in email.body
    assert "ask your designated safeguarding lead" in email.body
    assert len(mail.outbox) == 5


@pytest.mark.parametrize("known", [True, False])
def test_a_reset_asked_for_while_mail_is_down_says_so_and_keeps_the_address(
    client, dsl, settings, caplog, known
):
    # The mail server refusing the email showed the service's error page: the person could not
    # tell whether a link was coming. The same is said whether or not the address has an account.
    settings.EMAIL_BACKEND = "tests.mail_down.MailServerDown"
    address = dsl.email if known else "stranger@example.org"
    response = client.post(reverse("account_reset_password"), {"email": address})
    assert response.status_code == 200
    assert "The email could not be sent just now" in response.text
    assert f'value="{address}"' in response.text
    assert "govuk-error-summary" in response.text
    assert address not in caplog.text


def test_weak_new_password_is_refused_with_a_reason(client, dsl):
    client.post(reverse("account_reset_password"), {"email": dsl.email})
    link = re.search(r"(/account/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too short" in response.text or "too common" in response.text


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_start_page(client_for, school, authority, role):
    if role in {Role.HUB_ADVISOR, Role.HUB_MANAGER, Role.LA_ADMIN}:
        membership = MembershipFactory(role=role, school=None, local_authority=authority)
        place = authority.name
    else:
        membership = MembershipFactory(role=role, school=school)
        place = school.name
    response = client_for(membership.user).get(reverse("home"))
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{role.label}</h1>' in response.text
    assert place in response.text


def test_a_user_with_no_active_membership_is_told_whom_to_contact(client_for, db):
    user = UserFactory()
    client = client_for(user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("no_access")
    assert response.status_code == 403
    assert "designated safeguarding lead" in response.text


def test_a_deactivated_membership_stops_access_at_the_next_request(client_for, dsl):
    client = client_for(dsl)
    assert client.get(reverse("home")).status_code == 200
    dsl.memberships.update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("no_access")


def test_a_deactivated_user_is_signed_out(client_for, dsl):
    client = client_for(dsl)
    dsl.is_active = False
    dsl.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_inactive_user_cannot_sign_in(db):
    user = UserFactory(is_active=False)
    client = Client()
    sign_in(client, user.email)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        reverse("account_inactive"),
        reverse("account_email_verification_sent"),
        reverse("account_reset_password_done"),
    ],
    ids=["switched-off", "verification-sent", "reset-sent"],
)
def test_account_pages_send_people_to_whoever_can_act_not_to_their_dsl(client, db, path):
    """A school's DSL cannot switch an account on, change its address or send a link to set
    a password: the local authority's administrator (or, through them, the operators) can."""
    page = client.get(path).text.replace("&#x27;", "'")
    assert "the local authority's administrator" in page
    assert "safeguarding lead" not in page
    assert "DSL" not in page


def test_a_person_cannot_add_an_email_address_to_sign_in_with(client, client_for, dsl):
    """Accounts are made and named by administrators: the address someone signs in with is
    not theirs to add to, or a stolen session could give its thief a way back in. (allauth
    refuses it for any account with a second factor, which every account here has.)"""
    response = client_for(dsl).post(
        reverse("account_email"), {"action_add": "", "email": "mine@personal.example"}
    )
    assert response.status_code == 200
    assert "You cannot add an email address" in response.text
    assert not EmailAddress.objects.filter(email="mine@personal.example").exists()
    assert sign_in(client, "mine@personal.example").status_code == 200
    assert "_auth_user_id" not in client.session


def test_changing_the_password_is_a_govuk_form_that_says_what_is_wrong(client_for, dsl):
    client = client_for(dsl)
    page = client.get(reverse("account_change_password"))
    assert page.text.count("<h1") == 1
    assert "placeholder=" not in page.text
    for label in ["Current password", "New password", "Confirm the new password"]:
        assert label in page.text
    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": "a-new-long-one-2026", "password2": "x"},
    )
    assert wrong.status_code == 200
    assert "<title>Error: Change your password" in wrong.text
    assert 'href="#id_oldpassword"' in wrong.text
    assert 'id="id_oldpassword"' in wrong.text
    new = "several unrelated words 2026"
    done = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert done.status_code == 302
    dsl.refresh_from_db()
    assert dsl.check_password(new)


def test_the_email_page_shows_the_address_and_who_can_change_it(client_for, dsl):
    page = client_for(dsl).get(reverse("account_email"))
    assert page.text.count("<h1") == 1
    assert dsl.email in page.text
    assert "Accounts are set up by administrators" in page.text
    assert "designated safeguarding lead" not in page.text  # a DSL cannot change it
    assert 'name="email"' not in page.text


@pytest.mark.parametrize(
    "path",
    [reverse("account_email_verification_sent"), reverse("account_confirm_email", args=["x"])],
    ids=["verification-sent", "confirm-link"],
)
def test_an_email_confirmation_address_says_addresses_are_set_up_for_you(client, db, path):
    """Addresses are never confirmed by link here, yet allauth still answers at these two
    addresses (an old or mistyped link): the page is the service's own, headed and titled
    alike, saying who changes an address; not allauth's unstyled page, which spoke of
    finishing a sign-up and sent people to ask for a new link the service never sends."""
    page = client.get(path).text
    heading = "Email addresses are set up for you"
    assert re.search(r'<h1 class="govuk-heading-l">\s*(.*?)\s*</h1>', page).group(1) == heading
    assert re.search(r"<title>\s*(.*?) \u2013", page).group(1) == heading
    assert "the local authority's administrator" in page
    assert "sign" + "up" not in page.lower().replace("-", "")
    assert "confirmation request" not in page


def test_a_wrong_password_is_explained_in_plain_words(client, dsl):
    response = sign_in(client, dsl.email, "not-the-password")
    assert "Check your email address and password: one of them is not right" in response.text
    assert "and/or" not in response.text


def test_asking_for_a_reset_is_a_govuk_form_that_says_what_is_wrong(client):
    page = client.get(reverse("account_reset_password")).text
    assert "placeholder=" not in page
    assert re.search(r'<label for="id_email" class="govuk-label">\s*Email address\s*</label>', page)
    # Someone who remembers their password after all can go back to signing in.
    assert f'href="{reverse("account_login")}" class="govuk-back-link"' in page
    empty = client.post(reverse("account_reset_password"), {"email": ""}).text
    assert 'href="#id_email">Enter your email address</a>' in empty
    assert "This field is required" not in empty


def test_choosing_a_new_password_from_the_link_is_a_govuk_form(client, dsl):
    # The same page is a new person's first: the link the administrator's invitation sends.
    client.post(reverse("account_reset_password"), {"email": dsl.email})
    link = re.search(r"(/account/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert "placeholder=" not in page.text
    assert "New Password" not in page.text
    for label in ["New password", "Confirm the new password"]:
        assert label in page.text
    empty = client.post(page.redirect_chain[-1][0], {"password1": "", "password2": ""}).text
    assert 'href="#id_password1">Enter a new password</a>' in empty
    assert 'href="#id_password2">Enter the new password again</a>' in empty
