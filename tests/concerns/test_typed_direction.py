"""What people type may be in Arabic or Urdu (Luton's families, and the staff who write down a
child's words as they were said), often mixed with English. Shown without `dir="auto"`, a line
of it takes the page's left-to-right order and reads jumbled; with it, each block of typed words
(or each typed name within a sentence) runs in the direction of its own first letters."""

from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerns.attachments import store_attachment
from concerns.models import Concern
from schools.demo import make_upn
from schools.models import Pupil, Role, User
from schools.services import end_membership
from tests import notices
from tests.concerns.journey import answers, check_url, done_url, fill, record, start
from tests.factories import PupilFactory, member
from tests.walk import advice_data, closing, concern_data, given_advice, held_conversation
from workflow.advice import (
    claim_advice_request,
    give_advice,
    request_hub_advice,
    rerate_advice_request,
)
from workflow.concerns import (
    add_addendum,
    close_concern,
    log_parent_conversation,
    record_concern,
)
from workflow.exceptions import TransitionRefused
from workflow.leavers import record_file_received, record_file_sent, record_leaving, record_return
from workflow.retention import destroy_records

# "He said he is afraid to go home" and a mother's name, as they would be typed, with English.
WORDS = "قال إنه خائف من العودة إلى المنزل. He said dad twice."
ACCOUNT = "Arrived upset. کہا کہ وہ گھر جانے سے ڈرتا ہے"
ADDENDUM = "ملاحظة: spoke to the class teacher again."
ADVICE = "تحدث مع الأم أولا, then call the hub back."
NAME = "فاطمة أحمد"
DISCUSSED = "ناقشنا الفطور والروتين اليومي"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Direction(HTMLParser):
    """The `dir` of the nearest element around each piece of text that says one."""

    def __init__(self):
        super().__init__()
        self.open, self.found = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, dict(attrs).get("dir")))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        said = next((d for _, d in reversed(self.open) if d), None)
        self.found.append((data, said))


def directions(page, text):
    """Each piece of text holding `text`, with the direction the page gives it."""
    parser = _Direction()
    parser.feed(page)
    return [(data, said) for data, said in parser.found if text in data]


def direction_of(page, text):
    """The direction the page gives `text` (where it first appears): "auto", or None."""
    parser = _Direction()
    parser.feed(page)
    found = [said for data, said in parser.found if text in data]
    assert found, f"{text!r} is not on the page"
    return found[0]


def test_the_concern_page_and_the_chronology_show_typed_words_in_their_own_direction(
    walk, client_for, teacher, dsl, hub_advisor, pupil
):
    concern = walk.advice_received(walk.recorded(**concern_data(child_words=WORDS)))
    add_addendum(concern, by=dsl, text=ADDENDUM)
    concern = Concern.objects.get(pk=concern.pk)
    log_parent_conversation(
        concern, by=dsl, **held_conversation(with_name=NAME, discussed=DISCUSSED)
    )
    client = client_for(dsl)
    for url in (
        reverse("concerns:detail", args=[concern.pk]),
        reverse("concerns:pupil_chronology", args=[pupil.pk]),
        reverse("concerns:pupil_file", args=[pupil.pk]),
    ):
        page = client.get(url).text
        for typed in (WORDS, ADDENDUM, NAME, DISCUSSED):
            assert direction_of(page, typed) == "auto", (url, typed)
        # The service's own words keep the page's direction.
        assert direction_of(page, "The child's own words") is None, url


def test_the_hub_sees_typed_words_in_their_own_direction(walk, client_for, dsl, hub_advisor):
    concern = walk.recorded(child_words=WORDS, what_happened=ACCOUNT)
    add_addendum(concern, by=dsl, text=ADDENDUM)
    request_hub_advice(Concern.objects.get(pk=concern.pk), by=dsl, **advice_data(question=ADVICE))
    advice_request = walk.request(concern)
    page = client_for(hub_advisor).get(reverse("advice:detail", args=[advice_request.pk])).text
    for typed in (WORDS, ACCOUNT, ADDENDUM, ADVICE):
        assert direction_of(page, typed) == "auto", typed
    assert direction_of(page, "What the school is asking") is None


