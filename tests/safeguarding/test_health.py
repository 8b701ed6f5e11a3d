"""/health/, for a load balancer: 200 while this server can serve pages, 503 (and why) when its
database cannot be reached or, in production, its static files were never collected (every
page would fail). Asked over plain http, without a session, and without writing anything."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from safeguarding.checks import static_files_collected

from .test_headers import check_headers
from .test_unavailable import database_down

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "safeguarding.static_files.StaticFiles"},
}


@pytest.fixture
def balancer():
    client = Client()  # no session: a load balancer keeps no cookies
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_working_server_answers_ok_and_writes_nothing(balancer, method):
    response = getattr(balancer, method)(reverse("health"))
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_server_whose_database_is_down_answers_503(balancer):
    # The sign-in page answers 200 without the database: a load balancer checking it would
    # keep sending people to a server that can do nothing for them.
    with database_down():
        response = balancer.get(reverse("health"))
        assert balancer.get(reverse("account_login")).status_code == 200
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.content.decode() == "database unavailable\n"


@pytest.mark.django_db
def test_a_production_server_without_its_static_files_collected_answers_503(
    balancer, settings, tmp_path
):
    settings.STATIC_MANIFEST = True
    settings.STATIC_ROOT = tmp_path  # collectstatic never run
    settings.STORAGES = MANIFEST_STORAGE
    response = balancer.get(reverse("health"))
    assert response.status_code == 503
    assert response.content.decode() == (
        "static files not collected (run collectstatic, then restart)\n"
    )


@pytest.mark.django_db
def test_a_production_server_with_its_static_files_collected_answers_ok(
    balancer, settings, tmp_path
):
    settings.STATIC_MANIFEST = True
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"css/application.css": "css/application.1.css"}})
    )
    settings.STORAGES = MANIFEST_STORAGE
    assert balancer.get(reverse("health")).status_code == 200


@pytest.mark.django_db
def test_asked_over_plain_http_behind_the_tls_proxy_it_answers_not_redirects(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # its middleware is loaded with the setting on
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 301


def test_the_deploy_check_fails_until_the_static_files_are_collected(settings, tmp_path):
    settings.STATIC_MANIFEST = True
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGE
    (problem,) = static_files_collected(None)
    assert problem.id == "safeguarding.E001"
    assert "collectstatic" in problem.hint
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"css/application.css": "css/application.1.css"}})
    )
    settings.STORAGES = {**MANIFEST_STORAGE}  # the storage reads the manifest afresh
    assert static_files_collected(None) == []


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_load_balancer_asking_by_the_servers_address_gets_its_health(balancer, method):
    # Load balancers ask each server by its address, which is not one of the service's names
    # (some, such as AWS's, cannot be told to send another Host header).
    response = getattr(balancer, method)(reverse("health"), HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    check_headers(response)
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_any_other_page_asked_by_an_unknown_host_is_still_refused(balancer):
    for url in (reverse("account_login"), reverse("health") + "x", "/health"):
        assert balancer.get(url, HTTP_HOST="10.0.3.17:8000").status_code == 400
