"""The school's roll (DSLs only) and a pupil's printable chronology."""

import base64
import re
from datetime import date, timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns import keyset
from concerns.keyset import paginate
from concerns.models import Concern
from concerns.recording import find_pupils
from concerns.selectors import search_pupils
from concerns.views import pupils as pupils_views
from concerns.views.pupils import PUPIL_ORDER
from schools.demo import make_upn
from schools.models import Pupil
from tests.factories import PupilFactory
from tests.notices import notice, words
from tests.searching import search
from workflow.concerns import record_concern
from workflow.retention import destroy_records

from ..walk import concern_data

PUPILS = reverse("concerns:pupils")
ADD = reverse("concerns:pupil_add")


def edit(pupil):
    return reverse("concerns:pupil_edit", args=[pupil.pk])


def chronology(pupil):
    return reverse("concerns:pupil_chronology", args=[pupil.pk])


def pupil_post(**overrides):
    data = {
        "given_name": "Zoë",
        "family_name": "Kowalska",
        "date_of_birth_0": "17",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2016",
        "year_group": "4",
        "upn": make_upn("821", 2001, 20, 7),
    }
    return data | overrides


def names(response):
    return [pupil.full_name for pupil in response.context["page"].rows]


# The roll: the access ladder.


@pytest.mark.parametrize("persona", ["teacher", "head", "hub_advisor", "la_admin"])
def test_only_dsls_manage_pupils(request, client_for, persona, pupil):
    client = client_for(request.getfixturevalue(persona))
    for path in [PUPILS, ADD, edit(pupil)]:
        assert client.get(path).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, pupil):
    for path in [PUPILS, ADD, edit(pupil), chronology(pupil)]:
        assert client.get(path)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl"])
def test_the_dsls_see_their_schools_roll_only(request, client_for, persona, pupil, other_school):
    PupilFactory(school=other_school, given_name="Other", family_name="Child")
    response = client_for(request.getfixturevalue(persona)).get(PUPILS)
    assert response.status_code == 200
    assert names(response) == ["Amelia Ahmed"]
    assert AuditEvent.objects.filter(action="pupil.list.view").count() == 1


def test_another_schools_pupil_is_a_404(client_for, other_school_dsl, pupil):
    assert client_for(other_school_dsl).get(edit(pupil)).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="pupil").exists()


def test_searching_the_roll_by_name_or_upn(client_for, dsl, school, pupil):
    oliver = PupilFactory(school=school, given_name="Oliver", family_name="Nowak")
    client = client_for(dsl)

    def found(text):
        return client.get(search(client, PUPILS, text))

    assert names(found("nowak")) == ["Oliver Nowak"]
    assert names(found(oliver.upn.lower())) == ["Oliver Nowak"]
    assert names(found("amelia ahmed")) == ["Amelia Ahmed"]
    assert "No pupils match" in found("nobody").content.decode()


def test_a_name_is_found_whatever_the_case_of_its_letters(client_for, dsl, teacher, school):
    """On either database: SQLite's own LIKE ignores the case of A to Z only."""
    lukasz = PupilFactory(school=school, given_name="Łukasz", family_name="ŻAK-Öztürk")
    dsl_client = client_for(dsl)

    def found(url, text):
        return dsl_client.get(search(dsl_client, url, text))

    for typed in ["łukasz", "ŁUKASZ", "żak", "öztürk", "ak-ö", "żak łukasz"]:
        assert names(found(PUPILS, typed)) == ["Łukasz ŻAK-Öztürk"], typed
    assert names(found(PUPILS, "ż%k")) == []  # a % typed is a character
    record_concern(by=teacher, pupil=lukasz, **concern_data())
    inbox = found(reverse("concerns:inbox"), "łukasz").text
    assert "ŻAK-Öztürk" in inbox