def test_the_advice_given_is_shown_in_its_own_direction(walk, client_for, dsl, hub_advisor):
    concern = walk.claimed()
    give_advice(walk.request(concern), by=hub_advisor, **given_advice(advice=ADVICE))
    page = client_for(dsl).get(reverse("concerns:detail", args=[concern.pk])).text
    assert direction_of(page, ADVICE) == "auto"
    page = client_for(hub_advisor).get(reverse("advice:detail", args=[walk.request(concern).pk]))
    assert direction_of(page.text, ADVICE) == "auto"


def test_check_your_answers_shows_each_answer_in_its_own_direction(client_for, teacher, pupil):
    """Before sending, the person recording reads back what they typed as it will be kept."""
    client = client_for(teacher)
    draft = start(client, pupil)
    fill(client, draft, answers(**{"child-words": {"child_words": WORDS}}))
    page = client.get(check_url(draft)).text
    assert direction_of(page, WORDS) == "auto"
    assert direction_of(page, "Playground") == "auto"


def test_lists_show_a_childs_and_a_colleagues_name_in_its_own_direction(
    walk, client_for, teacher, dsl, la_admin, school, pupil
):
    """The inbox, "my concerns", the pupil roll and the people page write names typed in
    Arabic or Urdu in their own direction, among the service's own words."""
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    teacher.full_name = "مريم خان"
    teacher.save(update_fields=["full_name"])
    walk.recorded()
    pages = {
        "concerns:inbox": (dsl, [NAME, teacher.full_name]),
        "concerns:mine": (teacher, [NAME]),
        "concerns:pupils": (dsl, ["فاطمة", "أحمد"]),
    }
    for name, (user, names) in pages.items():
        page = client_for(user).get(reverse(name)).text
        page = page[page.index("<table") :]  # the list, not a filter's choices above it
        for typed in names:
            assert direction_of(page, typed) == "auto", (name, typed)
    page = client_for(la_admin).get(reverse("people:school", args=[school.pk])).text
    assert direction_of(page, teacher.full_name) == "auto"
    assert direction_of(page, "People at") is None


def test_who_did_each_step_and_a_files_name_are_shown_in_their_own_direction(
    walk, client_for, teacher, dsl, pupil
):
    """Staff names in "by ..." phrases and the history, and the name a file was uploaded
    under, typed in Arabic or Urdu, read as typed on the concern page, the chronology and the
    whole file."""
    teacher.full_name = "مريم خان"
    teacher.save(update_fields=["full_name"])
    concern = walk.recorded()
    store_attachment(concern, by=teacher, upload=SimpleUploadedFile("خريطة الجسم.pdf", PDF))
    client = client_for(dsl)
    for url in (
        reverse("concerns:detail", args=[concern.pk]),
        reverse("concerns:pupil_chronology", args=[pupil.pk]),
        reverse("concerns:pupil_file", args=[pupil.pk]),
    ):
        page = client.get(url).text
        for found, said in directions(page, teacher.full_name):
            assert said == "auto", (url, found)
        assert directions(page, teacher.full_name), url
        if "chronology" not in url:
            assert direction_of(page, "خريطة الجسم.pdf") == "auto", url


def test_a_childs_name_within_the_services_own_sentences_keeps_its_own_direction(
    walk, client_for, dsl, pupil
):
    """ "Every concern about ...", "Change ...'s details": the child's name in Arabic runs in
    its own direction, the sentence around it in the page's."""
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    concern = walk.recorded()
    client = client_for(dsl)
    for url, sentence in (
        (reverse("concerns:detail", args=[concern.pk]), "Every concern about "),
        (reverse("concerns:pupil_edit", args=[pupil.pk]), "Change "),
    ):
        page = client.get(url).text
        page = page[page.index(sentence) :]
        assert direction_of(page, NAME) == "auto", url
        assert direction_of(page, sentence) is None, url


def test_the_inbox_lists_who_recorded_by_name_in_their_own_direction(
    walk, client_for, teacher, dsl
):
    """The "Recorded by" filter's choices are colleagues' names: one typed in Arabic or Urdu
    runs in its own direction in the list; "Anyone" is the service's own word."""
    teacher.full_name = "مريم خان"
    teacher.save(update_fields=["full_name"])
    walk.recorded()
    page = client_for(dsl).get(reverse("concerns:inbox")).text
    start = page.rindex("<select", 0, page.index('name="recorded_by"'))
    choices = page[start : page.index("</select>", start)]
    assert direction_of(choices, teacher.full_name) == "auto"
    assert direction_of(choices, "Anyone") is None


