"""Lists, searches and reports never show another tenant's rows.

Other schools and another authority get records with distinctive names. For each list page,
checked against the database: every record the page links to is one this person may see,
the page links to some (so the check is not empty), and no reference, pupil name or values
title of a record outside their scope appears anywhere on the page. Who may see what is
worked out here from DESIGN.md section 4 with plain queries, not by asking the selectors
under test, so a selector that widens its scope is caught.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceRequest
from concerns.models import Concern
from reports.models import ValuesEvidence
from reports.services import add_values_evidence
from schools.models import AUTHORITY_ROLES, Membership, Pupil, Role, School
from tests.factories import PupilFactory, kept_review, member
from tests.walk import advice_data, concern_data
from workflow.advice import request_hub_advice
from workflow.concerns import record_concern
from workflow.leavers import record_leaving
from workflow.subject_access import record_request

from .conftest import Visitor
from .world import OTHER_AUTHORITY, OTHER_SCHOOL, OWN

# The family name each other place's child and records carry.
OUTSIDERS = {OTHER_SCHOOL: "Quarrington", OTHER_AUTHORITY: "Vexley"}


@pytest.fixture(scope="module")
def crowd(world, django_db_blocker):
    """The world, plus records at the other school and the other authority, and a concern a
    colleague at the home school recorded."""
    with django_db_blocker.unblock():
        places = {OTHER_SCHOOL: world.other_school, OTHER_AUTHORITY: world.other_la_school}
        for place, name in OUTSIDERS.items():
            school, staff = places[place], world.user(Role.STAFF, place)
            child = PupilFactory(school=school, given_name=f"{name}ette", family_name=name)
            concern = record_concern(
                by=staff, pupil=child, **concern_data(location=f"{name} playground")
            )
            request_hub_advice(concern, by=world.user(Role.DSL, place), **advice_data())
            today = timezone.localdate()
            record_leaving(
                child,
                by=world.user(Role.DSL, place),
                left_on=today - timedelta(days=2),
                starts_on=today - timedelta(days=1),
                new_school=f"{name} High School",
            )
            record_request(
                child,
                by=world.user(Role.DSL, place),
                requester=f"{name} Parent",
                received_on=today - timedelta(days=1),
            )
            # A former pupil, 26, due for review; and a review that kept another's records.
            former = PupilFactory(
                school=school,
                given_name=f"{name}ina",
                family_name=name,
                date_of_birth=today - timedelta(days=26 * 366),
            )
            record_concern(by=staff, pupil=former, **concern_data())
            kept = PupilFactory(school=school, given_name=f"{name}o", family_name=name)
            kept_review(kept, by=world.user(Role.DSL, place), reason=f"{name} claim pending.")
            add_values_evidence(
                school,
                by=staff,
                activity_date=timezone.localdate() - timedelta(days=2),
                title=f"{name} council vote",
                description="Pupils voted.",
                year_groups=["5"],
                values=["democracy"],
            )
            lock_out(world.user(Role.DSL, place).email)
        colleague = member(Role.STAFF, world.school, full_name="Colin Colleague")
        world.colleagues = record_concern(by=colleague, pupil=world.pupil, **concern_data())
    return world


def lock_out(email):
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": email, "password": "not-the-password"})


def membership_of(user):
    return Membership.objects.select_related("school").get(user=user)


# Who may see what (DESIGN.md section 4), by plain queries.


def may_see_concerns(membership):
    if membership.role in AUTHORITY_ROLES:
        if membership.role == Role.LA_ADMIN:
            return Concern.objects.none()
        return Concern.objects.filter(
            school__local_authority=membership.local_authority, advice_requests__isnull=False
        ).distinct()
    mine = Concern.objects.filter(school=membership.school)
    return mine.filter(recorded_by=membership.user) if membership.role == Role.STAFF else mine


def may_see_requests(membership):
    if membership.role in {Role.HUB_ADVISOR, Role.HUB_MANAGER}:
        return AdviceRequest.objects.filter(
            concern__school__local_authority=membership.local_authority
        )
    return AdviceRequest.objects.filter(concern__school=membership.school)


def roll(membership):
    return Pupil.objects.filter(school=membership.school)


def values_log(membership):
    return ValuesEvidence.objects.filter(school=membership.school)


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def people_of(authority):
    """Everyone with a role in the authority or one of its schools."""
    return set(
        Membership.objects.filter(local_authority=authority).values_list("user__email", flat=True)
    ) | set(
        Membership.objects.filter(school__local_authority=authority).values_list(
            "user__email", flat=True
        )
    )


def linked(html, pattern):
    return {int(found) for found in re.findall(pattern, html)}


def choices(html, name):
    """The values of the radio buttons called `name`."""
    inputs = re.findall(r"<input\b[^>]*>", html, re.DOTALL)
    chosen = [tag for tag in inputs if f'name="{name}"' in tag]
    return {int(re.search(r'value="(\d+)"', tag).group(1)) for tag in chosen}


CONCERN_LINKS = r'href="/concerns/(\d+)/"'
PUPIL_LINKS = r'href="/concerns/pupils/(\d+)/chronology/"'
REQUEST_LINKS = r'href="/hub/requests/(\d+)/"'
VALUES_LINKS = r'href="/reports/values/(\d+)/"'


def assert_nothing_from_outside(html, membership, searched=""):
    """No trace on the page of a record this membership may not see (the words searched for
    are shown back in the search box, and are not a trace)."""
    for echo in [f'value="{searched}"', f"\u2018{searched}\u2019"] if searched else []:
        html = html.replace(echo, "")
    concerns = may_see_concerns(membership)
    hidden = Concern.objects.exclude(pk__in=ids(concerns))
    pupils = set(roll(membership)) | {c.pupil for c in concerns.select_related("pupil")}
    for concern in hidden:
        assert concern.reference not in html, f"{concern.reference} is on the page"
    for pupil in Pupil.objects.all():
        if pupil not in pupils:
            assert not re.search(rf"\b{pupil.family_name}\b", html), f"{pupil} is on the page"
    for entry in ValuesEvidence.objects.exclude(pk__in=ids(values_log(membership))):
        assert entry.title not in html, f"'{entry.title}' is on the page"


def page(user, name, query="", *, searched=""):
    """The page's HTML as `user` sees it; with `searched`, the results of its search box."""
    visitor = Visitor(user)
    url = reverse(name) + query
    if not searched:
        response = visitor.request("GET", url)
    else:
        found = {}

        def results(response):
            assert response.status_code == 303, (name, searched, response.status_code)
            found["page"] = visitor.client.get(response["Location"])

        visitor.request("POST", url, {"q": searched}, then=results)
        response = found["page"]
    assert response.status_code == 200, (name, query, searched, response.status_code)
    return response.text


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD_TEACHER])
@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("", ""),
        ("?status=recorded", ""),
        ("", "Quarrington"),
        ("", "Vexley"),
        # Filters naming another school's people: refused as a choice, never applied
        # as a way round the scope.
        ("?recorded_by={other_staff}", ""),
    ],
)
def test_the_inbox_shows_only_the_schools_concerns(db, crowd, role, query, searched):
    user = crowd.user(role)
    html = page(
        user,
        "concerns:inbox",
        query.format(other_staff=crowd.user("staff", "other school").pk),
        searched=searched,
    )
    membership = membership_of(user)
    shown = linked(html, CONCERN_LINKS)
    assert shown <= ids(may_see_concerns(membership))
    if not searched:
        assert shown, "the inbox showed nothing, so the check proves nothing"
    assert_nothing_from_outside(html, membership, searched=searched)


