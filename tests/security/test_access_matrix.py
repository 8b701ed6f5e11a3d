"""The access matrix: every URL, as every role at every place, by GET and POST, answers what
tests/security/access_matrix.py says it should."""

from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.factories import UserFactory
from tests.routes import all_routes

from .access_matrix import ROUTES, to
from .conftest import Visitor
from .world import personas

NAMES = sorted({name for name, _, _ in all_routes() if not name.startswith("admin:")})


def outcome(response):
    """A response in the table's terms: its status code, or where it redirects to."""
    if response.status_code in {301, 302, 303}:
        path = urlsplit(response["Location"]).path
        try:
            return to(resolve(path).view_name)
        except Resolver404:
            return to(path)
    return str(response.status_code)


@pytest.fixture(scope="module")
def visitors(world):
    """A signed-in client for every persona (made once: signing in is not what is tested)."""
    return {persona: Visitor(world.people.get(persona)) for persona in personas()}


def test_every_url_has_an_entry_in_the_table():
    missing = sorted(set(NAMES) - set(ROUTES))
    assert not missing, f"URLs with no entry in tests/security/access_matrix.py: {missing}"
    stale = sorted(set(ROUTES) - set(NAMES))
    assert not stale, f"entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", NAMES)
def test_each_role_at_each_place_gets_what_the_table_says(db, world, visitors, name):
    route = ROUTES.get(name)
    assert route is not None, f"{name} has no entry in tests/security/access_matrix.py"
    url = reverse(name, args=route.url_args(world))
    wrong = []
    for persona, visitor in visitors.items():
        for method in ("GET", "POST"):
            got = outcome(visitor.request(method, url))
            expected = route.expected(persona, method)
            if got != expected:
                wrong.append(f"{method:4} {persona.label:60} expected {expected:28} got {got}")
    assert not wrong, f"{name} ({url}):\n" + "\n".join(wrong)


ADMIN = [(name, path) for name, path, _ in all_routes() if name.startswith("admin:")]


def _admin_expects(name, signed_in):
    """ADMIN_RULE: everything wants a superuser's sign-in. A visitor is sent to the service's
    own sign-in (the admin's sign-in page sends them there too, since it would ask for a
    password alone); a signed-in person without staff rights is sent to the admin's sign-in,
    which refuses them; signing out of an admin session that never was goes back to the
    admin's index, which wants a sign-in again."""
    if name == "admin:login":
        return {"403"} if signed_in else {to("account_login")}
    if not signed_in:
        return {to("admin:login"), to("account_login")}
    return {to("admin:index")} if name == "admin:logout" else {to("admin:login")}


def test_the_admin_sends_everyone_but_a_superuser_to_sign_in(db, world, visitors):
    """For every admin URL, as a visitor and as each role at its own place."""
    everyone = [(p, v) for p, v in visitors.items() if p.place == "own"]
    wrong = []
    for name, path in ADMIN:
        for persona, visitor in everyone:
            got = outcome(visitor.request("GET", path))
            expected = _admin_expects(name, signed_in=persona.role != "anonymous")
            if got not in expected:
                wrong.append(f"{name} {path} as {persona.label}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_superuser_is_let_into_the_admin(db, world):
    admin = Visitor(UserFactory(is_superuser=True, is_staff=True))
    assert outcome(admin.request("GET", reverse("admin:index"))) == "200"
