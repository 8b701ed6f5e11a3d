import pytest

from audit.scope import OutOfScope
from concerns.casework import load_casework
from concerns.models import Concern
from concerns.selectors import concerns_visible_to, get_concern_for, recorders_for
from schools.models import Role
from tests.factories import PupilFactory, member
from workflow.advice import withdraw_advice_request
from workflow.concerns import record_concern

from ..walk import concern_data


def membership(user):
    return user.memberships.get()


def test_staff_see_only_what_they_recorded(walk, school, teacher):
    own = walk.recorded()
    colleague = member(Role.STAFF, school)
    record_concern(by=colleague, pupil=walk.pupil, **concern_data())
    assert list(concerns_visible_to(membership(teacher))) == [own]


def test_dsl_and_head_see_all_of_their_school_and_nothing_else(walk, dsl, head, other_school):
    own = walk.recorded()
    other_teacher = member(Role.STAFF, other_school)
    record_concern(by=other_teacher, pupil=PupilFactory(school=other_school), **concern_data())
    assert list(concerns_visible_to(membership(dsl))) == [own]
    assert list(concerns_visible_to(membership(head))) == [own]


def test_hub_sees_a_concern_only_once_shared_and_only_in_its_authority(
    walk, hub_advisor, other_la_advisor, la_admin
):
    unshared = walk.recorded()
    shared = walk.with_hub()
    assert list(concerns_visible_to(membership(hub_advisor))) == [shared]
    assert unshared not in concerns_visible_to(membership(hub_advisor))
    assert list(concerns_visible_to(membership(other_la_advisor))) == []
    assert list(concerns_visible_to(membership(la_admin))) == []


def test_hub_no_longer_sees_a_concern_live_once_the_school_withdraws_its_only_request(
    walk, dsl, hub_advisor
):
    # ADR 008: a withdrawn request shares the concern only as it stood, on the request's page.
    concern = walk.with_hub()
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Resolved in school.")
    assert list(concerns_visible_to(membership(hub_advisor))) == []
    walk.with_hub(Concern.objects.get(pk=concern.pk))
    assert list(concerns_visible_to(membership(hub_advisor))) == [concern]


def test_out_of_scope_lookup_is_a_404(walk, other_school_dsl):
    concern = walk.recorded()
    with pytest.raises(OutOfScope):
        get_concern_for(membership(other_school_dsl), concern.pk)
    with pytest.raises(OutOfScope):
        get_concern_for(membership(other_school_dsl), "not-a-number")


def test_categories_read_with_the_concerns_are_the_concerns_own(walk):
    several = walk.recorded(categories=["radicalisation", "neglect", "online_safety"])
    one = walk.recorded(categories=["neglect"])
    read = {c.pk: c for c in Concern.objects.filter(pk__in=[several.pk, one.pk]).with_categories()}
    assert read[several.pk].category_values == ["neglect", "online_safety", "radicalisation"]
    assert read[one.pk].category_values == ["neglect"]
    # The same, in the same order, as read through the relation.
    assert read[several.pk].category_values == Concern.objects.get(pk=several.pk).category_values


def test_casework_for_a_mix_keeps_each_concerns_own_categories(walk):
    # A list read partly with its categories and partly without: the casework loader fetches
    # categories only for the others, and leaves the listed concerns' own relation alone.
    listed = walk.recorded(categories=["radicalisation", "neglect"])
    unlisted = walk.recorded(categories=["online_safety"])
    mixed = [
        Concern.objects.with_categories().get(pk=listed.pk),
        Concern.objects.get(pk=unlisted.pk),
    ]
    load_casework(mixed)
    assert mixed[1].category_values == ["online_safety"]
    assert mixed[0].category_values == ["neglect", "radicalisation"]
    assert sorted(c.category for c in mixed[0].categories.all()) == ["neglect", "radicalisation"]


def test_the_inbox_lists_who_recorded_by_name_whatever_its_first_letters_case(school, dsl):
    """The 'recorded by' filter: 'ana de Souza' among the As, not after 'Ola Zielinski'."""
    pupil = PupilFactory(school=school)
    for name in ["Ola Zielinski", "ana de Souza", "Ben Ahmed"]:
        record_concern(by=member(Role.STAFF, school, full_name=name), pupil=pupil, **concern_data())
    listed = [user.full_name for user in recorders_for(dsl.memberships.get())]
    assert listed == ["ana de Souza", "Ben Ahmed", "Ola Zielinski"]
