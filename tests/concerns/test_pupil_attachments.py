"""A pupil's attached files in one zip file, to send with their printed child protection file:
a folder for each concern named by its reference, every file in it named as it downloads alone
(by the reference, not the name it was uploaded with, which may name a child), each one's
download audited; only for those who may read the whole file."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from concerns.attachments import store_attachment
from tests.concerns.test_attachments import image, pdf
from tests.conftest import reauthenticate
from tests.notices import notice


def zip_url(pupil):
    return reverse("concerns:pupil_attachments", args=[pupil.pk])


def attach(concern, by, name, content):
    return store_attachment(concern, by=by, upload=SimpleUploadedFile(name, content))


def archive_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert 'attachment; filename="attachments-' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def two_concerns(walk, dsl, teacher, media_root):
    first, second = walk.recorded(), walk.recorded()
    attach(first, teacher, "Amelia Ahmed body map.PDF", pdf())
    attach(first, dsl, "Amelia Ahmed body map.PDF", pdf() + b"%second\n")
    attach(second, dsl, "photo of Omar's arm.png", image("PNG"))
    return first, second


def test_a_dsl_downloads_every_attached_file_in_a_folder_per_concern(
    two_concerns, pupil, dsl, client_for
):
    first, second = two_concerns
    one, two = first.attachments.order_by("pk")
    (three,) = second.attachments.all()
    client = reauthenticate(client_for(dsl))
    page = client.get(reverse("concerns:pupil_file", args=[pupil.pk])).text
    assert f'href="{zip_url(pupil)}"' in page
    assert "Download all 3 attached files as one zip file" in page

    archive = archive_of(client.get(zip_url(pupil)))
    names = [
        f"{first.reference}/{first.reference}-attachment-{one.pk}.pdf",
        f"{first.reference}/{first.reference}-attachment-{two.pk}.pdf",
        f"{second.reference}/{second.reference}-attachment-{three.pk}.png",
    ]
    assert archive.namelist() == names
    assert archive.read(names[0]) == pdf()
    assert archive.read(names[1]) == pdf() + b"%second\n"
    assert archive.read(names[2]) == image("PNG")
    downloads = AuditEvent.objects.filter(action="attachment.download")
    assert downloads.count() == 3
    assert {event.actor for event in downloads} == {dsl}


def test_each_file_in_the_zip_is_named_as_it_downloads_alone_and_as_the_file_lists_it(
    two_concerns, pupil, dsl, client_for
):
    """Neither the child's name nor another child's, which uploaded names may hold, goes into
    the zip: it is what an email to the new school lists, and stays in the download folder."""
    first, second = two_concerns
    client = reauthenticate(client_for(dsl))
    inside = {name.rpartition("/")[2] for name in archive_of(client.get(zip_url(pupil))).namelist()}
    alone = set()
    for attachment in (*first.attachments.all(), *second.attachments.all()):
        download = reverse(
            "concerns:attachment_download", args=[attachment.concern_id, attachment.pk]
        )
        disposition = client.get(download)["Content-Disposition"]
        alone.add(disposition.partition('filename="')[2].rstrip('"'))
    assert inside == alone
    assert not any("Ahmed" in name or "Omar" in name for name in inside)
    page = client.get(reverse("concerns:pupil_file", args=[pupil.pk])).text
    for name in inside:
        assert f"saved as {name}</li>" in page


def test_the_head_teacher_may_download_them_and_staff_may_not(
    two_concerns, pupil, head, teacher, client_for
):
    assert len(archive_of(reauthenticate(client_for(head)).get(zip_url(pupil))).namelist()) == 3
    assert client_for(teacher).get(zip_url(pupil)).status_code == 403


def test_every_file_about_a_child_at_once_asks_for_the_second_factor_first(
    two_concerns, pupil, dsl, client_for
):
    """A session left open on a shared school PC cannot take them: the download is an
    export, as a report's is."""
    client = client_for(dsl)
    asked = client.get(zip_url(pupil))
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not AuditEvent.objects.filter(action="attachment.download").exists()
    reauthenticate(client)
    assert len(archive_of(client.get(zip_url(pupil))).namelist()) == 3


def test_another_schools_dsl_gets_a_404(two_concerns, pupil, other_school_dsl, client_for):
    assert client_for(other_school_dsl).get(zip_url(pupil)).status_code == 404
    assert not AuditEvent.objects.filter(action="attachment.download").exists()


def test_with_no_files_attached_the_file_says_so_and_offers_no_download(
    walk, pupil, dsl, client_for
):
    walk.recorded()
    client = client_for(dsl)
    page = client.get(reverse("concerns:pupil_file", args=[pupil.pk])).text
    assert f'href="{zip_url(pupil)}"' not in page
    assert "None has a file attached." in page
    response = client.get(zip_url(pupil), follow=True)
    assert response.redirect_chain == [(reverse("concerns:pupil_file", args=[pupil.pk]), 302)]
    assert f"No files are attached to the concerns about {pupil.full_name}" in notice(response.text)
