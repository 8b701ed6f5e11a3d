"""The DSL's pages for a pupil who leaves: from the chronology, record the leaving; the
leavers' list shows each file still to send or to confirm, soonest due first; each step's
form keeps what was typed and says what is wrong beside the field."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import FileTransfer
from tests.factories import PupilFactory
from tests.walk import concern_data
from workflow.concerns import record_concern
from workflow.leavers import record_file_sent, record_leaving

LEAVERS = reverse("concerns:leavers")


def day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def today():
    return timezone.localdate()


@pytest.fixture
def leaver(walk, pupil):
    walk.recorded()
    return pupil


def test_a_dsl_takes_a_leaver_from_the_chronology_to_confirmed_receipt(leaver, dsl, client_for):
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    leaving = reverse("concerns:leaving", args=[leaver.pk])
    assert f'href="{leaving}"' in client.get(chronology).content.decode()

    response = client.post(
        leaving,
        {
            "new_school": "Wardown Vale High School",
            **day("left_on", today() - timedelta(days=2)),
            **day("starts_on", today() - timedelta(days=1)),
        },
        follow=True,
    )
    assert response.redirect_chain == [(LEAVERS, 302)]
    page = response.content.decode()
    assert "Wardown Vale High School" in page
    assert leaver.full_name in page
    sent = reverse("concerns:file_sent", args=[leaver.pk])
    assert f'href="{sent}"' in page

    client.post(sent, {**day("sent_on", today()), "sent_how": "electronic"})
    page = client.get(LEAVERS).content.decode()
    received = reverse("concerns:file_received", args=[leaver.pk])
    assert f'href="{received}"' in page

    client.post(received, {**day("received_on", today()), "received_by": "Sam Patel, DSL"})
    page = client.get(LEAVERS).content.decode()
    assert "recorded as received" in page
    assert "There are no files to send or to confirm" in page
    page = client.get(chronology).content.decode()
    assert "confirmed by Sam Patel, DSL" in page
    assert f'href="{leaving}"' not in page


def test_an_empty_form_says_what_is_missing_beside_each_field(leaver, dsl, client_for):
    response = client_for(dsl).post(reverse("concerns:leaving", args=[leaver.pk]), {})
    errors = response.context["form"].errors
    assert errors["new_school"] == ["Enter the name of the new school"]
    assert errors["left_on"] == ["Enter the date the pupil left"]
    assert errors["starts_on"] == ["Enter the pupil's first day at the new school"]
    assert not FileTransfer.objects.exists()


def test_a_refused_date_keeps_what_was_typed(leaver, dsl, client_for):
    response = client_for(dsl).post(
        reverse("concerns:leaving", args=[leaver.pk]),
        {
            "new_school": "Wardown Vale High School",
            **day("left_on", today() + timedelta(days=1)),
            **day("starts_on", today() + timedelta(days=2)),
        },
    )
    assert response.context["form"].errors["left_on"] == [
        "The date the pupil left must be today or in the past"
    ]
    assert 'value="Wardown Vale High School"' in response.content.decode()
    assert not FileTransfer.objects.exists()


def test_the_list_puts_the_soonest_due_first_and_flags_an_overdue_file(
    school, teacher, dsl, client_for
):
    later, overdue = PupilFactory(school=school), PupilFactory(school=school)
    for pupil, started in ((later, 0), (overdue, 20)):
        record_concern(by=teacher, pupil=pupil, **concern_data())
        record_leaving(
            pupil,
            by=dsl,
            left_on=today() - timedelta(days=started + 1),
            starts_on=today() - timedelta(days=started),
            new_school="Wardown Vale High School",
        )
    page = client_for(dsl).get(LEAVERS).content.decode()
    assert page.index(overdue.full_name) < page.index(later.full_name)
    assert page.count("Overdue") == 1
    assert page.index("Overdue") < page.index(later.full_name)


def test_a_file_sent_after_its_day_says_so_until_receipt(leaver, dsl, client_for):
    transfer = record_leaving(
        leaver,
        by=dsl,
        left_on=today() - timedelta(days=21),
        starts_on=today() - timedelta(days=20),
        new_school="Wardown Vale High School",
    )
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    assert "Sent late" in client_for(dsl).get(LEAVERS).content.decode()


def test_the_head_teacher_reads_where_the_file_is_but_records_nothing(
    leaver, dsl, head, client_for
):
    record_leaving(
        leaver,
        by=dsl,
        left_on=today() - timedelta(days=2),
        starts_on=today() - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    page = client_for(head).get(chronology).content.decode()
    assert "Left on" in page
    assert "not yet sent" in page
    assert reverse("concerns:file_sent", args=[leaver.pk]) not in page


def test_a_pupil_who_has_not_left_has_no_file_steps(pupil, dsl, client_for):
    client = client_for(dsl)
    assert client.get(reverse("concerns:file_sent", args=[pupil.pk])).status_code == 404
    assert client.get(reverse("concerns:file_received", args=[pupil.pk])).status_code == 404


def test_the_roll_marks_a_pupil_who_has_left(leaver, dsl, client_for):
    record_leaving(
        leaver,
        by=dsl,
        left_on=today() - timedelta(days=2),
        starts_on=today() - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    page = client_for(dsl).get(reverse("concerns:pupils")).content.decode()
    left = today() - timedelta(days=2)
    assert f"Left {left.day} {left:%B %Y}</strong>" in page
