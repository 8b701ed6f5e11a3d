"""Files kept with a concern: checked by content, stored privately, downloaded only through a
scoped, audited view."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from concerns import attachments
from concerns.models import Attachment
from concerns.views import attachments as views
from schools.models import Pupil, Role
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from tests.factories import member, signed_in
from tests.notices import notices
from workflow.models import Notification
from workflow.retention import destroy_records

MB = 1024 * 1024


def image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def pdf():
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return buffer.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload_url(concern):
    return reverse("concerns:attachment_upload", args=[concern.pk])


def download_url(attachment):
    return reverse("concerns:attachment_download", args=[attachment.concern_id, attachment.pk])


def post_file(client, concern, name, content, content_type="application/octet-stream"):
    return client.post(
        upload_url(concern), {"file": SimpleUploadedFile(name, content, content_type)}
    )


def stored_files(media_root):
    folder = media_root / "attachments"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("body map.pdf", pdf(), "application/pdf"),
        ("photo.PNG", image("PNG"), "image/png"),
        ("photo.jpg", image("JPEG"), "image/jpeg"),
        ("note.jpeg", image("JPEG"), "image/jpeg"),
        (
            "letter from MASH.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_each_allowed_type_is_kept_under_a_random_name(
    walk, client_for, dsl, media_root, name, content, content_type
):
    concern = walk.recorded()
    # The browser's claimed type is ignored: the content decides.
    response = post_file(client_for(dsl), concern, name, content, "text/plain")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert (attachment.size, attachment.uploaded_by, attachment.concern) == (
        len(content),
        dsl,
        concern,
    )
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == content
    assert len(stored.name) == 32
    assert name not in str(stored)
    assert "static" not in str(stored)
    upload = AuditEvent.objects.get(action="attachment.upload")
    assert (upload.actor, upload.object_id) == (dsl, str(attachment.pk))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXECUTABLE, "must be a PDF, JPEG, PNG or Word document (DOCX)"),
        ("setup.exe", EXECUTABLE, "must be a PDF, JPEG, PNG or Word document (DOCX)"),
        ("notes.docx", plain_zip(), "must be a PDF, JPEG, PNG or Word document (DOCX)"),
        ("notes.pdf", b"Just some text, honestly.", "must be a PDF, JPEG, PNG or Word"),
        ("photo.pdf", image("PNG"), "name ends in .pdf but the file is a PNG image"),
        ("scan", pdf(), "name has no file type ending but the file is a PDF"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_file_that_is_not_what_it_should_be_is_refused_and_nothing_kept(
    walk, client_for, dsl, media_root, name, content, message
):
    concern = walk.recorded()
    response = post_file(client_for(dsl), concern, name, content)
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert message in error
    assert "govuk-error-summary" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_the_size_limit_is_as_the_message_says_smaller_than_10mb():
    def of_size(size):
        return SimpleUploadedFile("report.pdf", pdf().ljust(size, b"0"))

    assert attachments.check_file(of_size(10 * MB - 1)) == "application/pdf"
    with pytest.raises(ValidationError) as refused:
        attachments.check_file(of_size(10 * MB))
    assert refused.value.messages == ["The selected file must be smaller than 10MB"]


def test_a_file_over_10mb_is_refused(walk, client_for, dsl, media_root):
    concern = walk.recorded()
    response = post_file(client_for(dsl), concern, "big.pdf", pdf() + b"0" * (10 * MB))
    assert response.context["form"].errors["file"] == [
        "The selected file must be smaller than 10MB"
    ]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_no_file_chosen(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).post(upload_url(concern), {})
    assert response.context["form"].errors["file"] == ["Select a file"]


def test_a_path_in_the_name_is_dropped(walk, client_for, dsl):
    concern = walk.recorded()
    post_file(client_for(dsl), concern, "../../etc/passwd.pdf", pdf())
    assert Attachment.objects.get().original_name == "passwd.pdf"


def test_if_the_record_cannot_be_written_the_file_is_not_kept(
    walk, client_for, dsl, media_root, monkeypatch
):
    concern = walk.recorded()

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("concerns.attachments.audit", broken_audit)
    client = client_for(dsl)
    client.raise_request_exception = False
    response = post_file(client, concern, "body map.pdf", pdf())
    assert response.status_code == 500
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


# Who may attach.


def test_the_recorder_may_attach_to_their_own_concern(walk, client_for, teacher):
    concern = walk.recorded()
    assert post_file(client_for(teacher), concern, "note.pdf", pdf()).status_code == 302
    assert Attachment.objects.get().uploaded_by == teacher


def test_the_dsls_are_told_of_a_file_staff_attach_without_its_name(walk, client_for, teacher, dsl):
    """A photo of a note the child wrote, attached by the teacher after the DSL has closed the
    concern: the DSLs are told, as of the teacher's addendum, or it sits there unseen. The
    email names the concern, not the child nor the file (its name may name the child)."""
    concern = walk.closed()
    Notification.objects.all().delete()
    page = client_for(teacher).post(
        upload_url(concern),
        {"file": SimpleUploadedFile("Amelia note.jpg", image("JPEG"))},
        follow=True,
    )
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.concern) == ("attachment_added", dsl.email, concern)
    assert concern.reference in told.subject
    assert "Amelia" not in told.subject + told.body
    assert notices(page.text) == [
        "Amelia note.jpg has been attached and your DSL has been told. If the child may be at "
        "immediate risk of significant harm, speak to them now as well, in person or by phone."
    ]
    page = client_for(dsl).post(
        upload_url(concern), {"file": SimpleUploadedFile("map.pdf", pdf())}, follow=True
    )
    assert Notification.objects.count() == 1  # a DSL's own file is not news to them
    assert notices(page.text) == ["map.pdf has been attached"]


def test_the_same_upload_form_sent_twice_attaches_the_file_once(
    walk, client_for, teacher, media_root
):
    """A second click on a slow upload: one attachment, one file kept, one audit row."""
    concern = walk.recorded()
    client = client_for(teacher)
    key = client.get(upload_url(concern)).context["form"]["submission_key"].value()
    for _ in range(2):
        sent = {"file": SimpleUploadedFile("note.pdf", pdf()), "submission_key": key}
        assert client.post(upload_url(concern), sent).status_code == 302
    assert Attachment.objects.filter(concern=concern).count() == 1
    assert len(stored_files(media_root)) == 1
    assert AuditEvent.objects.filter(action="attachment.upload").count() == 1


def test_a_colleague_cannot_attach_to_someone_elses_concern(walk, client_for, school):
    concern = walk.recorded()
    colleague = member(Role.STAFF, school)
    assert post_file(client_for(colleague), concern, "note.pdf", pdf()).status_code == 404
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("persona", ["head", "hub_advisor"])
def test_the_head_and_the_hub_do_not_attach(request, walk, client_for, persona):
    concern = walk.with_hub()
    client = client_for(request.getfixturevalue(persona))
    assert post_file(client, concern, "note.pdf", pdf()).status_code == 403
    assert client.get(upload_url(concern)).status_code == 403


def test_another_schools_dsl_cannot_attach(walk, client_for, other_school_dsl):
    concern = walk.recorded()
    assert post_file(client_for(other_school_dsl), concern, "x.pdf", pdf()).status_code == 404


# Downloading.


@pytest.fixture
def attachment(walk, client_for, dsl):
    concern = walk.recorded()
    post_file(client_for(dsl), concern, "Body map \u2013 Zoë.pdf", pdf())
    return Attachment.objects.get()


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "head"])
def test_the_schools_leads_and_head_download_it_as_a_file(request, client_for, attachment, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf"
    # Named by the concern's reference, not as uploaded: a name typed by the person who made
    # the file ("Body map - Zoë") would stay in a shared school PC's download history.
    reference = attachment.concern.reference
    assert response["Content-Disposition"] == (
        f'attachment; filename="{reference}-attachment-{attachment.pk}.pdf"'
    )
    assert "Zo" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    download = AuditEvent.objects.get(action="attachment.download")
    assert (download.actor, download.object_type, download.object_id) == (
        user,
        "attachment",
        str(attachment.pk),
    )


def test_another_schools_dsl_gets_a_404_audited_as_a_denial(
    client_for, attachment, other_school_dsl
):
    response = client_for(other_school_dsl).get(download_url(attachment))
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action="access.denied")
    assert denial.actor == other_school_dsl
    assert not AuditEvent.objects.filter(action="attachment.download").exists()


def test_the_recorder_downloads_their_own_files_but_not_the_dsls(walk, client_for, teacher, dsl):
    concern = walk.recorded()
    post_file(client_for(dsl), concern, "dsl working.pdf", pdf())
    post_file(client_for(teacher), concern, "my note.pdf", pdf())
    dsls, own = Attachment.objects.order_by("pk")
    client = client_for(teacher)
    assert client.get(download_url(own)).status_code == 200
    assert client.get(download_url(dsls)).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="attachment").exists()
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "my note.pdf" in page
    assert "dsl working.pdf" not in page


def test_hub_staff_cannot_download(client_for, attachment, hub_advisor):
    assert client_for(hub_advisor).get(download_url(attachment)).status_code == 403


def test_an_attachment_of_another_concern_is_not_found_through_this_one(
    walk, client_for, dsl, attachment
):
    other = walk.recorded()
    wrong = reverse("concerns:attachment_download", args=[other.pk, attachment.pk])
    assert client_for(dsl).get(wrong).status_code == 404


def test_files_are_listed_on_the_concern_page(client_for, dsl, attachment):
    page = client_for(dsl).get(reverse("concerns:detail", args=[attachment.concern_id]))
    assert download_url(attachment) in page.content.decode()


@pytest.mark.django_db(transaction=True)
@simultaneous_writers
def test_the_same_upload_sent_twice_at_once_attaches_the_file_once(
    walk, teacher, media_root, monkeypatch
):
    """Both sends pass the check for an earlier upload before either has stored one: the key's
    unique index stops the second, which answers as if it had stored the first's."""
    concern = walk.recorded()
    real_lookup, found = attachments._stored_by, []
    hold_locks_a_moment(monkeypatch, attachments, seconds=0.5)

    def watched_lookup(*args):
        found.append(real_lookup(*args))
        return found[-1]

    monkeypatch.setattr(attachments, "_stored_by", watched_lookup)
    setup = Client()
    signed_in(setup, teacher)
    key = setup.get(upload_url(concern)).context["form"]["submission_key"].value()
    responses = []

    def send():
        tab = Client()
        signed_in(tab, teacher)
        sent = {"file": SimpleUploadedFile("note.pdf", pdf()), "submission_key": key}
        responses.append(tab.post(upload_url(concern), sent))

    assert at_once(send, send) == []
    assert found.count(None) == 2, "both sends must have passed the check before either stored"
    assert [r.status_code for r in responses] == [302, 302]
    assert Attachment.objects.filter(concern=concern).count() == 1
    assert len(stored_files(media_root)) == 1