def test_my_concerns_are_only_the_ones_i_recorded(db, crowd):
    teacher = crowd.user(Role.STAFF)
    html = page(teacher, "concerns:mine")
    shown = linked(html, CONCERN_LINKS)
    assert shown == ids(Concern.objects.filter(recorded_by=teacher))
    assert crowd.colleagues.pk not in shown
    assert crowd.colleagues.reference not in html
    assert_nothing_from_outside(html, membership_of(teacher))


@pytest.mark.parametrize("searched", ["", "Ahmed", "Quarrington", "Vexley", "ette"])
def test_the_pupil_list_and_its_search_show_only_the_schools_roll(db, crowd, searched):
    dsl = crowd.user(Role.DSL)
    html = page(dsl, "concerns:pupils", searched=searched)
    shown = linked(html, PUPIL_LINKS)
    assert shown <= ids(roll(membership_of(dsl)))
    assert bool(shown) == (searched in {"", "Ahmed"})
    assert_nothing_from_outside(html, membership_of(dsl), searched=searched)


@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL])
@pytest.mark.parametrize("query", ["Ahmed", "Quarrington", "Vexley", "ette", "upn"])
def test_the_recording_pupil_search_finds_only_the_schools_pupils(db, crowd, role, query):
    user = crowd.user(role)
    if query == "upn":  # another school's pupil, by the number that identifies them anywhere
        query = Pupil.objects.get(given_name="Vexleyette").upn
    html = page(user, "concerns:record_pupil", searched=query)
    shown = choices(html, "pupil")
    assert shown <= ids(roll(membership_of(user)))
    assert bool(shown) == (query == "Ahmed")
    assert_nothing_from_outside(html, membership_of(user), searched=query)