def test_what_a_regular_expression_would_read_as_a_pattern_is_searched_for_as_typed(
    client_for, dsl, school, pupil
):
    """A name search is a regular expression of the typed letters (safeguarding.searches), on
    both databases: what is typed is only ever the characters themselves, never a pattern that
    finds a child whose name it is not (or every child on the roll), and never an error page."""
    PupilFactory(school=school, given_name="Ola", family_name="Nowak")
    client = client_for(dsl)
    membership = dsl.memberships.get()
    for typed in [".*", "a.*k", "[a-z]+", "Amelia|Ola", "(?i)AMELIA", r"\w+", "^Ola$", "a{0}",
                  "Ame(lia)?", "Ahmed\\", "***=Amelia", "[[:alpha:]]", r"\mOla"]:  # fmt: skip
        response = client.get(search(client, PUPILS, typed))
        assert response.status_code == 200, typed
        assert names(response) == [], typed
        assert find_pupils(membership, typed) == [], typed


def test_a_name_is_found_as_an_english_keyboard_types_it(client_for, dsl, teacher, school):
    """A teacher at a UK keyboard types a name without its accents, apostrophes or hyphens, or
    copies it surname first from the MIS, comma and all: each finds the child, on the roll, in
    the inbox and in the pupil picker of 'record a concern', and no one else."""
    zoe = PupilFactory(school=school, given_name="Zoë", family_name="García-O\u2019Brien")
    lukasz = PupilFactory(school=school, given_name="Łukasz", family_name="Søndergård")
    PupilFactory(school=school, given_name="Zoa", family_name="Garcin")
    client = client_for(dsl)

    def found(url, text):
        return client.get(search(client, url, text))

    for typed in ["zoe", "Garcia", "Zoe Garcia", "Garcia-OBrien", "garcia obrien", "OBRIEN",
                  "Garcia-O'Brien, Zoe", "Zoé"]:  # fmt: skip
        assert names(found(PUPILS, typed)) == ["Zoë García-O\u2019Brien"], typed
    for typed in ["lukasz", "Sondergard, Lukasz", "LUKASZ SØNDERGÅRD"]:
        assert names(found(PUPILS, typed)) == ["Łukasz Søndergård"], typed
    assert names(found(PUPILS, "Zoey")) == []
    membership = dsl.memberships.get()
    assert [p.pk for p in find_pupils(membership, "Garcia OBrien, Zoe")] == [zoe.pk]
    assert [p.pk for p in find_pupils(membership, "Lukasz")] == [lukasz.pk]
    record_concern(by=teacher, pupil=zoe, **concern_data())
    assert "García-O\u2019Brien" in found(reverse("concerns:inbox"), "garcia zoe").text


def test_a_name_copied_from_word_with_its_dash_finds_the_child(client_for, dsl, school):
    """Word turns a hyphen into an en dash ("Smith \u2013 Jones"), and an MIS may store a
    non-breaking hyphen or space: a name copied from a letter or a report finds the child."""
    PupilFactory(school=school, given_name="Mary\u00a0Ann", family_name="Smith\u2011Jones")
    PupilFactory(school=school, given_name="Ola", family_name="Nowak-Kowalska")
    client = client_for(dsl)

    def found(text):
        return names(client.get(search(client, PUPILS, text)))

    for typed in ["Smith\u2013Jones", "smith-jones", "MaryAnn Smith Jones", "Mary-Ann"]:
        assert found(typed) == ["Mary\u00a0Ann Smith\u2011Jones"], typed
    for typed in ["Nowak\u2013Kowalska", "nowak\u2014kowalska", "Nowak\u2212Kowalska"]:
        assert found(typed) == ["Ola Nowak-Kowalska"], typed


def test_either_apostrophe_finds_a_name_typed_with_the_other(client_for, dsl, teacher, school):
    """A phone or Word types a curly apostrophe where a keyboard types a straight one: either
    finds the other, on the roll, in the inbox and in the pupil picker of 'record a concern'."""
    zoe = PupilFactory(school=school, given_name="Zoë", family_name="O'Connor-Smith")
    aoife = PupilFactory(school=school, given_name="Aoife", family_name="O\u2019Brien")
    client = client_for(dsl)

    def found(url, text):
        return client.get(search(client, url, text))

    for typed in ["O\u2019Connor", "o\u2018connor-smith", "O'Connor", "zoë o\u02bcconnor"]:
        assert names(found(PUPILS, typed)) == ["Zoë O'Connor-Smith"], typed
    for typed in ["O'Brien", "o\u2019brien"]:
        assert names(found(PUPILS, typed)) == ["Aoife O\u2019Brien"], typed
    record_concern(by=teacher, pupil=zoe, **concern_data())
    record_concern(by=teacher, pupil=aoife, **concern_data())
    inbox = reverse("concerns:inbox")
    assert "O&#x27;Connor-Smith" in found(inbox, "O\u2019Connor").text
    assert "O\u2019Brien" in found(inbox, "o'brien").text
    assert [p.pk for p in find_pupils(dsl.memberships.get(), "O\u2019Connor")] == [zoe.pk]


