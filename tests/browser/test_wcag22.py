"""WCAG 2.2 criteria checked where the journeys' pages do not show them: long real addresses at
the narrowest phone width (1.4.10 Reflow), and signing in with a password manager or an
authenticator app (3.3.8 Accessible authentication, 3.3.7 Redundant entry)."""

import re

from django.urls import reverse

from tests.factories import PASSWORD

from .conftest import NARROWEST, assert_reflows, check_page, enter_credentials, fresh_code

# As schools publish them, and as a DSL's work address reads: far wider than a phone.
POLICY_URL = (
    "https://www.leabankprimary.luton.sch.uk/wp-content/uploads/2026/09/"
    "Safeguarding-and-Child-Protection-Policy-2026-27.pdf"
)
DSL_EMAIL = "designated.safeguarding.lead@leabankprimary.luton.sch.uk"


def test_long_web_and_email_addresses_wrap_on_a_phone(browse, walk, school, dsl, head, hub_advisor):
    """A long address breaks across lines on a 320-pixel screen; the page never scrolls
    sideways for it (the hub advisor reading whom to contact, the head teacher checking the
    published policy, the DSL changing its address, whose hint has an example address)."""
    school.safeguarding_policy_url = POLICY_URL
    school.save()
    dsl.email = DSL_EMAIL
    dsl.save()
    request = walk.request(walk.with_hub())
    for user, path in [
        (hub_advisor, reverse("advice:detail", args=[request.pk])),
        (head, reverse("reports:policy_confirm")),
        (dsl, reverse("reports:policy_url")),
    ]:
        page = browse(viewport=NARROWEST)
        page.goto("/account/login/")
        enter_credentials(page, user)
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible()
        assert_reflows(page)


def test_the_british_values_logs_filters_stay_in_their_place_with_larger_text(browse, school, head):
    """WCAG 1.4.4: with the browser's text at 200%, the log's filter boxes stay the width of
    their place, not running under the list of activities beside them (a narrow column held
    them, whose boxes keep a width in letters that larger text made wider than it)."""
    from datetime import date

    from reports.services import add_values_evidence

    add_values_evidence(
        school,
        by=head,
        activity_date=date(2026, 10, 5),
        title="School council elections",
        description="Each class voted by secret ballot.",
        year_groups=["5", "6"],
        values=["democracy", "rule_of_law"],
    )
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, head)
    page.goto(reverse("reports:values"))
    assert page.get_by_role("cell", name="School council elections").is_visible()
    check_page(page)


# How Chromium draws each of the inbox's filters: its border's colour and width, and whether
# it fills the width of its place.
_SELECTS = """() => Object.fromEntries([...document.querySelectorAll("main select")].map(
    (select) => {
        const style = getComputedStyle(select);
        const place = select.closest(".app-filters__field").clientWidth;
        return [select.name, [style.borderTopColor, style.borderTopWidth,
            Math.abs(select.offsetWidth - place) < 1]];
    }))"""


def test_the_inbox_filters_a_bookmark_no_longer_fits_are_outlined_as_mistakes(signed_in, walk, dsl):
    """WCAG 3.3.1 and 1.4.11: a filter refused (an old bookmark naming someone no longer at the
    school) has GOV.UK's red outline, 'Recorded by' as much as the others, and each is drawn as
    GOV.UK's select, as wide as its place beside the others."""
    walk.recorded()
    page = signed_in(dsl)
    page.goto(reverse("concerns:inbox"))
    assert all(fills for _, _, fills in page.evaluate(_SELECTS).values())
    page.goto(f"{reverse('concerns:inbox')}?recorded_by=99999&status=nonsense")
    drawn = page.evaluate(_SELECTS)
    red = "rgb(202, 53, 53)"  # GOV.UK's error colour
    assert drawn["recorded_by"][:2] == drawn["status"][:2] == [red, "2px"]
    assert drawn["category"][0] != red
    check_page(page)


# Each field a person signs in with: what the browser or a password manager may fill it with
# (WCAG 3.3.8), and the keyboard a phone shows.
_SIGN_IN_FIELDS = """() => [...document.querySelectorAll("main input:not([type=hidden])")]
    .map((input) => {
        // A page that blocked pasting would cancel the paste event.
        const data = new DataTransfer();
        data.setData("text/plain", "123456");
        const paste = new ClipboardEvent("paste", {
            clipboardData: data, bubbles: true, cancelable: true});
        input.dispatchEvent(paste);
        return [input.name || input.id, input.getAttribute("autocomplete"), input.inputMode,
            input.hidden ? input.value : null, paste.defaultPrevented];
    })"""


def fields(page):
    return {name: rest for name, *rest in page.evaluate(_SIGN_IN_FIELDS)}


def test_signing_in_and_choosing_a_password_can_all_be_filled_or_pasted(browse, dsl):
    """WCAG 3.3.8 and 3.3.7: every step of signing in, resetting a password and confirming it is
    you takes a password manager's or an authenticator app's answer, pasted or filled in, with
    the keyboard for digits where a code is asked for. Choosing a new password tells the
    password manager whose it is, so that nobody types their email address again to save it."""
    from django.core import mail

    page = browse()
    page.goto("/account/password/reset/")
    assert fields(page) == {"email": ["username", "", None, False]}
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/password/reset/done/")
    link = re.search(r"/account/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    assert fields(page) == {
        "username": ["username", "", dsl.email, False],
        "password1": ["new-password", "", None, False],
        "password2": ["new-password", "", None, False],
    }

    page.goto("/account/login/")
    assert fields(page) == {
        "login": ["username", "", None, False],
        "password": ["current-password", "", None, False],
    }
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/2fa/authenticate/")
    assert fields(page) == {"code": ["one-time-code", "numeric", None, False]}
    page.get_by_label("Enter your security code").fill(fresh_code(dsl))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")

    page.goto(reverse("mfa_reauthenticate"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm it is you"
    assert fields(page) == {"code": ["one-time-code", "numeric", None, False]}
