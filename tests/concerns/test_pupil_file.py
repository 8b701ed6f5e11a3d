"""A pupil's whole child protection file on one page: what the DSL prints, or saves as a PDF,
to send to a leaver's new school (KCSIE), with every concern in full and its attachments
named."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.attachments import store_attachment
from concerns.models import Concern
from schools.models import Role
from tests.factories import PupilFactory, member
from workflow.concerns import record_concern
from workflow.leavers import record_file_sent, record_leaving

from ..walk import concern_data

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def whole_file(pupil):
    return reverse("concerns:pupil_file", args=[pupil.pk])


def chronology(pupil):
    return reverse("concerns:pupil_chronology", args=[pupil.pk])


def attach(concern, by, name):
    return store_attachment(concern, by=by, upload=SimpleUploadedFile(name, PDF))


def sections(html):
    """The concern references, in the order the page shows them."""
    return [
        line.split("</a></h2>")[0].rsplit(">", 1)[1]
        for line in html.splitlines()
        if line.startswith('  <h2 class="govuk-heading-m" id="concern-')
    ]


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "head"])
def test_the_file_holds_every_concern_on_one_page_oldest_first(request, walk, client_for, persona):
    now = timezone.now()
    recorded = [walk.recorded(observed_at=now - timedelta(hours=40 - n)) for n in range(30)]
    oldest = walk.closed()
    Concern.objects.filter(pk=oldest.pk).update(observed_at=now - timedelta(days=9))
    user = request.getfixturevalue(persona)

    response = client_for(user).get(whole_file(walk.pupil))

    assert response.status_code == 200
    html = response.content.decode()
    # 31 concerns: more than a chronology page holds, all of them here, each once.
    assert sections(html) == [oldest.reference] + [c.reference for c in recorded]
    for text in ["Talk with mum first.", "Breakfast and routines.", "Step 2: Early Help Hub"]:
        assert text in html
    last = timezone.localtime(recorded[-1].observed_at)
    first = timezone.localtime(now - timedelta(days=9))
    span = f"31, from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
    assert span in html
    assert f'by <span dir="auto">{user.full_name}</span>' in html  # who produced the printout
    event = AuditEvent.objects.get(action="pupil.file.view")
    assert (event.actor, event.object_type, event.object_id) == (
        user,
        "pupil",
        str(walk.pupil.pk),
    )


def test_the_file_names_each_concerns_attachments_and_links_to_them(walk, client_for, dsl):
    with_files = walk.recorded()
    without = walk.recorded()
    first = attach(with_files, dsl, "Body map & notes.pdf")
    second = attach(with_files, dsl, "Photo.pdf")

    html = client_for(dsl).get(whole_file(walk.pupil)).content.decode()

    concern_part, rest = html.split(f'id="concern-{without.pk}"')
    for attachment in (first, second):
        link = reverse("concerns:attachment_download", args=[with_files.pk, attachment.pk])
        assert f'<a class="govuk-link" href="{link}">' in concern_part
    assert "Body map &amp; notes.pdf</span></a>" in concern_part  # the name is escaped
    assert f"added {timezone.localtime(first.uploaded_at).day} " in concern_part
    assert f'by <span dir="auto">{dsl.full_name}</span>' in concern_part
    assert concern_part.index("Body map") < concern_part.index("Photo.pdf")
    assert 'Attachments</h3>\n  <p class="govuk-body">None.</p>' in rest
    # The chronology, paged and printed for reading, does not list them.
    assert "Body map" not in client_for(dsl).get(chronology(walk.pupil)).content.decode()


def test_the_file_is_this_pupils_only(walk, client_for, dsl, school):
    mine = walk.recorded()
    sibling = PupilFactory(school=school)
    theirs = record_concern(by=walk.teacher, pupil=sibling, **concern_data())
    html = client_for(dsl).get(whole_file(walk.pupil)).content.decode()
    assert sections(html) == [mine.reference]
    assert theirs.reference not in html


def test_a_pupil_with_no_concerns_has_no_file_to_send(client_for, dsl, pupil):
    html = client_for(dsl).get(whole_file(pupil)).content.decode()
    assert "so there is no child protection file to send" in html
    assert sections(html) == []
    # The chronology offers no file for them either.
    assert whole_file(pupil) not in client_for(dsl).get(chronology(pupil)).content.decode()


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor"])
def test_staff_and_hub_cannot_open_a_file(request, walk, client_for, persona):
    walk.recorded()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(whole_file(walk.pupil)).status_code == 403
    assert not AuditEvent.objects.filter(action="pupil.file.view").exists()


def test_another_schools_dsl_gets_a_404_and_the_attempt_is_audited(
    walk, client_for, other_school_dsl
):
    walk.recorded()
    assert client_for(other_school_dsl).get(whole_file(walk.pupil)).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="pupil").exists()
    assert not AuditEvent.objects.filter(action="pupil.file.view").exists()


def test_the_file_costs_the_same_queries_for_1_and_50_concerns(walk, client_for, dsl, queries_for):
    client = client_for(dsl)
    attach(walk.closed(), dsl, "First.pdf")
    one = queries_for(client, whole_file(walk.pupil))
    for index in range(49):
        concern = walk.closed() if index % 2 else walk.escalated()
        if index % 5 == 0:
            attach(concern, dsl, f"File {index}.pdf")
    assert Concern.objects.count() == 50
    assert queries_for(client, whole_file(walk.pupil)) == one


def test_the_chronology_and_the_leavers_step_lead_to_the_file(walk, client_for, dsl):
    walk.recorded()
    client = client_for(dsl)
    link = f'href="{whole_file(walk.pupil)}"'
    assert link in client.get(chronology(walk.pupil)).content.decode()
    leaving = reverse("concerns:leaving", args=[walk.pupil.pk])
    assert link in client.get(leaving).content.decode()
    today = timezone.localdate()
    record_leaving(
        walk.pupil, by=dsl, left_on=today, new_school="Wardown Vale High", starts_on=today
    )
    sent = reverse("concerns:file_sent", args=[walk.pupil.pk])
    assert link in client.get(sent).content.decode()
    # The file says where it is going, as the chronology does.
    assert (
        'for <span dir="auto">Wardown Vale High'
        in client.get(whole_file(walk.pupil)).content.decode()
    )


def test_a_pupil_with_no_concerns_is_still_an_audited_read(client_for, dsl, pupil):
    client_for(dsl).get(whole_file(pupil))
    event = AuditEvent.objects.get(action="pupil.file.view")
    assert (event.actor, event.object_id) == (dsl, str(pupil.pk))


def test_the_file_identifies_the_pupil_the_school_and_when_it_was_produced(
    clock, walk, client_for, dsl, school
):
    clock.set(2026, 7, 1, 14, 30)
    walk.recorded(observed_at=timezone.now() - timedelta(days=2))
    pupil = walk.pupil
    html = client_for(dsl).get(whole_file(pupil)).content.decode()
    born = pupil.date_of_birth
    for text in [
        f"{born.day} {born:%B %Y}",
        pupil.upn,
        pupil.get_year_group_display(),
        school.name,
        "Official-sensitive: this file holds special category data about a child",
        "1 July 2026 at 2:30pm by",
        "1, on 29 June 2026",
    ]:
        assert text in html, text
    back = reverse("concerns:pupil_chronology", args=[pupil.pk])
    assert f'<a href="{back}" class="govuk-back-link">Back to the chronology</a>' in html


def test_the_title_a_saved_pdf_takes_its_name_from_tells_files_apart_without_naming_the_child(
    clock, walk, client_for, dsl
):
    # Browsers name a saved PDF after the page's title, and keep titles in their history.
    clock.set(2026, 7, 1, 0, 30)  # London time: still 30 June in UTC
    walk.recorded()
    pupil = walk.pupil
    html = client_for(dsl).get(whole_file(pupil)).content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert f"Child protection file, pupil {pupil.pk}, produced 1 July 2026" in title
    assert pupil.given_name not in title
    assert pupil.family_name not in title


def test_the_attachments_say_who_added_them_when_and_how_big(clock, walk, client_for, dsl, school):
    clock.set(2026, 7, 1, 14, 30)  # British Summer Time
    concern = walk.recorded()
    adder = member(Role.DSL, school, full_name="Ann <Adder> & Co")
    attach(concern, adder, "Map.pdf")
    html = client_for(dsl).get(whole_file(walk.pupil)).content.decode()
    size = f"{len(PDF)}\xa0bytes"
    assert (
        f"Map.pdf</span></a>, {size}, added 1 July 2026 at 2:30pm by "
        '<span dir="auto">Ann &lt;Adder&gt; &amp; Co</span>'
    ) in html


def test_concerns_seen_at_the_same_moment_are_in_the_order_recorded(walk, client_for, dsl):
    moment = timezone.now() - timedelta(days=1)
    first, second = (walk.recorded(observed_at=moment) for _ in range(2))
    html = client_for(dsl).get(whole_file(walk.pupil)).content.decode()
    assert sections(html) == [first.reference, second.reference]


def test_the_head_teacher_reads_the_file_without_the_dsls_links(walk, client_for, dsl, head):
    walk.recorded()
    today = timezone.localdate()
    record_leaving(walk.pupil, by=dsl, left_on=today, new_school="Wardown Vale", starts_on=today)
    sent = reverse("concerns:file_sent", args=[walk.pupil.pk])
    assert sent not in client_for(head).get(whole_file(walk.pupil)).content.decode()
    assert sent in client_for(dsl).get(whole_file(walk.pupil)).content.decode()


def test_a_concern_about_another_schools_pupil_is_not_shown(walk, client_for, dsl, other_school):
    """A concern is recorded at its pupil's school; were the two ever to differ, the file of
    a pupil at another school still answers 404, as the chronology does."""
    concern = walk.recorded()
    elsewhere = PupilFactory(school=other_school)
    Concern.objects.filter(pk=concern.pk).update(pupil=elsewhere)
    assert client_for(dsl).get(whole_file(elsewhere)).status_code == 404


def test_once_the_file_is_sent_the_receipt_step_does_not_offer_it_again(walk, client_for, dsl):
    walk.recorded()
    today = timezone.localdate()
    transfer = record_leaving(
        walk.pupil, by=dsl, left_on=today, new_school="Wardown Vale", starts_on=today
    )
    record_file_sent(transfer, by=dsl, sent_on=today, sent_how="post")
    received = reverse("concerns:file_received", args=[walk.pupil.pk])
    assert whole_file(walk.pupil) not in client_for(dsl).get(received).content.decode()