def test_names_are_listed_whatever_the_case_of_their_first_letter(client_for, dsl, school):
    """A family name may start with a small letter (de Souza, al-Hassan, bin Abdullah): it is
    listed among the others, not after Z, on the roll (and its next page) and in the picker."""
    for family in ["Nowak", "de Souza", "Ahmed", "al-Hassan", "bin Abdullah", "Zielinski"]:
        PupilFactory(school=school, given_name="Sam", family_name=family)
    expected = [
        "Sam Ahmed",
        "Sam al-Hassan",
        "Sam bin Abdullah",
        "Sam de Souza",
        "Sam Nowak",
        "Sam Zielinski",
    ]
    client = client_for(dsl)
    assert names(client.get(PUPILS)) == expected
    assert [p.full_name for p in find_pupils(dsl.memberships.get(), "sam")] == expected
    page = paginate(search_pupils(dsl.memberships.get()), PUPIL_ORDER, size=3, by_id=True)
    after = paginate(
        search_pupils(dsl.memberships.get()),
        PUPIL_ORDER,
        after=page.next_cursor,
        size=3,
        by_id=True,
    )
    assert [p.full_name for p in page.rows + after.rows] == expected


def test_a_upn_typed_in_groups_and_small_letters_finds_its_pupil(client_for, dsl, teacher, school):
    """A UPN read out or copied from a letter comes with spaces: it is the same UPN, on the
    roll, in the inbox and in the pupil picker."""
    zoe = PupilFactory(school=school, given_name="Zoë", family_name="O'Connor-Smith")
    PupilFactory(school=school, given_name="Oliver", family_name="Nowak")
    typed = f" {zoe.upn[:1].lower()} {zoe.upn[1:4]} {zoe.upn[4:8]} {zoe.upn[8:].lower()} "
    client = client_for(dsl)
    assert names(client.get(search(client, PUPILS, typed))) == ["Zoë O'Connor-Smith"]
    assert [p.pk for p in find_pupils(dsl.memberships.get(), typed)] == [zoe.pk]
    record_concern(by=teacher, pupil=zoe, **concern_data())
    inbox = client.get(search(client, reverse("concerns:inbox"), typed)).text
    assert "O&#x27;Connor-Smith" in inbox


def test_no_pupils_name_is_in_a_page_title_which_browser_history_keeps(client_for, dsl, pupil):
    client = client_for(dsl)
    for name in ["concerns:pupil_chronology", "concerns:pupil_edit"]:
        page = client.get(reverse(name, args=[pupil.pk])).text
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert pupil.family_name not in title, name
        assert pupil.given_name not in title, name
        assert pupil.full_name in page  # the heading still says whose it is


def test_each_pupils_pages_have_their_own_title_still_without_the_name(client_for, dsl, school):
    # WCAG 2.4.2: two pupils' chronologies open in two tabs, or met again in the history, are
    # told apart by their titles, as the child protection file's are: by the pupil's number.
    client = client_for(dsl)
    pupils = PupilFactory.create_batch(2, school=school)
    for name in ["concerns:pupil_chronology", "concerns:pupil_edit"]:
        titles = set()
        for pupil in pupils:
            page = client.get(reverse(name, args=[pupil.pk])).text
            title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
            assert f"pupil {pupil.pk}" in title, name
            assert pupil.family_name not in title, name
            titles.add(title)
        assert len(titles) == 2, name


def test_the_roll_costs_the_same_queries_for_1_and_50_pupils(client_for, dsl, school, queries_for):
    client = client_for(dsl)
    PupilFactory(school=school)
    one = queries_for(client, PUPILS)
    PupilFactory.create_batch(49, school=school)
    assert queries_for(client, PUPILS) == one


