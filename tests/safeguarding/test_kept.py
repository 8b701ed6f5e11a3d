"""A form sent after the session ended keeps what was typed, for its author alone."""

import time
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.models import ConcernStatus
from reports.models import ValuesEvidence
from reports.services import add_values_evidence
from safeguarding import kept
from schools.adapters import SIGNED_IN_AT
from schools.models import Role
from tests.concerns.journey import FACTS, question_url, start
from tests.factories import PASSWORD, MembershipFactory, PupilFactory, member, totp_code
from tests.notices import notice
from tests.walk import closing, concern_data
from workflow.advice import claim_advice_request
from workflow.concerns import close_concern, record_concern
from workflow.subject_access import record_request

RATIONALE = "Mum explained the bruise: a fall at the park, which the PE teacher saw happen."


def signed_in(user):
    client = Client()
    sign_in_at(client, reverse("account_login"), user)
    return client


def sign_in_at(client, login_url, user):
    """The two-step sign-in from `login_url` (perhaps with a next=): where it lands."""
    client.post(login_url, {"login": user.email, "password": PASSWORD})
    return client.post(reverse("mfa_authenticate"), {"code": totp_code()})["Location"]


def typed_by(page):
    return page.text.split('name="_typed_by" value="', 1)[1].split('"', 1)[0]


def close_form(client, concern):
    page = client.get(reverse("concerns:close", args=[concern.pk]))
    return {
        "_typed_by": typed_by(page),
        "expected_version": concern.version,
        "outcome": "monitoring",
        "rationale": RATIONALE,
    }


def end_sessions():
    """What 30 minutes without a request does: the session is gone on the server, and the
    code used to sign in is long past (allauth remembers used codes in the cache)."""
    Session.objects.all().delete()
    cache.clear()


def test_a_form_sent_after_the_session_ended_is_there_again_after_signing_in(walk, dsl):
    concern = walk.recorded()
    client = signed_in(dsl)
    typed = close_form(client, concern)
    end_sessions()
    sent = client.post(reverse("concerns:close", args=[concern.pk]), typed)
    assert sent.status_code == 302
    assert sent["Location"].startswith(reverse("account_login"))
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RECORDED  # nothing saved
    landed = sign_in_at(client, sent["Location"], dsl)
    assert landed == reverse("concerns:close", args=[concern.pk])
    page = client.get(landed)
    assert RATIONALE in page.text
    assert "You were signed out, so nothing was saved" in page.text
    assert client.post(landed, page.context["form"].data).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert RATIONALE not in client.get(landed).text  # kept once, not for ever


def test_someone_else_signing_in_at_that_computer_gets_the_page_empty(walk, dsl, school):
    concern = walk.recorded()
    colleague = member(Role.DEPUTY_DSL, school)
    client = signed_in(dsl)
    typed = close_form(client, concern)
    end_sessions()
    sent = client.post(reverse("concerns:close", args=[concern.pk]), typed)
    landed = sign_in_at(client, sent["Location"], colleague)
    page = client.get(landed)
    assert page.status_code == 200
    assert RATIONALE not in page.text
    assert "kept_form" not in client.session


def test_a_form_sent_after_twelve_hours_is_kept_too(walk, dsl):
    concern = walk.recorded()
    client = signed_in(dsl)
    typed = close_form(client, concern)
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=13)).isoformat()
    session.save()
    cache.clear()  # the sign-in code, 13 hours old
    sent = client.post(reverse("concerns:close", args=[concern.pk]), typed)
    landed = sign_in_at(client, sent["Location"], dsl)
    assert landed == reverse("concerns:close", args=[concern.pk])
    assert RATIONALE in client.get(landed).text


def test_a_form_kept_open_all_of_a_longer_session_is_kept_too(walk, dsl, settings):
    """A service that lets sessions last 24 hours: a form drawn 20 hours ago (kept open with
    'Stay signed in') and sent as the 24 hours end is kept as one drawn an hour ago is."""
    settings.SESSION_ABSOLUTE_AGE = timedelta(hours=24)
    concern = walk.recorded()
    client = signed_in(dsl)
    typed = close_form(client, concern)
    typed["_typed_by"] = _DrawnHoursAgo(20, salt=kept._SALT).sign_object(dsl.pk)
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=24, minutes=1)).isoformat()
    session.save()
    cache.clear()  # the sign-in code, a day old
    sent = client.post(reverse("concerns:close", args=[concern.pk]), typed)
    landed = sign_in_at(client, sent["Location"], dsl)
    assert landed == reverse("concerns:close", args=[concern.pk])
    assert RATIONALE in client.get(landed).text


