"""The DSL's pages for a pupil who leaves: from the chronology, record the leaving; the
leavers' list shows each file still to send or to confirm, soonest due first; each step's
form keeps what was typed and says what is wrong beside the field."""

import re
from datetime import date, timedelta
from functools import partial

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import FileTransfer
from tests.concerns.test_typed_direction import direction_of
from tests.factories import PupilFactory
from tests.notices import notice, words
from tests.reports.tables import html_tables
from tests.walk import concern_data
from workflow import leavers
from workflow.concerns import record_concern
from workflow.leavers import (
    correct_leaving,
    leaving_version,
    record_file_received,
    record_file_sent,
    record_leaving,
    record_return,
)

LEAVERS = reverse("concerns:leavers")


def day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def today():
    return timezone.localdate()


@pytest.fixture
def leaver(walk, pupil, clock):
    # With the clock stopped: the tests read today() again and again, and one run over
    # midnight compared a day recorded before it with today after it.
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
    assert "confirmed by Sam Patel, DSL" in words(page)
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


@pytest.mark.parametrize("step", ["file_sent", "file_received", "returned", "leaving_change"])
def test_a_pupil_who_has_not_left_has_no_leaving_steps(pupil, dsl, client_for, step):
    response = client_for(dsl).get(reverse(f"concerns:{step}", args=[pupil.pk]), follow=True)
    chronology = reverse("concerns:pupil_chronology", args=[pupil.pk])
    assert response.redirect_chain == [(chronology, 302)]
    assert "Amelia Ahmed is not recorded as having left the school." in notice(response.text)
    # Not a refused look at someone else's records: it is the DSL's own pupil.
    assert not AuditEvent.objects.filter(action="access.denied").exists()


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