def test_the_header_says_who_is_signed_in_with_their_name_in_its_own_direction(client_for, dsl):
    """ "Signed in as ..., working as ...": a name in Arabic or Urdu neither jumbles the line
    nor takes its comma."""
    dsl.full_name = "مريم خان"
    dsl.save(update_fields=["full_name"])
    page = client_for(dsl).get(reverse("home")).text
    page = page[page.index("Signed in as") :]
    assert direction_of(page, dsl.full_name) == "auto"
    assert direction_of(page, "Signed in as") is None


def _in_sentence(page, sentence, name):
    """The direction of `name` and of the service's words around it, from where `sentence`
    begins."""
    page = page[page.rindex("<", 0, page.index(sentence)) :]
    return direction_of(page, name), direction_of(page, sentence)


def test_a_childs_given_name_in_the_services_guidance_keeps_its_own_direction(
    walk, client_for, dsl, pupil
):
    """ "Every concern about ... is on this one page", "Send ...'s child protection file",
    the headings of the steps about a pupil ("Record that ... has left"): the child's name in
    Arabic runs in its own direction, the sentence around it in the page's."""
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    walk.recorded()
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[pupil.pk])
    leaving = reverse("concerns:leaving", args=[pupil.pk])
    access_request = reverse("concerns:access_request_new", args=[pupil.pk])
    for url, sentence, name in (
        (chronology, "Every concern about ", "فاطمة"),
        (chronology, "Record that ", "فاطمة"),
        (chronology, "Record a subject access request about ", "فاطمة"),
        (reverse("concerns:pupil_file", args=[pupil.pk]), "Every concern about ", "فاطمة"),
        (leaving, "Record that ", NAME),
        (leaving, "Send ", "فاطمة"),
        (access_request, "Record a subject access request about ", NAME),
        (access_request, "Open ", "فاطمة"),
    ):
        page = client.get(url).text
        assert _in_sentence(page, sentence, name) == ("auto", None), (url, sentence)

    today = timezone.localdate()
    transfer = record_leaving(
        pupil,
        by=dsl,
        left_on=today - timedelta(days=2),
        starts_on=today - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    record_return(transfer, by=dsl, returned_on=today)
    page = client.get(chronology).text
    assert _in_sentence(page, "Not sent: ", "فاطمة") == ("auto", None)


def test_a_former_pupils_given_name_in_the_records_review_keeps_its_own_direction(
    walk, client_for, dsl, pupil
):
    """At 25 the records are reviewed: "... is 25 or older", "Open ...'s whole child
    protection file" and the warning before destroying them name the child in Arabic in its own
    direction."""
    born = timezone.localdate() - timedelta(days=366 * 26)
    pupil.given_name, pupil.family_name, pupil.date_of_birth = "فاطمة", "أحمد", born
    pupil.save(update_fields=["given_name", "family_name", "date_of_birth"])
    close_concern(walk.recorded(), by=dsl, **closing(outcome="nfa"))
    client = client_for(dsl)
    page = client.get(reverse("concerns:pupil_chronology", args=[pupil.pk])).text
    older = page[page.rindex("<p", 0, page.index(" is 25 or older")) :]
    assert direction_of(older, "فاطمة") == "auto"
    assert direction_of(older, " is 25 or older") is None
    review = client.get(reverse("concerns:records_review", args=[pupil.pk])).text
    for sentence in ("Open ", "Destroying the records deletes every concern about "):
        assert _in_sentence(review, sentence, "فاطمة") == ("auto", None), sentence


def test_the_pupil_import_check_shows_each_name_in_its_own_direction(client_for, dsl, school):
    """Before importing a roll, the DSL checks it: the new pupils, each changed pupil's name
    now and before, and the pupil on the roll a line's UPN belongs to, in Arabic, each run in
    its own direction within the service's words."""
    upns = [make_upn("821", 3001, 21, n) for n in range(3)]
    PupilFactory(school=school, upn=upns[0], given_name="فاطمة", family_name="أحمد")
    PupilFactory(
        school=school,
        upn=upns[1],
        given_name="مريم",
        family_name="خان",
        date_of_birth=date(2013, 2, 2),
        year_group="6",
    )
    roll = (
        "UPN,Forename,Surname,Date of Birth,Year\n"
        f"{upns[0]},فاطمة,خان,17/05/2016,4\n"  # a new surname: an update
        f"{upns[1]},Zoë,Kowalska,17/05/2016,4\n"  # another child's UPN: refused
        f"{upns[2]},يوسف,علي,01/09/2015,5\n"
    )
    client = client_for(dsl)
    upload = SimpleUploadedFile("pupils.csv", roll.encode(), "text/csv")
    client.post(reverse("concerns:pupil_import"), {"file": upload})
    page = client.get(reverse("concerns:pupil_import_preview")).text
    for name in ("يوسف علي", "فاطمة خان", "فاطمة أحمد", "مريم خان"):
        assert direction_of(page, name) == "auto", name
    for words in ("Name was ", f"The UPN {upns[1]} is "):
        assert direction_of(page, words) is None, words


def test_the_dsls_named_in_the_services_advice_and_a_role_to_end_keep_their_own_direction(
    client_for, teacher, dsl, deputy_dsl, la_admin, school, pupil
):
    """ "Ask your DSL (... or ...)", "speak to them now as well (... or ...)" and "End ...'s
    role": a colleague's name in Arabic or Urdu runs in its own direction, the sentence around
    it in the page's."""
    dsl.full_name, deputy_dsl.full_name = "مريم خان", "فاطمة أحمد"
    dsl.save(update_fields=["full_name"])
    deputy_dsl.save(update_fields=["full_name"])
    school.safeguarding_policy_url = ""
    school.save(update_fields=["safeguarding_policy_url"])
    client = client_for(teacher)
    done = done_url(record(client, pupil, risk={"immediate_risk": "yes"}))
    for url, sentence in (
        (reverse("concerns:start"), "Ask your DSL ("),
        (done, "speak to them now as well ("),
    ):
        page = client.get(url).text
        page = page[page.index(sentence) :]
        for name in (dsl.full_name, deputy_dsl.full_name):
            assert direction_of(page, name) == "auto", (url, name)
        assert direction_of(page, sentence) is None, url
    end = client_for(la_admin).get(reverse("people:end", args=[dsl.memberships.get().pk]))
    heading = end.text[end.text.index("<h1") :]  # the page's <title> says it too
    assert _in_sentence(heading, "End ", dsl.full_name) == ("auto", None)
    details = end.text[end.text.index('class="govuk-summary-list"') :]
    assert direction_of(details, dsl.full_name) == "auto"


def test_a_new_schools_name_and_a_reason_in_a_requests_history_keep_their_own_direction(
    walk, client_for, dsl, hub_manager, pupil
):
    """The new school's name a DSL types when a pupil leaves, and a hub manager's reason for
    changing a request's urgency, shown within the service's own sentences and tables."""
    school_name = "مدرسة الأمل"
    concern = walk.with_hub(walk.recorded())
    today = timezone.localdate()
    transfer = record_leaving(
        pupil,
        by=dsl,
        left_on=today - timedelta(days=2),
        starts_on=today - timedelta(days=1),
        new_school=school_name,
    )
    client = client_for(dsl)
    for url in (
        reverse("concerns:pupil_chronology", args=[pupil.pk]),
        reverse("concerns:leavers"),
    ):
        assert direction_of(client.get(url).text, school_name) == "auto", url

    record_return(transfer, by=dsl, returned_on=today)
    page = client.get(reverse("concerns:pupil_chronology", args=[pupil.pk])).text
    assert direction_of(page, school_name) == "auto"

    advice_request = walk.request(concern)
    rerate_advice_request(advice_request, by=hub_manager, urgency="red", reason=WORDS)
    page = client_for(hub_manager).get(reverse("advice:detail", args=[advice_request.pk])).text
    assert direction_of(page, WORDS) == "auto"


def _message(page, start='<p class="govuk-notification-banner__heading">', end="</p>"):
    """The service's message at the top of `page` (its first notification banner's words),
    or what else lies from `start` to `end`, as markup."""
    at = page.index(start)
    return page[at : page.index(end, at) + len(end)]


def _apart(said, sentence, *names):
    """`said` (a message's markup) reads `sentence`: each of `names` in it runs in its own
    direction, and every other word, the service's, in the page's."""
    assert sentence in notices.words(said), notices.words(said)
    parser = _Direction()
    parser.feed(said)
    for data, direction in parser.found:
        assert direction == ("auto" if data in names else None), (sentence, data)
    for name in names:
        assert direction_of(said, name) == "auto", (sentence, name)


def _day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def test_the_messages_after_a_step_about_a_pupil_name_them_in_their_own_direction(
    walk, client_for, dsl, pupil
):
    """ "... has been added", "...'s child protection file is now on the leavers' list",
    "Ask ... for the child protection records they hold about ...", "The request about ... is
    due", "The records about ... are kept until ... is 25": said once a step is done, or why it
    cannot be, in the page's message; a name or a school typed in Arabic runs in its own
    direction within it."""
    client = client_for(dsl)
    upn = make_upn("821", 2001, 20, 7)
    added = {
        **{"given_name": "يوسف", "family_name": "علي", "year_group": "4", "upn": upn},
        **_day("date_of_birth", date(2016, 5, 17)),
    }
    page = client.post(reverse("concerns:pupil_add"), added, follow=True).text
    _apart(_message(page), "يوسف علي has been added", "يوسف علي")
    page = client.post(reverse("concerns:pupil_add"), added, follow=True).text
    _apart(_message(page), "يوسف علي was already on the roll", "يوسف علي")
    new = Pupil.objects.get(upn=upn)
    page = client.post(reverse("concerns:pupil_edit", args=[new.pk]), added, follow=True).text
    _apart(_message(page), "يوسف علي's details have been saved", "يوسف علي")

    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    walk.recorded()
    today = timezone.localdate()
    school = "مدرسة الأمل"
    leaving = {
        "new_school": school,
        **_day("left_on", today - timedelta(days=2)),
        **_day("starts_on", today - timedelta(days=1)),
    }
    url = reverse("concerns:leaving", args=[pupil.pk])
    page = client.post(url, leaving, follow=True).text
    _apart(_message(page), f"{NAME}'s child protection file is now on the leavers' list", NAME)
    page = client.post(url, {**leaving, "new_school": "Another school"}, follow=True).text
    already = f"{NAME} is already recorded as having left the school. Nothing was saved."
    _apart(_message(page), already, NAME)
    sent = {**_day("sent_on", today), "sent_how": "post"}
    page = client.post(reverse("concerns:file_sent", args=[pupil.pk]), sent, follow=True).text
    _apart(_message(page), f"{NAME}'s file has been recorded as sent", NAME)
    back = reverse("concerns:returned", args=[pupil.pk])
    page = client.post(back, _day("returned_on", today), follow=True).text
    came_back = (
        f"{NAME} is recorded as back at the school. Ask {school} for the child protection "
        "records they hold about فاطمة"
    )
    _apart(_message(page), came_back, NAME, school, "فاطمة")
    page = client.get(reverse("concerns:file_sent", args=[pupil.pk]), follow=True).text
    _apart(_message(page), f"{NAME} came back to the school on {today.day} {today:%B %Y}.", NAME)

    asked = {"requester": "Jane Ahmed, mother", **_day("received_on", today)}
    url = reverse("concerns:access_request_new", args=[pupil.pk])
    page = client.post(url, asked, follow=True).text
    _apart(_message(page), f"The request about {NAME} is due to be answered by ", NAME)

    page = client.get(reverse("concerns:records_review", args=[pupil.pk]), follow=True).text
    kept = f"The records about {NAME} are kept until فاطمة is 25"
    _apart(_message(page), kept, NAME, "فاطمة")

    page = client.get(reverse("concerns:pupil_attachments", args=[pupil.pk]), follow=True).text
    _apart(_message(page), f"No files are attached to the concerns about {NAME}", NAME)


def test_the_messages_about_a_colleagues_role_name_them_in_their_own_direction(
    client_for, la_admin, school, dsl
):
    """ "... is now ...", "... is no longer ..." and why the school's only DSL's role cannot
    end: a colleague's name typed in Arabic or Urdu runs in its own direction within them."""
    dsl.full_name = "مريم خان"
    dsl.save(update_fields=["full_name"])
    client = client_for(la_admin)
    end = reverse("people:end", args=[dsl.memberships.get().pk])
    only = f"{dsl.full_name} is the only designated safeguarding lead at {school.name}"
    warning = client.get(end).text
    said = _message(warning, '<strong class="govuk-warning-text__text">', "</strong>")
    _apart(
        said.replace('<span class="govuk-visually-hidden">Warning</span>', ""), only, dsl.full_name
    )
    error = client.post(end).text
    said = _message(error, '<div class="govuk-error-summary__body">', "</div>")
    _apart(said, only, dsl.full_name)

    person = {"email": "new.person@example.org", "full_name": "فاطمة أحمد", "role": "dsl"}
    page = client.post(reverse("people:school_add", args=[school.pk]), person, follow=True).text
    _apart(_message(page), "فاطمة أحمد is now ", "فاطمة أحمد")
    page = client.post(end, follow=True).text
    _apart(_message(page), f"{dsl.full_name} is no longer ", dsl.full_name)


def test_a_name_set_apart_in_a_message_is_only_ever_shown_as_the_words_typed(
    walk, client_for, dsl, pupil
):
    """The service writes the markup that sets a name or a school apart in a message: what
    was typed, markup or not, is shown as the characters typed, never run by the browser."""
    pupil.given_name = "<script>alert(1)</script>"
    pupil.save(update_fields=["given_name"])
    walk.recorded()
    client = client_for(dsl)
    page = client.get(reverse("concerns:records_review", args=[pupil.pk]), follow=True).text
    said = _message(page)
    assert "<script>" not in page
    assert '<span dir="auto">&lt;script&gt;alert(1)&lt;/script&gt; Ahmed</span>' in said
    assert notices.words(said).startswith(
        "The records about <script>alert(1)</script> Ahmed are kept"
    )
    today = timezone.localdate()
    leaving = {"new_school": "<b>Wardown</b>", **_day("left_on", today)}
    leaving.update(_day("starts_on", today))
    url = reverse("concerns:leaving", args=[pupil.pk])
    client.post(url, leaving, follow=True)
    page = client.post(url, {**leaving, "new_school": "Elsewhere"}, follow=True).text
    assert "<script>" not in page
    assert notices.words(_message(page)).endswith("left the school. Nothing was saved.")
    sent = {**_day("sent_on", today), "sent_how": "post"}
    client.post(reverse("concerns:file_sent", args=[pupil.pk]), sent, follow=True)
    back = reverse("concerns:returned", args=[pupil.pk])
    page = client.post(back, _day("returned_on", today), follow=True).text
    said = _message(page)
    assert "<script>" not in page
    assert "<b>" not in said
    assert '<span dir="auto">&lt;b&gt;Wardown&lt;/b&gt;</span>' in said


def _summary(page):
    """The words of the error summary at the top of `page`, as markup."""
    return _message(page, '<div class="govuk-error-summary__body">', "</div>")


def _named(user, name):
    user.full_name = name
    user.save(update_fields=["full_name"])
    return name


def test_the_hubs_messages_and_refusals_name_a_colleague_in_their_own_direction(
    walk, client_for, hub_advisor, hub_manager
):
    """ "... has already claimed this request", "... claimed this request on ...", "... has
    this request now", "The request has been reassigned to ..." and "... already has this
    request": an advisor's name typed in Arabic or Urdu runs in its own direction within them."""
    manager = _named(hub_manager, "مريم خان")
    advisor = _named(hub_advisor, "عمر فاروق")
    advice_request = walk.request(walk.with_hub())
    late = client_for(hub_advisor)
    claim = reverse("advice:claim", args=[advice_request.pk])
    late.get(claim)  # the advisor opens the claim page; their manager claims it first
    claim_advice_request(advice_request, by=hub_manager)
    page = late.post(claim).text
    _apart(_summary(page), f"{manager} claimed this request on ", manager)
    page = late.get(claim, follow=True).text
    _apart(_message(page), f"{manager} has already claimed this request.", manager)

    advise = reverse("advice:advise", args=[advice_request.pk])
    page = late.get(advise, follow=True).text
    _apart(_message(page), f"{manager} has this request now.", manager)
    advice_request.refresh_from_db()
    sent = {
        **given_advice(),
        "expected_version": advice_request.version,
        "expected_concern_version": advice_request.concern.version,
    }
    page = late.post(advise, sent).text
    _apart(_summary(page), f"{manager} has this request now. Nothing was saved.", manager)

    bosses = client_for(hub_manager)
    reassign = reverse("advice:reassign", args=[advice_request.pk])
    sent = {"expected_version": advice_request.version, "to": hub_advisor.pk, "reason": ""}
    page = bosses.post(reassign, sent, follow=True).text
    said = f"The request has been reassigned to {advisor}, who has been emailed to say so."
    _apart(_message(page), said, advisor)
    advice_request.refresh_from_db()
    sent["expected_version"] = advice_request.version
    page = bosses.post(reassign, sent).text
    _apart(_summary(page), f"{advisor} already has this request. Choose someone else", advisor)


def test_a_colleagues_name_in_the_hubs_messages_is_only_ever_shown_as_typed(
    walk, client_for, hub_advisor, hub_manager
):
    _named(hub_manager, "<script>alert(1)</script>")
    advice_request = walk.request(walk.with_hub())
    claim_advice_request(advice_request, by=hub_manager)
    claim = reverse("advice:claim", args=[advice_request.pk])
    said = _message(client_for(hub_advisor).get(claim, follow=True).text)
    assert "<script>" not in said
    assert '<span dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in said
    assert notices.words(said) == "<script>alert(1)</script> has already claimed this request."


def test_why_a_colleagues_role_cannot_be_given_or_their_email_sent_names_them_apart(
    client_for, la_admin, school, dsl, clock
):
    """ "... is already ... at ...", "... has set a password already", "The email to set a
    password was sent to ... less than a minute ago", "...'s account has been switched off",
    "...'s role has been ended": a colleague's name typed in Arabic or Urdu runs in its own
    direction within them, and a name typed as markup is shown as typed."""
    name = _named(dsl, "مريم خان")
    client = client_for(la_admin)
    again = {"email": dsl.email, "full_name": name, "role": "dsl"}
    page = client.post(reverse("people:school_add", args=[school.pk]), again).text
    _apart(_summary(page), f"{name} is already designated safeguarding lead at ", name)
    resend = reverse("people:resend", args=[dsl.memberships.get().pk])
    page = client.post(resend, follow=True).text
    _apart(_message(page), f"{name} has set a password already", name)

    person = {"email": "new.person@example.org", "full_name": "فاطمة أحمد", "role": "dsl"}
    client.post(reverse("people:school_add", args=[school.pk]), person, follow=True)
    new = User.objects.get(email="new.person@example.org").memberships.get()
    resend = reverse("people:resend", args=[new.pk])
    client.post(resend, follow=True)
    page = client.post(resend, follow=True).text  # a second click
    _apart(_message(page), "The email to set a password was sent to فاطمة أحمد less", "فاطمة أحمد")
    new.user.is_active = False
    new.user.full_name = "<b>Nell</b>"
    new.user.save(update_fields=["is_active", "full_name"])
    clock.moment += timedelta(minutes=2)
    said = _message(client_for(la_admin).post(resend, follow=True).text)
    assert "<b>" not in said
    assert notices.words(said).startswith("<b>Nell</b>'s account has been switched off")
    new.user.full_name = "فاطمة أحمد"
    new.user.save(update_fields=["full_name"])
    said = _message(client_for(la_admin).post(resend, follow=True).text)
    _apart(said, "فاطمة أحمد's account has been switched off", "فاطمة أحمد")
    end_membership(new, by=member(Role.LA_ADMIN, school.local_authority))
    said = _message(client_for(la_admin).post(resend, follow=True).text)
    _apart(said, "فاطمة أحمد's role has been ended", "فاطمة أحمد")


def test_a_upn_another_pupil_has_names_them_in_their_own_direction(client_for, dsl, pupil):
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    taken = {
        **{"given_name": "Zoë", "family_name": "Kowalska", "year_group": "4", "upn": pupil.upn},
        **_day("date_of_birth", date(2016, 5, 17)),
    }
    page = client_for(dsl).post(reverse("concerns:pupil_add"), taken).text
    _apart(_summary(page), f"{NAME} already has this UPN: check it, or edit فاطمة", NAME, "فاطمة")


def test_a_leavers_step_a_colleague_took_meanwhile_names_the_pupil_in_their_own_direction(
    walk, dsl, pupil
):
    """Refused by the workflow when a colleague recorded the step between the page's check and
    the save: the pupil's name in the refusal runs in its own direction."""
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    today = timezone.localdate()
    leaving = {"left_on": today, "starts_on": today, "new_school": "Wardown"}
    with pytest.raises(TransitionRefused) as refused:
        record_leaving(pupil, by=dsl, **leaving)
    _apart(str(refused.value), f"No concerns have been recorded about {NAME}, so", NAME)
    walk.recorded()
    transfer = record_leaving(pupil, by=dsl, **leaving)
    with pytest.raises(TransitionRefused) as refused:
        record_leaving(pupil, by=dsl, **{**leaving, "new_school": "Elsewhere"})
    _apart(str(refused.value), f"{NAME} is already recorded as having left the school.", NAME)
    with pytest.raises(TransitionRefused) as refused:
        record_file_received(transfer, by=dsl, received_on=today, received_by="Office")
    _apart(str(refused.value), f"Record that {NAME}'s file was sent before", NAME)
    record_file_sent(transfer, by=dsl, sent_on=today, sent_how="post")
    with pytest.raises(TransitionRefused) as refused:
        record_file_sent(transfer, by=dsl, sent_on=today, sent_how="electronic")
    _apart(str(refused.value), f"Someone has already recorded that {NAME}'s file was sent.", NAME)
    record_file_received(transfer, by=dsl, received_on=today, received_by="Office")
    with pytest.raises(TransitionRefused) as refused:
        record_file_received(transfer, by=dsl, received_on=today, received_by="Head")
    said = f"Someone has already recorded that {NAME}'s file was received."
    _apart(str(refused.value), said, NAME)
    record_return(transfer, by=dsl, returned_on=today)
    with pytest.raises(TransitionRefused) as refused:
        record_file_sent(transfer, by=dsl, sent_on=today, sent_how="post")
    _apart(str(refused.value), f"Someone has already recorded that {NAME} came back", NAME)


def test_a_childs_given_name_in_a_refusal_about_their_age_keeps_its_own_direction(
    walk, teacher, dsl, pupil
):
    """ "... must be on or after ..., when ... was born" and "The records are kept until ... is
    25": a given name typed in Arabic runs in its own direction within them."""
    pupil.given_name, pupil.family_name = "فاطمة", "أحمد"
    pupil.save(update_fields=["given_name", "family_name"])
    seen = timezone.make_aware(datetime.combine(pupil.date_of_birth, time(9, 0)))
    data = concern_data(observed_at=seen - timedelta(days=1), delay_reason="Late.")
    with pytest.raises(TransitionRefused) as refused:
        record_concern(by=teacher, pupil=pupil, **data)
    _apart(str(refused.value), ", when فاطمة was born", "فاطمة")
    walk.closed()
    with pytest.raises(TransitionRefused) as refused:
        destroy_records(pupil, by=dsl, confirmed=True)
    _apart(str(refused.value), "The records are kept until فاطمة is 25, on ", "فاطمة")


def test_who_asked_for_a_childs_records_is_shown_in_their_own_direction(client_for, dsl, pupil):
    """A parent's name typed in Arabic on a subject access request: the list of requests and
    each of its step pages write it in its own direction."""
    requester = "سارة أحمد، الأم"
    today = timezone.localdate()
    asked = {"requester": requester, **_day("received_on", today)}
    client = client_for(dsl)
    client.post(reverse("concerns:access_request_new", args=[pupil.pk]), asked)
    page = client.get(reverse("concerns:access_requests")).text
    assert direction_of(page[page.index("<table") :], requester) == "auto"
    access_request = pupil.access_requests.get()
    page = client.get(reverse("concerns:access_request_answer", args=[access_request.pk])).text
    assert direction_of(page, requester) == "auto"