def test_the_service_itself_refuses_anyone_but_the_leads_and_the_recorder(
    walk, teacher, school, media_root
):
    # The page's selector hides other people's concerns from staff first; the service must
    # hold on its own for any other caller.
    concern = walk.recorded()
    assert concern.recorded_by == teacher
    colleague = member(Role.STAFF, school)
    head = member(Role.HEAD_TEACHER, school)
    for user in (colleague, head):
        with pytest.raises(PermissionDenied):
            attachments.store_attachment(
                concern, by=user, upload=SimpleUploadedFile("note.pdf", pdf())
            )
    # The recorder who has since left the school no longer attaches to it.
    teacher.memberships.update(is_active=False)
    with pytest.raises(PermissionDenied):
        attachments.store_attachment(
            concern, by=teacher, upload=SimpleUploadedFile("note.pdf", pdf())
        )
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_the_kept_name_has_no_path_and_no_hidden_or_reversing_characters():
    # The page's upload parser strips these too; the name shown on the concern and given to
    # the download must never carry a path or a right-to-left override that disguises it.
    assert attachments.clean_name("..\\..\\windows\\evil.pdf") == "evil.pdf"
    assert attachments.clean_name("a/b/c.pdf") == "c.pdf"
    assert attachments.clean_name("photo\u202egnp.pdf") == "photognp.pdf"
    assert attachments.clean_name("note\x00\x07.pdf") == "note.pdf"
    assert attachments.clean_name("") == "attachment"


def test_a_file_sent_while_a_colleague_destroys_the_records_is_told_and_not_kept(
    walk, client_for, dsl, deputy_dsl, pupil, media_root, monkeypatch
):
    """The concern was there when the page was sent, and its records are destroyed (the review
    at 25) while the file is checked: the DSL is told beside the field, as every other step on
    a concern tells them, and no file or row is left pointing at records that are gone. Before,
    the upload took no lock: the database refused the row at commit and the DSL saw a server
    error (inside this test's transaction, "has been attached" and a row for no concern)."""
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    concern = walk.closed()
    real_store = views.store_attachment

    def store_after_a_colleague_destroys(*args, **kwargs):
        destroy_records(Pupil.objects.get(pk=pupil.pk), by=deputy_dsl, confirmed=True)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(views, "store_attachment", store_after_a_colleague_destroys)
    client = client_for(dsl)
    client.raise_request_exception = False
    response = post_file(client, concern, "body map.pdf", pdf())

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The records about this pupil have been destroyed. Nothing was saved."
    ]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []
