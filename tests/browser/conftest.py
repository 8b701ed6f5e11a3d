"""Real-browser tests: Playwright driving Debian's Chromium against a live server with the real
middleware (CSP included). Never `playwright install`: it cannot download here.

CI sets REQUIRE_BROWSER_TESTS=1, so a missing browser or axe-core fails the run instead of
skipping it. Locally, without Chromium, these tests are skipped with a message saying so.
"""

import functools
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings

from tests.factories import PASSWORD, totp_code

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# WCAG 1.4.10's width: a 1280px screen zoomed to 400%, or the narrowest phone in use.
NARROWEST = {"width": 320, "height": 640}

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return "Chromium is not installed (apt-get install -y chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci)"
    return None


def pytest_collection_modifyitems(config, items):
    problem = _missing()
    if problem is None:
        return
    for item in items:
        if "tests/browser/" in str(item.fspath):
            if REQUIRED:
                item.add_marker(pytest.mark.usefixtures("_fail_without_browser"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"browser tests not run: {problem}"))


@pytest.fixture
def _fail_without_browser():
    pytest.fail(f"Browser tests are required here but cannot run: {_missing()}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def server(live_server, transactional_db):
    return live_server.url


# The last TOTP period each user's code was used in, in this test run. The service accepts a
# code only in its own 30-second period (no tolerance) and only once per user, as an
# authenticator app's code is meant to work.
_periods_used = {}


def fresh_code(user):
    """A code `user` has not used yet, with at least 6 seconds left to type and send it.

    Waits for the next period when this user has already used the current one (signing in
    twice, or signing in and then confirming a download): the only way a real person gets a
    second code too. The wait is on the clock, at most one period."""
    period = mfa_settings.TOTP_PERIOD
    while True:
        now = time.time()
        counter, left = int(now // period), period - now % period
        if _periods_used.get(user.pk) != counter and left > 6:
            break
        time.sleep(left + 0.05)
    _periods_used[user.pk] = counter
    return totp_code()


def sign_in(page, server, user, *, password=PASSWORD, secret=None):
    """The real two-step sign-in, typed as a person would."""
    page.goto(f"{server}/account/login/")
    enter_credentials(page, user, password=password, secret=secret)


def enter_credentials(page, user, *, password=PASSWORD, secret=None, look=None):
    """Sign in from the sign-in page the browser is on (perhaps sent there mid-journey)."""
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if look:
        look(page, "sign-in-code")
    page.get_by_label("Enter your security code").fill(
        totp_code(secret) if secret else fresh_code(user)
    )
    page.get_by_role("button", name="Continue").click()
    assert "/account/" not in page.url, f"sign-in did not finish: {page.url}"


@functools.cache
def _axe_source():
    return AXE.read_text()


def axe(page, *, context="document"):
    """Run axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules; return the violations."""
    if not getattr(page.context, "javascript", True):
        # With JavaScript off, page.evaluate still runs but timers never fire, and axe waits on
        # setTimeout: run its callbacks as microtasks instead. No page script runs to notice.
        page.evaluate(
            "window.setTimeout = (fn, ms, ...args) => { Promise.resolve().then(() => fn(...args));"
            " return 0; }; window.clearTimeout = () => {};"
        )
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())  # a <script> tag would be refused by the CSP
    result = page.evaluate(
        """async (context) => await axe.run(context === "document" ? document : context, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
        })""",
        context,
    )
    violations = []
    for violation in result["violations"]:
        nodes = [n for n in violation["nodes"] if not _govuk_reveal_radio(violation["id"], n)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


def _govuk_reveal_radio(rule, node):
    """The one finding allowed: GOV.UK Frontend's `aria-expanded` on a radio that reveals a
    follow-up question. ARIA 1.2 does not list it for radios, so axe reports it; the Design
    System keeps it on purpose because screen readers announce it (alphagov/govuk-frontend#979,
    a documented known issue; #2823 declined removing it). Anything else on the node fails."""
    data = [d for check in node["any"] + node["all"] + node["none"] for d in check["data"] or []]
    return (
        rule == "aria-allowed-attr"
        and node["html"].startswith("<input")
        and 'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and bool(data)
        and all(d.startswith("aria-expanded=") for d in data)
    )


def assert_accessible(page):
    violations = axe(page)
    assert violations == [], json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in violations
        ],
        indent=1,
    )


