"""Nothing typed is lost: every page saves a draft that only its author sees, kept 30 days,
and restored after a session expires mid-form."""

import logging
from datetime import timedelta
from io import StringIO
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns import recording
from concerns.models import Concern, ConcernDraft
from concerns.recording import drafts_for
from concerns.views.record import KEPT
from schools.adapters import SIGNED_IN_AT
from schools.models import Membership, Role
from tests.factories import PASSWORD, member
from workflow.models import Notification

from .journey import ORDER, answers, check_url, done_url, fill, question_url, start

ACCOUNT = (
    "Amelia Ahmed said the boyfriend of her mother, Dan Reed, locked her out of the flat "
    "last night "
    "until midnight and she slept on the stairs"
)


@pytest.fixture
def teacher_client(client_for, teacher):
    return client_for(teacher)


def sign_in(client, user, next_url):
    """The real sign-in form, and the authenticator code if the service asks for one.
    Returns the response that sends the person on to where they were going."""
    response = client.post(
        f"{reverse('account_login')}?next={quote(next_url)}",
        {"login": user.email, "password": PASSWORD, "next": next_url},
    )
    try:
        second_factor = reverse("mfa_authenticate")
    except NoReverseMatch:
        second_factor = None
    if response.status_code == 302 and response["Location"] == second_factor:
        from tests.factories import totp_code  # only where a second factor is required

        response = client.post(second_factor, {"code": totp_code()})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


# Saved on every page ----------------------------------------------------------------------


