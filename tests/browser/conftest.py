"""Real-browser tests: Playwright driving Debian's Chromium against a live server with the real
middleware (CSP included). Never `playwright install`: it cannot download here.

CI sets REQUIRE_BROWSER_TESTS=1, so a missing browser or axe-core fails the run instead of
skipping it. Locally, without Chromium, these tests are skipped with a message saying so.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD, totp_code

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"

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


def sign_in(page, server, user, *, password=PASSWORD, secret=None):
    """The real two-step sign-in, typed as a person would."""
    page.goto(f"{server}/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Enter your security code").fill(totp_code(secret) if secret else totp_code())
    page.get_by_role("button", name="Continue").click()


def axe(page, *, context="document"):
    """Run axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules; return the violations."""
    page.evaluate(AXE.read_text())  # a <script> tag would be refused by the CSP
    result = page.evaluate(
        """async (context) => await axe.run(context === "document" ? document : context, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
        })""",
        context,
    )
    return result["violations"]


def assert_accessible(page):
    violations = axe(page)
    assert violations == [], json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in violations
        ],
        indent=1,
    )


def tab_to(page, name, *, limit=40):
    """Press Tab until the field called `name` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            focus = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow]; })()"
            )
            assert focus != ["none", "none"], f"focus on {name} is not visible"
            return
    raise AssertionError(f"Tab never reached the {name!r} field")