# What the focused element is, and whether a sighted keyboard user can see where focus is: in
# the window, not covered by another element (a sticky header, say), and drawn differently from
# when it is not focused. GOV.UK radios and checkboxes draw their focus ring on the label's
# ::before box, so that is compared too. The element is blurred and focused again to compare:
# the person pressed no key, and focus ends where it was.
_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
        return {problem: "nothing has focus"};
    }
    const describe = (e) => e ? e.outerHTML.slice(0, 120) : "nothing";
    const info = {
        tag: el.tagName.toLowerCase(),
        type: el.type || "",
        name: el.name || "",
        text: (el.innerText || "").trim().replace(/\\s+/g, " "),
        label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
        html: describe(el),
    };
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return {...info, problem: "the focused element has no size"};
    // Chromium scrolls a focused element only as far as needed: a tall text area may stay
    // partly below the fold, as WCAG 2.4.11 allows. At least a line of it (24px), or all of it
    // if smaller, must be in the window, and what is in the window must not be covered.
    const shown = (box) => ({
        top: Math.max(box.top, 0), bottom: Math.min(box.bottom, innerHeight),
        left: Math.max(box.left, 0), right: Math.min(box.right, innerWidth),
    });
    const seen = shown(r);
    const tall = seen.bottom - seen.top, wide = seen.right - seen.left;
    if (tall < Math.min(24, r.height) || wide < Math.min(24, r.width)) {
        return {...info, problem: "the focused element is outside the window"};
    }
    // A link that wraps has a box per line; the middle of its bounding box can fall between.
    for (const box of el.getClientRects()) {
        const part = shown(box);
        if (part.bottom <= part.top || part.right <= part.left) continue;
        const hit = document.elementFromPoint(
            (part.left + part.right) / 2, (part.top + part.bottom) / 2);
        if (!(hit && (hit === el || el.contains(hit)))) {
            return {...info, problem: "the focused element is covered by " + describe(hit)};
        }
    }
    const PROPS = ["outline-style", "outline-width", "outline-color", "box-shadow",
        "background-color", "color", "border-top-color", "border-top-width",
        "text-decoration-line"];
    const parts = [[el, null]];
    if (el.matches("input[type=radio], input[type=checkbox]") && el.labels.length) {
        parts.push([el.labels[0], "::before"], [el.labels[0], "::after"]);
    }
    const look = () => parts.map(([e, pseudo]) => {
        const s = getComputedStyle(e, pseudo);
        return Object.fromEntries(PROPS.map((p) => [p, s.getPropertyValue(p)]));
    });
    const focused = look();
    el.blur();
    const blurred = look();
    el.focus({preventScroll: true});
    if (document.activeElement !== el) return {...info, problem: "focus could not be restored"};
    const transparent = (c) => c === "transparent" || c === "rgba(0, 0, 0, 0)";
    const changed = focused.some((styles, i) => PROPS.some((p) => {
        // A transparent outline is for Windows high-contrast mode only: not visible here.
        if (p.startsWith("outline") && transparent(styles["outline-color"])) return false;
        return styles[p] !== blurred[i][p];
    }));
    if (!changed) return {...info, problem: "focus looks no different from no focus"};
    return info;
}"""


def focused(page):
    """The focused element (tag, type, name, text, label), after checking that a sighted
    keyboard user can see it."""
    info = page.evaluate(_FOCUS)
    assert "problem" not in info, f"{info.pop('problem')}: {info}"
    return info


def press(page, key):
    """Press a key as a keyboard user; after a Tab, focus must be visible where it lands."""
    page.keyboard.press(key)
    if key in {"Tab", "Shift+Tab"}:
        return focused(page)
    return None


def tab_until(page, wanted, *, backwards=False, limit=80):
    """Tab (or Shift+Tab) until `wanted(focused element)` is true, checking focus on the way."""
    for _ in range(limit):
        now = press(page, "Shift+Tab" if backwards else "Tab")
        if wanted(now):
            return now
    raise AssertionError(f"the keyboard never reached the element wanted on {page.url}")


def tab_to(page, name, *, limit=40):
    """Press Tab until the field called `name` has focus, as a keyboard user would."""
    try:
        tab_until(page, lambda now: now["name"] == name, limit=limit)
    except AssertionError:
        raise AssertionError(f"Tab never reached the {name!r} field") from None


def assert_error_summary_links_land(page):
    """Each link in a GOV.UK error summary must move focus to the field that fixes the problem:
    its target must exist and be a form control (for radios and checkboxes, the first option),
    or, for an error about the whole form, what it is about, made to take focus (the hub's
    'What has changed since you opened this page')."""
    targets = page.evaluate(
        """() => [...document.querySelectorAll('.govuk-error-summary a')].map(a => {
            const id = decodeURIComponent(a.hash.slice(1));
            const target = id && document.getElementById(id);
            const tag = target && (target.hasAttribute("tabindex") ? "FOCUSABLE" : target.tagName);
            return [a.textContent.trim(), id, tag];
        })"""
    )
    if targets:
        assert page.title().startswith("Error: "), f"an error page's title says so: {page.title()}"
    bad = [t for t in targets if t[2] not in {"INPUT", "SELECT", "TEXTAREA", "FOCUSABLE"}]
    assert bad == [], f"error summary links that land nowhere useful: {bad}"


def assert_reflows(page):
    """WCAG 1.4.10: on a 320 CSS pixel wide screen nothing but a data table may need
    scrolling sideways, and a table scrolls in its own box, not the whole page."""
    wider = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll("main *")]
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .filter((e) => !e.parentElement.closest("table, pre"))
                .map((e) => e.outerHTML.slice(0, 80))
                .slice(0, 5);
        }"""
    )
    assert wider == [], f"the page scrolls sideways at {NARROWEST['width']} pixels: {wider}"