@pytest.mark.parametrize(
    "query",
    ["", "?status=open&status=claimed&status=answered&status=withdrawn", "?school={elsewhere}"],
)
@pytest.mark.parametrize("place", [OWN, OTHER_AUTHORITY])
def test_the_hub_queue_shows_only_its_authoritys_requests(db, crowd, query, place):
    advisor = crowd.user(Role.HUB_ADVISOR, place)
    elsewhere = crowd.other_la_school if place == OWN else crowd.school
    html = page(advisor, "advice:queue", query.format(elsewhere=elsewhere.pk))
    membership = membership_of(advisor)
    shown = linked(html, REQUEST_LINKS)
    assert shown, "the queue showed nothing, so the check proves nothing"
    assert shown <= ids(may_see_requests(membership))
    assert_nothing_from_outside(html, membership)
    assert elsewhere.name not in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD_TEACHER])
@pytest.mark.parametrize("query", ["", "?value=democracy&year_group=5"])
def test_the_values_log_shows_only_the_schools_activities(db, crowd, role, query):
    user = crowd.user(role)
    html = page(user, "reports:values", query)
    shown = linked(html, VALUES_LINKS)
    membership = membership_of(user)
    assert shown == ids(values_log(membership))
    assert_nothing_from_outside(html, membership)


def test_lockouts_show_only_the_authoritys_people(db, crowd):
    admin = crowd.user(Role.LA_ADMIN)
    html = page(admin, "lockouts")
    listed = set(re.findall(r'name="username" value="([^"]+)"', html))
    assert listed == {crowd.user(Role.DSL, OTHER_SCHOOL).email}
    assert listed <= people_of(crowd.authority)
    assert crowd.user(Role.DSL, OTHER_AUTHORITY).email not in html


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER, Role.DSL])
def test_the_audit_report_is_about_the_school_alone(db, crowd, role):
    user = crowd.user(role)
    html = page(user, "reports:audit", f"?school={crowd.other_school.pk}")
    assert crowd.school.name in html
    for school in School.objects.exclude(pk=crowd.school.pk):
        assert school.name not in html
    assert_nothing_from_outside(html, membership_of(user))


def test_the_hub_overview_covers_the_authoritys_schools_alone(db, crowd):
    manager = crowd.user(Role.HUB_MANAGER)
    html = page(manager, "reports:hub_overview")
    assert crowd.other_school.name in html
    for school in School.objects.exclude(local_authority=crowd.authority):
        assert school.name not in html
    assert_nothing_from_outside(html, membership_of(manager))


def assert_lists_only_own_pupils(user, url_name, query="", *, outsiders):
    """The list at `url_name` links only pupils on the user's school's roll, shows something,
    and nothing of the other places' records (`outsiders`: their text, with {name})."""
    html = page(user, url_name, query)
    membership = membership_of(user)
    shown = linked(html, PUPIL_LINKS)
    assert shown, "the list showed nothing, so the check proves nothing"
    assert shown <= ids(roll(membership))
    assert_nothing_from_outside(html, membership)
    for name in OUTSIDERS.values():
        assert outsiders.format(name=name) not in html


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD_TEACHER])
def test_the_leavers_list_shows_only_the_schools_leavers(db, crowd, role):
    user = crowd.user(role)
    assert_lists_only_own_pupils(user, "concerns:leavers", outsiders="{name} High School")


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD_TEACHER])
@pytest.mark.parametrize("answered", ["", "?answered=yes"])
def test_the_subject_access_list_shows_only_the_schools_requests(db, crowd, role, answered):
    user = crowd.user(role)
    if answered:  # the world's request, answered, so the answered list shows something
        request = crowd.access_request
        type(request).objects.filter(pk=request.pk).update(
            answered_on=timezone.localdate(), answer="disclosed"
        )
    assert_lists_only_own_pupils(
        user, "concerns:access_requests", answered, outsiders="{name} Parent"
    )


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD_TEACHER])
@pytest.mark.parametrize("done", ["", "?done=yes"])
def test_the_records_review_lists_show_only_the_schools_records(db, crowd, role, done):
    user = crowd.user(role)
    if done:  # a review of the home school's own, so the log shows something
        kept_review(crowd.former, by=crowd.user(Role.DSL), reason="Our own claim pending.")
    assert_lists_only_own_pupils(
        user, "concerns:records_reviews", done, outsiders="{name} claim pending."
    )
