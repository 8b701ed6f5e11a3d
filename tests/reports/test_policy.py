"""Steps 1 and 4: the published safeguarding policy and the head teacher's confirmation that it
covers Prevent, with the start page's reminder."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports.models import PolicyConfirmation
from reports.services import PREVENT_STATEMENT, confirm_prevent_policy, set_policy_url
from workflow.exceptions import TransitionRefused

POLICY = reverse("reports:policy")
POLICY_URL = reverse("reports:policy_url")
CONFIRM = reverse("reports:policy_confirm")
HOME = reverse("home")
ADDRESS = "https://school.example/safeguarding-policy"
REMINDER = 'id="policy-reminder-title"'


# Access ladder


@pytest.mark.parametrize("path", [POLICY, POLICY_URL, CONFIRM])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor", "hub_manager", "la_admin"])
@pytest.mark.parametrize("path", [POLICY, POLICY_URL, CONFIRM])
def test_other_roles_are_refused(client_for, request, persona, path):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(path).status_code == 403


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl"])
def test_dsls_see_the_policy_and_may_change_its_address_but_not_confirm_it(
    client_for, request, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(POLICY).status_code == 200
    assert client.get(POLICY_URL).status_code == 200
    assert client.get(CONFIRM).status_code == 403
    assert "Only the head teacher can confirm" in client.get(POLICY).text


def test_a_head_sees_only_their_own_schools_policy(client_for, head, other_school, school):
    other_school.safeguarding_policy_url = "https://other.example/policy"
    other_school.save()
    text = client_for(head).get(POLICY).text
    assert ADDRESS in text
    assert "https://other.example/policy" not in text


# Confirming


def test_the_head_confirms_the_policy_covers_prevent(client_for, head, school):
    client = client_for(head)
    page = client.get(CONFIRM)
    assert PREVENT_STATEMENT in page.text
    assert ADDRESS in page.text
    response = client.post(CONFIRM, {"confirm": "on", "expected_url": ADDRESS})
    assert response.status_code == 302
    assert response["Location"] == POLICY
    confirmation = PolicyConfirmation.objects.get()
    assert (
        confirmation.school,
        confirmation.confirmed_by,
        confirmation.policy_url,
        confirmation.statement,
    ) == (school, head, ADDRESS, PREVENT_STATEMENT)
    event = AuditEvent.objects.get(action="policy.confirm")
    assert (event.actor, event.school, event.object_id) == (head, school, str(confirmation.pk))
    assert 'Confirmed by <span dir="auto">Hana Head</span>, head teacher' in client.get(POLICY).text


def test_a_confirmation_sent_twice_is_recorded_once(client_for, head, school):
    # A double click on "Confirm" must not put two confirmations in the school's history.
    client = client_for(head)
    key = client.get(CONFIRM).context["form"]["submission_key"].value()
    sent = {"confirm": "on", "expected_url": ADDRESS, "submission_key": str(key)}
    for _ in range(2):
        response = client.post(CONFIRM, sent)
        assert response.status_code == 302
        assert response["Location"] == POLICY
    assert PolicyConfirmation.objects.count() == 1
    assert AuditEvent.objects.filter(action="policy.confirm").count() == 1
    # Opening the page again is confirming again.
    key = client.get(CONFIRM).context["form"]["submission_key"].value()
    client.post(CONFIRM, {**sent, "submission_key": str(key)})
    assert PolicyConfirmation.objects.count() == 2


def test_confirming_needs_the_box_ticked(client_for, head):
    response = client_for(head).post(CONFIRM, {"expected_url": ADDRESS})
    assert response.status_code == 200
    assert "Confirm the statement is true, or go back" in response.text
    assert "<title>Error: " in response.text
    assert not PolicyConfirmation.objects.exists()


def test_confirming_again_keeps_every_earlier_confirmation(clock, client_for, head, school):
    clock.set(2025, 9, 10, 9, 0)
    first = confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    clock.set(2026, 9, 14, 9, 0)
    second = confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    assert list(PolicyConfirmation.objects.filter(school=school)) == [second, first]
    page = client_for(head).get(POLICY).text
    assert "10 September 2025" in page
    assert "14 September 2026" in page


def test_a_confirmation_is_never_changed(head, school):
    confirmation = confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    confirmation.policy_url = "https://elsewhere.example/"
    with pytest.raises(ValueError, match="never changed"):
        confirmation.save()


def test_only_the_head_teacher_may_confirm(dsl, school):
    with pytest.raises(TransitionRefused, match="Only the head teacher"):
        confirm_prevent_policy(school, by=dsl, expected_url=ADDRESS)
    assert not PolicyConfirmation.objects.exists()


def test_a_head_of_another_school_cannot_confirm_this_schools_policy(school, other_school):
    from schools.models import Role
    from tests.factories import member

    other_head = member(Role.HEAD_TEACHER, other_school)
    with pytest.raises(TransitionRefused):
        confirm_prevent_policy(school, by=other_head, expected_url=ADDRESS)
    assert not PolicyConfirmation.objects.exists()


def test_confirming_a_policy_whose_address_changed_meanwhile_is_refused(client_for, head, school):
    school.safeguarding_policy_url = "https://school.example/new-policy"
    school.save()
    response = client_for(head).post(CONFIRM, {"confirm": "on", "expected_url": ADDRESS})
    assert response.status_code == 200
    assert "The address of the policy changed since you opened this page" in response.text
    assert not PolicyConfirmation.objects.exists()
    # The page now carries the new address, so confirming again works.
    assert 'value="https://school.example/new-policy"' in response.text


def test_a_confirmation_drawn_for_one_school_is_not_recorded_for_another_chosen_since(
    client_for, head, school, other_school
):
    # A head of two schools in one trust, both publishing the trust's policy at one address,
    # opens the confirmation for the first, changes role to the second in another tab, then
    # confirms: the second school had not been checked, so nothing is recorded for it.
    import re

    from schools.models import Membership, Role

    other_school.safeguarding_policy_url = ADDRESS
    other_school.save()
    other = Membership.objects.create(user=head, school=other_school, role=Role.HEAD_TEACHER)
    client = client_for(head)
    client.post(reverse("choose_role"), {"membership": head.memberships.get(school=school).pk})
    page = client.get(CONFIRM).text
    client.post(reverse("choose_role"), {"membership": other.pk})
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))

    response = client.post(CONFIRM, hidden | {"confirm": "on"}, follow=True)

    assert "This page was opened while you were working in another role" in response.text
    assert not PolicyConfirmation.objects.exists()


def test_there_is_nothing_to_confirm_without_a_policy_address(client_for, head, school):
    school.safeguarding_policy_url = ""
    school.save()
    assert "has not been recorded yet" in client_for(head).get(CONFIRM).text
    with pytest.raises(TransitionRefused, match="Add the address"):
        confirm_prevent_policy(school, by=head, expected_url="")
    assert not PolicyConfirmation.objects.exists()


# The policy's address


def test_a_dsl_changes_the_policy_address(client_for, dsl, school):
    response = client_for(dsl).post(
        POLICY_URL, {"url": "https://www.leabank.sch.uk/policies", "expected_url": ADDRESS}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.safeguarding_policy_url == "https://www.leabank.sch.uk/policies"
    event = AuditEvent.objects.get(action="school.policy_url.change")
    assert event.detail == {"before": ADDRESS, "after": "https://www.leabank.sch.uk/policies"}


def test_an_address_changed_by_a_colleague_since_the_page_was_drawn_is_not_overwritten(
    client_for, dsl, head, school
):
    client = client_for(dsl)
    page = client.get(POLICY_URL)
    assert page.context["form"]["expected_url"].value() == ADDRESS
    set_policy_url(school, by=head, url="https://www.leabank.sch.uk/policies/2026")
    typed = "https://www.leabank.sch.uk/old-policies"
    response = client.post(POLICY_URL, {"url": typed, "expected_url": ADDRESS})
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "Someone changed the address since you opened this page" in response.text
    assert f'value="{typed}"' in response.text
    school.refresh_from_db()
    assert school.safeguarding_policy_url == "https://www.leabank.sch.uk/policies/2026"
    assert AuditEvent.objects.filter(action="school.policy_url.change").count() == 1
    # The page now answers to the address saved meanwhile: sending it again is a decision.
    assert response.context["form"]["expected_url"].value() == school.safeguarding_policy_url
    again = client.post(POLICY_URL, response.context["form"].data)
    assert again.status_code == 302
    school.refresh_from_db()
    assert school.safeguarding_policy_url == typed


def test_an_address_without_a_scheme_is_taken_as_https(client_for, head, school):
    client_for(head).post(
        POLICY_URL, {"url": "www.leabank.sch.uk/policies", "expected_url": ADDRESS}
    )
    school.refresh_from_db()
    assert school.safeguarding_policy_url == "https://www.leabank.sch.uk/policies"


@pytest.mark.parametrize(
    "url", ["not a web address", "javascript:alert(1)", "ftp://school.example/policy", ""]
)
def test_a_bad_address_is_refused_beside_the_field(client_for, head, school, url):
    response = client_for(head).post(POLICY_URL, {"url": url, "expected_url": ADDRESS})
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert (
        "Enter the full web address of the policy" in response.text
        or "Enter the address of the published safeguarding policy" in response.text
    )
    school.refresh_from_db()
    assert school.safeguarding_policy_url == ADDRESS
    assert not AuditEvent.objects.filter(action="school.policy_url.change").exists()


def test_the_service_refuses_a_bad_address_and_staff(teacher, head, school):
    with pytest.raises(TransitionRefused) as refused:
        set_policy_url(school, by=head, url="javascript:alert(1)")
    assert refused.value.field == "url"
    with pytest.raises(TransitionRefused, match="Only the head teacher or a DSL"):
        set_policy_url(school, by=teacher, url="https://school.example/x")
    school.refresh_from_db()
    assert school.safeguarding_policy_url == ADDRESS


def test_saving_the_same_address_writes_nothing(head, school):
    set_policy_url(school, by=head, url=ADDRESS)
    assert not AuditEvent.objects.exists()


# The start page's reminder


def test_the_head_is_reminded_to_confirm_until_they_do(client_for, head, school):
    client = client_for(head)
    page = client.get(HOME).text
    assert REMINDER in page
    assert "You have not yet confirmed that the safeguarding policy covers Prevent" in page
    assert f'href="{CONFIRM}"' in page
    confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    assert REMINDER not in client.get(HOME).text


@pytest.mark.parametrize(
    ("confirmed", "today", "reminded"),
    [
        ((2025, 3, 16, 9, 0), (2026, 3, 15, 9, 0), False),  # 12 months less a day
        ((2025, 3, 16, 9, 0), (2026, 3, 16, 9, 0), False),  # exactly 12 months
        ((2025, 3, 16, 9, 0), (2026, 3, 17, 9, 0), True),  # 12 months and a day
        ((2024, 2, 29, 9, 0), (2025, 3, 1, 9, 0), True),  # a leap day, a year and a day on
    ],
)
def test_a_confirmation_older_than_12_months_brings_the_reminder_back(
    clock, client_for, head, school, confirmed, today, reminded
):
    clock.set(*confirmed)
    confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    clock.set(*today)
    page = client_for(head).get(HOME).text
    assert ("more than 12 months old" in page) is reminded


def test_dsls_are_reminded_too_and_sent_to_the_policy_page(client_for, dsl, deputy_dsl):
    for user in (dsl, deputy_dsl):
        page = client_for(user).get(HOME).text
        assert "The head teacher has not yet confirmed" in page
        assert f'href="{POLICY}"' in page


def test_staff_and_hub_are_not_reminded(client_for, teacher, hub_advisor):
    for user in (teacher, hub_advisor):
        assert REMINDER not in client_for(user).get(HOME).text


def test_a_changed_address_since_confirming_brings_the_reminder_back(client_for, head, school):
    confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    set_policy_url(school, by=head, url="https://school.example/policy-2026")
    assert "address has changed since you confirmed" in client_for(head).get(HOME).text