def test_paging_through_a_large_roll_shows_every_pupil_once(client_for, dsl, school):
    PupilFactory.create_batch(120, school=school)
    client = client_for(dsl)
    seen, params = [], {}
    while True:
        response = client.get(PUPILS, params)
        page = response.context["page"]
        seen += [pupil.pk for pupil in page.rows]
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    assert sorted(seen) == sorted(Pupil.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 120


def test_the_rolls_page_links_hold_no_name(client_for, dsl, school):
    """The roll is in name order; its page links, kept in browser history, hold an id alone."""
    PupilFactory.create_batch(60, school=school, family_name="Quixotic", given_name="Zebedee")
    client = client_for(dsl)
    first = client.get(PUPILS)
    cursor = first.context["page"].next_cursor
    # What the link carries, read as the page reads it: the signed payload (not its signature,
    # which the old check decoded with it, failing for some ids) is the last row's id alone.
    assert signing.loads(cursor, salt=keyset._SALT) == [first.context["page"].rows[-1].pk]
    second = client.get(PUPILS, {"after": cursor}).context["page"]
    back = client.get(PUPILS, {"before": second.previous_cursor}).context["page"]
    assert [p.pk for p in back.rows] == [p.pk for p in first.context["page"].rows]


def test_a_roll_page_link_to_another_schools_pupil_starts_at_the_beginning(
    client_for, dsl, school, other_school
):
    PupilFactory.create_batch(60, school=school)
    elsewhere = PupilFactory(school=other_school)
    forged = base64.urlsafe_b64encode(f"[{elsewhere.pk}]".encode()).decode().rstrip("=")
    page = client_for(dsl).get(PUPILS, {"after": forged}).context["page"]
    assert not page.has_previous
    assert len(page.rows) == 50


# Adding and correcting a pupil.


def test_adding_a_pupil(client_for, dsl, school):
    client = client_for(dsl)
    response = client.post(ADD, pupil_post())
    assert response.status_code == 302
    pupil = Pupil.objects.get(school=school)
    assert (pupil.full_name, pupil.date_of_birth, pupil.year_group) == (
        "Zoë Kowalska",
        date(2016, 5, 17),
        "4",
    )
    assert AuditEvent.objects.filter(action="pupil.create", object_id=str(pupil.pk)).exists()
    assert "Zoë Kowalska has been added" in notice(client.get(response["Location"]).text)


def test_the_message_naming_the_pupil_stays_on_the_server(client_for, dsl):
    """Django's default keeps a message in a cookie: signed, but readable in the browser."""
    client = client_for(dsl)
    response = client.post(ADD, pupil_post())
    assert "messages" not in response.cookies
    assert "messages" not in client.cookies
    assert "Zoë Kowalska has been added" in notice(client.get(response["Location"]).text)


def test_a_upn_is_tidied_then_checked(client_for, dsl, school):
    upn = make_upn("821", 2001, 20, 7)
    client_for(dsl).post(ADD, pupil_post(upn=f" {upn.lower()[:6]} {upn.lower()[6:]} "))
    assert Pupil.objects.get(school=school).upn == upn


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("", "Enter the pupil's UPN"),
        ("A12345", "A UPN must be 13 characters long"),
        ("X821200120007", "The UPN's check letter does not match"),
    ],
)
def test_a_bad_upn_is_explained(client_for, dsl, upn, message):
    response = client_for(dsl).post(ADD, pupil_post(upn=upn))
    assert response.status_code == 200
    assert message in response.context["form"].errors["upn"][0]
    assert not Pupil.objects.exists()


def test_a_upn_already_on_the_roll_is_refused(client_for, dsl, pupil):
    response = client_for(dsl).post(ADD, pupil_post(upn=pupil.upn))
    assert [words(e) for e in response.context["form"].errors["upn"]] == [
        "Amelia Ahmed already has this UPN: check it, or edit Amelia"
    ]
    assert Pupil.objects.count() == 1


