"""However large a file someone sends, the server keeps no more of it than the largest file
the service takes: a file of gigabytes, to any page (the sign-in page's form is read before
anyone is signed in), filled the disk before a form could refuse it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from concerns.models import Attachment
from safeguarding.uploads import written_size
from schools.models import Role
from tests.factories import PupilFactory, member, signed_in
from tests.walk import concern_data
from workflow.concerns import record_concern

LIMIT = 1024 * 1024
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def limits(settings, tmp_path):
    settings.ATTACHMENT_MAX_BYTES = LIMIT
    settings.PUPIL_IMPORT_MAX_BYTES = LIMIT // 2
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file to a temporary file on disk
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


def on_disk(folder):
    return sum(path.stat().st_size for path in folder.iterdir())


def test_a_huge_file_sent_to_the_sign_in_page_is_not_written_to_disk(limits):
    sent = 5 * LIMIT
    request = RequestFactory().post(
        reverse("account_login"),
        {"login": "x@example.org", "file": SimpleUploadedFile("big.pdf", PDF.ljust(sent, b"0"))},
    )
    upload = request.FILES["file"]  # read as the CSRF check reads it, before any view
    assert upload.size == sent  # what was sent is known, so a form can say it is too large
    assert on_disk(limits) < LIMIT
    assert upload.read() == b""


def test_a_file_within_the_limit_is_kept_whole(limits):
    content = PDF.ljust(LIMIT - 1, b"0")
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("ok.pdf", content)})
    assert request.FILES["file"].read() == content


@pytest.fixture
def dsl_client(db):
    pupil = PupilFactory()
    dsl = member(Role.DSL, pupil.school)
    concern = record_concern(by=dsl, pupil=pupil, **concern_data())
    return signed_in(Client(), dsl), reverse("concerns:attachment_upload", args=[concern.pk])


def test_a_huge_attachment_is_refused_beside_the_field_and_nothing_kept(dsl_client, limits):
    client, url = dsl_client
    big = SimpleUploadedFile("body map.pdf", PDF.ljust(5 * LIMIT, b"0"))
    response = client.post(url, {"file": big})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The selected file must be smaller than 1MB"]
    assert not Attachment.objects.exists()


def test_two_files_in_one_form_are_refused(dsl_client, limits):
    client, url = dsl_client
    response = client.post(
        url,
        {
            "file": [
                SimpleUploadedFile("a.pdf", PDF),
                SimpleUploadedFile("b.pdf", PDF),
            ]
        },
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_huge_pupil_file_is_refused_beside_the_field(db, limits, settings):
    settings.PUPIL_IMPORT_MAX_BYTES = LIMIT
    settings.ATTACHMENT_MAX_BYTES = 2 * LIMIT  # the largest any form takes
    pupil = PupilFactory()
    dsl = member(Role.DSL, pupil.school)
    rows = b"UPN,Given name,Family name,Date of birth,Year group\n".ljust(5 * LIMIT, b"\n")
    response = signed_in(Client(), dsl).post(
        reverse("concerns:pupil_import"), {"file": SimpleUploadedFile("pupils.csv", rows)}
    )
    assert response.context["form"].errors["file"] == ["The selected file must be smaller than 1MB"]


def test_a_size_limit_is_written_rounded_down_never_up():
    assert written_size(10 * 1024 * 1024) == "10MB"
    assert written_size(1536 * 1024) == "1.5MB"
    assert written_size(15_000_000) == "14.3MB"  # 14.305 MiB: a 14.3MB file is taken
    assert written_size(512 * 1024) == "512KB"
