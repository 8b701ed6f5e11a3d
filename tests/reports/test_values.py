"""Step 5: the British values log — adding, listing with filters, and editing with history."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports.models import ValuesEvidence, ValuesEvidenceRevision
from reports.services import add_values_evidence, edit_values_evidence
from schools.models import Role, School
from tests.concerns.test_typed_direction import directions
from tests.factories import member
from workflow.exceptions import TransitionRefused

LOG = reverse("reports:values")
ADD = reverse("reports:values_add")


def entry(school, by, **overrides):
    data = {
        "activity_date": date(2026, 3, 2),
        "title": "School council elections",
        "description": "Each class voted by secret ballot.",
        "year_groups": ["5", "6"],
        "values": ["democracy"],
    }
    data.update(overrides)
    return add_values_evidence(school, by=by, **data)


def form_data(**overrides):
    data = {
        "activity_date_0": "2",
        "activity_date_1": "3",
        "activity_date_2": "2026",
        "title": "School council elections",
        "description": "Each class voted by secret ballot.",
        "year_groups": ["5", "6"],
        "values": ["democracy", "individual_liberty"],
    }
    data.update(overrides)
    return data


def edit_data(evidence, **overrides):
    return form_data(expected_version=str(evidence.version), **overrides)


# Access ladder


@pytest.mark.parametrize("name", ["reports:values", "reports:values_add"])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitors_cannot_open_an_entry(client, school, dsl):
    evidence = entry(school, dsl)
    for name in ("reports:values_detail", "reports:values_edit"):
        assert client.get(reverse(name, args=[evidence.pk])).status_code == 302


@pytest.mark.parametrize("persona", ["hub_advisor", "hub_manager", "la_admin"])
def test_authority_roles_are_refused(client_for, request, persona, school, dsl):
    client = client_for(request.getfixturevalue(persona))
    evidence = entry(school, dsl)
    assert client.get(LOG).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(reverse("reports:values_detail", args=[evidence.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["teacher", "dsl", "deputy_dsl", "head"])
def test_everyone_at_the_school_sees_the_log_and_may_add(client_for, request, persona, school):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LOG).status_code == 200
    assert client.get(ADD).status_code == 200


@pytest.mark.parametrize("persona", ["teacher", "dsl", "deputy_dsl", "head"])
def test_everyone_at_the_school_finds_the_log_on_the_start_page_and_in_the_menu(
    client_for, request, persona
):
    # Classroom staff teach the lessons and may add them (ADR 009): a log they cannot reach
    # from the service is one only the leads fill in.
    page = client_for(request.getfixturevalue(persona)).get(reverse("home")).text
    menu = page.split('id="navigation"')[1].split("</ul>")[0]
    assert f'href="{LOG}"' in menu
    assert f'href="{LOG}"' in page.split("</main>")[0].split('id="main-content"')[1]


def test_another_schools_entry_is_not_found_and_the_attempt_is_audited(
    client_for, other_school_dsl, school, dsl
):
    evidence = entry(school, dsl)
    client = client_for(other_school_dsl)
    for name in ("reports:values_detail", "reports:values_edit"):
        assert client.get(reverse(name, args=[evidence.pk])).status_code == 404
    assert client.post(reverse("reports:values_edit", args=[evidence.pk]), edit_data(evidence))
    assert (
        AuditEvent.objects.filter(
            action="access.denied", actor=other_school_dsl, object_type="valuesevidence"
        ).count()
        == 3
    )
    assert "School council elections" not in client.get(LOG).text


# Adding


def test_a_member_of_staff_adds_an_activity(clock, client_for, teacher, school):
    clock.set(2026, 3, 3, 16, 0)
    response = client_for(teacher).post(ADD, form_data())
    assert response.status_code == 302
    assert response["Location"] == LOG
    evidence = ValuesEvidence.objects.get()
    assert (evidence.school, evidence.created_by, evidence.version) == (school, teacher, 1)
    assert evidence.activity_date == date(2026, 3, 2)
    assert evidence.values == ["democracy", "individual_liberty"]
    assert evidence.year_group_labels == ["Year 5", "Year 6"]
    revision = evidence.revisions.get()
    assert (revision.number, revision.edited_by, revision.title) == (
        1,
        teacher,
        "School council elections",
    )
    assert AuditEvent.objects.filter(action="valuesevidence.add", actor=teacher).count() == 1
    page = client_for(teacher).get(LOG).text
    assert "School council elections" in page
    assert "2 March 2026" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"values": []}, "Select at least one value the activity promotes"),
        ({"year_groups": []}, "Select the year groups that took part"),
        ({"title": " "}, "Enter a title for the activity"),
        ({"description": ""}, "Enter what the activity was"),
        (
            {"activity_date_0": "", "activity_date_1": "", "activity_date_2": ""},
            "Enter the date of the activity",
        ),
        ({"activity_date_2": "26"}, "The year must include 4 numbers"),
        ({"activity_date_1": "13"}, "Enter a real date"),
        ({"activity_date_0": "31", "activity_date_1": "2"}, "Enter a real date"),
        ({"activity_date_2": "2027"}, "must be today or in the past"),
        ({"values": ["respect"]}, "Select at least one value the activity promotes"),
    ],
)
def test_an_incomplete_activity_is_refused_keeping_what_was_typed(
    clock, client_for, dsl, overrides, message
):
    clock.set(2026, 3, 3, 16, 0)
    response = client_for(dsl).post(ADD, form_data(**{"description": "Kept words.", **overrides}))
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert message in response.text
    assert "Kept words." in response.text or "description" in overrides
    assert 'value="School council elections"' in response.text or "title" in overrides
    assert not ValuesEvidence.objects.exists()


def test_the_service_needs_at_least_one_value(school, dsl):
    with pytest.raises(TransitionRefused) as refused:
        entry(school, dsl, values=[])
    assert refused.value.field == "values"
    assert not ValuesEvidence.objects.exists()


def test_nobody_adds_to_another_schools_log(school, other_school_dsl, hub_advisor):
    for user in (other_school_dsl, hub_advisor):
        with pytest.raises(TransitionRefused):
            entry(school, user)
    assert not ValuesEvidence.objects.exists()


# Listing and filtering


def test_the_log_is_filtered_by_value_year_group_and_term(clock, client_for, dsl, school):
    school.phase = School.Phase.ALL_THROUGH
    school.save()
    clock.set(2026, 7, 1, 9, 0)
    entry(school, dsl, title="Elections", values=["democracy"], year_groups=["1"])
    entry(school, dsl, title="Court visit", values=["rule_of_law"], year_groups=["10"])
    entry(
        school,
        dsl,
        title="Faith trail",
        values=["mutual_respect"],
        year_groups=["1"],
        activity_date=date(2025, 11, 5),
    )
    client = client_for(dsl)

    def titles(**query):
        page = client.get(LOG, query).text
        return {t for t in ("Elections", "Court visit", "Faith trail") if f">{t}<" in page}

    assert titles() == {"Elections", "Court visit", "Faith trail"}
    assert titles(value="democracy") == {"Elections"}
    # Year 1 must not match Year 10.
    assert titles(year_group="1") == {"Elections", "Faith trail"}
    assert titles(year_group="10") == {"Court visit"}
    assert titles(when="2025-09-01-to-2025-12-31") == {"Faith trail"}
    assert titles(when="2026-01-01-to-2026-03-31") == {"Elections", "Court visit"}
    assert titles(when="2025-09-01-to-2026-08-31", value="mutual_respect") == {"Faith trail"}
    assert titles(value="democracy", year_group="10") == set()
    assert (
        "No activities match these filters"
        in client.get(LOG, {"value": "democracy", "year_group": "10"}).text
    )


def test_a_school_is_offered_the_year_groups_it_teaches(client_for, dsl, school, other_school):
    page = client_for(dsl).get(ADD).text
    assert 'value="6"' in page
    assert 'value="7"' not in page
    other_school.phase = School.Phase.SECONDARY
    other_school.save()
    secondary = member(Role.DSL, other_school)
    page = client_for(secondary).get(ADD).text
    assert 'value="7"' in page
    assert 'value="R"' not in page


def test_editing_keeps_a_year_group_the_school_no_longer_offers(client_for, dsl, school):
    evidence = entry(school, dsl, year_groups=["6", "7"])
    page = client_for(dsl).get(reverse("reports:values_edit", args=[evidence.pk])).text
    seven = page[page.index('value="7"') :]
    assert seven[: seven.index(">")].split() == ['value="7"', 'checked="checked"']
    assert 'value="8"' not in page


def test_a_tampered_filter_is_shown_as_an_error(client_for, dsl):
    response = client_for(dsl).get(LOG, {"value": "monarchy"})
    assert response.status_code == 200
    assert "Select a value from the list" in response.text


def test_the_log_lists_newest_first_in_pages_of_25(clock, client_for, dsl, school):
    clock.set(2026, 7, 1, 9, 0)
    for day in range(1, 28):
        entry(school, dsl, title=f"Activity {day:02d}", activity_date=date(2026, 5, day))
    client = client_for(dsl)
    first = client.get(LOG).text
    assert first.index("Activity 27") < first.index("Activity 26")
    assert "Activity 02" not in first
    assert "Page 1 of 2" in first
    second = client.get(LOG, {"page": 2}).text
    assert "Activity 02" in second
    assert "Activity 01" in second


def test_the_log_makes_the_same_number_of_queries_for_1_and_50_entries(
    clock, client_for, dsl, school, django_assert_num_queries
):
    clock.set(2026, 7, 1, 9, 0)
    entry(school, dsl)
    client = client_for(dsl)
    client.get(LOG)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(LOG)
    for n in range(49):
        entry(school, dsl, title=f"Activity {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(LOG)


# Editing keeps history


def test_a_dsl_edits_an_activity_and_the_earlier_version_is_kept(
    clock, client_for, teacher, dsl, school
):
    clock.set(2026, 3, 3, 9, 0)
    evidence = entry(school, teacher)
    clock.set(2026, 3, 4, 15, 30)
    client = client_for(dsl)
    edit_page = reverse("reports:values_edit", args=[evidence.pk])
    assert 'value="School council elections"' in client.get(edit_page).text
    response = client.post(
        edit_page, edit_data(evidence, title="School council hustings", values=["democracy"])
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.title, evidence.version) == ("School council hustings", 2)
    revisions = list(evidence.revisions.order_by("number"))
    assert [(r.number, r.title, r.edited_by) for r in revisions] == [
        (1, "School council elections", teacher),
        (2, "School council hustings", dsl),
    ]
    assert AuditEvent.objects.filter(action="valuesevidence.edit", actor=dsl).count() == 1
    log = client.get(LOG).text
    assert "School council hustings" in log
    assert "School council elections" not in log
    detail = client.get(reverse("reports:values_detail", args=[evidence.pk])).text
    assert (
        'Version 2 (current): changed by <span dir="auto">Dee Lead</span> on 4 March 2026 at 3:30pm'
        in detail
    )
    assert 'Version 1: added by <span dir="auto">Tara Teacher</span>' in detail
    assert "School council elections" in detail


def test_an_edit_from_a_stale_page_is_refused(client_for, dsl, head, school):
    evidence = entry(school, dsl)
    stale = edit_data(evidence, title="From the stale page")
    edit_values_evidence(
        evidence, by=head, expected_version=1, **{**_content(evidence), "title": "Newer"}
    )
    response = client_for(dsl).post(reverse("reports:values_edit", args=[evidence.pk]), stale)
    assert response.status_code == 200
    assert "Someone changed this activity since you opened the page" in response.text
    assert 'value="From the stale page"' in response.text
    assert "Saved now, by a colleague" in response.text
    assert "Newer" in response.text  # their version, to check against
    evidence.refresh_from_db()
    assert (evidence.title, evidence.version, evidence.revisions.count()) == ("Newer", 2, 2)


def test_a_stale_edit_sent_again_after_seeing_the_colleagues_version_replaces_it(
    client_for, dsl, head, school
):
    evidence = entry(school, dsl)
    stale = edit_data(evidence, title="From the stale page")
    edit_values_evidence(
        evidence, by=head, expected_version=1, **{**_content(evidence), "title": "Newer"}
    )
    client = client_for(dsl)
    url = reverse("reports:values_edit", args=[evidence.pk])
    refused = client.post(url, stale)
    again = {**stale, "expected_version": refused.context["form"]["expected_version"].value()}
    assert client.post(url, again).status_code == 302
    evidence.refresh_from_db()
    assert (evidence.title, evidence.version) == ("From the stale page", 3)


def test_save_changes_clicked_twice_saves_once_and_says_so(client_for, dsl, school):
    # The browser shows the answer to the second click: it must not tell the DSL that someone
    # else changed the activity, showing their own change as a colleague's.
    evidence = entry(school, dsl)
    client = client_for(dsl)
    url = reverse("reports:values_edit", args=[evidence.pk])
    data = edit_data(evidence, title="School council hustings")
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(reverse("reports:values_detail", args=[evidence.pk]), 302)]
    assert "Someone changed this activity" not in again.text
    assert "Your changes have been saved." in again.text
    evidence.refresh_from_db()
    assert (evidence.title, evidence.version, evidence.revisions.count()) == (
        "School council hustings",
        2,
        2,
    )
    assert AuditEvent.objects.filter(action="valuesevidence.edit").count() == 1


def test_saving_without_a_change_writes_nothing(client_for, dsl, school):
    evidence = entry(school, dsl)
    data = edit_data(evidence, values=["democracy"])
    response = client_for(dsl).post(reverse("reports:values_edit", args=[evidence.pk]), data)
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.version, evidence.revisions.count()) == (1, 1)
    assert not AuditEvent.objects.filter(action="valuesevidence.edit").exists()


def test_staff_edit_their_own_activities_only(client_for, teacher, dsl, school):
    own = entry(school, teacher, title="Own")
    someone_elses = entry(school, dsl, title="Not mine")
    client = client_for(teacher)
    response = client.post(
        reverse("reports:values_edit", args=[own.pk]), edit_data(own, title="Mine")
    )
    assert response.status_code == 302
    assert client.get(reverse("reports:values_edit", args=[someone_elses.pk])).status_code == 403
    detail = client.get(reverse("reports:values_detail", args=[someone_elses.pk])).text
    assert "Change this activity" not in detail
    with pytest.raises(TransitionRefused, match="Only the person who added this activity"):
        edit_values_evidence(
            someone_elses,
            by=teacher,
            expected_version=1,
            **{**_content(someone_elses), "title": "X"},
        )
    someone_elses.refresh_from_db()
    assert someone_elses.title == "Not mine"


def test_a_revision_is_never_changed(school, dsl):
    revision = entry(school, dsl).revisions.get()
    revision.title = "Rewritten"
    with pytest.raises(ValueError, match="never changed"):
        revision.save()
    assert ValuesEvidenceRevision.objects.get().title == "School council elections"


def test_the_database_refuses_an_entry_that_promotes_no_value(school, dsl):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ValuesEvidence.objects.create(
            school=school,
            created_by=dsl,
            activity_date=date(2026, 3, 2),
            title="Nothing",
            description="Nothing.",
            year_groups=",1,",
        )


def _content(evidence):
    return {
        "activity_date": evidence.activity_date,
        "title": evidence.title,
        "description": evidence.description,
        "year_groups": evidence.year_group_values,
        "values": [v.value for v in evidence.values],
    }


def test_a_head_of_another_school_cannot_edit(school, dsl, other_school):
    evidence = entry(school, dsl)
    other_head = member(Role.HEAD_TEACHER, other_school)
    with pytest.raises(TransitionRefused):
        edit_values_evidence(evidence, by=other_head, expected_version=1, **_content(evidence))


def test_the_same_activity_sent_twice_is_added_once(clock, client_for, dsl, school):
    # A double click on "Add activity" must not put the activity in the log twice: the head
    # teacher's report counts every entry, so a duplicate would overstate step 5.
    clock.set(2026, 3, 3, 16, 0)
    client = client_for(dsl)
    key = client.get(ADD).context["form"]["submission_key"].value()
    for _ in range(2):
        response = client.post(ADD, form_data(submission_key=str(key)))
        assert response.status_code == 302
        assert response["Location"] == LOG
    evidence = ValuesEvidence.objects.get()
    assert evidence.revisions.count() == 1
    assert AuditEvent.objects.filter(action="valuesevidence.add").count() == 1
    # A fresh page is a new activity, even with the same words.
    other_key = client.get(ADD).context["form"]["submission_key"].value()
    assert other_key != key
    client.post(ADD, form_data(submission_key=str(other_key)))
    assert ValuesEvidence.objects.count() == 2


def test_the_service_refuses_a_date_before_2000_and_anything_not_on_its_lists(school, dsl):
    # The page's form checks these first; the service must hold on its own (an import, a
    # command or a tampered page reaches it directly), or the log would hold what the
    # report cannot place.
    with pytest.raises(TransitionRefused) as refused:
        entry(school, dsl, activity_date=date(1999, 12, 31))
    assert refused.value.field == "activity_date"
    with pytest.raises(TransitionRefused) as refused:
        entry(school, dsl, values=["democracy", "monarchy"])
    assert refused.value.field == "values"
    with pytest.raises(TransitionRefused) as refused:
        entry(school, dsl, year_groups=["6", "14"])
    assert refused.value.field == "year_groups"
    assert not ValuesEvidence.objects.exists()
    assert entry(school, dsl, activity_date=date(2000, 1, 1)).activity_date == date(2000, 1, 1)


def test_an_activity_title_is_shown_in_its_own_direction(client_for, dsl, school):
    """A title typed in Arabic or Urdu, like the description, reads right to left wherever it
    is listed or headed, not jumbled into the English around it."""
    title = "انتخابات مجلس المدرسة: School council"
    evidence = entry(school, dsl, title=title)
    client = client_for(dsl)
    for url in (LOG, reverse("reports:values_detail", args=[evidence.pk])):
        body = client.get(url).text.split("<body", 1)[1]  # not the page's <title>
        found = directions(body, title)
        assert found, url
        assert all(said == "auto" for _, said in found), (url, found)