def assert_text_resizes(page):
    """WCAG 1.4.4: with the browser's text size at 200% (its default font size, not page zoom),
    no form field spills out of its own group over the next one, and the page does not scroll
    sideways at desktop width. GOV.UK Frontend sizes its text in rem, so doubling the root's
    font size is what that setting does."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    try:
        spilt = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const out = [...document.querySelectorAll("main input, main select, main textarea")]
                    .filter((e) => e.type !== "hidden" && !e.closest("table"))
                    .filter((e) => {
                        const group = e.closest(".govuk-form-group");
                        const edge = group ? group.getBoundingClientRect().right : width;
                        return e.getBoundingClientRect().right > edge + 1;
                    });
                if (document.documentElement.scrollWidth > width) {
                    out.push(...[...document.querySelectorAll("main *")]
                        .filter((e) => e.getBoundingClientRect().right > width + 1)
                        .filter((e) => !e.parentElement.closest("table, pre")));
                }
                return out.map((e) => e.outerHTML.slice(0, 80)).slice(0, 5);
            }"""
        )
    finally:
        page.evaluate("document.documentElement.style.removeProperty('font-size')")
    assert spilt == [], f"with text at 200% these spill out of their place: {spilt}"


# WCAG 1.4.12's text spacing, as a reader's own style sheet sets it. A constructed style sheet:
# the CSP refuses a <style> element. On the body and what is in it, not the root element:
# Chromium keeps the root's letter spacing in a printed page's margins (its page numbers) after
# the sheet is taken away again.
_TEXT_SPACING = """() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`body, body * { line-height: 1.5 !important;
        letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
        p { margin-bottom: 2em !important; }`);
    const before = document.adoptedStyleSheets;
    document.adoptedStyleSheets = [...before, sheet];
    try {
        return [...document.querySelectorAll("body *")].filter((e) => {
            const style = getComputedStyle(e);
            const cuts = (overflow) => overflow === "hidden" || overflow === "clip";
            const r = e.getBoundingClientRect();
            // Visually hidden text is a 1-pixel box on purpose; it is read, not seen.
            if (r.width <= 1 || r.height <= 1 || !e.checkVisibility()) return false;
            if (!(e.innerText || "").trim()) return false;
            return (cuts(style.overflowY) && e.scrollHeight > e.clientHeight + 1)
                || (cuts(style.overflowX) && e.scrollWidth > e.clientWidth + 1);
        }).map((e) => e.outerHTML.slice(0, 80)).slice(0, 5);
    } finally {
        document.adoptedStyleSheets = before;
    }
}"""


def assert_text_spacing(page):
    """WCAG 1.4.12: with wider lines, paragraphs, letters and words, no text is cut off by a
    box that hides what does not fit."""
    clipped = page.evaluate(_TEXT_SPACING)
    assert clipped == [], f"with the text spaced out these cut their text off: {clipped}"