def test_naming_the_pupil_who_has_the_upn_typed_is_audited(client_for, dsl, pupil, school):
    # A name found by UPN is a read of that child's details, as on their own page.
    client = client_for(dsl)
    other = PupilFactory(school=school, given_name="Ben", family_name="Ahmed")
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert "Amelia Ahmed" in client.post(ADD, pupil_post(upn=pupil.upn)).text
    assert "Amelia Ahmed" in client.post(edit(other), pupil_post(upn=pupil.upn)).text
    rows = AuditEvent.objects.exclude(pk__in=before).order_by("pk")
    assert [(row.action, row.object_id, row.actor) for row in rows] == [
        ("pupil.view", str(pupil.pk), dsl),
        ("pupil.view", str(other.pk), dsl),
        ("pupil.view", str(pupil.pk), dsl),
    ]


def test_a_new_pupil_sent_twice_is_added_once_without_an_error(client_for, dsl, school):
    # Without JavaScript, nothing stops a second press of the button.
    client = client_for(dsl)
    assert client.post(ADD, pupil_post()).status_code == 302
    again = client.post(ADD, pupil_post(), follow=True)
    assert again.redirect_chain == [(PUPILS, 302)]
    assert "already has this UPN" not in again.text
    assert "Zoë Kowalska was already on the roll" in notice(again.text)
    assert Pupil.objects.filter(school=school).count() == 1
    assert AuditEvent.objects.filter(action="pupil.create").count() == 1
    # A different child given the same UPN is still refused.
    other = client.post(ADD, pupil_post(given_name="Zofia"))
    assert [words(e) for e in other.context["form"].errors["upn"]] == [
        "Zoë Kowalska already has this UPN: check it, or edit Zoë"
    ]


def test_two_presses_that_cross_add_the_pupil_once(dsl, school):
    # Both pass the form's check before either is saved: the second meets the first's row.
    from concerns.roll import add_pupil

    details = {
        "given_name": "Zoë",
        "family_name": "Kowalska",
        "date_of_birth": date(2016, 5, 17),
        "year_group": "4",
        "upn": make_upn("821", 2001, 20, 7),
    }
    first, added = add_pupil(by=dsl, school=school, **details)
    assert added
    assert add_pupil(by=dsl, school=school, **details) == (first, False)
    assert AuditEvent.objects.filter(action="pupil.create").count() == 1
    with pytest.raises(ValidationError):
        add_pupil(by=dsl, school=school, **details | {"given_name": "Zofia"})


def test_the_same_upn_at_another_school_is_allowed(client_for, dsl, other_school):
    other = PupilFactory(school=other_school)
    assert client_for(dsl).post(ADD, pupil_post(upn=other.upn)).status_code == 302


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the pupil's date of birth"),
        ("31", "2", "2016", "Date of birth must be a real date"),
        ("1", "1", "{next_year}", "Date of birth must be in the past"),
        ("1", "1", "1960", "Date of birth must be within the last 25 years"),
    ],
)
def test_a_bad_date_of_birth_is_explained(client_for, dsl, day, month, year, message):
    # Next year as the test runs: read as the tests were collected on 31 December, it would be
    # the year a run going on into January was already in, and 1 January no longer ahead.
    year = year.format(next_year=timezone.localdate().year + 1)
    response = client_for(dsl).post(
        ADD, pupil_post(date_of_birth_0=day, date_of_birth_1=month, date_of_birth_2=year)
    )
    assert response.context["form"].errors["date_of_birth"] == [message]


def test_a_pupil_past_25_can_still_have_other_details_corrected(client_for, dsl, school):
    # Their records are kept until reviewed, and a subject access request may need a name put right.
    born = date(timezone.localdate().year - 27, 3, 1)
    pupil = PupilFactory(school=school, date_of_birth=born, year_group="13")
    client = client_for(dsl)
    drawn = client.get(edit(pupil)).context["form"]["drawn"].value()
    sent = pupil_post(
        given_name="Amelie",
        family_name=pupil.family_name,
        date_of_birth_0="1",
        date_of_birth_1="3",
        date_of_birth_2=str(born.year),
        year_group="13",
        upn=pupil.upn,
        drawn=drawn,
    )
    assert client.post(edit(pupil), sent).status_code == 302
    pupil.refresh_from_db()
    assert (pupil.given_name, pupil.date_of_birth) == ("Amelie", born)
    # A date of birth changed to one as old is still refused.
    earlier = client.post(edit(pupil), sent | {"date_of_birth_1": "2", "drawn": ""})
    assert earlier.context["form"].errors["date_of_birth"] == [
        "Date of birth must be within the last 25 years"
    ]


