"""The DSL's pages for reviewing records at a pupil's 25th birthday: the records due, longest
due first; the review, which keeps them (with a reason and a day to look again) or destroys
them; and the school's log of reviews. Mistakes are shown beside their field, with what was
typed kept. The head teacher reads both lists."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import Concern, RecordsReview
from schools.models import Pupil, Role
from tests.factories import PupilFactory, kept_review, member
from tests.notices import notice
from workflow import retention
from workflow.concerns import close_concern, record_concern
from workflow.retention import keep_records, review_due_on

from ..walk import closing, concern_data

LIST = reverse("concerns:records_reviews")
DONE = LIST + "?done=yes"


def today():
    return timezone.localdate()


def day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def review(pupil):
    return reverse("concerns:records_review", args=[pupil.pk])


def born_years_ago(years, days=0):
    born = today() - timedelta(days=days)
    try:
        return born.replace(year=born.year - years)
    except ValueError:
        return date(born.year - years, 2, 28)


def former_pupil(school, by, years=26, days=0, **names):
    """A pupil `years` old with one closed concern, recorded by `by` (a DSL of `school`)."""
    pupil = PupilFactory(school=school, date_of_birth=born_years_ago(years, days), **names)
    concern = record_concern(by=by, pupil=pupil, **concern_data())
    close_concern(concern, by=by, **closing(outcome="nfa"))
    return pupil


def test_the_dsl_keeps_records_for_longer_from_the_list(school, dsl, client_for):
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    client = client_for(dsl)
    page = client.get(LIST).content.decode()
    assert "Jordan Example" in page
    due = review_due_on(jordan.date_of_birth)
    assert f"{due.day} {due:%B %Y}" in page
    assert f'href="{review(jordan)}"' in page

    form = client.get(review(jordan)).content.decode()
    assert 'Review the records about <span dir="auto">Jordan Example</span>' in form
    assert "cannot be recovered" in form
    assert AuditEvent.objects.filter(
        action="pupil.review.view", object_id=str(jordan.pk), actor=dsl
    ).exists()

    again = today() + timedelta(days=365)
    response = client.post(
        review(jordan),
        {
            "decision": "keep",
            "reason": "A civil claim is pending.",
            **day("review_again_on", again),
        },
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    page = response.content.decode()
    assert f"The records about Jordan Example are kept. Review them again on {again.day}" in notice(
        page
    )
    assert "There are no records to review." in page
    done = client.get(DONE).content.decode()
    assert "A civil claim is pending." in done
    assert f"Kept until {again.day} {again:%B %Y}" in done
    assert "Jordan Example" in done
    assert f'href="{review(jordan)}"' in done  # to review them again before the day set
    # Kept: the review page says until when and why, for a review again.
    form = client.get(review(jordan)).content.decode()
    assert 'Review the records about <span dir="auto">Jordan Example</span> again' in form
    assert f"The records are kept until {again.day} {again:%B %Y}" in form
    assert "A civil claim is pending." in form


def test_the_dsl_destroys_the_records_and_the_log_keeps_only_the_reference(school, dsl, client_for):
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    reference = jordan.pk
    client = client_for(dsl)
    response = client.post(review(jordan), {"decision": "destroy", "confirmed": "on"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    message = f"The records with file reference {reference} (1 concern) were destroyed"
    assert message in response.content.decode()
    assert "Jordan" not in response.content.decode()
    assert not Pupil.objects.filter(pk=reference).exists()
    assert not Concern.objects.filter(pupil_id=reference).exists()
    done = client.get(DONE).content.decode()
    assert "Destroyed" in done
    assert f">{reference}<" in done
    assert "Jordan" not in done  # the log keeps nothing about the child
    gone = client.get(review(jordan), follow=True)
    assert gone.redirect_chain == [(DONE, 302)]  # the review page says they were destroyed
    assert "Jordan" not in gone.text
    assert client.get(reverse("concerns:pupil_chronology", args=[reference])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "decision", "Select whether to keep or destroy the records"),
        ({"decision": "keep"}, "reason", "Enter why the records are kept for longer"),
        (
            {"decision": "keep", "reason": "A claim is pending."},
            "review_again_on",
            "Enter when to review the records again",
        ),
        (
            {
                "decision": "keep",
                "reason": "A claim is pending.",
                **day("review_again_on", date(2020, 1, 1)),
            },
            "review_again_on",
            "must be in the future",
        ),
        ({"decision": "destroy"}, "confirmed", "cannot be recovered"),
        (
            {"decision": "keep", "reason": "A claim is pending. " * 251},
            "reason",
            "Write 5,000 characters or fewer",
        ),
    ],
)
def test_a_mistake_is_shown_beside_its_field_and_what_was_typed_is_kept(
    school, dsl, client_for, data, field, message
):
    jordan = former_pupil(school, dsl)
    response = client_for(dsl).post(review(jordan), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<title>Error: " in page
    assert f'href="#{field}' in page or f'href="#id_{field}' in page  # the error summary's link
    for value in data.values():
        if isinstance(value, str) and value not in {"on", "keep", "destroy"}:
            assert value in page
    assert Concern.objects.filter(pupil=jordan).exists()
    assert not RecordsReview.objects.exists()


def test_an_open_concern_stops_the_destruction_and_says_why(school, dsl, client_for):
    jordan = former_pupil(school, dsl)
    record_concern(by=dsl, pupil=jordan, **concern_data())
    response = client_for(dsl).post(review(jordan), {"decision": "destroy", "confirmed": "on"})
    assert response.status_code == 200
    assert "1 concern about the pupil is still open" in response.content.decode()
    assert Concern.objects.filter(pupil=jordan).count() == 2


def test_records_not_yet_due_are_not_listed_nor_reviewable(school, dsl, client_for):
    young = former_pupil(school, dsl, years=25, days=-1, given_name="Young")
    client = client_for(dsl)
    assert "Young" not in client.get(LIST).content.decode()
    response = client.get(review(young), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    due = review_due_on(young.date_of_birth)
    assert f"are kept until Young is 25, on {due.day} {due:%B %Y}" in notice(response.text)
    response = client.post(review(young), {"decision": "destroy", "confirmed": "on"})
    assert response.status_code == 302
    assert Concern.objects.filter(pupil=young).exists()


def test_the_head_teacher_reads_both_lists_without_the_review_links(school, dsl, head, client_for):
    jordan = former_pupil(school, dsl, given_name="Jordan")
    kept = former_pupil(school, dsl, given_name="Kept")
    keep_records(
        kept, by=dsl, reason="An inquiry asked for them.", review_again_on=today() + timedelta(10)
    )
    client = client_for(head)
    page = client.get(LIST).content.decode()
    assert "Jordan" in page
    assert review(jordan) not in page
    done = client.get(DONE).content.decode()
    assert "An inquiry asked for them." in done
    assert review(kept) not in done
    assert client.get(review(jordan)).status_code == 403
    assert AuditEvent.objects.filter(action="pupil.reviews.view", actor=head).count() == 2


def test_lists_show_only_the_schools_own_records(school, other_school, dsl, client_for):
    other_dsl = member(Role.DSL, other_school)
    theirs = former_pupil(other_school, other_dsl, given_name="Theirs")
    keep_records(
        theirs, by=other_dsl, reason="Their own reason.", review_again_on=today() + timedelta(1)
    )
    former_pupil(other_school, other_dsl, given_name="Another")
    ours = former_pupil(school, dsl, given_name="Ours")
    client = client_for(dsl)
    page = client.get(LIST).content.decode()
    assert "Ours" in page
    assert "Another" not in page
    assert "Their own reason." not in client.get(DONE).content.decode()
    assert client.get(review(theirs)).status_code == 404
    assert ours.pk != theirs.pk


def test_answers_under_the_other_choice_are_not_used(school, dsl, client_for):
    # GOV.UK's conditional reveal: a question hidden under the other choice is not answered.
    kept, destroyed = former_pupil(school, dsl), former_pupil(school, dsl)
    client = client_for(dsl)
    again = today() + timedelta(days=30)
    client.post(
        review(kept),
        {
            "decision": "keep",
            "reason": "A claim.",
            **day("review_again_on", again),
            "confirmed": "on",
        },
    )
    assert Concern.objects.filter(pupil=kept).exists()
    client.post(
        review(destroyed),
        {"decision": "destroy", "confirmed": "on", "reason": "Typed, then destroy chosen."},
    )
    assert not Pupil.objects.filter(pk=destroyed.pk).exists()
    assert list(RecordsReview.objects.order_by("pk").values_list("decision", "reason")) == [
        ("keep", "A claim."),
        ("destroy", ""),
    ]


def test_the_review_page_shows_the_file_and_asks_for_the_confirmation(school, dsl, client_for):
    jordan = former_pupil(school, dsl)
    walk_more = record_concern(by=dsl, pupil=jordan, **concern_data())
    close_concern(walk_more, by=dsl, **closing(outcome="nfa"))
    page = client_for(dsl).get(review(jordan)).content.decode()
    due = review_due_on(jordan.date_of_birth)
    assert f'25th birthday</dt><dd class="govuk-summary-list__value">{due.day} {due:%B %Y}' in page
    assert 'Concerns</dt><dd class="govuk-summary-list__value">2</dd>' in page
    assert f'File reference</dt><dd class="govuk-summary-list__value">{jordan.pk}</dd>' in page
    assert 'type="checkbox" name="confirmed"' in page
    assert "maxlength" not in page  # a browser would cut a longer reason short, silently
    assert f'href="{reverse("concerns:pupil_file", args=[jordan.pk])}"' in page


def test_the_review_page_asks_for_a_date_within_the_longest_keep_it_allows(
    school, dsl, client_for, monkeypatch
):
    monkeypatch.setattr(retention, "LONGEST_KEEP_YEARS", 6)
    page = client_for(dsl).get(review(former_pupil(school, dsl))).text
    assert "Review them again within 6 years." in page
    assert "Within 6 years. For example" in page
    assert "10 years" not in page


def test_the_warning_names_everything_a_destruction_deletes(school, dsl, client_for):
    """The DSL confirms a destruction that cannot be undone: the warning they confirm names
    each kind of record that workflow.retention.destroy_records deletes with the concerns."""
    jordan = former_pupil(school, dsl, given_name="Jordan")
    page = client_for(dsl).get(review(jordan)).content.decode()
    warning = re.search(r'govuk-warning-text__text">(.*?)</strong>', page, re.S).group(1)
    for deleted in (
        (
            'every concern about <span dir="auto">Jordan</span>, with its history, advice and'
            " attachments"
        ),
        "a colleague has started and not sent",
        "their leavings and of their file sent on",
        "requests for their records (subject access)",
        '<span dir="auto">Jordan</span> from the school\'s roll',
    ):
        assert deleted in warning


def test_the_lists_are_in_order_with_each_pupils_count(school, dsl, client_for):
    for name, years in (("Middle", 30), ("Oldest", 40), ("Youngest", 26)):
        former_pupil(school, dsl, years=years, given_name=name)
    twice = Pupil.objects.get(given_name="Middle")
    close_concern(
        record_concern(by=dsl, pupil=twice, **concern_data()), by=dsl, **closing(outcome="nfa")
    )
    client = client_for(dsl)
    page = client.get(LIST).content.decode()
    assert page.index("Oldest") < page.index("Middle") < page.index("Youngest")
    row = page[page.index("Middle") :]
    assert 'govuk-table__cell--numeric">2</td>' in row[: row.index("</tr>")]
    for name in ("Oldest", "Youngest"):
        keep_records(
            Pupil.objects.get(given_name=name),
            by=dsl,
            reason=f"{name} claim.",
            review_again_on=today() + timedelta(days=5),
        )
    done = client.get(DONE).content.decode()
    assert done.index("Youngest claim.") < done.index("Oldest claim.")  # latest first
    assert 'by <span dir="auto">Dee Lead</span>' in done


def test_a_pupil_not_due_is_not_reviewable_beside_one_who_is(school, dsl, client_for):
    former_pupil(school, dsl, given_name="Due")
    no_records = PupilFactory(school=school, date_of_birth=born_years_ago(30), given_name="None")
    response = client_for(dsl).get(review(no_records), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "are not held: no concerns are recorded" in response.content.decode()


def test_only_the_leads_are_told_what_stops_a_destruction(school, dsl, head, client_for):
    sentence = "Records are not destroyed while a concern is still open"
    assert sentence in client_for(dsl).get(LIST).content.decode()
    assert sentence not in client_for(head).get(LIST).content.decode()


def since(page):
    """The latest review the page was drawn after, as its hidden field holds it."""
    hidden = re.search(r'<input type="hidden" name="since"[^>]*>', page).group(0)
    value = re.search(r'value="(\d+)"', hidden)
    return value.group(1) if value else ""


def test_the_dsl_reviews_kept_records_again_once_the_reason_has_ended(school, dsl, client_for):
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    client = client_for(dsl)
    again = today() + timedelta(days=3000)
    client.post(
        review(jordan),
        {
            "decision": "keep",
            "reason": "A civil claim is pending.",
            "since": since(client.get(review(jordan)).text),
            **day("review_again_on", again),
        },
    )
    kept = RecordsReview.objects.get()
    # The claim is settled: from the log, the DSL reviews the records again and destroys them.
    done = client.get(DONE).text
    assert f'href="{review(jordan)}"' in done
    form = client.get(review(jordan)).text
    assert 'Review the records about <span dir="auto">Jordan Example</span> again' in form
    assert since(form) == str(kept.pk)
    response = client.post(
        review(jordan),
        {"decision": "destroy", "confirmed": "on", "since": since(form)},
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    assert f"file reference {jordan.pk} (1 concern) were destroyed" in response.text
    assert not Pupil.objects.filter(pk=jordan.pk).exists()
    done = client.get(DONE).text
    assert "Review again" not in done
    assert done.count("Destroyed") == 1
    # The earlier keep's reason went with the records: the log says so, not "because:" alone.
    assert "A civil claim" not in done
    assert "because: <" not in done
    assert "the reason was removed with the records" in done


def test_a_page_drawn_before_a_colleagues_review_is_refused_and_shows_theirs(
    school, dsl, deputy_dsl, client_for
):
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    client = client_for(dsl)
    drawn = client.get(review(jordan)).text
    theirs = keep_records(
        jordan, by=deputy_dsl, reason="The police asked.", review_again_on=today() + timedelta(9)
    )
    mine = {
        "decision": "keep",
        "reason": "A claim.",
        "since": since(drawn),
        **day("review_again_on", today() + timedelta(days=40)),
    }
    response = client.post(review(jordan), mine)
    assert response.status_code == 200
    page = response.text
    assert "already decided to keep these records until" in page
    assert "The police asked." in page  # the colleague's review, on the page now
    assert ">\nA claim.</textarea>" in page  # and what was typed, kept
    assert since(page) == str(theirs.pk)
    assert list(RecordsReview.objects.all()) == [theirs]
    # Sent again from the page as it now stands, it replaces the colleague's review.
    response = client.post(review(jordan), mine | {"since": since(page)})
    assert response.status_code == 302
    assert RecordsReview.objects.latest("pk").reason == "A claim."
    assert client.get(DONE).text.count("Review again<span") == 1  # from the latest review only


def test_the_due_list_puts_the_longest_due_first_including_records_kept_until_now(
    school, dsl, client_for
):
    former_pupil(school, dsl, years=40, given_name="Fifteen")  # due 15 years ago
    former_pupil(school, dsl, years=26, given_name="OneYear")  # due a year ago
    kept = former_pupil(school, dsl, years=60, given_name="KeptTo")
    kept_review(kept, by=dsl, reason="An inquiry.", days=-1)  # kept until yesterday
    page = client_for(dsl).get(LIST).text
    assert page.index("Fifteen") < page.index("OneYear") < page.index("KeptTo")
    row = page[page.index("KeptTo") :]
    row = row[: row.index("</tr>")]
    yesterday = today() - timedelta(days=1)
    assert f"{yesterday.day} {yesterday:%B %Y}" in row
    assert "the day set when the records were kept" in row
    first = page[page.index("Fifteen") :]
    assert "25th birthday" in first[: first.index("</tr>")]


@pytest.mark.parametrize(
    "mine",
    [
        {"decision": "destroy"},  # the confirmation left unticked
        {"decision": "keep", "reason": "A claim."},  # the date left out
    ],
    ids=["destroy", "keep"],
)
def test_a_stale_page_says_so_before_anything_else_and_only_then_answers_to_the_colleague(
    school, dsl, deputy_dsl, client_for, mine
):
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    client = client_for(dsl)
    drawn = since(client.get(review(jordan)).text)
    theirs = keep_records(
        jordan, by=deputy_dsl, reason="The police asked.", review_again_on=today() + timedelta(9)
    )
    # A mistake on a stale page: told of the colleague's review first, and shown it.
    page = client.post(review(jordan), mine | {"since": drawn}).text
    assert "Someone has already decided to keep these records until" in page
    assert "The police asked." in page
    assert since(page) == str(theirs.pk)
    assert list(RecordsReview.objects.all()) == [theirs]
    assert Pupil.objects.filter(pk=jordan.pk).exists()


def test_a_mistake_on_an_up_to_date_page_does_not_move_it_past_a_colleagues_review(
    school, dsl, deputy_dsl, client_for, monkeypatch
):
    # The colleague's review lands after the page's first check and before its mistake is
    # found: the refusal is for the mistake, and the page still answers to what it was drawn
    # from, so its next submission is refused as stale rather than applied over the review.
    jordan = former_pupil(school, dsl, given_name="Jordan", family_name="Example")
    client = client_for(dsl)
    drawn = since(client.get(review(jordan)).text)
    real = retention._not_superseded

    def colleague_meanwhile(pupil, since_):
        real(pupil, since_)
        if not RecordsReview.objects.exists():
            kept_review(jordan, by=deputy_dsl, reason="The police asked.", days=9)

    monkeypatch.setattr(retention, "_not_superseded", colleague_meanwhile)
    page = client.post(review(jordan), {"decision": "destroy", "since": drawn}).text
    assert "Confirm that you understand" in page
    assert since(page) == drawn
    monkeypatch.setattr(retention, "_not_superseded", real)
    page = client.post(review(jordan), {"decision": "destroy", "confirmed": "on", "since": drawn})
    assert "Someone has already decided to keep these records" in page.text
    assert Pupil.objects.filter(pk=jordan.pk).exists()


def test_records_kept_until_today_are_due_again_not_kept(school, dsl, client_for):
    jordan = former_pupil(school, dsl)
    kept_review(jordan, by=dsl, reason="A claim.", days=0)
    page = client_for(dsl).get(review(jordan)).text
    assert "<title>Review the records about a pupil again" in page
    assert "Kept until, then due again" in page
    assert "The records are kept until" not in page


def test_review_again_is_offered_from_the_latest_review_only(school, dsl, client_for):
    jordan = former_pupil(school, dsl)
    first = keep_records(
        jordan, by=dsl, reason="First reason.", review_again_on=today() + timedelta(9)
    )
    keep_records(
        jordan,
        by=dsl,
        reason="Second reason.",
        review_again_on=today() + timedelta(19),
        since=first.pk,
    )
    rows = re.findall(
        r'<tr class="govuk-table__row">.*?</tr>', client_for(dsl).get(DONE).text, re.S
    )
    latest = next(row for row in rows if "Second reason." in row)
    earlier = next(row for row in rows if "First reason." in row)
    assert "Review again" in latest
    assert "Review again" not in earlier


@pytest.mark.parametrize(("years", "days", "offered"), [(25, 0, True), (25, -1, False)])
def test_the_chronology_leads_a_dsl_to_the_review_from_the_25th_birthday(
    school, dsl, head, client_for, years, days, offered
):
    # On the 25th birthday itself the records are due; the day before, not yet.
    former = former_pupil(school, dsl, years=years, days=days)
    chronology = reverse("concerns:pupil_chronology", args=[former.pk])
    link = f'href="{review(former)}"'
    assert (link in client_for(dsl).get(chronology).text) is offered
    assert link not in client_for(head).get(chronology).text  # the head teacher reads only
    if offered:
        assert client_for(dsl).get(review(former)).status_code == 200


def test_a_mistake_under_the_other_choice_does_not_stop_the_one_chosen(school, dsl, client_for):
    # Without JavaScript both questions show: a day half typed under "keep", then "destroy"
    # chosen. With it, the "keep" question is hidden: an error there could not be seen or put
    # right, and the error summary's link would lead nowhere.
    pupil = former_pupil(school, dsl)
    response = client_for(dsl).post(
        review(pupil),
        {"decision": "destroy", "confirmed": "on", "review_again_on_0": "31"},
    )
    assert response.status_code == 302
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    # The same day half typed with "keep" chosen is still the mistake it is.
    kept = former_pupil(school, dsl)
    page = client_for(dsl).post(
        review(kept), {"decision": "keep", "reason": "A claim.", "review_again_on_0": "31"}
    )
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    assert not RecordsReview.objects.filter(pupil=kept).exists()


def test_a_review_sent_after_the_records_were_destroyed_says_so_rather_than_not_found(
    school, other_school, dsl, deputy_dsl, client_for
):
    pupil = former_pupil(school, dsl)
    reference = pupil.pk
    client = client_for(dsl)
    assert client.get(review(pupil)).status_code == 200
    # A colleague destroys the records while this page is open (or the DSL's own first
    # press of the button did, and this is the second).
    client_for(deputy_dsl).post(review(pupil), {"decision": "destroy", "confirmed": "on"})
    again = today() + timedelta(days=30)
    keep = {"decision": "keep", "reason": "A claim.", **day("review_again_on", again)}
    for data in (keep, {"decision": "destroy", "confirmed": "on"}):
        response = client.post(review(pupil), data, follow=True)
        assert response.redirect_chain == [(DONE, 302)]
        assert f"The records with file reference {reference} were destroyed on " in response.text
        assert "Nothing was saved" in response.text
    assert list(RecordsReview.objects.values_list("decision", flat=True)) == ["destroy"]
    # The school's own log, not a look at someone else's records: no refusal is audited.
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    # Another school's DSL is told nothing of it.
    other = client_for(member(Role.DSL, other_school))
    assert other.post(review(pupil), keep).status_code == 404


def test_a_keep_sent_twice_is_recorded_once_and_not_refused_as_a_colleagues(
    school, dsl, client_for
):
    # Without JavaScript, nothing stops a second press of the button.
    pupil = former_pupil(school, dsl)
    client = client_for(dsl)
    again = today() + timedelta(days=30)
    data = {
        "decision": "keep",
        "reason": "A claim.",
        "since": since(client.get(review(pupil)).text),
        **day("review_again_on", again),
    }
    assert client.post(review(pupil), data).status_code == 302
    response = client.post(review(pupil), data, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert f"are kept. Review them again on {again.day} {again:%B %Y}" in response.text
    assert RecordsReview.objects.count() == 1
    assert AuditEvent.objects.filter(action="pupil.records.keep").count() == 1