# WCAG 2.5.8: a target at least 24 by 24 CSS pixels, or one whose 24-pixel circle (centred on
# it) touches no other target and no other small target's circle. A link within a sentence is
# exempt, as are visually hidden targets (the skip link until it has focus).
_SMALL_TARGETS = """() => {
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const targets = [...document.querySelectorAll(selector)]
        .filter((e) => e.checkVisibility({visibilityProperty: true}))
        .map((e) => ({e, r: e.getBoundingClientRect()}))
        .filter(({r}) => r.width > 1 && r.height > 1);
    const small = ({r}) => r.width < 24 || r.height < 24;
    const inSentence = ({e}) => e.tagName === "A" && getComputedStyle(e).display === "inline"
        && e.parentElement.innerText.trim().length > e.innerText.trim().length + 2;
    const centre = ({r}) => [r.left + r.width / 2, r.top + r.height / 2];
    const distance = ([x, y], r) =>
        Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
    return targets.filter((t) => small(t) && !inSentence(t)).filter((t) => {
        const c = centre(t);
        return targets.some((o) => o.e !== t.e && !o.e.contains(t.e) && !t.e.contains(o.e)
            && (distance(c, o.r) < 12
                || (small(o) && Math.hypot(c[0] - centre(o)[0], c[1] - centre(o)[1]) < 24)));
    }).map(({e, r}) => `${Math.round(r.width)}x${Math.round(r.height)} ${e.outerHTML.slice(0, 80)}`
    );
}"""


def assert_target_sizes(page):
    """WCAG 2.5.8: every link, button and field is big enough, or far enough from the next, to
    be pressed without pressing its neighbour."""
    crowded = page.evaluate(_SMALL_TARGETS)
    assert crowded == [], f"targets smaller than 24 pixels and too close to another: {crowded}"


def check_page(page):
    """Everything every page must pass: axe-core's WCAG A and AA rules at desktop width and on a
    320-pixel-wide phone, no sideways scrolling on the phone, no field spilling out of its place
    with the browser's text at 200%, no text cut off when spaced out and no crowded small
    targets at either width, error summary links that land, and nothing refused by the CSP or
    failing to load."""
    size = page.viewport_size
    # A click that submits a form returns before the next page has loaded: check that page, with
    # its stylesheet applied, not the one it replaces.
    page.wait_for_load_state("load")
    try:
        assert_accessible(page)
        assert_error_summary_links_land(page)
        assert_text_resizes(page)
        assert_text_spacing(page)
        assert_target_sizes(page)
        page.set_viewport_size(NARROWEST)
        assert_accessible(page)
        assert_reflows(page)
        assert_text_spacing(page)
        assert_target_sizes(page)
    finally:
        page.set_viewport_size(size)
    errors = page.context.console_errors
    assert errors == [], f"browser errors (a CSP refusal shows here): {errors}"


def look(page, name):
    """The hook each journey calls on every page it visits; screenshots.py passes another."""
    check_page(page)


def _console_error(message, errors):
    # "Failed to load resource" repeats a response's status, which is checked on its own.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


@pytest.fixture
def browse(browser, server):
    """Opens a fresh browser context (one person's browser) on the live server.

    `browse(js=False)` turns JavaScript off, to prove the page works without it."""
    contexts = []

    def open_page(*, js=True, viewport=DESKTOP):
        context = browser.new_context(
            base_url=server, viewport=viewport, java_script_enabled=js, accept_downloads=True
        )
        context.javascript = js
        context.console_errors = errors = []
        context.on("console", lambda message: _console_error(message, errors))
        context.on("weberror", lambda error: errors.append(str(error.error)))
        # A page's own status is the test's business (a 404 page is meant to be one); a
        # stylesheet, script or image that fails to load is always a fault.
        context.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.request.resource_type != "document"
                and errors.append(f"{response.status} {response.url}")
            ),
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


_sign_in_checked = set()


@pytest.fixture
def signed_in(browse, server):
    """A page signed in as `user` through the real two-step sign-in."""

    def open_as(user, *, js=True):
        page = browse(js=js)
        page.goto("/account/login/")
        # The two sign-in pages are the same for everyone: checked once a run, with and
        # without JavaScript, not at every one of the journeys' sign-ins.
        check = js not in _sign_in_checked
        _sign_in_checked.add(js)
        if check:
            look(page, "sign-in")
        enter_credentials(page, user, look=look if check else None)
        return page

    return open_as
