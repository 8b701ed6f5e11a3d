"""Passkeys (WebAuthn) as the second step, beside the authenticator app (docs/adr/003).

The browser's part is played by a software passkey (tests/passkeys.py); a real browser with
Chromium's virtual authenticator is in tests/browser/test_passkeys.py."""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent
from schools.forms import PASSKEY_NOT_ACCEPTED
from schools.models import Role
from tests.conftest import reauthenticate
from tests.factories import PASSWORD, member, signed_in
from tests.passkeys import SoftPasskey, options_on


def add_passkey(client, passkey=None, name="Work laptop"):
    """Add a passkey from the security pages, as the person would; returns it."""
    passkey = passkey or SoftPasskey()
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200, page
    credential = passkey.create(options_on(page.text))
    response = client.post(
        reverse("mfa_add_webauthn"), {"name": name, "credential": json.dumps(credential)}
    )
    assert response.status_code == 302, response.text
    return passkey


def passkeys_of(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)


@pytest.fixture
def confirmed(client_for, dsl):
    """The DSL, signed in, who has just confirmed it is them (changing sign-in asks that)."""
    return reauthenticate(client_for(dsl))


def test_adding_a_passkey_asks_to_confirm_it_is_you_first(client_for, dsl):
    response = client_for(dsl).get(reverse("mfa_add_webauthn"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_user_adds_and_names_a_passkey_and_sees_it_listed(confirmed, dsl):
    add_passkey(confirmed, name="Office PC")
    [passkey] = passkeys_of(dsl)
    assert str(passkey) == "Office PC"
    listing = confirmed.get(reverse("mfa_list_webauthn")).text
    assert "Office PC" in listing
    assert "Not used yet" in listing
    assert "1 added" in confirmed.get(reverse("mfa_index")).text
    event = AuditEvent.objects.get(action="auth.mfa_added", actor=dsl)
    assert event.detail == {"mfa_type": "webauthn", "authenticator": passkey.pk}


def test_a_passkey_left_unnamed_gets_a_name(confirmed, dsl):
    add_passkey(confirmed, name="")
    assert str(passkeys_of(dsl).get())


def test_a_passkey_is_renamed(confirmed, dsl):
    add_passkey(confirmed)
    passkey = passkeys_of(dsl).get()
    url = reverse("mfa_edit_webauthn", args=[passkey.pk])
    assert confirmed.post(url, {"name": ""}).status_code == 200  # a name is needed
    response = confirmed.post(url, {"name": "Old laptop"})
    assert response["Location"] == reverse("mfa_list_webauthn")
    passkey.refresh_from_db()
    assert str(passkey) == "Old laptop"


def test_a_made_up_passkey_is_not_added(confirmed, dsl):
    passkey = SoftPasskey()
    page = confirmed.get(reverse("mfa_add_webauthn"))
    answer = passkey.create(options_on(page.text))
    answer["response"]["clientDataJSON"] = answer["response"]["attestationObject"]
    for credential in [json.dumps(answer), "[]", "1000", "", '{"id": 5}']:
        response = confirmed.post(
            reverse("mfa_add_webauthn"), {"name": "x", "credential": credential}
        )
        assert response.status_code == 200
        assert "The passkey was not added" in response.text
    assert not passkeys_of(dsl).exists()
    assert not AuditEvent.objects.filter(action="auth.mfa_added", actor=dsl).exists()


def test_signing_in_takes_the_password_then_a_passkey(confirmed, dsl):
    passkey = add_passkey(confirmed)
    client = Client()
    response = client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).text
    assert "Or use a passkey" in page
    answer = passkey.get(options_on(page))
    response = client.post(reverse("mfa_authenticate"), {"credential": json.dumps(answer)})
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(dsl.pk)
    used = AuditEvent.objects.filter(action="auth.mfa_used", actor=dsl).latest("pk")
    assert used.detail["mfa_type"] == "webauthn"
    assert used.detail["authenticator"] == passkeys_of(dsl).get().pk
    assert AuditEvent.objects.filter(action="auth.login", actor=dsl).exists()
    assert passkeys_of(dsl).get().last_used_at is not None


def test_a_passkey_never_signs_in_without_the_password(confirmed, dsl):
    add_passkey(confirmed)
    with pytest.raises(NoReverseMatch):
        reverse("mfa_login_webauthn")
    assert Client().post("/account/2fa/webauthn/login/", {"credential": "{}"}).status_code == 404
    # The second step's page is reached only after the password.
    client = Client()
    assert client.get(reverse("mfa_authenticate"))["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_someone_elses_passkey_is_refused_and_audited(confirmed, dsl, school):
    add_passkey(confirmed)
    stranger = SoftPasskey()
    client = Client()
    client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    options = options_on(client.get(reverse("mfa_authenticate")).text)
    options["publicKey"]["allowCredentials"] = []
    stranger.user_handle = "eA"
    response = client.post(
        reverse("mfa_authenticate"), {"credential": json.dumps(stranger.get(options))}
    )
    assert response.status_code == 200
    assert PASSKEY_NOT_ACCEPTED in response.text
    assert response.text.count('class="govuk-error-summary"') == 1
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action="auth.mfa_failed", actor=dsl)
    assert failed.detail == {"mfa_type": "webauthn"}


def test_the_passkey_option_is_offered_only_to_someone_who_has_one(client, dsl):
    client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    page = client.get(reverse("mfa_authenticate")).text
    assert "Or use a passkey" not in page
    assert "webauthn" not in page


def test_confirming_it_is_you_works_with_a_passkey(confirmed, dsl):
    passkey = add_passkey(confirmed)
    client = Client()
    signed_in(client, dsl)
    page = client.get(reverse("mfa_reauthenticate_webauthn")).text
    assert "Use a code from your authenticator app instead" in page
    answer = passkey.get(options_on(page))
    response = client.post(
        reverse("mfa_reauthenticate_webauthn"), {"credential": json.dumps(answer)}
    )
    assert response.status_code == 302
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200  # no longer asked
    used = AuditEvent.objects.filter(action="auth.mfa_used", actor=dsl).latest("pk")
    assert used.detail["mfa_type"] == "webauthn"
    assert used.detail["reauthenticated"] is True


def test_removing_a_passkey_is_audited_and_the_app_stays(confirmed, dsl):
    add_passkey(confirmed)
    passkey = passkeys_of(dsl).get()
    url = reverse("mfa_remove_webauthn", args=[passkey.pk])
    assert "Remove the passkey \u2018Work laptop\u2019?" in confirmed.get(url).text
    response = confirmed.post(url)
    assert response["Location"] == reverse("mfa_list_webauthn")
    assert not passkeys_of(dsl).exists()
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.TOTP).exists()
    assert confirmed.get(reverse("home")).status_code == 200
    removed = AuditEvent.objects.get(action="auth.mfa_removed", actor=dsl)
    assert removed.detail == {"mfa_type": "webauthn", "authenticator": passkey.pk}