def test_every_page_saves_its_answers_to_the_draft(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    assert draft.pupil == pupil
    pages = answers()
    for slug in ORDER:
        if slug not in pages:
            continue
        before = ConcernDraft.objects.get(pk=draft.pk).updated_at
        teacher_client.post(question_url(draft, slug), pages[slug])
        draft.refresh_from_db()
        for name, value in pages[slug].items():
            assert draft.answers[name] == (value if isinstance(value, list) else [value]), slug
        assert draft.updated_at >= before


def test_a_page_saved_again_replaces_its_own_answers_and_keeps_the_others(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    teacher_client.post(question_url(draft, "where"), {"location": "Playground"})
    teacher_client.post(
        question_url(draft, "categories"), {"categories": ["neglect", "online_safety"]}
    )
    _age(draft, 29)
    saved_from = timezone.now()
    # One box unticked: the page's list is replaced, not added to.
    teacher_client.post(question_url(draft, "categories"), {"categories": ["online_safety"]})
    draft.refresh_from_db()
    assert draft.answers == {"location": ["Playground"], "categories": ["online_safety"]}
    # Changed now, so it is kept another 30 days from today.
    assert draft.updated_at >= saved_from


def test_save_and_come_back_later_keeps_even_an_unfinished_page(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, {"when": answers()["when"], "where": {"location": "Hall"}})
    response = teacher_client.post(question_url(draft, "categories"), {"action": "later"})
    assert response["Location"] == reverse("home")

    home = teacher_client.get(reverse("home"))
    assert "Your unfinished concerns" in home.text
    assert "Your unfinished concern is saved" in home.text
    assert "Amelia Ahmed" in home.text
    resume = reverse("concerns:record_draft", args=[draft.pk])
    assert f'href="{resume}"' in home.text
    # "What you can do" is still there.
    assert "What you can do" in home.text
    assert reverse("concerns:start") in home.text

    # Carrying on starts at the first question still to answer.
    assert teacher_client.get(resume)["Location"] == question_url(draft, "categories")


def test_resuming_a_complete_draft_goes_to_check_your_answers(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    resume = reverse("concerns:record_draft", args=[draft.pk])
    assert teacher_client.get(resume)["Location"] == check_url(draft)


def test_a_page_shows_what_was_saved_on_it(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    teacher_client.post(question_url(draft, "what-happened"), {"what_happened": ACCOUNT})
    teacher_client.post(question_url(draft, "categories"), {"categories": ["neglect", "fgm"]})
    assert ACCOUNT in teacher_client.get(question_url(draft, "what-happened")).text
    categories = teacher_client.get(question_url(draft, "categories")).text
    assert categories.count('checked="checked"') == 2


def test_drafts_are_listed_on_the_start_page_of_their_author_only(
    client_for, teacher, dsl, school, pupil
):
    draft = start(client_for(teacher), pupil)
    colleague = member(Role.STAFF, school)
    resume = reverse("concerns:record_draft", args=[draft.pk])
    assert resume in client_for(teacher).get(reverse("home")).text
    assert resume in client_for(teacher).get(reverse("concerns:start")).text
    for other in [dsl, colleague]:
        home = client_for(other).get(reverse("home")).text
        assert "Your unfinished concerns" not in home
        assert resume not in home


def test_the_pages_say_how_long_a_draft_is_kept_as_the_purge_keeps_it(
    teacher_client, pupil, monkeypatch
):
    """A shorter DRAFT_LIFETIME was still promised as '30 days': a teacher who came back on the
    20th day found their unfinished concern gone."""
    monkeypatch.setattr(recording, "DRAFT_LIFETIME", timedelta(days=14))
    draft = start(teacher_client, pupil)
    response = teacher_client.post(question_url(draft, "categories"), {"action": "later"})
    home = teacher_client.get(response["Location"]).text
    assert "Carry on with it from your start page within 14 days." in home
    assert "Unfinished concerns are deleted 14 days after you last changed them" in home
    assert "30 days" not in home


def test_a_draft_can_be_deleted_by_its_author(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    url = reverse("concerns:record_delete", args=[draft.pk])
    page = teacher_client.get(url)
    assert "Are you sure you want to delete this unfinished concern?" in page.text
    response = teacher_client.post(url)
    assert response["Location"] == reverse("home")
    assert not ConcernDraft.objects.exists()


# Visible only to its author ---------------------------------------------------------------


def _draft_urls(draft):
    return [
        reverse("concerns:record_draft", args=[draft.pk]),
        reverse("concerns:record_draft_pupil", args=[draft.pk]),
        question_url(draft, "where"),
        check_url(draft),
        reverse("concerns:record_delete", args=[draft.pk]),
    ]


@pytest.mark.parametrize("who", ["colleague", "dsl", "other_school_dsl"])
def test_nobody_but_the_author_can_open_or_change_a_draft(
    request, client_for, teacher, school, pupil, who
):
    draft = start(client_for(teacher), pupil)
    fill(client_for(teacher), draft, {"where": {"location": "Playground"}})
    other = member(Role.STAFF, school) if who == "colleague" else request.getfixturevalue(who)
    client = client_for(other)
    resume = reverse("concerns:record_draft", args=[draft.pk])
    for url in _draft_urls(draft):
        assert client.get(url).status_code == 404, url
        # Resuming only redirects, so it takes GET alone: a POST is refused before any look-up.
        expected = 405 if url == resume else 404
        assert client.post(url, {"location": "Changed"}).status_code == expected, url
    draft.refresh_from_db()
    assert draft.answers["location"] == ["Playground"]
    assert not Concern.objects.exists()
    denied = AuditEvent.objects.filter(action="access.denied", actor=other)
    assert denied.count() == 9
    assert set(denied.values_list("object_type", "object_id")) == {("concern draft", str(draft.pk))}


def test_a_draft_belongs_to_the_school_it_was_started_in(teacher, school, other_school, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=school, pupil=pupil)
    Membership.objects.create(user=teacher, school=other_school, role=Role.STAFF)
    here, there = teacher.memberships.order_by("pk")
    assert list(drafts_for(here)) == [draft]
    assert list(drafts_for(there)) == []


def test_roles_that_do_not_record_have_no_drafts(head, hub_advisor, school):
    ConcernDraft.objects.create(author=head, school=school)
    assert list(drafts_for(head.memberships.get())) == []
    assert list(drafts_for(hub_advisor.memberships.get())) == []


def test_drafts_put_no_child_data_in_logs_or_emails(teacher_client, pupil, dsl, caplog):
    caplog.set_level(logging.DEBUG)
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers(**{"what-happened": {"what_happened": ACCOUNT}}))
    teacher_client.post(check_url(draft))
    assert Concern.objects.get().what_happened == ACCOUNT
    assert "Dan Reed" not in caplog.text
    assert "Ahmed" not in caplog.text
    for notification in Notification.objects.all():
        assert "Dan Reed" not in notification.body
        assert "Ahmed" not in notification.body + notification.subject
    for event in AuditEvent.objects.all():
        assert "Dan Reed" not in str(event.detail)


# Kept 30 days -----------------------------------------------------------------------------


def _age(draft, days):
    ConcernDraft.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - timedelta(days=days)
    )


def test_a_draft_not_changed_for_30_days_is_no_longer_shown(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    _age(draft, 29)
    assert "Your unfinished concerns" in teacher_client.get(reverse("home")).text
    _age(draft, 31)
    assert "Your unfinished concerns" not in teacher_client.get(reverse("home")).text
    assert teacher_client.get(reverse("concerns:record_draft", args=[draft.pk])).status_code == 404
    assert teacher_client.get(check_url(draft)).status_code == 404


def test_purge_drafts_deletes_only_drafts_older_than_30_days(teacher, school, pupil):
    old = ConcernDraft.objects.create(author=teacher, school=school, pupil=pupil)
    recent = ConcernDraft.objects.create(author=teacher, school=school, pupil=pupil)
    _age(old, 31)
    _age(recent, 29)
    out = StringIO()
    call_command("purge_drafts", stdout=out)
    assert list(ConcernDraft.objects.all()) == [recent]
    assert out.getvalue() == "Deleted 1 unfinished concern not changed for 30 days.\n"
    # Safe to run again, as cron will.
    out = StringIO()
    call_command("purge_drafts", stdout=out)
    assert list(ConcernDraft.objects.all()) == [recent]
    assert out.getvalue().startswith("Deleted 0 unfinished concerns")


# A session that expires mid-form ----------------------------------------------------------


def test_text_typed_as_the_session_expired_is_restored_after_signing_in(
    client_for, teacher, pupil, dsl
):
    client = client_for(teacher)
    draft = start(client, pupil)
    fill(client, draft, {k: v for k, v in answers().items() if ORDER.index(k) < 4})
    page = question_url(draft, "what-happened")

    # The session times out while the teacher is typing.
    Session.objects.all().delete()
    response = client.post(page, {"what_happened": ACCOUNT, "action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(page)}"
    assert client.get(page).status_code == 302  # still signed out

    assert sign_in(client, teacher, page)["Location"] == page
    restored = client.get(page)
    assert restored.status_code == 200
    assert ACCOUNT in restored.text
    assert "You were signed out, so we kept what you typed on this page" in restored.text
    draft.refresh_from_db()
    assert draft.answers["what_happened"] == [ACCOUNT]
    assert KEPT not in client.session

    pages = answers()
    response = client.post(page, {"what_happened": ACCOUNT})
    assert response["Location"] == question_url(draft, "child-words")
    fill(client, draft, {k: v for k, v in pages.items() if ORDER.index(k) > 4})
    assert client.post(check_url(draft))["Location"] == done_url(draft)
    assert Concern.objects.get().what_happened == ACCOUNT


def test_a_long_account_typed_as_the_session_expired_is_kept_to_its_last_word(
    client_for, teacher, pupil
):
    """A browser sends each line break as two characters: an account within the limit as its
    writer counts it (19,999 characters over 200 lines) was longer than that as sent, and was
    cut to 20,001 characters when kept for them: its last lines were lost."""
    client = client_for(teacher)
    draft = start(client, pupil)
    page = question_url(draft, "what-happened")
    lines = [
        f"Line {n:03} of what she told me, word for word, as I wrote it down." for n in range(200)
    ]
    lines = [line.ljust(99, ".") for line in lines]
    typed = "\r\n".join(lines)
    assert len(typed) > 20001

    Session.objects.all().delete()
    client.post(page, {"what_happened": typed, "action": "continue"})
    assert sign_in(client, teacher, page)["Location"] == page
    restored = client.get(page)
    assert lines[-1] in restored.text
    draft.refresh_from_db()
    assert draft.answers["what_happened"][0].splitlines() == lines


def test_text_typed_as_the_twelve_hours_ended_is_restored_after_signing_in(
    client_for, teacher, pupil
):
    client = client_for(teacher)
    draft = start(client, pupil)
    page = question_url(draft, "what-happened")
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=12, minutes=1)).isoformat()
    session.save()
    cache.clear()  # the code used to sign in, 12 hours old

    response = client.post(page, {"what_happened": ACCOUNT, "action": "continue"})
    assert response["Location"] == f"{reverse('account_login')}?next={quote(page)}"
    assert sign_in(client, teacher, page)["Location"] == page
    restored = client.get(page)
    assert ACCOUNT in restored.text
    assert "signed out after 12 hours" in restored.text
    draft.refresh_from_db()
    assert draft.answers["what_happened"] == [ACCOUNT]


def test_kept_text_is_discarded_if_someone_else_signs_in(client_for, teacher, school, pupil):
    client = client_for(teacher)
    draft = start(client, pupil)
    page = question_url(draft, "what-happened")
    client.post(page, {"what_happened": "First words"})

    Session.objects.all().delete()
    client.post(page, {"what_happened": ACCOUNT})
    colleague = member(Role.STAFF, school)
    assert sign_in(client, colleague, page)["Location"] == page
    response = client.get(page)
    assert response.status_code == 404
    assert ACCOUNT not in response.text
    assert KEPT not in client.session
    draft.refresh_from_db()
    assert draft.answers["what_happened"] == ["First words"]


def test_signed_out_visitors_are_sent_to_sign_in_from_a_question(client, teacher, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    page = question_url(draft, "where")
    response = client.get(page)
    assert response["Location"] == f"{reverse('account_login')}?next={quote(page)}"
    assert KEPT not in client.session


def test_carrying_on_does_not_skip_an_optional_question_not_yet_seen(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    pages = answers()
    fill(teacher_client, draft, {slug: pages[slug] for slug in ORDER[:5] if slug in pages})
    resume = reverse("concerns:record_draft", args=[draft.pk])
    assert teacher_client.get(resume)["Location"] == question_url(draft, "child-words")
    teacher_client.post(question_url(draft, "child-words"), {"child_words": ""})
    assert teacher_client.get(resume)["Location"] == question_url(draft, "others")


def test_a_signed_out_post_keeps_only_that_pages_answers_at_a_bounded_size(client, teacher, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    page = question_url(draft, "what-happened")
    client.post(page, {"what_happened": "x" * 100_000, "location": "Not this page's"})
    kept = client.session[KEPT]
    assert kept["path"] == page
    assert list(kept["answers"]) == ["what_happened"]
    assert len(kept["answers"]["what_happened"][0]) == 20001


# A draft destroyed as it is saved -----------------------------------------------------------


@pytest.fixture
def destroyed_as_read(monkeypatch):
    """The draft is read for the page, then destroyed before the page's answers are saved (its
    author discarding it in another tab, or the 30-day purge, at that moment)."""
    from concerns.views import record as views

    read = views.draft_or_concern

    def read_then_destroyed(membership, pk):
        found = read(membership, pk)
        ConcernDraft.objects.filter(pk=pk).delete()
        return found

    monkeypatch.setattr(views, "draft_or_concern", read_then_destroyed)


def _typed_back(response, *typed):
    assert response.status_code == 404
    assert "This unfinished concern no longer exists" in response.text
    assert "What you typed on this page has not been saved" in response.text
    for text in typed:
        assert text in response.text


@pytest.mark.parametrize("action", ["continue", "later"])
def test_an_account_saved_as_its_draft_is_destroyed_is_shown_back(
    teacher_client, pupil, destroyed_as_read, action
):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        question_url(draft, "what-happened"), {"what_happened": ACCOUNT, "action": action}
    )
    _typed_back(response, ACCOUNT)
    assert not ConcernDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_a_date_and_time_saved_as_the_draft_is_destroyed_are_shown_back(
    teacher_client, pupil, destroyed_as_read
):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        question_url(draft, "when"),
        {"observed_on_0": "3", "observed_on_1": "March", "observed_on_2": "2026",
         "observed_time": "2:15pm"},
    )  # fmt: skip
    _typed_back(response, "3 March 2026", "2:15pm")


def test_an_account_sent_to_a_draft_deleted_earlier_is_shown_back(teacher_client, pupil):
    """Deleted in another tab, then Continue pressed in this one: the same, and the look-up
    that found nothing is audited as any other."""
    draft = start(teacher_client, pupil)
    teacher_client.post(reverse("concerns:record_delete", args=[draft.pk]))
    response = teacher_client.post(
        question_url(draft, "what-happened"), {"what_happened": ACCOUNT, "action": "continue"}
    )
    _typed_back(response, ACCOUNT)
    denied = AuditEvent.objects.get(action="access.denied")
    assert (denied.object_type, denied.object_id) == ("concern draft", str(draft.pk))


def test_a_pupil_chosen_as_the_draft_is_destroyed_is_told_so(
    teacher_client, pupil, destroyed_as_read
):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        reverse("concerns:record_draft_pupil", args=[draft.pk]), {"pupil": str(pupil.pk)}
    )
    assert response.status_code == 404
    assert "This unfinished concern no longer exists" in response.text
    assert not ConcernDraft.objects.exists()