def test_a_year_group_the_child_is_too_young_for_is_explained(client_for, dsl):
    # 2024 typed for 2014, say: every record about the child would give a wrong age.
    born = str(timezone.localdate().year - 2)
    response = client_for(dsl).post(
        ADD,
        pupil_post(date_of_birth_0="1", date_of_birth_1="1", date_of_birth_2=born, year_group="11"),
    )
    assert (
        response.context["form"]
        .errors["year_group"][0]
        .startswith(
            f"Year 11 does not fit the date of birth 1 January {born}: a child born then is "
            "usually in "
        )
    )
    assert not Pupil.objects.exists()


def test_a_year_group_is_checked_when_changed_not_when_the_name_is(client_for, dsl, school):
    born = date(timezone.localdate().year - 3, 1, 1)
    # As an import from before this check may have left them.
    pupil = PupilFactory(school=school, date_of_birth=born, year_group="9")
    client = client_for(dsl)
    sent = pupil_post(
        family_name=pupil.family_name,
        date_of_birth_0="1",
        date_of_birth_1="1",
        date_of_birth_2=str(born.year),
        year_group="9",
        upn=pupil.upn,
    )
    assert client.post(edit(pupil), sent).status_code == 302
    moved = client.post(edit(pupil), sent | {"year_group": "10"})
    assert "does not fit the date of birth" in moved.context["form"].errors["year_group"][0]
    assert client.post(edit(pupil), sent | {"year_group": "N"}).status_code == 302


def test_a_name_or_upn_too_long_is_explained_in_words_the_dsl_can_act_on(client_for, dsl):
    response = client_for(dsl).post(
        ADD, pupil_post(given_name="A" * 101, family_name="B" * 101, upn="A8212001200071234567890")
    )
    assert response.context["form"].errors == {
        "given_name": ["Given name must be 100 characters or fewer"],
        "family_name": ["Family name must be 100 characters or fewer"],
        "upn": ["A UPN must be 13 characters long: a check letter then 12 characters"],
    }


def test_every_missing_answer_is_listed(client_for, dsl):
    response = client_for(dsl).post(ADD, {})
    assert set(response.context["form"].errors) == {
        "given_name",
        "family_name",
        "date_of_birth",
        "year_group",
        "upn",
    }
    assert "Error: Add a pupil" in response.content.decode()