class _DrawnHoursAgo(signing.TimestampSigner):
    """Signs as `{% typed_by %}` did `hours` ago."""

    def __init__(self, hours, **kwargs):
        super().__init__(**kwargs)
        self.hours = hours

    def timestamp(self):
        return signing.b62_encode(int(time.time() - self.hours * 3600))


def test_the_hubs_advice_sent_after_the_session_ended_is_kept(walk, hub_advisor):
    request = claim_advice_request(walk.request(walk.with_hub()), by=hub_advisor)
    advise = reverse("advice:advise", args=[request.pk])
    client = signed_in(hub_advisor)
    page = client.get(advise)
    advice = "Talk with mum about breakfast club; offer an early help assessment."
    end_sessions()
    sent = client.post(
        advise,
        {
            "_typed_by": typed_by(page),
            "expected_version": request.version,
            "expected_concern_version": request.concern.version,
            "advice": advice,
            "next_step": "early_help",
            "level_of_need": "2",
        },
    )
    landed = sign_in_at(client, sent["Location"], hub_advisor)
    assert advice in client.get(landed).text


def test_a_british_values_entry_sent_after_the_session_ended_is_kept(head, school):
    add = reverse("reports:values_add")
    client = signed_in(head)
    page = client.get(add)
    description = "Year 6 held a mock general election with hustings and a secret ballot."
    end_sessions()
    sent = client.post(
        add,
        {
            "_typed_by": typed_by(page),
            "activity_date_0": "3",
            "activity_date_1": "11",
            "activity_date_2": "2025",
            "title": "Mock election",
            "description": description,
            "year_groups": ["6"],
            "values": ["democracy"],
        },
    )
    assert not ValuesEvidence.objects.exists()  # nothing saved
    landed = sign_in_at(client, sent["Location"], head)
    assert landed == add
    page = client.get(landed)
    assert description in page.text
    assert "You were signed out, so nothing was saved" in page.text
    assert client.post(landed, page.context["form"].data).status_code == 302
    assert ValuesEvidence.objects.get().description == description


def test_a_change_to_a_british_values_entry_sent_after_the_session_ended_is_kept(head, school):
    evidence = add_values_evidence(
        school,
        by=head,
        activity_date=date(2025, 11, 3),
        title="Mock election",
        description="Year 6 held a mock election.",
        year_groups=["6"],
        values=["democracy"],
    )
    edit = reverse("reports:values_edit", args=[evidence.pk])
    client = signed_in(head)
    page = client.get(edit)
    description = "Year 6 held a mock general election, then debated how Parliament works."
    data = {**page.context["form"].initial, "description": description}
    end_sessions()
    sent = client.post(
        edit,
        {
            "_typed_by": typed_by(page),
            "activity_date_0": "3",
            "activity_date_1": "11",
            "activity_date_2": "2025",
            "title": data["title"],
            "description": description,
            "year_groups": ["6"],
            "values": ["democracy"],
            "expected_version": data["expected_version"],
        },
    )
    landed = sign_in_at(client, sent["Location"], head)
    assert landed == edit
    page = client.get(landed)
    assert description in page.text
    assert client.post(landed, page.context["form"].data).status_code == 302
    evidence.refresh_from_db()
    assert evidence.description == description


def test_a_policy_address_sent_after_the_session_ended_is_kept(head):
    change = reverse("reports:policy_url")
    client = signed_in(head)
    page = client.get(change)
    address = "https://www.greensand.example.sch.uk/policies/safeguarding-2026"
    end_sessions()
    sent = client.post(change, {"_typed_by": typed_by(page), "url": address})
    landed = sign_in_at(client, sent["Location"], head)
    assert landed == change
    assert address in client.get(landed).text


