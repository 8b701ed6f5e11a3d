"""When the database cannot be reached, people get the "service unavailable" page (503), not a
stack trace, wherever their request was when it went away, and nothing half-done is kept.

The outage is forced at the database driver's edge with Django's own instrumentation hook
(`connection.execute_wrapper`): the statements chosen fail exactly as a dropped connection
makes them fail, with `django.db.OperationalError`. `make faulttest` stops a real PostgreSQL.
"""

from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import path, reverse

import safeguarding.urls as project_urls
from audit.models import AuditEvent
from concerns.models import Closure, Concern, ConcernStatus
from workflow.models import WorkflowEvent


@contextmanager
def database_down(*, when=lambda sql: True):
    """Statements for which `when(sql)` is true fail as if the server had gone away."""

    def refuse(execute, sql, params, many, context):
        if when(sql):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    text = response.content.decode()
    assert "Sorry, the service is unavailable" in text
    assert "call 999" in text
    for internal in ["Traceback", "OperationalError", "server closed the connection"]:
        assert internal not in text
    return text


@pytest.fixture
def signed_in(client_for, dsl):
    client = client_for(dsl)
    client.raise_request_exception = False
    client.get(reverse("concerns:inbox"))  # the session's first-visit work is done
    return client


def test_a_database_outage_before_the_page_starts_gives_the_503_page(signed_in):
    # The first statement of the request is the session middleware reading the session.
    with database_down():
        response = signed_in.get(reverse("concerns:inbox"))
    unavailable(response)
    assert "no-store" in response["Cache-Control"]


def test_a_database_outage_while_the_page_reads_gives_the_503_page(signed_in):
    with database_down(when=lambda sql: "concerns_concern" in sql):
        unavailable(signed_in.get(reverse("concerns:inbox")))


def test_the_page_works_again_as_soon_as_the_database_answers(signed_in):
    with database_down():
        unavailable(signed_in.get(reverse("concerns:inbox")))
    assert signed_in.get(reverse("concerns:inbox")).status_code == 200


def test_a_change_cut_off_half_way_keeps_nothing(walk, signed_in):
    concern = walk.conversation_logged()
    before = (
        Closure.objects.count(),
        WorkflowEvent.objects.count(),
        AuditEvent.objects.count(),
    )
    # The closure row is written, then the database goes away before its workflow event.
    with database_down(when=lambda sql: sql.startswith('INSERT INTO "workflow_workflowevent"')):
        response = signed_in.post(
            reverse("concerns:close", args=[concern.pk]),
            {
                "outcome": "monitoring",
                "rationale": "Breakfast club in place and attendance is good.",
                "expected_version": concern.version,
            },
        )
    unavailable(response)
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.PARENT_CONVERSATION_LOGGED
    after = (
        Closure.objects.count(),
        WorkflowEvent.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize(
    ("error", "status", "heading"),
    [
        (InterfaceError("connection already closed"), 503, "Sorry, the service is unavailable"),
        (RuntimeError("secret internal detail"), 500, "Sorry, there is a problem with the service"),
    ],
)
def test_only_database_errors_are_reported_as_unavailable(
    client_for, dsl, settings, error, status, heading
):
    def broken(request):
        raise error

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {
            "urlpatterns": [path("boom/", broken), *project_urls.urlpatterns],
            "handler500": project_urls.handler500,
        },
    )
    client = client_for(dsl)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == status
    assert heading in response.content.decode()
    assert "secret internal detail" not in response.content.decode()


def test_the_page_is_still_shown_when_its_own_template_cannot_be_drawn(
    signed_in, settings, tmp_path
):
    # Production's hashed static files, never collected: {% static %} raises in 503.html.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
    with database_down():
        unavailable(signed_in.get(reverse("concerns:inbox")))


def test_a_database_outage_while_the_session_is_saved_gives_the_503_page(signed_in):
    # A search keeps its words in the session, which is saved after the page is drawn.
    # Django turns any database error in that save into "the session was deleted before the
    # request completed" (400): a dropped connection is an outage, not a bad request.
    saving = lambda sql: sql.startswith('UPDATE "django_session"')  # noqa: E731
    with database_down(when=saving):
        response = signed_in.post(reverse("concerns:record_pupil"), {"q": "Amelia"})
    unavailable(response)


def test_a_session_truly_deleted_meanwhile_is_still_a_bad_request(signed_in, settings):
    # Signed out elsewhere while the search was sent: the session's row is gone.
    from django.contrib.sessions.models import Session

    def gone(execute, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            Session.objects.all().delete()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(gone):
        response = signed_in.post(reverse("concerns:record_pupil"), {"q": "Amelia"})
    assert response.status_code == 400


def test_a_form_sent_during_an_outage_is_sent_again_by_reloading_the_page(walk, signed_in):
    """What was typed is in the browser tab, not on the server: the page says how to send it
    again, and sending the same form again once the database is back saves it."""
    concern = walk.conversation_logged()
    close = reverse("concerns:close", args=[concern.pk])
    typed = {
        "outcome": "monitoring",
        "rationale": "Breakfast club in place and attendance is good.",
        "expected_version": concern.version,
    }
    with database_down(when=lambda sql: sql.startswith('INSERT INTO "workflow_workflowevent"')):
        text = unavailable(signed_in.post(close, typed))
    assert "reload this page to send it again" in text
    assert signed_in.post(close, typed).status_code == 302  # the reload, once it is back
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.CLOSED
