"""The service's shell in a real browser: sign-in with the second factor, the start page,
keyboard focus, and accessibility at desktop and phone widths."""

import pytest

from .conftest import assert_accessible, enter_credentials, sign_in, tab_to

WIDTHS = [1280, 390]


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_and_start_page_are_accessible(page, server, dsl, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server}/account/login/")
    assert_accessible(page)
    sign_in(page, server, dsl)
    assert page.get_by_role("heading", level=1).inner_text() == "Designated safeguarding lead"
    assert_accessible(page)


def test_public_pages_are_accessible(page, server):
    for path in ["/accessibility/", "/privacy/", "/account/password/reset/"]:
        page.goto(server + path)
        assert_accessible(page)


def test_the_csp_lets_govuk_frontend_run(page, server, dsl):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, server, dsl)
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert errors == []


def test_sign_in_by_keyboard_alone_with_visible_focus(page, server, dsl):
    from tests.factories import PASSWORD, totp_code

    page.goto(f"{server}/account/login/")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to(page, "login")
    page.keyboard.type(dsl.email)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/2fa/authenticate/")
    tab_to(page, "code")
    page.keyboard.type(totp_code())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")
    assert "Designated safeguarding lead" in page.content()


def test_without_es_modules_a_choices_follow_up_questions_stay_on_the_page(
    browse, server, dsl, walk
):
    """GOV.UK Frontend's script is an ES module: a browser that cannot run one never reveals a
    choice's follow-up questions, so the page must not hide them from it in the first place."""
    from django.urls import reverse

    concern = walk.advice_received()
    page = browse()
    page.context.add_init_script("delete HTMLScriptElement.prototype.noModule")
    page.goto("/account/login/")
    enter_credentials(page, dsl)
    page.goto(reverse("concerns:conversation", args=[concern.pk]))
    assert not page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.get_by_label("Who did you speak with?").is_visible()


def test_the_page_warns_before_the_session_ends_and_stays_signed_in_on_request(
    browse, server, dsl, settings
):
    """WCAG 2.2.1: warned before the time runs out, with a simple way to have more."""
    from django.contrib.sessions.models import Session

    settings.SESSION_COOKIE_AGE = 60 + 120 + 3  # a touch interval, the warning, and 3 s
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, dsl)
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    warning.wait_for(timeout=15_000)
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    before = Session.objects.order_by("-expire_date").first().expire_date
    page.keyboard.press("Enter")
    warning.wait_for(state="detached")
    assert Session.objects.order_by("-expire_date").first().expire_date > before
    assert page.get_by_role("heading", level=1).is_visible()  # still signed in


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_refused_form_puts_focus_on_its_error_summary(browse, js):
    """A screen reader user who sends a form with a mistake hears the error summary first, and
    a keyboard user's next Tab is its first link: with JavaScript (GOV.UK Frontend moves focus)
    and without it (the summary asks for focus itself)."""
    page = browse(js=js)
    page.goto("/account/login/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.className") == "govuk-error-summary"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_login"


def test_staying_signed_in_after_the_session_ended_says_so(browse, server, dsl, settings):
    """Pressing "Stay signed in" too late does not pretend to have kept the session."""
    from django.contrib.sessions.models import Session

    settings.SESSION_COOKIE_AGE = 60 + 120 + 3
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, dsl)
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    warning.wait_for(timeout=15_000)
    Session.objects.all().delete()  # away from the computer until the session ended
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="You have been signed out").wait_for()
    assert not page.get_by_role("button", name="Stay signed in").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"


def test_staying_signed_in_while_the_service_is_down_says_so_and_can_be_tried_again(
    browse, server, dsl, settings
):
    settings.SESSION_COOKIE_AGE = 60 + 120 + 3
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, dsl)
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    warning.wait_for(timeout=15_000)
    page.route("**/session/keep-alive/", lambda route: route.abort())
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="The service could not be reached").wait_for()
    page.unroute("**/session/keep-alive/")
    page.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="detached")


def test_the_page_warns_before_the_twelve_hours_end(browse, server, dsl, settings):
    """WCAG 2.2.1: the end that cannot be put off is announced before it comes, too."""
    from datetime import timedelta

    settings.SESSION_ABSOLUTE_AGE = timedelta(seconds=120 + 5)  # the warning, and 5 s
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, dsl)
    # The length the server gives the page (data-session-length), not one written in the script.
    warning = page.get_by_role("alert").filter(
        has_text="signed out 2 minutes and 5 seconds after signing in"
    )
    warning.wait_for(timeout=15_000)
    assert "You will be signed out in 2 minutes" in warning.inner_text()
    assert not page.get_by_role("button", name="Stay signed in").is_visible()