WITHHELD = "It names the foster carer, who has not agreed to it being disclosed."
KEPT_LONGER = "The police have asked for them to be kept until the trial of the adult concerned."


def _day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def _answer_page(pupil, dsl):
    asked = record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=timezone.localdate()
    )
    fields = {"basis": "pupil", "answer": "partial", "withheld_reason": WITHHELD}
    url = reverse("concerns:access_request_answer", args=[asked.pk])
    return url, {**_day("answered_on", timezone.localdate()), **fields}, WITHHELD


def _review_page(pupil, dsl):
    former = PupilFactory(school=pupil.school, date_of_birth=date(1990, 1, 5))
    close_concern(record_concern(by=dsl, pupil=former, **concern_data()), by=dsl, **closing())
    fields = {"decision": "keep", "reason": KEPT_LONGER}
    again = timezone.localdate() + timedelta(days=365)
    url = reverse("concerns:records_review", args=[former.pk])
    return url, {**_day("review_again_on", again), **fields}, KEPT_LONGER


def _leaving_page(pupil, dsl):
    record_concern(by=dsl, pupil=pupil, **concern_data())
    fields = {"new_school": "Stopsley High School"}
    url = reverse("concerns:leaving", args=[pupil.pk])
    today = timezone.localdate()
    return (
        url,
        {**_day("left_on", today), **_day("starts_on", today), **fields},
        fields["new_school"],
    )


@pytest.mark.parametrize("drawn", [_answer_page, _review_page, _leaving_page])
def test_a_pupil_step_sent_after_the_session_ended_is_kept(drawn, pupil, dsl):
    """A subject access answer, a records review, a leaver: what was typed is there again."""
    url, fields, words = drawn(pupil, dsl)
    client = signed_in(dsl)
    page = client.get(url)
    end_sessions()
    sent = client.post(url, {"_typed_by": typed_by(page), **fields})
    landed = sign_in_at(client, sent["Location"], dsl)
    assert landed == url
    page = client.get(landed)
    assert words in page.text
    assert "You were signed out, so nothing was saved" in page.text


def csrf_token(page):
    return page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def signed_in_again_in_another_tab(client, user):
    """What that does to a form open in this tab: its CSRF token no longer matches."""
    end_sessions()
    sign_in_at(client, reverse("account_login"), user)
    client.handler.enforce_csrf_checks = True


def test_a_form_refused_for_a_stale_token_is_there_again_to_send(walk, dsl):
    concern = walk.recorded()
    close = reverse("concerns:close", args=[concern.pk])
    client = signed_in(dsl)
    typed = {**close_form(client, concern), "csrfmiddlewaretoken": csrf_token(client.get(close))}
    signed_in_again_in_another_tab(client, dsl)
    sent = client.post(close, typed)
    assert (sent.status_code, sent["Location"]) == (302, close)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RECORDED  # nothing saved
    page = client.get(close)
    assert RATIONALE in page.text
    assert "Your form could not be sent" in page.text
    again = {**page.context["form"].data, "csrfmiddlewaretoken": csrf_token(page)}
    assert client.post(close, again).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED


@pytest.mark.parametrize("refused", ["signed out", "stale token"])
def test_a_file_sent_when_it_could_not_be_is_asked_for_again(walk, dsl, refused):
    """A file cannot wait in the session as typed words can. A DSL who attached a body map
    after their session had ended (or with a page drawn before they signed in again in
    another tab) came back to an empty 'Attach a file' page told nothing, as if it had been
    attached; the page now says it was not, and to choose it again."""
    concern = walk.recorded()
    upload = reverse("concerns:attachment_upload", args=[concern.pk])
    client = signed_in(dsl)
    page = client.get(upload)
    sent = {
        "_typed_by": typed_by(page),
        "csrfmiddlewaretoken": csrf_token(page),
        "submission_key": page.context["form"]["submission_key"].value(),
        "file": SimpleUploadedFile("body map.pdf", b"%PDF-1.4\n%%EOF\n"),
    }
    if refused == "signed out":
        end_sessions()
        landed = sign_in_at(client, client.post(upload, sent)["Location"], dsl)
    else:
        signed_in_again_in_another_tab(client, dsl)
        landed = client.post(upload, sent)["Location"]
    assert landed == upload
    assert "The file was not attached" in notice(client.get(landed).text)
    assert not concern.attachments.exists()
    assert kept.KEPT not in client.session  # told once


