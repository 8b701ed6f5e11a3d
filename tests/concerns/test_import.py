"""Importing pupils from a school MIS's CSV export: preview first, UPN as the key."""

import io
import re
import zipfile
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.importer import parse_date, parse_year_group
from schools.demo import make_upn
from schools.models import Pupil
from schools.validators import upn_check_letter
from tests.factories import PupilFactory
from tests.notices import notice

IMPORT = reverse("concerns:pupil_import")
PREVIEW = reverse("concerns:pupil_import_preview")
UPNS = [make_upn("821", 3001, 21, n) for n in range(10)]


def csv_file(text, name="pupils.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), "text/csv")


def upload(client, file):
    return client.post(IMPORT, {"file": file})


def confirm(client):
    token = client.get(PREVIEW).context["form"]["token"].value()
    return client.post(PREVIEW, {"token": token})


GOOD = (
    "UPN,Forename,Surname,Date of Birth,Year\n"
    f"{UPNS[0]},Zoë,Kowalska,17/05/2016,4\n"
    f"{UPNS[1]},Oliver,Nowak,2015-09-01,Year 5\n"
)


@pytest.fixture
def client(client_for, dsl):
    return client_for(dsl)


# The access ladder.


@pytest.mark.parametrize("persona", ["teacher", "head", "hub_advisor"])
def test_only_dsls_import_pupils(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": csv_file(GOOD)}).status_code == 403
    assert client.get(PREVIEW).status_code == 403
    assert not Pupil.objects.exists()


def test_the_preview_without_an_upload_sends_the_dsl_to_upload(client):
    response = client.get(PREVIEW)
    assert response["Location"] == IMPORT


# A good file.


def test_a_good_file_is_shown_first_and_imported_only_when_confirmed(client, school):
    response = upload(client, csv_file(GOOD))
    assert response["Location"] == PREVIEW
    preview = client.get(PREVIEW)
    html = preview.content.decode()
    assert "2 new pupils to add" in html
    assert "Zoë Kowalska" in html
    assert "Year 5" in html
    assert not Pupil.objects.exists()

    done = confirm(client)

    assert done["Location"] == reverse("concerns:pupils")
    assert "2 pupils added and 0 updated" in client.get(done["Location"]).content.decode()
    zoe, oliver = Pupil.objects.filter(school=school).order_by("upn")
    assert (zoe.upn, zoe.full_name, zoe.date_of_birth, zoe.year_group) == (
        UPNS[0],
        "Zoë Kowalska",
        date(2016, 5, 17),
        "4",
    )
    assert (oliver.date_of_birth, oliver.year_group) == (date(2015, 9, 1), "5")
    event = AuditEvent.objects.get(action="pupil.import")
    assert (event.detail["added"], event.detail["updated"]) == (2, 0)
    assert event.detail["added_pupils"] == [zoe.pk, oliver.pk]
    assert "Kowalska" not in str(event.detail)
    # The preview is used up.
    assert client.get(PREVIEW)["Location"] == IMPORT


def test_one_pupil_added_is_counted_as_one_pupil(client, school):
    upload(client, csv_file("\n".join(GOOD.splitlines()[:2]) + "\n"))

    done = confirm(client)

    assert "1 pupil added and 0 updated" in client.get(done["Location"]).content.decode()
    assert Pupil.objects.filter(school=school).count() == 1


def test_common_header_spellings_and_a_semicolon_file_are_read(client, school):
    text = (
        "Legal Surname;Legal Forename;DOB;NC Year Actual;UPN;Reg Group\n"
        f"Nowak;Oliver;01/09/2015;R;{UPNS[2]};RA\n"
    )
    upload(client, csv_file(text))
    confirm(client)
    pupil = Pupil.objects.get(school=school)
    assert (pupil.given_name, pupil.family_name, pupil.year_group) == ("Oliver", "Nowak", "R")


def test_quotes_and_commas_inside_a_name_are_read_as_excel_writes_them(client, school):
    text = (
        '"UPN","Forename","Surname","Date of Birth","Year"\r\n'
        f'"{UPNS[0]}","John ""Jack""","O\'Brien, Jr","17/05/2016","4"\r\n'
        "\r\n"
    )
    upload(client, csv_file(text))
    confirm(client)
    pupil = Pupil.objects.get(school=school)
    assert (pupil.given_name, pupil.family_name) == ('John "Jack"', "O'Brien, Jr")


# Bad rows, each reported by line number.


def test_every_bad_row_is_reported_with_its_line_number_and_the_good_ones_import(client):
    text = (
        "UPN,Given name,Family name,Date of birth,Year group\n"
        f"{UPNS[0]},Zoë,Kowalska,17/05/2016,4\n"
        "\n"
        "A12345,Oliver,Nowak,01/09/2015,5\n"
        f"{UPNS[3]},,Brown,31/02/2015,5\n"
        f"{UPNS[4]},Ella,Green,01/09/2015,Year 14\n"
        f"{UPNS[5]},Noah,Khan,1/9/2099,3\n"
    )
    upload(client, csv_file(text))
    preview = client.get(PREVIEW)
    errors = dict(preview.context["stored"]["errors"])
    assert sorted(errors) == [4, 5, 6, 7]
    assert "13 characters long" in errors[4]
    assert "The given name is missing" in errors[5]
    assert "date of birth '31/02/2015' is not a date" in errors[5]
    assert "year group 'Year 14' is not one of N, R or 1 to 13" in errors[6]
    assert "date of birth must be in the past" in errors[7]
    html = preview.content.decode()
    assert "4 lines with a problem" in html
    confirm(client)
    assert list(Pupil.objects.values_list("upn", flat=True)) == [UPNS[0]]


def test_a_file_written_month_first_imports_no_date_of_birth_read_the_wrong_way_round(client):
    # 05/17/2016 shows the file is month first, so its 06/05/2016 is 5 June, not 6 May: read
    # day first it would put the wrong birthday on the child's record without a word.
    text = (
        "UPN,Forename,Surname,Date of Birth,Year\n"
        f"{UPNS[0]},Zoë,Kowalska,05/17/2016,4\n"
        f"{UPNS[1]},Oliver,Nowak,06/05/2016,4\n"
        f"{UPNS[2]},Ava,Khan,07/07/2016,4\n"
        f"{UPNS[3]},Noah,Brown,2016-03-04,4\n"
    )
    upload(client, csv_file(text))
    stored = client.get(PREVIEW).context["stored"]
    errors = dict(stored["errors"])
    assert sorted(errors) == [2, 3]
    assert "date of birth '05/17/2016' is not a date" in errors[2]
    assert "could be 6 May 2016 or 5 June 2016" in errors[3]
    assert "line 2" in errors[3]
    confirm(client)
    # The same day either way round, and a date written year first, are not in doubt.
    assert sorted(Pupil.objects.values_list("upn", flat=True)) == sorted([UPNS[2], UPNS[3]])


def test_a_year_group_the_child_is_too_young_for_is_refused_on_its_line(client):
    born = timezone.localdate().year - 2
    text = GOOD + f"{UPNS[2]},Ava,Nowak,01/01/{born},Year 11\n"
    upload(client, csv_file(text))
    stored = client.get(PREVIEW).context["stored"]
    assert stored["counts"]["new"] == 2
    [(line, reason)] = stored["errors"]
    assert line == 4
    assert reason.startswith(f"Year 11 does not fit the date of birth 1 January {born}")


def test_a_upn_written_in_groups_is_read_as_the_pupil_form_reads_it(client, school):
    upn = UPNS[3]
    spaced = f"{upn[:4]} {upn[4:8]} {upn[8:].lower()}"
    text = f"UPN,Forename,Surname,DOB,Year\n{spaced},Ava,Nowak,17/05/2016,4\n"
    upload(client, csv_file(text))
    confirm(client)
    assert Pupil.objects.get(school=school).upn == upn


def test_a_upn_twice_in_the_file_is_refused_on_both_lines(client):
    text = (
        "UPN,Forename,Surname,DOB,Year\n"
        f"{UPNS[0]},Zoë,Kowalska,17/05/2016,4\n"
        f"{UPNS[1]},Oliver,Nowak,01/09/2015,5\n"
        f"{UPNS[0]},Zoe,Kowalski,17/05/2016,4\n"
    )
    upload(client, csv_file(text))
    stored = client.get(PREVIEW).context["stored"]
    assert [tuple(error) for error in stored["errors"]] == [
        (2, f"The UPN {UPNS[0]} is also on line 4: each pupil once only"),
        (4, f"The UPN {UPNS[0]} is also on line 2: each pupil once only"),
    ]
    confirm(client)
    assert list(Pupil.objects.values_list("upn", flat=True)) == [UPNS[1]]


def test_a_upn_already_on_the_roll_updates_that_pupil_and_never_duplicates(client, school):
    moved_up = PupilFactory(
        school=school, upn=UPNS[0], given_name="Zoë", family_name="Kowalska", year_group="3"
    )
    same = PupilFactory(
        school=school,
        upn=UPNS[1],
        given_name="Oliver",
        family_name="Nowak",
        date_of_birth=date(2015, 9, 1),
        year_group="5",
    )
    upload(client, csv_file(GOOD))
    html = client.get(PREVIEW).content.decode()
    assert "0 new pupils to add" in html
    assert "1 pupil already on the roll whose details will be updated" in html
    assert "1 already on the roll with the same details (no change)" in html
    assert "Year group was Year 3" in html
    confirm(client)
    assert Pupil.objects.filter(school=school).count() == 2
    moved_up.refresh_from_db()
    same.refresh_from_db()
    assert moved_up.year_group == "4"
    assert (same.year_group, same.full_name) == ("5", "Oliver Nowak")
    event = AuditEvent.objects.get(action="pupil.import")
    assert (event.detail["added"], event.detail["updated"]) == (0, 1)
    # Which child's details changed, and which of them, is on the record (never the values).
    assert event.detail["changed"] == {str(moved_up.pk): ["year_group"]}
    assert event.detail["added_pupils"] == []


def test_an_update_says_what_changes(client, school):
    PupilFactory(
        school=school,
        upn=UPNS[1],
        given_name="Olly",
        family_name="Nowak",
        date_of_birth=date(2015, 9, 1),
    )
    upload(client, csv_file(GOOD))
    html = client.get(PREVIEW).content.decode()
    assert 'Name was <span dir="auto">Olly Nowak</span>' in html
    assert "year group was Year 4" in html


def test_a_check_kept_from_before_names_were_set_apart_is_still_shown_and_imported(client, school):
    """A preview uploaded just before the service was updated keeps its changes as sentences
    ("name was ..."): it is still shown, and imports, rather than failing."""
    olly = PupilFactory(
        school=school,
        upn=UPNS[1],
        given_name="Olly",
        family_name="Nowak",
        date_of_birth=date(2015, 9, 1),
    )
    upload(client, csv_file(GOOD))
    session = client.session
    for row in session["pupil_import"]["rows"]:
        row["changes"] = [f"{what} was {was}" for what, was in row["changes"]]
    session.save()
    assert "Name was Olly Nowak; year group was Year 4" in client.get(PREVIEW).text
    confirm(client)
    olly.refresh_from_db()
    assert (olly.full_name, olly.year_group) == ("Oliver Nowak", "5")


def test_a_corrected_date_of_birth_is_written_as_the_preview_writes_dates(client, school):
    PupilFactory(
        school=school,
        upn=UPNS[1],
        given_name="Oliver",
        family_name="Nowak",
        date_of_birth=date(2015, 9, 2),
    )
    upload(client, csv_file(GOOD))
    html = client.get(PREVIEW).content.decode()
    assert "1 September 2015" in html
    assert "Date of birth was 2 September 2015" in html


def test_a_upn_on_the_roll_given_to_a_different_child_is_refused(client, school):
    # A brother's UPN typed for his sister: her concerns would all become his.
    brother = PupilFactory(
        school=school,
        upn=UPNS[0],
        given_name="Adam",
        family_name="Kowalski",
        date_of_birth=date(2013, 2, 2),
        year_group="6",
    )
    upload(client, csv_file(GOOD))
    preview = client.get(PREVIEW)
    html = unescape(preview.content.decode())
    said = f'The UPN {UPNS[0]} is <span dir="auto">Adam Kowalski</span>\'s, born 2 February 2013'
    assert f"{said}, on the roll" in html
    assert [line for line, _ in preview.context["stored"]["errors"]] == [2]
    confirm(client)
    brother.refresh_from_db()
    assert (brother.full_name, brother.date_of_birth) == ("Adam Kowalski", date(2013, 2, 2))
    assert Pupil.objects.filter(school=school).count() == 2  # Oliver, on line 3, is added


def test_a_child_on_the_roll_under_another_upn_is_not_added_again(client, school):
    # Zoë was added by hand with the temporary UPN she came with; the MIS now has her
    # permanent one. Added as new, she would be on the roll twice, her concerns on one record
    # and the next ones on the other: neither chronology whole, nor the file sent if she left.
    body = "82130012101A"
    temporary = upn_check_letter(body) + body
    zoe = PupilFactory(
        school=school,
        upn=temporary,
        given_name="Zoe",
        family_name="Kowalska",
        date_of_birth=date(2016, 5, 17),
    )
    upload(client, csv_file(GOOD))
    preview = client.get(PREVIEW)
    html = unescape(preview.text)
    assert [line for line, _ in preview.context["stored"]["errors"]] == [2]
    said = '<span dir="auto">Zoe Kowalska</span>, born 17 May 2016, is on the roll with the UPN'
    assert f"{said} {temporary}" in html
    assert "1 new pupil to add" in html
    confirm(client)
    assert list(Pupil.objects.filter(school=school, given_name__startswith="Zo")) == [zoe]
    assert Pupil.objects.filter(school=school, upn=UPNS[1]).exists()  # Oliver is added


def test_the_same_child_with_a_new_surname_is_an_update(client, school):
    PupilFactory(
        school=school,
        upn=UPNS[0],
        given_name="Zoë",
        family_name="Nowak",
        date_of_birth=date(2016, 5, 17),
    )
    upload(client, csv_file(GOOD))
    assert 'Name was <span dir="auto">Zoë Nowak</span>' in client.get(PREVIEW).text


def test_the_same_name_written_another_way_with_a_corrected_birth_date_is_an_update(client, school):
    """The roll typed by hand has O'Connor and Zoe; the MIS has O\u2019Connor and Zoë. The
    same child, their date of birth put right: not refused as another child's UPN."""
    zoe = PupilFactory(
        school=school,
        upn=UPNS[0],
        given_name="Zoe",
        family_name="O'Connor-Smith",
        date_of_birth=date(2016, 5, 18),
        year_group="4",
    )
    upload(
        client,
        csv_file(
            "UPN,Forename,Surname,Date of Birth,Year\n"
            f"{UPNS[0]},Zoë,O\u2019connor-Smith,17/05/2016,4\n"
        ),
    )
    preview = client.get(PREVIEW)
    assert preview.context["stored"]["errors"] == []
    html = unescape(preview.content.decode())
    assert 'Name was <span dir="auto">Zoe O\'Connor-Smith</span>' in html
    assert "date of birth was 18 May 2016" in html
    confirm(client)
    zoe.refresh_from_db()
    assert (zoe.full_name, zoe.date_of_birth) == ("Zoë O\u2019connor-Smith", date(2016, 5, 17))


def test_each_showing_of_the_check_is_audited(client, school, dsl):
    """The check shows the roll's present details of the pupils the file would change."""
    PupilFactory(school=school, upn=UPNS[1], given_name="Olly", family_name="Nowak")
    upload(client, csv_file(GOOD))
    client.get(PREVIEW)
    client.get(PREVIEW)
    shown = AuditEvent.objects.filter(action="pupil.import.view")
    assert [(e.actor, e.school, e.object_type) for e in shown] == [(dsl, school, "school")] * 2


# Encodings.


def test_windows_western_text_is_read_and_the_dsl_asked_to_check_it(client, school):
    upload(client, csv_file(GOOD, encoding="cp1252"))
    html = client.get(PREVIEW).content.decode()
    assert "was not saved as UTF-8" in html
    assert "Zoë Kowalska" in html
    confirm(client)
    assert Pupil.objects.get(upn=UPNS[0]).given_name == "Zoë"


def test_utf8_with_a_byte_order_mark_is_read(client):
    upload(client, csv_file("\ufeff" + GOOD))
    assert client.get(PREVIEW).context["stored"]["counts"]["new"] == 2


def test_excels_unicode_text_is_read(client):
    upload(client, csv_file(GOOD.replace(",", "\t"), encoding="utf-16"))
    stored = client.get(PREVIEW).context["stored"]
    assert stored["counts"]["new"] == 2
    assert stored["note"] == ""


def test_utf16_without_a_byte_order_mark_is_refused_clearly(client):
    response = upload(client, csv_file(GOOD, encoding="utf-16-le"))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file could not be read as text. Save it from your MIS or spreadsheet as "
        "'CSV UTF-8' and upload it again."
    ]


# Files that cannot be imported at all.


def xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"  \r\n\r\n", "The selected file is empty"),
        (b"UPN,Forename,Surname,DOB,Year\n", "The file has column headings but no pupils"),
        (xlsx(), "The selected file must be a CSV file"),
        (PNG, "The selected file must be a CSV file"),
        (b"Name,Class\nZoe,4K\n", "Missing: UPN, given name, family name, date of birth"),
    ],
)
def test_a_file_that_cannot_be_imported_is_explained_beside_the_field(client, content, message):
    response = client.post(IMPORT, {"file": SimpleUploadedFile("pupils.csv", content)})
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert message in error
    assert "govuk-error-summary" in response.content.decode()
    assert client.get(PREVIEW)["Location"] == IMPORT


