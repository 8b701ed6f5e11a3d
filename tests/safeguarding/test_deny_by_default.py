"""Every URL needs sign-in except the few that must work before it."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.routes import all_routes

# Pages a person reaches before signing in. Nothing else may be here.
PUBLIC = {
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_signup",
    # django-allauth's static explanations, shown around sign-in; they hold no data.
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "accessibility",
    "privacy",
    "health",  # for load balancers; nothing about anyone
}


def _private_routes():
    return [
        (name, path)
        for name, path, _ in all_routes()
        if name not in PUBLIC and not name.startswith("admin:")
    ]


@pytest.mark.parametrize(("name", "path"), _private_routes())
def test_anonymous_visitor_is_sent_to_sign_in(client, db, name, path):
    response = client.get(path)
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert response["Location"].startswith(reverse(settings.LOGIN_URL)) or response[
        "Location"
    ].startswith("/account/"), f"{name} redirected to {response['Location']}"


@pytest.mark.parametrize(
    "name", sorted(PUBLIC - {"account_reset_password_from_key", "account_confirm_email"})
)
def test_public_pages_open_without_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_admin_needs_staff_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_every_public_name_exists():
    names = {name for name, _, _ in all_routes()}
    assert names >= PUBLIC
