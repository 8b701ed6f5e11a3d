"""A server error is logged for the operator without a child's data: not the form that was
sent, not the words of an exception's message (a database error quotes the row it refused),
and it is never emailed with the request's details and the code's variables."""

import logging

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from safeguarding import urls as project_urls
from schools.models import Pupil
from tests.factories import PupilFactory, signed_in

NAME = "Zebedee"
FAMILY = "Quill"


@csrf_exempt
def _database_refuses_a_row(request):
    # A NOT NULL violation: PostgreSQL's message quotes the whole failing row.
    pupil = Pupil.objects.get(given_name=NAME)
    Pupil.objects.create(school=pupil.school, given_name=NAME, family_name=FAMILY, upn="X")
    return HttpResponse()


@csrf_exempt
def _message_quotes_a_child(request):
    pupil = Pupil.objects.get(given_name=NAME)
    raise ValueError(f"No year group for {pupil.given_name} {pupil.family_name}")


urlpatterns = [
    path("database/", _database_refuses_a_row),
    path("message/", _message_quotes_a_child),
    *project_urls.urlpatterns,
]


def console_formatter():
    (console,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return console.formatter or logging.Formatter()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/database/", "/message/"])
@override_settings(ROOT_URLCONF=__name__, DEBUG=False, ADMINS=[("Ops", "ops@la.gov.uk")])
def test_a_server_error_logs_and_sends_nothing_about_the_child(client, dsl, caplog, url):
    PupilFactory(school=dsl.memberships.get().school, given_name=NAME, family_name=FAMILY)
    signed_in(client, dsl)
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = client.post(url, {"narrative": "Seen with a bruise on Friday"})
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the error is logged"
    logged = "\n".join(console_formatter().format(r) for r in errors)
    assert "Traceback" in logged
    assert url in logged
    assert NAME not in logged
    assert FAMILY not in logged
    assert "bruise" not in logged
    sent = "\n".join(m.subject + m.body + str(m.alternatives) for m in mail.outbox)
    assert NAME not in sent
    assert "bruise" not in sent