def test_a_form_drawn_for_someone_else_refused_for_its_token_is_not_kept(walk, dsl, school):
    concern = walk.recorded()
    close = reverse("concerns:close", args=[concern.pk])
    colleague = member(Role.DEPUTY_DSL, school)
    client = signed_in(dsl)
    typed = {**close_form(client, concern), "csrfmiddlewaretoken": csrf_token(client.get(close))}
    signed_in_again_in_another_tab(client, colleague)
    sent = client.post(close, typed)
    assert sent.status_code == 403
    assert "Your form could not be sent" in sent.text
    assert "kept_form" not in client.session


def test_a_concerns_page_refused_for_a_stale_token_keeps_what_was_typed(teacher, pupil):
    client = signed_in(teacher)
    draft = start(client, pupil)
    what_happened = question_url(draft, "what-happened")
    page = client.get(what_happened)
    typed = {
        "_typed_by": typed_by(page),
        "csrfmiddlewaretoken": csrf_token(page),
        "what_happened": FACTS,
        "action": "continue",
    }
    signed_in_again_in_another_tab(client, teacher)
    sent = client.post(what_happened, typed)
    assert sent["Location"] == what_happened
    page = client.get(what_happened)
    assert FACTS in page.text
    assert "Your form could not be sent" in page.text
    draft.refresh_from_db()
    assert draft.answers["what_happened"] == [FACTS]


def _new_pupil(school):
    fields = {"given_name": "Zofia", "family_name": "Kowalska-Brennan", "year_group": "4"}
    born = _day("date_of_birth", timezone.localdate() - timedelta(days=9 * 365))
    return reverse("concerns:pupil_add"), {**fields, **born}, fields["family_name"]


def _new_person(school):
    fields = {"email": "nell.newperson@example.org", "full_name": "Nell Newperson"}
    url = reverse("people:school_add", args=[school.pk])
    return url, {**fields, "role": Role.STAFF}, fields["full_name"]


@pytest.mark.parametrize(
    ("drawn", "role"),
    [(_new_pupil, Role.DSL), (_new_person, Role.LA_ADMIN)],
    ids=["pupil", "person"],
)
def test_a_pupil_or_person_added_after_the_session_ended_is_kept(drawn, role, school):
    user = member(role, school if role == Role.DSL else school.local_authority)
    url, fields, words = drawn(school)
    client = signed_in(user)
    page = client.get(url)
    end_sessions()
    sent = client.post(url, {"_typed_by": typed_by(page), **fields})
    assert sign_in_at(client, sent["Location"], user) == url
    page = client.get(url)
    assert words in page.text
    assert "You were signed out, so nothing was saved" in page.text


def test_someone_with_several_roles_chooses_one_and_finds_what_they_typed(walk, dsl, other_school):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    working = dsl.memberships.get(role=Role.DSL)
    concern = walk.recorded()
    close = reverse("concerns:close", args=[concern.pk])
    client = signed_in(dsl)
    client.post(reverse("choose_role"), {"membership": working.pk})
    typed = close_form(client, concern)
    end_sessions()
    sent = client.post(close, typed)
    assert sign_in_at(client, sent["Location"], dsl) == close
    choose = client.get(close)["Location"]
    form_tag = client.get(choose).text.split("<form", 1)[1].split(">", 1)[0]
    assert "action" not in form_tag  # sent to its own address, with the page to go back to
    assert client.post(choose, {"membership": working.pk})["Location"] == close
    page = client.get(close)
    assert RATIONALE in page.text
    assert "You were signed out, so nothing was saved" in page.text


def test_a_form_without_a_signed_note_of_its_author_is_not_kept(walk, client):
    concern = walk.recorded()
    client.get(reverse("account_login"))
    sent = client.post(
        reverse("concerns:close", args=[concern.pk]),
        {"_typed_by": "anyone", "rationale": "x" * 200_000},
    )
    assert sent["Location"].startswith(reverse("account_login"))
    assert "kept_form" not in client.session