def test_correcting_a_pupils_details(client_for, dsl, pupil):
    client = client_for(dsl)
    form = client.get(edit(pupil)).context["form"]
    assert form["upn"].value() == pupil.upn
    assert AuditEvent.objects.filter(action="pupil.view", object_id=str(pupil.pk)).exists()
    response = client.post(
        edit(pupil),
        pupil_post(given_name="Amelie", family_name="Ahmed", year_group="5", upn=pupil.upn),
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert (pupil.given_name, pupil.year_group) == ("Amelie", "5")
    update = AuditEvent.objects.get(action="pupil.update")
    assert update.detail["fields"] == ["given_name", "year_group"]


def test_a_page_drawn_before_a_colleagues_correction_does_not_undo_it(
    client_for, dsl, deputy_dsl, pupil
):
    mine = client_for(dsl)
    drawn = mine.get(edit(pupil)).context["form"]["drawn"].value()
    # Meanwhile the deputy moves the pupil up a year.
    details = pupil_post(given_name="Amelia", family_name="Ahmed", upn=pupil.upn)
    deputy = client_for(deputy_dsl)
    deputy_drawn = deputy.get(edit(pupil)).context["form"]["drawn"].value()
    assert (
        deputy.post(edit(pupil), details | {"year_group": "5", "drawn": deputy_drawn}).status_code
        == 302
    )
    # My page still shows Year 4: I correct the given name.
    refused = mine.post(edit(pupil), details | {"given_name": "Amelie", "drawn": drawn})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()[0].startswith("Someone has changed")
    assert "Someone has changed this pupil&#x27;s details" in refused.text
    assert refused.context["form"]["given_name"].value() == "Amelie"  # what I typed is kept
    pupil.refresh_from_db()
    assert (pupil.given_name, pupil.year_group) == ("Amelia", "5")
    # Having seen it, I send again, now answering to the details as they are.
    again = refused.context["form"]["drawn"].value()
    sent = details | {"given_name": "Amelie", "year_group": "5", "drawn": again}
    assert mine.post(edit(pupil), sent).status_code == 302
    pupil.refresh_from_db()
    assert (pupil.given_name, pupil.year_group) == ("Amelie", "5")


def test_a_correction_sent_twice_is_saved_once_and_blames_no_colleague(client_for, dsl, pupil):
    # Without JavaScript, nothing stops a second press of the button.
    client = client_for(dsl)
    drawn = client.get(edit(pupil)).context["form"]["drawn"].value()
    sent = pupil_post(given_name="Amelie", family_name="Ahmed", upn=pupil.upn, drawn=drawn)
    assert client.post(edit(pupil), sent).status_code == 302
    again = client.post(edit(pupil), sent, follow=True)
    assert again.redirect_chain == [(PUPILS, 302)]
    assert "Someone has changed" not in again.text  # no colleague was involved
    pupil.refresh_from_db()
    assert pupil.given_name == "Amelie"
    assert AuditEvent.objects.filter(action="pupil.update").count() == 1


def test_a_refused_correction_is_audited_as_a_read(client_for, dsl, pupil, school):
    other = PupilFactory(school=school)
    client_for(dsl).post(edit(pupil), pupil_post(upn=other.upn))
    assert AuditEvent.objects.filter(action="pupil.view", object_id=str(pupil.pk)).count() == 1


def test_correcting_a_upn_to_another_pupils_is_refused(client_for, dsl, pupil, school):
    other = PupilFactory(school=school)
    response = client_for(dsl).post(edit(pupil), pupil_post(upn=other.upn))
    assert "already has this UPN" in response.context["form"].errors["upn"][0]
    pupil.refresh_from_db()
    assert pupil.upn != other.upn


# The pupil's chronology.


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "head"])
def test_the_chronology_lists_every_concern_in_date_order(request, walk, client_for, persona):
    later = walk.recorded(observed_at=timezone.now() - timedelta(days=1))
    earlier = walk.closed()
    Concern.objects.filter(pk=earlier.pk).update(observed_at=timezone.now() - timedelta(days=5))
    user = request.getfixturevalue(persona)
    response = client_for(user).get(chronology(walk.pupil))
    assert response.status_code == 200
    assert [c.reference for c in response.context["page"].rows] == [
        earlier.reference,
        later.reference,
    ]
    html = response.content.decode()
    for text in ["Talk with mum first.", "Breakfast and routines.", "Step 2: Early Help Hub"]:
        assert text in html
    event = AuditEvent.objects.get(action="pupil.chronology.view")
    assert (event.actor, event.object_type, event.object_id) == (
        user,
        "pupil",
        str(walk.pupil.pk),
    )


def test_the_chronology_shows_25_concerns_a_page_and_every_one_once(walk, client_for, dsl):
    recorded = [
        walk.recorded(observed_at=timezone.now() - timedelta(hours=40 - n)).reference
        for n in range(30)
    ]
    client = client_for(dsl)
    first = client.get(chronology(walk.pupil)).context["page"]
    assert first.has_next
    second = client.get(chronology(walk.pupil), {"after": first.next_cursor}).context["page"]
    assert not second.has_next
    assert [len(first.rows), len(second.rows)] == [25, 5]
    assert [c.reference for c in [*first.rows, *second.rows]] == recorded


def test_the_chronology_is_for_this_pupil_only(walk, client_for, dsl, school):
    walk.recorded()
    sibling = PupilFactory(school=school)
    record_concern(by=walk.teacher, pupil=sibling, **concern_data())
    response = client_for(dsl).get(chronology(walk.pupil))
    assert len(response.context["page"].rows) == 1


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor"])
def test_staff_and_hub_do_not_read_chronologies(request, walk, client_for, persona):
    walk.recorded()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(chronology(walk.pupil)).status_code == 403


def test_another_schools_dsl_gets_a_404_for_the_chronology(walk, client_for, other_school_dsl):
    walk.recorded()
    assert client_for(other_school_dsl).get(chronology(walk.pupil)).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="pupil").exists()
    assert not AuditEvent.objects.filter(action="pupil.chronology.view").exists()


