"""A NUL character can be posted but not typed, and PostgreSQL stores none: where the service
keeps or searches what was sent as it is, a NUL is dropped, never a 500. (The service's forms
drop it too, safeguarding.forms.as_typed: refused, the writer could not see it to remove it.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from concerns.models import ConcernDraft
from schools.demo import make_upn
from schools.models import Pupil, Role
from tests.factories import signed_in
from tests.searching import search

from .world import PDF


def signed_in_as(user):
    return signed_in(Client(), user)


def test_a_draft_keeps_what_was_typed_without_nul_characters(db, world):
    url = reverse("concerns:record_question", args=[world.draft.pk, "what-happened"])
    response = signed_in_as(world.user(Role.STAFF)).post(
        url, {"what_happened": "She\x00 was hungry."}
    )
    assert response.status_code == 302
    draft = ConcernDraft.objects.get(pk=world.draft.pk)
    assert draft.answers["what_happened"] == ["She was hungry."]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("concerns:record_pupil", Role.STAFF),
        ("concerns:pupils", Role.DSL),
        ("concerns:inbox", Role.DSL),
    ],
)
def test_a_pupil_search_ignores_nul_characters(db, world, name, role):
    client = signed_in_as(world.user(role))
    response = client.get(search(client, reverse(name), "Ah\x00med"))
    assert response.status_code == 200
    assert "Amelia Ahmed" in response.text
    assert 'value="Ahmed"' in response.text  # kept, and shown again, without it


UPN = make_upn("821", 3001, 21, 5)
LINES = f"UPN,Forename,Surname,Date of Birth,Year\n{UPN},Zo\x00e,Kowalska,17/05/2016,4\n"


@pytest.mark.parametrize(
    "content",
    [
        LINES.encode("utf-8-sig"),
        LINES.encode("utf-16"),
        LINES.encode("utf-8"),
        # Says it is UTF-8, but is not.
        b"\xef\xbb\xbf" + LINES.replace("\x00", "").encode("cp1252") + b"\xff\xfe\xfa",
    ],
    ids=["utf-8 with a byte-order mark", "utf-16", "utf-8", "a false byte-order mark"],
)
def test_a_pupil_file_that_is_not_text_is_refused(db, world, content):
    upload = SimpleUploadedFile("pupils.csv", content, "text/csv")
    client = signed_in_as(world.user(Role.DSL))
    response = client.post(reverse("concerns:pupil_import"), {"file": upload})
    assert response.status_code == 200
    assert "could not be read as text" in response.text
    assert not Pupil.objects.filter(upn=UPN).exists()


def test_a_file_name_keeps_its_words_without_nul_characters(db, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("body\x00map.pdf", PDF, "application/pdf")
    url = reverse("concerns:attachment_upload", args=[world.concern.pk])
    response = signed_in_as(world.user(Role.DSL)).post(url, {"file": upload})
    assert response.status_code == 302
    assert world.concern.attachments.latest("pk").original_name == "bodymap.pdf"