def test_a_file_that_is_too_large_is_refused(client, settings):
    settings.PUPIL_IMPORT_MAX_BYTES = 1024 * 1024
    big = GOOD + f"{UPNS[2]},A,B,01/01/2015,1\n" * 40_000
    response = upload(client, csv_file(big))
    assert response.context["form"].errors["file"] == ["The selected file must be smaller than 1MB"]


def test_a_file_of_exactly_the_limit_is_refused_as_the_message_says(client, settings):
    settings.PUPIL_IMPORT_MAX_BYTES = 1024 * 1024
    exact = GOOD.encode().ljust(1024 * 1024, b"\n")
    response = client.post(IMPORT, {"file": SimpleUploadedFile("pupils.csv", exact)})
    assert response.context["form"].errors["file"] == ["The selected file must be smaller than 1MB"]


def test_no_file_chosen(client):
    response = client.post(IMPORT, {})
    assert response.context["form"].errors["file"] == ["Select a CSV file"]


# Confirming checks again.


def test_if_the_roll_changed_since_the_preview_nothing_is_imported(client, school):
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    PupilFactory(school=school, upn=UPNS[1])  # someone added Oliver meanwhile
    response = client.post(PREVIEW, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == IMPORT
    assert "The roll changed while you were checking the file" in response.content.decode()
    assert Pupil.objects.filter(school=school).count() == 1
    assert not AuditEvent.objects.filter(action="pupil.import").exists()


def test_a_pupil_corrected_since_the_preview_is_not_overwritten(client, school, dsl):
    zoe = PupilFactory(
        school=school,
        upn=UPNS[0],
        given_name="Zoe",
        family_name="Kowalska",
        date_of_birth=date(2016, 5, 17),
        year_group="3",
    )
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    Pupil.objects.filter(pk=zoe.pk).update(family_name="Kowalska-Smith")  # a colleague's fix
    response = client.post(PREVIEW, {"token": token}, follow=True)
    assert "The roll changed while you were checking the file" in response.text
    zoe.refresh_from_db()
    assert (zoe.family_name, zoe.year_group) == ("Kowalska-Smith", "3")
    assert not AuditEvent.objects.filter(action="pupil.import").exists()


def test_a_stale_confirmation_does_not_import(client):
    upload(client, csv_file(GOOD))
    response = client.post(PREVIEW, {"token": "from-an-older-tab"})
    assert response["Location"] == PREVIEW
    assert not Pupil.objects.exists()


def test_the_preview_is_kept_only_for_the_school_it_was_checked_against(
    client_for, dsl, other_school
):
    from schools.models import Membership, Role

    client = client_for(dsl)
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    other = Membership.objects.create(user=dsl, school=other_school, role=Role.DSL)
    session = client.session
    session["membership_id"] = other.pk
    session.save()
    assert client.get(PREVIEW)["Location"] == IMPORT
    # Confirming it as the other school imports nothing, at either school.
    assert client.post(PREVIEW, {"token": token})["Location"] == IMPORT
    assert not Pupil.objects.exists()


def test_a_check_confirmed_in_another_role_says_why_nothing_was_imported_and_is_kept(
    client_for, dsl, school, other_school
):
    # Told only to upload the file to check it, the DSL would upload it again in the role
    # they now work in, and import the first school's children into the second's roll.
    from schools.models import Membership, Role

    client = client_for(dsl)
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    first = dsl.memberships.get(school=school)
    other = Membership.objects.create(user=dsl, school=other_school, role=Role.DSL)
    client.post(reverse("choose_role"), {"membership": other.pk})

    response = client.post(PREVIEW, {"token": token}, follow=True)

    assert response.redirect_chain == [(IMPORT, 302)]
    said = notice(response.text)
    assert (
        "Nothing was imported: you checked the file while working in another role, and you "
        f"are now working as {other}. To import it, change back to the role you checked it in"
    ) in said
    assert "Upload the file to check it first" not in said
    assert not Pupil.objects.exists()
    # Back in the role it was checked in, the check is there to confirm.
    client.post(reverse("choose_role"), {"membership": first.pk})
    confirm(client)
    assert Pupil.objects.filter(school=school).count() == 2


def test_a_file_chosen_in_one_role_is_not_checked_in_another_chosen_since(
    client_for, dsl, school, other_school
):
    # A DSL of two schools opens "Import pupils" working for the first, changes role to the
    # second in another tab, then uploads the first school's roll: checked and confirmed, its
    # children would join the second school's roll, where its staff would read them.
    from schools.models import Membership, Role

    other = Membership.objects.create(user=dsl, school=other_school, role=Role.DSL)
    client = client_for(dsl)
    client.post(reverse("choose_role"), {"membership": dsl.memberships.get(school=school).pk})
    page = client.get(IMPORT).text
    client.post(reverse("choose_role"), {"membership": other.pk})
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))

    response = client.post(IMPORT, hidden | {"file": csv_file(GOOD)}, follow=True)

    assert response.redirect_chain == [(IMPORT, 302)]
    said = unescape(response.text)
    assert "This page was opened while you were working in another role" in said
    assert f"You are now working as {other}" in said
    assert "what you typed, below" not in said  # a file chosen is not kept: nothing is below
    assert client.get(PREVIEW)["Location"] == IMPORT  # nothing was checked to confirm
    assert not Pupil.objects.exists()