def left(pupil, dsl, *, sent=False):
    transfer = record_leaving(
        pupil,
        by=dsl,
        left_on=today() - timedelta(days=2),
        starts_on=today() - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    if sent:
        record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    return transfer


def test_a_refused_form_shows_the_pupil_again_and_that_read_is_audited(leaver, dsl, client_for):
    client_for(dsl).post(reverse("concerns:leaving", args=[leaver.pk]), {})
    viewed = AuditEvent.objects.filter(action="pupil.leaving.view", object_id=str(leaver.pk))
    assert viewed.count() == 1


def test_a_step_already_taken_goes_back_to_the_chronology_and_says_so(leaver, dsl, client_for):
    left(leaver, dsl, sent=True)
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    for name, said in (
        ("concerns:leaving", "is already recorded as having left the school"),
        ("concerns:file_sent", "file is already recorded as sent"),
    ):
        response = client.get(reverse(name, args=[leaver.pk]), follow=True)
        assert response.redirect_chain == [(chronology, 302)]
        assert said in response.content.decode()
        assert "Nothing was saved" not in response.text  # only a submission saves anything


def test_a_step_sent_after_a_colleague_took_it_says_nothing_was_saved(
    leaver, dsl, deputy_dsl, client_for
):
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    leaving = reverse("concerns:leaving", args=[leaver.pk])
    assert client.get(leaving).status_code == 200
    # Meanwhile a colleague records the leaving, for another school, and the sending.
    transfer = record_leaving(
        leaver, by=deputy_dsl, left_on=today(), starts_on=today(), new_school="Stopsley High"
    )
    mine = {"new_school": "Wardown", **day("left_on", today()), **day("starts_on", today())}
    response = client.post(leaving, mine, follow=True)
    assert response.redirect_chain == [(chronology, 302)]
    assert "is already recorded as having left the school. Nothing was saved." in response.text
    sent = reverse("concerns:file_sent", args=[leaver.pk])
    drawn_for = re.search(r'name="leaving" value="(\d+)"', client.get(sent).text).group(1)
    record_file_sent(transfer, by=deputy_dsl, sent_on=today(), sent_how="by_hand")
    data = {**day("sent_on", today()), "sent_how": "post", "leaving": drawn_for}
    response = client.post(sent, data, follow=True)
    assert response.redirect_chain == [(chronology, 302)]
    assert "file is already recorded as sent. Nothing was saved." in response.text
    assert FileTransfer.objects.get().sent_how == "by_hand"


def test_receipt_cannot_be_recorded_before_the_file_was_sent(leaver, dsl, client_for):
    left(leaver, dsl)
    response = client_for(dsl).get(reverse("concerns:file_received", args=[leaver.pk]), follow=True)
    assert response.redirect_chain == [
        (reverse("concerns:pupil_chronology", args=[leaver.pk]), 302)
    ]
    assert "was sent first" in response.content.decode()


def test_the_head_teacher_reads_the_list_without_the_dsls_links(leaver, dsl, head, client_for):
    left(leaver, dsl, sent=True)
    page = client_for(head).get(LEAVERS).content.decode()
    assert leaver.full_name in page
    assert "receipt not yet confirmed" in page
    assert reverse("concerns:file_received", args=[leaver.pk]) not in page


def test_a_sent_file_not_yet_confirmed_reads_so_on_the_chronology(leaver, dsl, head, client_for):
    left(leaver, dsl, sent=True)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    received = reverse("concerns:file_received", args=[leaver.pk])
    for person, link in ((dsl, True), (head, False)):
        page = client_for(person).get(chronology).content.decode()
        assert "the new school has not yet confirmed they received it" in page
        assert "confirmed by" not in page
        assert (received in page) is link


def test_who_confirmed_receipt_is_shown_in_their_own_direction(leaver, dsl, client_for):
    """The name typed for whoever confirmed receipt at the new school, in Arabic or Urdu,
    runs right to left within the service's sentence rather than jumbling it and taking its
    full stop, on the chronology and on the file."""
    confirmed_by = "سارة خان، DSL"
    transfer = left(leaver, dsl, sent=True)
    record_file_received(transfer, by=dsl, received_on=today(), received_by=confirmed_by)
    client = client_for(dsl)
    for name in ("concerns:pupil_chronology", "concerns:pupil_file"):
        page = client.get(reverse(name, args=[leaver.pk])).text
        assert direction_of(page, confirmed_by) == "auto", name
        assert direction_of(page, "Child protection file sent on") is None, name


def test_only_a_lead_is_offered_to_record_a_leaver_and_only_one_with_concerns(
    leaver, school, dsl, head, client_for
):
    leaving = reverse("concerns:leaving", args=[leaver.pk])
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    assert leaving in client_for(dsl).get(chronology).content.decode()
    assert leaving not in client_for(head).get(chronology).content.decode()
    quiet = PupilFactory(school=school)
    page = client_for(dsl).get(reverse("concerns:pupil_chronology", args=[quiet.pk]))
    assert reverse("concerns:leaving", args=[quiet.pk]) not in page.content.decode()


def test_the_list_pages_50_at_a_time_soonest_due_first(school, teacher, dsl, client_for):
    for n in range(51):
        FileTransfer.objects.create(
            pupil=PupilFactory(school=school, family_name=f"Leaver{n:02d}"),
            school=school,
            left_on=today(),
            starts_on=today(),
            due_on=today() + timedelta(days=n),
            new_school="Wardown Vale High School",
            recorded_by=dsl,
        )
    client = client_for(dsl)
    first = client.get(LEAVERS)
    shown = [row.pupil.family_name for row in first.context["page"].rows]
    assert shown == [f"Leaver{n:02d}" for n in range(50)]
    after = first.context["page"].next_cursor
    second = client.get(LEAVERS, {"after": after})
    assert [row.pupil.family_name for row in second.context["page"].rows] == ["Leaver50"]


def test_a_pupil_who_comes_back_is_on_the_roll_again_and_can_leave_again(leaver, dsl, client_for):
    left_on = left(leaver, dsl, sent=True).left_on
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    came_back = reverse("concerns:returned", args=[leaver.pk])
    before = client.get(chronology).text
    assert f'href="{came_back}"' in before
    assert "Earlier leavings" not in before
    form = client.get(came_back).text
    assert 'Record that <span dir="auto">Amelia Ahmed</span> has come back' in form
    assert f'<a href="{chronology}" class="govuk-back-link">' in form
    assert (
        'Ask <span dir="auto">Wardown Vale High School</span> for the child protection records'
        in form
    )

    response = client.post(came_back, day("returned_on", today()), follow=True)
    assert response.redirect_chain == [(chronology, 302)]
    page = response.text
    assert "Amelia Ahmed is recorded as back at the school" in notice(page)
    assert "Left on" not in page
    assert html_tables(page)["earlier-leavings"][1][0] == f"{left_on.day} {left_on:%B %Y}"
    assert "Left on" not in client.get(reverse("concerns:pupil_file", args=[leaver.pk])).text
    assert f'href="{reverse("concerns:leaving", args=[leaver.pk])}"' in page  # may leave again
    assert "Left " not in client.get(reverse("concerns:pupils")).text.split("<tbody")[1]
    assert leaver.full_name not in client.get(LEAVERS).text
    # Its steps are over: a page drawn before the return says so, and saves nothing. (The
    # return sent again as it was recorded is a second click: each_step_sent_twice.)
    back = f"Amelia Ahmed came back to the school on {today().day} {today():%B %Y}"
    for step in ("returned", "file_received", "leaving_change"):
        page = reverse(f"concerns:{step}", args=[leaver.pk])
        yesterday = today() - timedelta(days=1)
        response = client.post(page, day("returned_on", yesterday), follow=True)
        assert response.redirect_chain == [(chronology, 302)]
        assert back in notice(response.text)
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    assert FileTransfer.objects.get().returned_on == today()


def came_back_from(
    pupil, dsl, left_on, new_school, due_on, returned_on, sent_on=None, received_on=None
):
    """An earlier leaving of `pupil`, ended by their return, as the database holds it."""
    return FileTransfer.objects.create(
        pupil=pupil,
        school=pupil.school,
        left_on=left_on,
        new_school=new_school,
        starts_on=left_on + timedelta(days=1),
        due_on=due_on,
        recorded_by=dsl,
        sent_on=sent_on,
        received_on=received_on,
        received_by="Sam" if received_on else "",
        returned_on=returned_on,
    )


def test_the_chronology_lists_the_leavings_a_pupil_came_back_from_and_where_each_file_went(
    leaver, dsl, head, client_for
):
    d = date  # the leavings below, oldest first, each ended by the pupil's return
    earlier = partial(came_back_from, leaver, dsl)
    earlier(
        d(2025, 6, 2), "Putteridge High", d(2025, 6, 9), d(2025, 7, 1), d(2025, 6, 4), d(2025, 6, 6)
    )
    earlier(d(2025, 9, 1), "Lea Manor High", d(2025, 9, 8), d(2025, 10, 1), d(2025, 9, 5))
    earlier(d(2025, 11, 3), "Icknield High", d(2025, 11, 10), d(2025, 11, 20))
    earlier(d(2026, 1, 5), "Stopsley High", d(2026, 1, 13), d(2026, 1, 8))
    left(leaver, dsl)  # away now: shown above, as the current leaving, not among these
    other = PupilFactory(school=leaver.school)
    came_back_from(other, dsl, d(2025, 5, 1), "Someone else's school", d(2025, 5, 9), d(2025, 5, 5))
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    for reader in (dsl, head):
        rows = html_tables(client_for(reader).get(chronology).text)["earlier-leavings"]
        assert rows == [
            ["Left", "For", "Came back", "Child protection file"],
            [
                "5 January 2026",
                "Stopsley High, from 6 January 2026",
                "8 January 2026",
                "Not sent: Amelia came back before it was due",
            ],
            [
                "3 November 2025",
                "Icknield High, from 4 November 2025",
                "20 November 2025",
                "Not sent: it was overdue, due by 10 November 2025",
            ],
            [
                "1 September 2025",
                "Lea Manor High, from 2 September 2025",
                "1 October 2025",
                "Sent on 5 September 2025; receipt not confirmed. "
                "Ask Lea Manor High to return the records they hold",
            ],
            [
                "2 June 2025",
                "Putteridge High, from 3 June 2025",
                "1 July 2025",
                "Sent on 4 June 2025 and received on 6 June 2025",
            ],
        ]


@pytest.mark.parametrize(
    ("back", "reads"),
    [
        (0, "Not sent: Amelia came back before it was due"),  # on the due day itself
        (1, "Not sent: it was overdue"),
    ],
)
def test_an_earlier_leavings_file_reads_as_the_report_counts_it(
    leaver, dsl, client_for, back, reads
):
    # As the head teacher's report counts it: back by the due day, the file was never due.
    due = date(2025, 9, 8)
    came_back_from(leaver, dsl, date(2025, 9, 1), "Lea Manor High", due, due + timedelta(back))
    page = client_for(dsl).get(reverse("concerns:pupil_chronology", args=[leaver.pk])).text
    assert html_tables(page)["earlier-leavings"][1][3].startswith(reads)


def test_a_pupil_who_comes_back_before_the_file_was_sent_is_told_it_is_no_longer_due(
    leaver, dsl, client_for
):
    left(leaver, dsl)
    came_back = reverse("concerns:returned", args=[leaver.pk])
    client = client_for(dsl)
    assert "The file has not been sent, and will no longer be due" in client.get(came_back).text
    response = client.post(came_back, day("returned_on", today()), follow=True)
    assert "Their file was not sent, and is no longer due" in response.text
    assert "There are no files to send or to confirm" in client.get(LEAVERS).text


def test_the_day_they_came_back_is_checked_beside_its_field_with_what_was_typed_kept(
    leaver, dsl, client_for
):
    left(leaver, dsl)
    came_back = reverse("concerns:returned", args=[leaver.pk])
    before = today() - timedelta(days=5)
    response = client_for(dsl).post(came_back, day("returned_on", before))
    assert response.status_code == 200
    page = response.text
    assert "<title>Error: " in page
    assert "The date the pupil came back must be on or after" in page
    assert 'href="#returned_on' in page or 'href="#id_returned_on' in page
    assert f'value="{before.day}"' in page
    assert FileTransfer.objects.get().returned_on is None


def test_only_a_lead_is_offered_to_record_a_return(leaver, dsl, head, client_for):
    left(leaver, dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    came_back = reverse("concerns:returned", args=[leaver.pk])
    assert came_back not in client_for(head).get(chronology).text
    assert client_for(head).get(came_back).status_code == 403


def test_a_dsl_corrects_a_leaving_from_the_chronology(leaver, dsl, client_for):
    left(leaver, dsl)
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    assert f'href="{change}"' in client.get(chronology).text
    form = client.get(change).text
    assert 'value="Wardown Vale High School"' in form  # the details as recorded, to correct
    drawn = re.search(r'name="drawn" value="(\w+)"', form).group(1)
    starts = today() + timedelta(days=7)
    response = client.post(
        change,
        {
            "new_school": "Stopsley High School",
            **day("left_on", today() - timedelta(days=2)),
            **day("starts_on", starts),
            "drawn": drawn,
        },
        follow=True,
    )
    assert response.redirect_chain == [(chronology, 302)]
    due = FileTransfer.objects.get().due_on
    assert f"The file is due by {due.day} {due:%B %Y}" in response.text
    assert "leaving have been saved" in response.text
    assert "Left on" in response.text
    assert 'for <span dir="auto">Stopsley High School</span>' in response.text


def test_once_the_file_is_sent_its_day_and_the_leaving_are_corrected_from_the_chronology(
    leaver, dsl, deputy_dsl, client_for
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    unsent = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    record_file_sent(transfer, by=deputy_dsl, sent_on=today(), sent_how="post")
    details = {
        "new_school": "Stopsley High School",
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.starts_on),
    }
    # A page drawn before a colleague recorded the sending: refused, showing theirs.
    page = client.post(change, details | {"drawn": unsent}).text
    assert "since this page was opened" in page
    # The sending, as the colleague recorded it, fills the boxes the page did not have.
    assert f'name="sent_on_0" value="{today().day}"' in page
    assert 'value="Stopsley High School"' in page  # what was typed, kept
    assert FileTransfer.objects.get().new_school == "Wardown Vale High School"
    fresh = re.search(r'name="drawn" value="(\w+)"', page).group(1)
    again = details | day("sent_on", today()) | {"sent_how": "post", "drawn": fresh}
    assert client.post(change, again).status_code == 302
    assert FileTransfer.objects.get().new_school == "Stopsley High School"

    assert f'href="{change}"' in client.get(chronology).text
    form = client.get(change).text
    assert "leaving and file" in form
    assert f'name="sent_on_0" value="{today().day}"' in form  # the sending, as recorded
    drawn = re.search(r'name="drawn" value="(\w+)"', form).group(1)
    # A sending day after today is refused beside it, with what was typed kept.
    response = client.post(
        change,
        details
        | day("sent_on", today() + timedelta(days=7))
        | {"sent_how": "post", "drawn": drawn},
    )
    assert response.status_code == 200
    assert "The date the file was sent must be today or in the past" in response.text
    response = client.post(
        change,
        details | day("sent_on", today()) | {"sent_how": "by_hand", "drawn": drawn},
        follow=True,
    )
    assert response.redirect_chain == [(chronology, 302)]
    assert "leaving have been saved" in response.text
    assert 'for <span dir="auto">Stopsley High School</span>' in response.text
    saved = FileTransfer.objects.get()
    assert (saved.new_school, saved.sent_how) == ("Stopsley High School", "by_hand")
    corrections = AuditEvent.objects.filter(action="pupil.leaving.correct").order_by("pk")
    assert [event.detail for event in corrections] == [
        {"changed": ["new_school"]},
        {"changed": ["sent_how"]},
    ]


def test_a_correction_that_changes_nothing_says_so_and_is_not_logged_as_one(
    leaver, dsl, client_for
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    drawn = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    response = client.post(
        change,
        {
            "new_school": transfer.new_school,
            **day("left_on", transfer.left_on),
            **day("starts_on", transfer.starts_on),
            "drawn": drawn,
        },
        follow=True,
    )
    assert response.redirect_chain == [
        (reverse("concerns:pupil_chronology", args=[leaver.pk]), 302)
    ]
    assert "Nothing was changed" in response.text
    assert "have been saved" not in response.text
    assert ">Important</h2>" in response.text  # not a success: nothing happened
    assert not AuditEvent.objects.filter(action="pupil.leaving.correct").exists()


@pytest.mark.parametrize("field", ["left_on", "new_school"])
def test_a_correction_of_one_detail_that_leaves_the_due_day_says_saved(
    leaver, dsl, client_for, field
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    drawn = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    details = {
        "new_school": transfer.new_school,
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.starts_on),
    }
    if field == "left_on":
        details |= day("left_on", transfer.left_on - timedelta(days=1))
    else:
        details["new_school"] = "Stopsley High School"
    response = client.post(change, {**details, "drawn": drawn}, follow=True)
    assert "leaving have been saved" in response.text
    assert "Nothing was changed" not in response.text


def test_a_correction_drawn_before_a_colleagues_is_refused_and_shows_theirs(
    leaver, dsl, deputy_dsl, client_for
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    drawn = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    theirs = {"left_on": transfer.left_on, "starts_on": transfer.starts_on}
    correct_leaving(
        transfer, by=deputy_dsl, drawn=drawn, new_school="Putteridge High School", **theirs
    )
    mine = {
        "new_school": "Stopsley High School",
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.starts_on),
        "drawn": drawn,
    }
    response = client.post(change, mine)
    assert response.status_code == 200
    page = response.text
    assert "since this page was opened" in page
    assert "Putteridge High School</span></dd>" in page  # the colleague's correction, shown
    assert 'value="Stopsley High School"' in page  # and what was typed, kept
    fresh = re.search(r'name="drawn" value="(\w+)"', page).group(1)
    assert FileTransfer.objects.get().new_school == "Putteridge High School"
    response = client.post(change, mine | {"drawn": fresh})
    assert response.status_code == 302
    assert FileTransfer.objects.get().new_school == "Stopsley High School"


def test_a_mistake_on_a_stale_correction_says_first_that_a_colleague_corrected_it(
    leaver, dsl, deputy_dsl, client_for
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    drawn = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    correct_leaving(
        transfer,
        by=deputy_dsl,
        drawn=drawn,
        new_school="Putteridge High School",
        left_on=transfer.left_on,
        starts_on=transfer.starts_on,
    )
    # A first day before the day they left, on a page drawn before the colleague's correction.
    mine = {
        "new_school": "Stopsley High School",
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.left_on - timedelta(days=1)),
    }
    page = client.post(change, mine | {"drawn": drawn}).text
    assert "since this page was opened" in page
    assert "Putteridge High School</span></dd>" in page
    assert FileTransfer.objects.get().new_school == "Putteridge High School"


@pytest.mark.parametrize("step", ["file_sent", "returned", "leaving_change"])
def test_a_page_drawn_for_an_earlier_leaving_does_not_apply_to_the_next(
    leaver, dsl, deputy_dsl, client_for, step
):
    first = left(leaver, dsl)
    client = client_for(dsl)
    page = reverse(f"concerns:{step}", args=[leaver.pk])
    drawn_for = re.search(r'name="leaving" value="(\d+)"', client.get(page).text).group(1)
    assert drawn_for == str(first.pk)
    # Meanwhile the pupil came back and left again, for another school.
    record_return(first, by=deputy_dsl, returned_on=today())
    second = record_leaving(
        leaver, by=deputy_dsl, left_on=today(), starts_on=today(), new_school="Stopsley High"
    )
    data = {
        **day("sent_on", today()),
        "sent_how": "post",
        **day("returned_on", today()),
        "new_school": "Wardown Vale High School",
        **day("left_on", today()),
        **day("starts_on", today()),
        "leaving": drawn_for,
    }
    response = client.post(page, data, follow=True)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    assert response.redirect_chain == [(chronology, 302)]
    assert "This page was for an earlier leaving" in response.text
    second.refresh_from_db()
    assert (second.sent_on, second.returned_on, second.new_school) == (None, None, "Stopsley High")


def test_a_page_for_a_pupil_who_came_back_names_their_latest_return(leaver, dsl, client_for):
    days = lambda n: today() - timedelta(days=n)  # noqa: E731
    first = record_leaving(leaver, by=dsl, left_on=days(40), starts_on=days(40), new_school="A")
    record_return(first, by=dsl, returned_on=days(30))
    second = record_leaving(leaver, by=dsl, left_on=days(20), starts_on=days(20), new_school="B")
    record_return(second, by=dsl, returned_on=days(10))
    page = reverse("concerns:file_sent", args=[leaver.pk])
    response = client_for(dsl).get(page, follow=True)
    back = days(10)
    assert f"came back to the school on {back.day} {back:%B %Y}." in response.text
    assert "Nothing was saved" not in response.text  # only a submission saves anything


def test_a_colleagues_correction_landing_mid_request_is_shown_and_answered_to(
    leaver, dsl, client_for, monkeypatch
):
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    form = client.get(change).text
    assert "First day at the new school</dt>" in form
    assert f'<a href="{reverse("concerns:pupil_chronology", args=[leaver.pk])}"' in form
    drawn = re.search(r'name="drawn" value="(\w+)"', form).group(1)
    real = leavers._leaving

    def colleague_meanwhile(pupil, **fields):
        # After the first check of the page's version, before the row is locked.
        FileTransfer.objects.filter(pk=transfer.pk).update(new_school="Putteridge High School")
        return real(pupil, **fields)

    monkeypatch.setattr(leavers, "_leaving", colleague_meanwhile)
    mine = {
        "new_school": "Stopsley High School",
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.starts_on),
    }
    page = client.post(change, mine | {"drawn": drawn}).text
    assert "since this page was opened" in page
    assert "Putteridge High School</span></dd>" in page
    fresh = re.search(r'name="drawn" value="(\w+)"', page).group(1)
    assert fresh == leaving_version(FileTransfer.objects.get())


def test_a_correction_sent_twice_is_saved_once_and_the_second_says_nothing_changed(
    leaver, dsl, client_for
):
    # Without JavaScript, nothing stops a second press of the button.
    transfer = left(leaver, dsl)
    client = client_for(dsl)
    change = reverse("concerns:leaving_change", args=[leaver.pk])
    drawn = re.search(r'name="drawn" value="(\w+)"', client.get(change).text).group(1)
    mine = {
        "new_school": "Stopsley High School",
        **day("left_on", transfer.left_on),
        **day("starts_on", transfer.starts_on),
        "drawn": drawn,
    }
    assert client.post(change, mine).status_code == 302
    response = client.post(change, mine, follow=True)
    assert response.redirect_chain == [
        (reverse("concerns:pupil_chronology", args=[leaver.pk]), 302)
    ]
    assert "since this page was opened" not in response.text  # no colleague was involved
    assert "Nothing was changed" in response.text
    assert FileTransfer.objects.get().new_school == "Stopsley High School"
    assert AuditEvent.objects.filter(action="pupil.leaving.correct").count() == 1


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)


def test_no_leaving_pages_title_names_the_pupil_which_browser_history_keeps(
    leaver, dsl, client_for
):
    # SECURITY.md: no page's title names a child. Each page is told apart by the pupil's number,
    # as the chronology's is; the heading still says whose it is.
    client = client_for(dsl)
    pages = [client.get(reverse("concerns:leaving", args=[leaver.pk]))]
    transfer = left(leaver, dsl)
    for name in ("concerns:file_sent", "concerns:returned", "concerns:leaving_change"):
        pages.append(client.get(reverse(name, args=[leaver.pk])))
    record_file_sent(transfer, by=dsl, sent_on=today(), sent_how="post")
    pages.append(client.get(reverse("concerns:file_received", args=[leaver.pk])))
    for page in pages:
        assert page.status_code == 200
        assert leaver.given_name not in title_of(page)
        assert leaver.family_name not in title_of(page)
        assert f"pupil {leaver.pk}" in title_of(page)
        assert leaver.full_name in page.text


@pytest.mark.parametrize("step", ["leaving_change", "returned"])
def test_a_step_opened_from_the_file_leads_back_to_the_file_and_from_the_chronology_to_it(
    leaver, dsl, client_for, step
):
    left(leaver, dsl)
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    file = reverse("concerns:pupil_file", args=[leaver.pk])
    url = reverse(f"concerns:{step}", args=[leaver.pk])
    assert f'href="{url}?from=file"' in client.get(file).text
    assert f'href="{url}"' in client.get(chronology).text
    for opened, back in (
        (f"{url}?from=file", file),
        (url, chronology),
        (f"{url}?from=x", chronology),
    ):
        page = client.get(opened).text
        assert f'<a href="{back}" class="govuk-back-link">' in page, opened
        refused = client.post(opened, {}).text  # the page shown again keeps its way back
        assert f'<a href="{back}" class="govuk-back-link">' in refused, opened


def test_each_step_sent_twice_says_it_was_recorded_not_that_nothing_was_saved(
    leaver, dsl, client_for
):
    """A second click (or the back button and Send again) arrives once the first has recorded
    the step: it is told so, and the step is recorded once."""
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[leaver.pk])
    steps = [
        (
            "concerns:leaving",
            {
                "new_school": "Wardown Vale High School",
                **day("left_on", today() - timedelta(days=2)),
                **day("starts_on", today() - timedelta(days=1)),
            },
            LEAVERS,
            "child protection file is now on the leavers' list",
        ),
        (
            "concerns:file_sent",
            {**day("sent_on", today()), "sent_how": "post"},
            LEAVERS,
            "file has been recorded as sent",
        ),
        (
            "concerns:file_received",
            {**day("received_on", today()), "received_by": "Sam Patel, DSL"},
            LEAVERS,
            "file has been recorded as received",
        ),
        (
            "concerns:returned",
            day("returned_on", today()),
            chronology,
            "is recorded as back at the school",
        ),
    ]
    for name, data, done, said in steps:
        url = reverse(name, args=[leaver.pk])
        for _ in range(2):
            response = client.post(url, data, follow=True)
            assert response.redirect_chain == [(done, 302)], name
            assert said in notice(response.text), name
            assert "Nothing was saved" not in response.text, name
    transfer = FileTransfer.objects.get()
    assert (transfer.sent_how, transfer.received_by) == ("post", "Sam Patel, DSL")
    assert transfer.returned_on == today()
    for action in ("leaving.record", "file.sent", "file.received", "return.record"):
        assert AuditEvent.objects.filter(action=f"pupil.{action}").count() == 1, action


