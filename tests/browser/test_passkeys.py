"""Passkeys in a real browser: a DSL adds one on their security page, then signs in with their
password and the passkey instead of a code. Chromium's virtual authenticator (DevTools'
WebAuthn domain) plays the device: a built-in one with a PIN or fingerprint, already given.

Every page on the way is checked as the journeys' pages are (axe at both widths, no console
or CSP errors), and without JavaScript the second step says to use the app's code."""

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from audit.models import AuditEvent
from tests.factories import PASSWORD

from .conftest import fresh_code, look
from .journeys import heading


def virtual_authenticator(page):
    """A platform authenticator (like Windows Hello or Touch ID) that verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_a_dsl_adds_a_passkey_and_signs_in_with_it(signed_in, dsl):
    page = signed_in(dsl)
    virtual_authenticator(page)

    page.get_by_role("link", name="Sign-in security").click()
    expect(heading(page)).to_have_text("Sign-in security")
    look(page, "sign-in-security")
    page.get_by_role("link", name="Add passkeys").click()
    expect(heading(page)).to_have_text("Your passkeys")
    look(page, "passkeys-none")
    page.get_by_role("button", name="Add a passkey").click()  # a link that looks like one

    # Changing how you sign in asks for the second factor again first.
    expect(heading(page)).to_have_text("Confirm it is you")
    page.get_by_label("Confirm it is you").fill(fresh_code(dsl))
    page.get_by_role("button", name="Confirm").click()

    expect(heading(page)).to_have_text("Add a passkey")
    look(page, "passkey-add")
    expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_hidden()
    page.get_by_label("Name for this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added.")).to_be_visible()
    look(page, "passkey-added")
    [passkey] = Authenticator.objects.filter(user=dsl, type=Authenticator.Type.WEBAUTHN)
    assert str(passkey) == "Work laptop"
    assert AuditEvent.objects.filter(
        action="auth.mfa_added", actor=dsl, detail__mfa_type="webauthn"
    ).exists()

    page.goto("/account/2fa/webauthn/")
    expect(page.get_by_role("term")).to_have_text("Work laptop")
    look(page, "passkeys-one")

    # A new session in the same browser (the passkey stays on the device): password, then
    # the passkey instead of a code.
    page.context.clear_cookies()
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Or use a passkey")).to_be_visible()
    look(page, "sign-in-code-or-passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(heading(page)).to_have_text("Designated safeguarding lead")
    look(page, "start-dsl")
    used = AuditEvent.objects.filter(action="auth.mfa_used", actor=dsl).latest("pk")
    assert used.detail["mfa_type"] == "webauthn"

    # Removing it: the app stays, so the account keeps its second factor. Changing how you
    # sign in asks you to confirm it is you even just after signing in.
    page.goto("/account/2fa/webauthn/")
    page.get_by_role("link", name="Remove Work laptop").click()
    # Confirming it is you again, this time with the passkey.
    expect(heading(page)).to_have_text("Confirm it is you")
    page.get_by_role("link", name="Use a passkey instead").click()
    expect(page.get_by_role("button", name="Use your passkey")).to_be_visible()
    look(page, "passkey-confirm")
    page.get_by_role("button", name="Use your passkey").click()
    expect(heading(page)).to_have_text("Remove the passkey \u2018Work laptop\u2019?")
    look(page, "passkey-remove")
    page.get_by_role("button", name="Remove the passkey").click()
    expect(page.get_by_text("Passkey removed.")).to_be_visible()
    look(page, "passkeys-removed")
    assert not Authenticator.objects.filter(user=dsl, type=Authenticator.Type.WEBAUTHN).exists()
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.TOTP).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_removed", actor=dsl).exists()


def test_without_javascript_the_second_step_says_to_use_the_app(browse, dsl):
    from tests.passkeys import register

    register(dsl)
    page = browse(js=False)
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Passkeys need JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
    look(page, "sign-in-code-or-passkey-no-js")
    page.get_by_label("Enter your security code").fill(fresh_code(dsl))
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Designated safeguarding lead")
