"""Staff record a concern (step 1): the pages, their messages and rules, check your answers,
and the confirmation."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode

from audit.models import AuditEvent
from concerns.models import Category, Concern, ConcernDraft
from safeguarding.templatetags.presenters import uk_datetime
from schools.models import Role
from tests.factories import MembershipFactory, PupilFactory
from tests.notices import words
from tests.searching import search
from workflow.exceptions import TransitionRefused
from workflow.models import Notification

from .journey import (
    FACTS,
    answers,
    check_url,
    done_url,
    fill,
    question_url,
    record,
    start,
    when_data,
)


@pytest.fixture
def teacher_client(client_for, teacher):
    return client_for(teacher)


def test_a_teacher_records_a_concern_from_start_to_confirmation(
    teacher_client, teacher, pupil, dsl
):
    start_page = teacher_client.get(reverse("concerns:start"))
    assert start_page.status_code == 200
    assert reverse("concerns:record_pupil") in start_page.text

    draft = record(teacher_client, pupil)

    concern = Concern.objects.get()
    assert concern.submission_key == draft.pk
    assert (concern.pupil, concern.recorded_by, concern.location) == (pupil, teacher, "Playground")
    assert concern.what_happened == FACTS
    assert concern.child_words == "I didn't have breakfast."
    assert concern.others_present == "Tom Brown (teaching assistant)"
    assert concern.immediate_action == "Gave her toast and told the DSL."
    assert concern.category_values == ["neglect"]
    assert concern.immediate_risk is False
    assert concern.delay_reason == ""
    assert not ConcernDraft.objects.exists()

    page = teacher_client.get(done_url(draft))
    assert page.status_code == 200
    assert "govuk-panel--confirmation" in page.text
    assert concern.reference in page.text
    assert "What happens next" in page.text
    assert "Early Help Hub" in page.text
    assert "govuk-warning-text" not in page.text
    assert Notification.objects.get(kind="concern_recorded").urgent is False


def test_immediate_risk_alerts_the_dsl_urgently_and_tells_the_teacher_to_speak_to_them(
    teacher_client, pupil, dsl, deputy_dsl
):
    draft = record(teacher_client, pupil, risk={"immediate_risk": "yes"})

    assert Concern.objects.get().immediate_risk is True
    assert Notification.objects.filter(kind="concern_recorded", urgent=True).count() == 2
    page = teacher_client.get(done_url(draft))
    assert "govuk-warning-text" in page.text
    assert "speak to them now as well" in page.text
    assert '(<span dir="auto">Dee Lead</span> or <span dir="auto">Dev Deputy</span>)' in page.text


def test_the_confirmation_page_view_is_audited(teacher_client, teacher, pupil):
    draft = record(teacher_client, pupil)
    teacher_client.get(done_url(draft))
    event = AuditEvent.objects.get(action="concern.confirmation.view")
    assert (event.actor, event.object_id) == (teacher, str(Concern.objects.get().pk))


def test_a_dsl_of_two_schools_following_the_emailed_link_in_the_other_role_is_led_to_switch(
    client_for, teacher, dsl, pupil, school, other_school
):
    """An executive DSL for two schools, working as the other one, opens the email's link: the
    page is not found in that role, and says how to change role to the one that opens it."""
    MembershipFactory(user=dsl, role=Role.DSL, school=other_school)
    record(client_for(teacher), pupil)
    concern = Concern.objects.get()
    body = Notification.objects.get(user=dsl).body
    path = reverse("concerns:detail", args=[concern.pk])
    assert path in body
    client = client_for(dsl)
    here, there = dsl.memberships.get(school=school), dsl.memberships.get(school=other_school)
    client.post(reverse("choose_role"), {"membership": there.pk})

    page = client.get(path)

    assert page.status_code == 404
    switch = f"{reverse('choose_role')}?{urlencode({'next': path})}"
    assert f'href="{escape(switch)}"' in page.text
    assert (
        "You are working as designated safeguarding lead at Chiltern Rise Academy. If the record "
        "is at another school or authority where you have a role, change role to open it."
    ) in words(page.text)
    chosen = client.post(switch, {"membership": here.pk})
    assert chosen["Location"] == path
    assert client.get(path).status_code == 200


def test_a_hub_advisor_who_is_also_a_dsl_opening_the_link_as_the_hub_is_led_to_switch(
    client_for, teacher, hub_advisor, pupil, school
):
    """Working in their hub role, the concern page is not theirs to see ("You cannot see this
    page"): it says how to change to the school role that opens it."""
    MembershipFactory(user=hub_advisor, role=Role.DSL, school=school)
    record(client_for(teacher), pupil)
    path = reverse("concerns:detail", args=[Concern.objects.get().pk])
    client = client_for(hub_advisor)
    hub = hub_advisor.memberships.get(school=None)
    client.post(reverse("choose_role"), {"membership": hub.pk})

    page = client.get(path)

    assert page.status_code == 403
    switch = f"{reverse('choose_role')}?{urlencode({'next': path})}"
    assert f'href="{escape(switch)}"' in page.text
    assert "If the record is at another school or authority where you have a role, change " in (
        words(page.text)
    )
    dsl = hub_advisor.memberships.get(school=school)
    assert client.post(switch, {"membership": dsl.pk})["Location"] == path
    assert client.get(path).status_code == 200


def test_someone_with_one_role_is_not_told_to_change_role_on_a_page_not_found(
    teacher_client, pupil, other_school
):
    page = teacher_client.get(reverse("concerns:detail", args=[987654]))
    assert page.status_code == 404
    assert reverse("choose_role") not in page.text


# The start page ---------------------------------------------------------------------------


def test_the_start_page_links_the_schools_published_policy(teacher_client, school):
    page = teacher_client.get(reverse("concerns:start"))
    assert f'href="{school.safeguarding_policy_url}"' in page.text
    assert "safeguarding policy" in page.text
    assert "call 999" in page.text


def test_without_a_published_policy_the_start_page_says_whom_to_ask(teacher_client, school, dsl):
    school.safeguarding_policy_url = ""
    school.save()
    page = teacher_client.get(reverse("concerns:start"))
    assert "has not yet given a link to its published safeguarding policy" in page.text
    assert 'Ask your DSL (<span dir="auto">Dee Lead</span>)' in page.text


def test_prevent_is_a_category_among_the_others_with_no_route_of_its_own(teacher_client, pupil):
    page = teacher_client.get(reverse("concerns:start"))
    assert "radicalisation or extremism (Prevent)" in page.text
    draft = start(teacher_client, pupil)
    categories = teacher_client.get(question_url(draft, "categories"))
    for category in Category:
        assert category.label in categories.text
    assert "Radicalisation or extremism (Prevent)" in categories.text
    from tests.routes import all_routes

    assert not [path for _, path, _ in all_routes() if "prevent" in path.lower()]


# Finding the pupil ------------------------------------------------------------------------


def test_pupils_are_found_by_name_or_upn_in_the_users_own_school_only(
    teacher_client, pupil, school, other_school
):
    namesake = PupilFactory(school=school, given_name="Amelia", family_name="Ahmed", year_group="6")
    PupilFactory(school=school, given_name="Zara", family_name="Zed")
    elsewhere = PupilFactory(school=other_school, given_name="Amelia", family_name="Ahmed")
    url = reverse("concerns:record_pupil")

    by_name = teacher_client.get(search(teacher_client, url, "amelia ahm"))
    assert by_name.text.count('name="pupil"') == 2
    assert f'value="{pupil.pk}"' in by_name.text
    assert f'value="{namesake.pk}"' in by_name.text
    assert f'value="{elsewhere.pk}"' not in by_name.text
    assert "Zara" not in by_name.text
    # Namesakes are told apart by year group and date of birth.
    assert "Year 4, born 17 May 2016" in by_name.text
    assert "Year 6, born 17 May 2016" in by_name.text

    by_upn = teacher_client.get(search(teacher_client, url, namesake.upn.lower()))
    assert by_upn.text.count('name="pupil"') == 1
    assert f'value="{namesake.pk}"' in by_upn.text

    other_upn = teacher_client.get(search(teacher_client, url, elsewhere.upn))
    assert 'name="pupil"' not in other_upn.text
    assert "No pupils found" in other_upn.text


def test_a_lead_who_finds_no_pupil_is_led_to_add_them_to_the_roll_not_to_tell_their_dsl(
    client_for, teacher_client, pupil, dsl, deputy_dsl
):
    """A child new to the school and not on the roll yet: a DSL or deputy, who may add pupils,
    was told to 'tell your DSL now, in person', and nowhere how to record the concern."""
    url = reverse("concerns:record_pupil")
    for lead in (dsl, deputy_dsl):
        client = client_for(lead)
        page = client.get(search(client, url, "Newcomer"))
        assert "No pupils found" in page.text
        assert "tell your DSL" not in page.text
        assert f'href="{reverse("concerns:pupil_add")}"' in page.text
    page = teacher_client.get(search(teacher_client, url, "Newcomer"))
    assert "tell your DSL now, in person" in page.text
    assert reverse("concerns:pupil_add") not in page.text


def test_a_pupil_of_another_school_cannot_be_chosen_by_posting_its_id(teacher_client, other_school):
    elsewhere = PupilFactory(school=other_school, given_name="Amelia", family_name="Ahmed")
    url = search(teacher_client, reverse("concerns:record_pupil"), "Ahmed")
    response = teacher_client.post(url, {"pupil": str(elsewhere.pk)})
    assert response.status_code == 200
    assert "Select a pupil from the list" in response.text
    assert not ConcernDraft.objects.exists()


def test_choosing_no_pupil_says_so_and_keeps_the_search(teacher_client, pupil):
    url = search(teacher_client, reverse("concerns:record_pupil"), "Ahmed")
    response = teacher_client.post(url, {})
    assert response.status_code == 200
    assert "<title>Error: Which pupil is it about?" in response.text
    assert "Select the pupil the concern is about" in response.text
    assert 'href="#id_pupil_1"' in response.text
    assert 'id="id_pupil_1"' in response.text
    assert f'value="{pupil.pk}"' in response.text


def test_a_search_is_audited_without_the_words_searched(teacher_client, teacher, pupil):
    teacher_client.get(search(teacher_client, reverse("concerns:record_pupil"), "Ahmed"))
    event = AuditEvent.objects.get(action="pupil.search")
    assert event.actor == teacher
    assert (event.object_type, event.detail) == ("pupil", {"results": 1})
    assert "Ahmed" not in str(event.detail)


def test_choosing_the_pupil_starts_a_draft_and_asks_when(teacher_client, teacher, pupil, school):
    url = search(teacher_client, reverse("concerns:record_pupil"), "Ahmed")
    response = teacher_client.post(url, {"pupil": str(pupil.pk)})
    draft = ConcernDraft.objects.get()
    assert (draft.author, draft.school, draft.pupil) == (teacher, school, pupil)
    assert response["Location"] == question_url(draft, "when")


def test_continue_pressed_twice_on_choosing_the_pupil_starts_one_concern(
    teacher_client, pupil, school
):
    """A double click, or Continue pressed again on a slow connection: it started two
    unfinished concerns about the child, and the start page then listed both, one of them
    empty. A draft with nothing answered yet is taken up again; one with answers is not."""
    url = search(teacher_client, reverse("concerns:record_pupil"), "Ahmed")
    first = teacher_client.post(url, {"pupil": str(pupil.pk)})
    second = teacher_client.post(url, {"pupil": str(pupil.pk)})
    draft = ConcernDraft.objects.get()
    assert first["Location"] == second["Location"] == question_url(draft, "when")
    other = PupilFactory(school=school, given_name="Amelia", family_name="Ahmed-Khan")
    teacher_client.post(url, {"pupil": str(other.pk)})
    assert ConcernDraft.objects.count() == 2  # another child: another concern
    fill(teacher_client, draft, {"when": answers()["when"]})
    teacher_client.post(url, {"pupil": str(pupil.pk)})
    assert ConcernDraft.objects.filter(pupil=pupil).count() == 2  # a second concern, begun


# Each question's messages -----------------------------------------------------------------


def _future():
    return timezone.now() + timedelta(days=2)


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("when", {}, "Enter the date it was seen or heard"),
        ("when", {}, "Enter the time it was seen or heard"),
        (
            "when",
            {"observed_on_1": "3", "observed_on_2": "2026", "observed_time": "9am"},
            "The date it was seen or heard must include a day",
        ),
        (
            "when",
            {"observed_on_0": "31", "observed_on_1": "2", "observed_on_2": "2026"},
            "The date it was seen or heard must be a real date",
        ),
        (
            "when",
            {"observed_on_0": "x", "observed_on_1": "2", "observed_on_2": "2026"},
            "The date it was seen or heard must be a real date",
        ),
        (
            "when",
            {"observed_on_0": "3", "observed_on_1": "2", "observed_on_2": "26"},
            "The year must include 4 numbers, for example 2026",
        ),
        (
            "when",
            {
                "observed_on_0": "3",
                "observed_on_1": "2",
                "observed_on_2": "2026",
                "observed_time": "teatime",
            },
            "Enter a time, for example 9:30am or 14:30",
        ),
        ("when", "future", "The date it was seen or heard must be today or in the past"),
        ("where", {"location": "  "}, "Enter where it happened"),
        ("where", {"location": "x" * 201}, "Where it happened must be 200 characters or fewer"),
        ("categories", {}, "Select at least one category"),
        ("categories", {"categories": ["prevent-route"]}, "Select categories from the list"),
        ("what-happened", {"what_happened": ""}, "Enter what happened"),
        ("risk", {}, "Select yes if you think the child is at immediate risk of significant harm"),
    ],
)
def test_each_question_says_what_is_wrong_beside_it_and_keeps_what_was_typed(
    teacher_client, pupil, slug, data, message
):
    if data == "future":
        data = when_data(_future())
    draft = start(teacher_client, pupil)
    response = teacher_client.post(question_url(draft, slug), data)
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text
    assert message in response.text
    assert 'class="govuk-error-message"' in response.text
    draft.refresh_from_db()
    for name, value in data.items():
        assert draft.answers[name] == (value if isinstance(value, list) else [value])
        if isinstance(value, str) and value.strip():
            assert value in response.text


