import re

from django.urls import reverse

from schools.models import Pupil, Role
from schools.selectors import pupils_for, schools_for
from tests.concerns.test_pupils import pupil_post
from tests.factories import MembershipFactory, PupilFactory


def test_a_user_with_several_roles_chooses_one_and_the_header_shows_it(
    client_for, dsl, other_school
):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    client = client_for(dsl)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("choose_role")

    choose = client.get(reverse("choose_role"))
    assert "Which role are you working in?" in choose.text
    staff_membership = dsl.memberships.get(school=other_school)
    response = client.post(reverse("choose_role"), {"membership": staff_membership.pk})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert "Member of staff" in home.text
    assert "Chiltern Rise Academy" in home.text
    assert "change role" in home.text


def test_choosing_a_role_the_user_does_not_hold_is_refused(client_for, dsl, other_school_dsl):
    MembershipFactory(user=dsl, role=Role.STAFF, school=dsl.memberships.get().school)
    someone_elses = other_school_dsl.memberships.get()
    client = client_for(dsl)
    response = client.post(reverse("choose_role"), {"membership": someone_elses.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert client.session.get("membership_id") != someone_elses.pk


def test_choosing_nothing_says_what_to_do(client_for, dsl, other_school):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    response = client_for(dsl).post(reverse("choose_role"), {})
    assert "Select the role you are working in" in response.text


def test_a_school_membership_acts_for_its_own_school_only(
    dsl, school, other_school, other_la_school
):
    membership = dsl.memberships.get()
    assert list(schools_for(membership)) == [school]


def test_an_authority_membership_acts_for_its_own_schools_only(
    hub_advisor, school, other_school, other_la_school
):
    membership = hub_advisor.memberships.get()
    assert set(schools_for(membership)) == {school, other_school}


def test_pupil_search_is_scoped_to_the_membership_school(dsl, school, other_school, hub_advisor):
    own = PupilFactory(school=school)
    PupilFactory(school=other_school)
    assert list(pupils_for(dsl.memberships.get())) == [own]
    assert list(pupils_for(hub_advisor.memberships.get())) == []


def working_as_dsl_then_ended(client_for, dsl):
    """A client working in `dsl`'s DSL role, which an administrator has then ended."""
    client = client_for(dsl)
    working = dsl.memberships.get(role=Role.DSL)
    client.post(reverse("choose_role"), {"membership": working.pk})
    working.is_active = False
    working.save(update_fields=["is_active"])
    return client


def test_a_role_ended_while_in_use_says_so_and_moves_to_the_one_left(client_for, dsl, other_school):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    client = working_as_dsl_then_ended(client_for, dsl)
    home = client.get(reverse("home"), follow=True).text
    assert "The role you were working in has ended. You are now working as" in home
    assert "Chiltern Rise Academy" in home


def test_a_role_ended_while_in_use_asks_which_of_the_others_to_work_in(
    client_for, dsl, school, other_school
):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    MembershipFactory(user=dsl, role=Role.HEAD_TEACHER, school=school)
    client = working_as_dsl_then_ended(client_for, dsl)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("choose_role")
    assert "The role you were working in has ended. Choose the role to work in." in response.text


def test_choosing_a_role_goes_back_only_to_a_page_of_this_service(client_for, dsl, other_school):
    MembershipFactory(user=dsl, role=Role.STAFF, school=other_school)
    choose = reverse("choose_role") + "?next=https://evil.example/concerns/"
    response = client_for(dsl).post(choose, {"membership": dsl.memberships.first().pk})
    assert response["Location"] == reverse("home")


def _hidden_fields(page):
    """The hidden inputs of a page's form, as the browser would send them back."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def test_a_form_drawn_in_one_role_is_not_saved_in_another_chosen_since(
    client_for, dsl, school, other_school
):
    # A DSL of two schools opens "Add a pupil" working for the first, changes role to the
    # second in another tab, then saves: the child belongs on the first school's roll, not the
    # second's, where its staff would read them.
    MembershipFactory(user=dsl, role=Role.DSL, school=other_school)
    client = client_for(dsl)
    client.post(reverse("choose_role"), {"membership": dsl.memberships.get(school=school).pk})
    page = client.get(reverse("concerns:pupil_add")).text
    client.post(reverse("choose_role"), {"membership": dsl.memberships.get(school=other_school).pk})

    response = client.post(
        reverse("concerns:pupil_add"), _hidden_fields(page) | pupil_post(), follow=True
    )

    assert not Pupil.objects.exists()
    assert "This page was opened while you were working in another role" in response.text
    assert "nothing was saved" in response.text
    assert 'value="Kowalska"' in response.text  # what was typed is kept to check


def test_a_form_drawn_in_a_role_ended_since_is_not_saved_in_the_one_left(
    client_for, dsl, other_school
):
    MembershipFactory(user=dsl, role=Role.DSL, school=other_school)
    client = client_for(dsl)
    client.post(reverse("choose_role"), {"membership": dsl.memberships.first().pk})
    page = client.get(reverse("concerns:pupil_add")).text
    working = dsl.memberships.get(pk=client.session["membership_id"])
    working.is_active = False
    working.save(update_fields=["is_active"])

    response = client.post(
        reverse("concerns:pupil_add"), _hidden_fields(page) | pupil_post(), follow=True
    )

    assert not Pupil.objects.exists()
    assert "The role you were working in has ended. You are now working as" in response.text
    assert 'value="Kowalska"' in response.text


def test_someone_whose_roles_have_all_ended_is_told_so_not_asked_to_choose(client_for, dsl):
    # A leaver's "change role" link on a page drawn before their roles ended.
    client = client_for(dsl)
    dsl.memberships.update(is_active=False)
    for response in [client.get(reverse("choose_role")), client.post(reverse("choose_role"), {})]:
        assert response.status_code == 302
        assert response["Location"] == reverse("no_access")