def test_the_app_cannot_be_switched_off_even_with_a_passkey(confirmed, dsl):
    """So the last second factor can never be removed: the app is always there."""
    add_passkey(confirmed)
    confirmed.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.TOTP).exists()
    assert not AuditEvent.objects.filter(
        action="auth.mfa_removed", detail__mfa_type="totp"
    ).exists()


def test_a_passkey_alone_does_not_count_as_the_second_factor(client_for, school):
    """A user whose app was reset by an administrator must set the app up again, passkey or not."""
    user = member(Role.DSL, school, mfa=False)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Phone", "credential": {}}
    )
    client = client_for(user)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_list_webauthn"))["Location"] == reverse("mfa_activate_totp")


def test_nobody_can_rename_or_remove_another_persons_passkey(confirmed, dsl, school):
    add_passkey(confirmed)
    passkey = passkeys_of(dsl).get()
    other = member(Role.DSL, school)
    client = Client()
    signed_in(client, other)
    reauthenticate(client)
    for name in ("mfa_edit_webauthn", "mfa_remove_webauthn"):
        url = reverse(name, args=[passkey.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "mine now"}).status_code == 404
    assert passkeys_of(dsl).get().wrap().name == "Work laptop"


def test_passkey_pages_say_the_app_works_without_javascript(confirmed):
    page = confirmed.get(reverse("mfa_add_webauthn")).text
    assert "needs JavaScript" in page
    assert "keep signing in with your authenticator app" in page
    start = re.search(r"<div data-passkey-start hidden>", page)
    assert start, "the passkey button is hidden until the script finds the browser can do it"
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag, f"an inline script: {tag}"
    assert "style=" not in page