def test_a_step_sent_again_with_other_details_still_says_nothing_was_saved(leaver, dsl, client_for):
    left(leaver, dsl, sent=True)
    sent = reverse("concerns:file_sent", args=[leaver.pk])
    data = {**day("sent_on", today()), "sent_how": "by_hand"}  # recorded as sent by post
    response = client_for(dsl).post(sent, data, follow=True)
    assert "file is already recorded as sent. Nothing was saved." in response.text
    assert FileTransfer.objects.get().sent_how == "post"


def test_a_return_sent_twice_on_a_day_of_two_returns_answers_for_the_latest(
    leaver, dsl, client_for
):
    """A pupil who left and came back twice in one day (the second leaving to another school,
    its file not sent): the second click on the last return is told about that return, not
    the morning's."""
    record_return(left(leaver, dsl, sent=True), by=dsl, returned_on=today())
    record_leaving(
        leaver,
        by=dsl,
        left_on=today(),
        starts_on=today(),
        new_school="Stopsley Park Academy",
    )
    url = reverse("concerns:returned", args=[leaver.pk])
    client = client_for(dsl)
    for _ in range(2):
        said = notice(client.post(url, day("returned_on", today()), follow=True).text)
        assert "Their file was not sent, and is no longer due" in said
        assert "Wardown Vale" not in said
    assert FileTransfer.objects.filter(returned_on=today()).count() == 2