# Reading the values a MIS writes.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", "4"),
        ("04", "4"),
        ("Year 4", "4"),
        ("Y4", "4"),
        ("yr 10", "10"),
        ("13", "13"),
        ("R", "R"),
        ("Reception", "R"),
        ("N2", "N"),
        ("Nursery", "N"),
        ("0", None),
        ("14", None),
        ("Year", None),
        ("", None),
    ],
)
def test_year_groups_as_a_mis_writes_them(text, expected):
    assert parse_year_group(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/05/2016", date(2016, 5, 17)),
        ("7/5/2016", date(2016, 5, 7)),
        ("2016-05-17", date(2016, 5, 17)),
        ("17-05-2016", date(2016, 5, 17)),
        ("17.05.2016", date(2016, 5, 17)),
        ("17/05/2016 00:00", date(2016, 5, 17)),  # a date and time column, or Excel's
        ("17/05/2016 00:00:00", date(2016, 5, 17)),
        ("2016-05-17T00:00:00", date(2016, 5, 17)),
        ("2016-05-17 00:00:00.000", date(2016, 5, 17)),
        ("17 May 2016", date(2016, 5, 17)),  # Excel's long UK dates
        ("17-May-2016", date(2016, 5, 17)),
        ("1 Sept 2016", date(2016, 9, 1)),
        ("01 september 2016", date(2016, 9, 1)),
        ("17/05/2016 13:45", None),  # a time that is not a date of birth's
        ("31 Feb 2016", None),
        ("17 Ma 2016", None),
        ("17-May-16", None),  # a two-digit year is ambiguous
        ("05/17/2016", None),  # American order is not a UK date
        ("17/05/16", None),  # a two-digit year is ambiguous
        ("yesterday", None),
    ],
)
def test_uk_and_iso_dates(text, expected):
    assert parse_date(text) == expected