def test_the_delay_reason_is_required_when_it_is_asked(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    teacher_client.post(question_url(draft, "when"), when_data(timezone.now() - timedelta(days=9)))
    response = teacher_client.post(question_url(draft, "delay"), {"delay_reason": ""})
    assert response.status_code == 200
    assert "Enter why this is being recorded more than 7 days after it was seen or heard" in (
        response.text
    )


def test_a_long_account_is_limited_with_a_clear_message(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        question_url(draft, "what-happened"), {"what_happened": "x" * 20001}
    )
    assert "Write 20,000 characters or fewer" in response.text


def test_a_line_break_counts_as_one_character_as_the_writer_sees_it(teacher_client, pupil):
    """A browser sends each line break in a text box as two characters (CR LF). Counted so, an
    account of 19,950 characters over 200 lines, as its writer and their word processor count
    it, was refused as longer than 20,000: each break is one character, and is kept."""
    draft = start(teacher_client, pupil)
    lines = ["x" * 99] * 200
    typed = "\r\n".join(lines)
    assert len(typed.replace("\r\n", "\n")) < 20000 < len(typed)
    response = teacher_client.post(question_url(draft, "what-happened"), {"what_happened": typed})
    assert response.status_code == 302, response.text[:3000]
    fill(teacher_client, draft, answers(**{"what-happened": {"what_happened": typed}}))
    assert teacher_client.post(check_url(draft)).status_code == 302
    concern = Concern.objects.get(submission_key=draft.pk)
    assert concern.what_happened.splitlines() == lines


def test_single_question_pages_use_the_question_as_their_heading(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    where = teacher_client.get(question_url(draft, "where"))
    assert '<h1 class="govuk-label-wrapper">' in where.text
    assert "Where did it happen?" in where.text
    risk = teacher_client.get(question_url(draft, "risk"))
    assert '<h1 class="govuk-fieldset__heading">' in risk.text
    assert "call 999" in risk.text
    when = teacher_client.get(question_url(draft, "when"))
    assert '<h1 class="govuk-heading-l">When did you see or hear it?</h1>' in when.text
    assert 'Record a concern about <span dir="auto">Amelia Ahmed</span>' in when.text


# The 7-day rule ---------------------------------------------------------------------------


def test_more_than_7_days_ago_asks_why_and_records_the_reason(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        question_url(draft, "when"), when_data(timezone.now() - timedelta(days=8))
    )
    assert response["Location"] == question_url(draft, "delay")
    response = teacher_client.post(
        question_url(draft, "delay"), {"delay_reason": "I was away on a school trip."}
    )
    assert response["Location"] == question_url(draft, "where")
    fill(teacher_client, draft, {k: v for k, v in answers().items() if k != "when"})
    check = teacher_client.get(check_url(draft))
    assert "Why it was recorded later" in check.text
    assert "I was away on a school trip." in check.text
    teacher_client.post(check_url(draft))
    assert Concern.objects.get().delay_reason == "I was away on a school trip."


def test_the_delay_question_says_the_date_it_asks_about(teacher_client, pupil):
    """Day and month swapped (12 2 for 2 December), or last year typed in January, leads to
    "Why is this being recorded more than 7 days after...?" The page says the date typed, so a
    teacher who saw it today sees the mistake, rather than wondering what the question means."""
    draft = start(teacher_client, pupil)
    seen = timezone.now() - timedelta(days=300)
    teacher_client.post(question_url(draft, "when"), when_data(seen))
    page = teacher_client.get(question_url(draft, "delay"))
    assert (
        f"You said it was seen or heard on {uk_datetime(seen.replace(second=0, microsecond=0))}. "
        "If that is wrong, go back and change it." in page.text
    )


def test_within_7_days_the_delay_question_is_not_asked(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    response = teacher_client.post(
        question_url(draft, "when"), when_data(timezone.now() - timedelta(days=6))
    )
    assert response["Location"] == question_url(draft, "where")
    back = teacher_client.get(question_url(draft, "where"))
    assert f'href="{question_url(draft, "when")}" class="govuk-back-link"' in back.text


def test_a_reason_typed_earlier_is_not_sent_once_the_date_is_recent(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(
        teacher_client,
        draft,
        answers(
            when=when_data(timezone.now() - timedelta(days=10)),
            delay={"delay_reason": "I was away."},
        ),
    )
    teacher_client.post(question_url(draft, "when", change=True), when_data(timezone.now()))
    check = teacher_client.get(check_url(draft))
    assert "Why it was recorded later" not in check.text
    teacher_client.post(check_url(draft))
    assert Concern.objects.get().delay_reason == ""


def test_a_draft_left_until_it_is_over_7_days_old_asks_for_the_reason_before_sending(
    teacher_client, pupil
):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers(when=when_data(timezone.now() - timedelta(days=6))))
    # Three days later the teacher comes back and presses send.
    draft.refresh_from_db()
    nine_days_ago = when_data(timezone.now() - timedelta(days=9))
    draft.answers.update({name: [value] for name, value in nine_days_ago.items()})
    draft.save()

    response = teacher_client.post(check_url(draft))
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in response.text
    assert (
        f'<a href="{question_url(draft, "delay", change=True)}">Enter why this is being recorded'
        in response.text
    )
    assert not Concern.objects.exists()

    response = teacher_client.post(
        question_url(draft, "delay", change=True), {"delay_reason": "I forgot to send it."}
    )
    assert response["Location"] == check_url(draft)
    assert teacher_client.post(check_url(draft))["Location"] == done_url(draft)
    assert Concern.objects.get().delay_reason == "I forgot to send it."


# Check your answers -----------------------------------------------------------------------


def test_check_your_answers_shows_every_answer_with_a_change_link(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers(categories={"categories": ["neglect", "radicalisation"]}))
    page = teacher_client.get(check_url(draft))
    assert page.status_code == 200
    for text in [
        "Amelia Ahmed",
        "Playground",
        "Neglect",
        "Radicalisation or extremism (Prevent)",
        "had not eaten since lunch",
        "I didn&#x27;t have breakfast.",
        "Tom Brown (teaching assistant)",
        "Gave her toast and told the DSL.",
    ]:
        assert text in page.text
    for slug in ["when", "where", "categories", "what-happened", "child-words", "others"]:
        assert f'href="{question_url(draft, slug, change=True)}"' in page.text
    assert "govuk-summary-list" in page.text
    assert 'data-prevent-double-click="true"' in page.text


def test_a_change_link_returns_to_the_question_and_then_back_to_check(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    change = teacher_client.get(question_url(draft, "where", change=True))
    assert 'value="Playground"' in change.text
    assert f'href="{check_url(draft)}" class="govuk-back-link"' in change.text

    response = teacher_client.post(
        question_url(draft, "where", change=True), {"location": "Year 4 cloakroom"}
    )
    assert response["Location"] == check_url(draft)
    page = teacher_client.get(check_url(draft))
    assert "Year 4 cloakroom" in page.text
    assert "Playground" not in page.text
    teacher_client.post(check_url(draft))
    assert Concern.objects.get().location == "Year 4 cloakroom"


def test_changing_the_pupil_from_check_your_answers(teacher_client, pupil, school):
    other = PupilFactory(school=school, given_name="Ben", family_name="Ahmed")
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    url = reverse("concerns:record_draft_pupil", args=[draft.pk])
    current = teacher_client.get(url)
    assert f'value="{pupil.pk}"' in current.text
    assert 'checked="checked"' in current.text
    response = teacher_client.post(search(teacher_client, url, "Ahmed"), {"pupil": str(other.pk)})
    assert response["Location"] == check_url(draft)
    teacher_client.post(check_url(draft))
    assert Concern.objects.get().pupil == other


def test_a_date_before_the_pupil_was_born_is_refused_and_leads_back_to_the_date(
    teacher_client, pupil
):
    # A mistyped year (2010 for 2020) would lead the pupil's chronology and skew the report.
    pupil.date_of_birth = date(2018, 5, 1)
    pupil.save()
    draft = start(teacher_client, pupil)
    seen = datetime(2010, 1, 1, 9, 0, tzinfo=timezone.get_current_timezone())
    teacher_client.post(question_url(draft, "when"), when_data(seen))
    teacher_client.post(question_url(draft, "delay"), {"delay_reason": "I was away."})
    fill(teacher_client, draft, {k: v for k, v in answers().items() if k != "when"})
    response = teacher_client.post(check_url(draft))
    assert response.status_code == 200
    assert (
        f"The date it was seen or heard must be on or after 1 May 2018, when {pupil.given_name} "
        "was born" in words(response.text)
    )
    assert f'href="{question_url(draft, "when", change=True)}"' in response.text
    assert not Concern.objects.exists()
    assert ConcernDraft.objects.filter(pk=draft.pk).exists()


def test_a_date_before_the_pupil_was_born_is_refused_on_the_date_page(teacher_client, pupil):
    """A mistyped year (2010 for 2020) is put right where it was typed: it was accepted there,
    then the next page asked why it was being recorded years late, and only after every other
    page did check your answers refuse it."""
    pupil.date_of_birth = date(2018, 5, 1)
    pupil.save()
    draft = start(teacher_client, pupil)
    seen = datetime(2010, 1, 1, 9, 0, tzinfo=timezone.get_current_timezone())
    response = teacher_client.post(question_url(draft, "when"), when_data(seen))
    assert response.status_code == 200
    said = f"The date it was seen or heard must be on or after 1 May 2018, when {pupil.given_name}"
    assert response.context["form"].errors == {"observed_on": [f"{said} was born"]}
    assert 'href="#id_observed_on_0"' in response.text  # the summary leads to the day's box
    assert 'value="2010"' in response.text  # what was typed, to correct
    born_day = datetime(2018, 5, 1, 9, 0, tzinfo=timezone.get_current_timezone())
    response = teacher_client.post(question_url(draft, "when"), when_data(born_day))
    assert response["Location"] == question_url(draft, "delay")


def test_sending_with_an_answer_missing_lists_it_and_records_nothing(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, {k: v for k, v in answers().items() if k != "where"})
    page = teacher_client.get(check_url(draft))
    assert (
        f'<a class="govuk-link" href="{question_url(draft, "where", change=True)}">'
        "Enter where it happened</a>" in page.text
    )
    response = teacher_client.post(check_url(draft))
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert not Concern.objects.exists()
    assert ConcernDraft.objects.filter(pk=draft.pk).exists()


def test_a_refusal_from_the_workflow_is_shown_beside_the_answer_to_fix(
    teacher_client, pupil, monkeypatch
):
    """The workflow has the last word: its refusal is shown, linked to the page that fixes it,
    and nothing is recorded or lost."""
    from concerns.views import record as views

    def refuse(**kwargs):
        raise TransitionRefused("Enter where it happened, in the school", field="location")

    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    monkeypatch.setattr(views, "record_concern", refuse)
    response = teacher_client.post(check_url(draft))
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in response.text
    assert (
        f'<a href="{question_url(draft, "where", change=True)}">Enter where it happened, in the '
        "school</a>" in response.text
    )
    assert not Concern.objects.exists()
    draft.refresh_from_db()
    assert draft.answers["location"] == ["Playground"]


# Coaching ---------------------------------------------------------------------------------


def test_coaching_hints_appear_on_check_your_answers_but_never_block_sending(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(
        teacher_client,
        draft,
        answers(
            **{
                "what-happened": {"what_happened": "I think JS obviously hit her."},
                "others": {"others_present": "AB and Mr Brown (TA)"},
            }
        ),
    )
    page = teacher_client.get(check_url(draft))
    assert "We have suggested some changes below" in page.text
    assert "This is quite short" in page.text
    assert (
        "read as opinion rather than fact (&quot;I think&quot;, &quot;obviously&quot;)" in page.text
    )
    assert "You used initials (&quot;JS&quot;)" in page.text
    assert "You used initials (&quot;AB&quot;)" in page.text
    assert page.text.count("govuk-inset-text") == 4

    assert teacher_client.post(check_url(draft))["Location"] == done_url(draft)
    assert Concern.objects.get().what_happened == "I think JS obviously hit her."


def test_a_factual_account_gets_no_coaching(teacher_client, pupil):
    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    page = teacher_client.get(check_url(draft))
    assert "govuk-inset-text" not in page.text
    assert "We have suggested some changes" not in page.text


def test_changing_to_a_pupil_who_has_left_the_school_is_not_offered(
    teacher_client, pupil, other_school
):
    draft = start(teacher_client, pupil)
    pupil.school = other_school
    pupil.save()
    page = teacher_client.get(reverse("concerns:record_draft_pupil", args=[draft.pk]))
    assert f'value="{pupil.pk}"' not in page.text
    check = teacher_client.get(check_url(draft))
    assert "Choose the pupil the concern is about" in check.text


def test_a_safeguarding_lead_who_records_a_concern_is_led_to_it_not_told_to_wait_for_the_dsl(
    client_for, pupil, dsl, deputy_dsl
):
    # The DSL or a deputy is the person a teacher's confirmation sends them to: theirs says
    # what they do next, and never to go and speak to themselves.
    for lead in (dsl, deputy_dsl):
        client = client_for(lead)
        draft = record(client, pupil, risk={"immediate_risk": "yes"})
        concern = Concern.objects.get(submission_key=draft.pk)
        page = client.get(done_url(draft)).text
        assert "Your DSL" not in page
        assert "sent to your school's designated safeguarding lead" not in page
        assert "speak to them now as well" not in page
        assert f'href="{reverse("concerns:detail", args=[concern.pk])}"' in page
        assert "immediate danger, call 999" in page


def test_a_safeguarding_lead_recording_a_concern_is_told_it_goes_to_the_inbox_not_their_dsl(
    client_for, teacher_client, pupil, school, dsl, deputy_dsl
):
    # The start page, check your answers and the unfinished concerns speak to a lead of the
    # concerns inbox, which is where what they send goes; a teacher still reads of their DSL.
    school.safeguarding_policy_url = ""
    school.save()
    for lead in (dsl, deputy_dsl):
        client = client_for(lead)
        draft = start(client, pupil)
        fill(client, draft, answers())
        for url in (reverse("concerns:start"), reverse("home"), check_url(draft)):
            page = client.get(url).text
            assert "your DSL" not in page, url
            assert "Send to the DSL" not in page, url
        start_page = client.get(reverse("concerns:start")).text
        assert "It goes into the concerns inbox" in start_page
        assert f'href="{reverse("reports:policy")}"' in start_page
        check = client.get(check_url(draft)).text
        assert "Now send it: it goes into the concerns inbox" in check
        assert ">Send the concern</button>" in check
        client.post(check_url(draft))
        again = client.get(reverse("concerns:record_draft", args=[draft.pk]), follow=True)
        assert "already been sent: it is in the concerns inbox" in again.text

    draft = start(teacher_client, pupil)
    fill(teacher_client, draft, answers())
    assert (
        "Tell your designated safeguarding lead (DSL)"
        in teacher_client.get(reverse("concerns:start")).text
    )
    check = teacher_client.get(check_url(draft)).text
    assert "Now send it to your DSL" in check
    assert ">Send to the DSL</button>" in check