def test_the_chronology_costs_the_same_queries_for_1_and_50_concerns(
    walk, client_for, dsl, queries_for
):
    client = client_for(dsl)
    walk.closed()
    one = queries_for(client, chronology(walk.pupil))
    for index in range(49):
        walk.closed() if index % 2 else walk.escalated()
    assert Concern.objects.count() == 50
    assert queries_for(client, chronology(walk.pupil)) == one


def test_the_chronology_prints_without_the_pages_controls(walk, client_for, dsl):
    for _ in range(51):
        walk.recorded()
    html = client_for(dsl).get(chronology(walk.pupil)).content.decode()
    assert 'class="govuk-pagination govuk-pagination--block app-no-print"' in html


def _printed(html):
    """What a page's print frame holds (what prints, its running head aside), in words,
    leaving out what is not printed."""
    body = html.split('<table class="app-print-frame"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    body = re.sub(r'<(\w+) class="[^"]*app-no-print[^"]*".*?</\1>', "", body, flags=re.S)
    return " ".join(words(body).split())


def test_a_printed_page_of_a_long_chronology_says_it_holds_only_some_concerns(
    clock, walk, client_for, dsl
):
    """The chronology prints a page at a time, without its page links: a DSL printing it for a
    case conference from the first page of 30 concerns handed round 25 of them, which read
    as the child's whole chronology."""
    clock.set(2026, 3, 2, 10, 0)
    for n in range(30):
        seen = timezone.now() - timedelta(days=40 - n)
        walk.recorded(observed_at=seen, delay_reason="Told the DSL only at the review.")
    client = client_for(dsl)
    first = client.get(chronology(walk.pupil))
    printed = _printed(first.text)
    assert (
        "Only the concerns seen from 21 January 2026 to 14 February 2026 are on this page. "
        "Later concerns are on the next page."
    ) in printed
    after = first.context["page"].next_cursor
    printed = _printed(client.get(chronology(walk.pupil), {"after": after}).text)
    assert (
        "Only the concerns seen from 15 February 2026 to 19 February 2026 are on this page. "
        "Earlier concerns are on the previous page."
    ) in printed
    # A chronology on one page is the whole of it, and says nothing of others.
    sibling = PupilFactory(school=walk.pupil.school)
    record_concern(by=walk.teacher, pupil=sibling, **concern_data())
    assert "on this page" not in _printed(client.get(chronology(sibling)).text)


def test_the_chronologys_back_link_says_where_it_goes(client_for, dsl, head, pupil):
    # The chronology is reached from a concern, the roll and the leavers' and requests' lists:
    # a bare "Back" to the roll reads as back to where the person came from.
    url = reverse("concerns:pupil_chronology", args=[pupil.pk])
    for person, back in ((dsl, "Back to pupils"), (head, "Back to concerns")):
        page = client_for(person).get(url).text
        assert re.search(rf'class="govuk-back-link">{back}</a>', page), person


def test_a_correction_sent_while_a_colleague_destroys_the_records_is_told(
    walk, client_for, dsl, deputy_dsl, pupil, monkeypatch
):
    # A former pupil's records are destroyed at review while a DSL corrects their name (for a
    # subject access request, say): the DSL is told, not shown a server error.
    born = date(timezone.localdate().year - 27, 3, 1)
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=born, year_group="13")
    walk.closed()
    client = client_for(dsl)
    drawn = client.get(edit(pupil)).context["form"]["drawn"].value()
    real_update = pupils_views.update_pupil

    def update_after_a_colleague_destroys(*args, **kwargs):
        destroy_records(Pupil.objects.get(pk=pupil.pk), by=deputy_dsl, confirmed=True)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(pupils_views, "update_pupil", update_after_a_colleague_destroys)
    client.raise_request_exception = False
    sent = pupil_post(
        given_name="Amelie",
        family_name=pupil.family_name,
        date_of_birth_0="1",
        date_of_birth_1="3",
        date_of_birth_2=str(born.year),
        year_group="13",
        upn=pupil.upn,
        drawn=drawn,
    )
    response = client.post(edit(pupil), sent)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The records about this pupil have been destroyed. Nothing was saved."
    ]
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