# The confirmation sent twice (without JavaScript nothing stops a second press).


def test_a_confirmation_sent_twice_imports_once_and_says_so(client, school):
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    assert client.post(PREVIEW, {"token": token})["Location"] == reverse("concerns:pupils")
    again = client.post(PREVIEW, {"token": token}, follow=True)
    assert again.redirect_chain == [(reverse("concerns:pupils"), 302)]
    assert "Upload the file to check it first" not in again.text
    assert "already holds the pupils of this file" in again.text
    assert Pupil.objects.filter(school=school).count() == 2
    assert AuditEvent.objects.filter(action="pupil.import").count() == 1
    # The preview itself is still used up.
    assert client.get(PREVIEW)["Location"] == IMPORT


def test_two_confirmations_that_cross_do_not_say_nothing_was_imported(client, school):
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    # The second press is read with the session as it was before the first one's answer.
    before = dict(client.session)
    assert client.post(PREVIEW, {"token": token})["Location"] == reverse("concerns:pupils")
    session = client.session
    session.update(before)
    session.save()
    again = client.post(PREVIEW, {"token": token}, follow=True)
    assert again.redirect_chain == [(reverse("concerns:pupils"), 302)]
    assert "nothing was imported" not in again.text
    assert "already holds the pupils of this file" in again.text
    assert Pupil.objects.filter(school=school).count() == 2
    assert AuditEvent.objects.filter(action="pupil.import").count() == 1


def test_a_confirmation_refused_as_stale_is_not_taken_for_an_import_when_sent_again(client, school):
    upload(client, csv_file(GOOD))
    token = client.get(PREVIEW).context["form"]["token"].value()
    PupilFactory(school=school, upn=UPNS[1])  # someone added a different Oliver meanwhile
    client.post(PREVIEW, {"token": token})
    again = client.post(PREVIEW, {"token": token}, follow=True)
    assert "already holds the pupils" not in again.text
    assert Pupil.objects.filter(school=school).count() == 1


# The largest file allowed.


def test_the_largest_file_allowed_is_written_in_a_few_statements(client, school):
    """gunicorn ends a request after 30 seconds, rolling the import back, and while it runs
    the pupils' rows are locked (on SQLite, the whole database is). bulk_update wrote 10,000
    pupils as CASEs over every field of every row, in dozens of statements: 18 to 25 seconds. The
    roll moved up a year is one UPDATE per 500 pupils; the rest, each with its own values,
    one statement sent for them all. (Speed itself is a benchmark's business, not a test's.)"""
    from concerns.importer import MAX_ROWS

    upns = [make_upn("821", 3000 + n // 1000, 21, n % 1000) for n in range(MAX_ROWS)]
    Pupil.objects.bulk_create(
        Pupil(
            school=school,
            upn=upn,
            given_name=f"Ann{n}",
            family_name="Lee",
            date_of_birth=date(2016, 5, 17),
            year_group="4",
        )
        for n, upn in enumerate(upns)
    )
    half = MAX_ROWS // 2
    # Half the roll only moved up a year; the other half each given a new name as well.
    lines = [
        f"{upn},{'Ann' if n < half else 'Anne'}{n},Lee,17/05/2016,5" for n, upn in enumerate(upns)
    ]
    upload(client, csv_file("UPN,Forename,Surname,DOB,Year\n" + "\n".join(lines)))
    token = client.get(PREVIEW).context["form"]["token"].value()
    with CaptureQueriesContext(connection) as confirmation:
        done = client.post(PREVIEW, {"token": token})
    assert done["Location"] == reverse("concerns:pupils")
    table = Pupil._meta.db_table
    writes = [q["sql"] for q in confirmation.captured_queries if f'UPDATE "{table}"' in q["sql"]]
    # 5,000 moved up together: 10 statements of 500; 5,000 renamed each: one statement, sent
    # once for them all (Django logs it once, as "5000 times: UPDATE ...").
    assert len(writes) == half // 500 + 1
    assert Pupil.objects.filter(school=school, year_group="5").count() == MAX_ROWS
    first, last = Pupil.objects.get(upn=upns[0]), Pupil.objects.get(upn=upns[-1])
    assert (first.given_name, first.year_group) == ("Ann0", "5")
    assert (last.given_name, last.year_group) == (f"Anne{MAX_ROWS - 1}", "5")


def test_pupils_moved_up_together_and_one_by_one_are_each_written_as_the_file_gives(client, school):
    group = [PupilFactory(school=school, upn=UPNS[n], year_group="3") for n in range(3)]
    renamed = PupilFactory(school=school, upn=UPNS[3], given_name="Zoe", year_group="4")
    kept = PupilFactory(school=school, upn=UPNS[4], given_name="Ola", year_group="4")
    lines = [f"{p.upn},{p.given_name},{p.family_name},17/05/2016,4" for p in group]
    lines.append(f"{renamed.upn},Zoë,{renamed.family_name},17/05/2016,4")
    lines.append(f"{kept.upn},Ola,{kept.family_name},17/05/2016,4")
    upload(client, csv_file("UPN,Forename,Surname,DOB,Year\n" + "\n".join(lines)))
    confirm(client)
    assert [Pupil.objects.get(pk=p.pk).year_group for p in group] == ["4", "4", "4"]
    assert Pupil.objects.get(pk=renamed.pk).given_name == "Zoë"
    assert Pupil.objects.get(pk=kept.pk).given_name == "Ola"
    event = AuditEvent.objects.get(action="pupil.import")
    assert event.detail["changed"] == {
        **{str(p.pk): ["year_group"] for p in group},
        str(renamed.pk): ["given_name"],
    }
