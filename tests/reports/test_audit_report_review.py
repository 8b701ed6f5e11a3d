"""Figures of the head teacher's report a review found untrue, each against a count made by
hand: who looked at the records due for review, advice sought on a withdrawn request, the time
from advice to the conversation that followed it, a hidden count given away by escalation
outcomes in the governors' version, and the tables' names for a screen reader."""

import re
from collections import Counter
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports.figures import VIEW_ACTIONS, Sample, audit_figures
from reports.periods import Period
from reports.services import confirm_prevent_policy
from schools.models import Membership, Role
from tests.factories import PupilFactory, member
from tests.security.test_audit_walk import AUDITED
from tests.walk import concern_data, escalation_data
from workflow.advice import (
    claim_advice_request,
    give_advice,
    request_hub_advice,
    withdraw_advice_request,
)
from workflow.concerns import (
    add_addendum,
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    record_escalation_outcome,
    reopen_concern,
)
from workflow.leavers import record_leaving
from workflow.reminders import remind_overdue

from .conftest import LONDON
from .tables import html_tables

REPORT = reverse("reports:audit")
NFA = "The mark was explained by the PE teacher who saw the fall happen."


def asked(concern, dsl):
    return request_hub_advice(concern, by=dsl, summary="S.", question="Q?", urgency="amber")


def advised_to_talk(request, advisor):
    give_advice(request, by=advisor, advice="Talk.", next_step="talk_to_parent", level_of_need=2)


def talked(concern, dsl, *, held_at):
    log_parent_conversation(
        concern,
        by=dsl,
        held=True,
        held_at=held_at,
        with_name="Mrs A",
        with_relationship="Mother",
        method="in_person",
        discussed="Things.",
    )


def test_every_page_that_shows_a_child_is_counted_among_the_reads():
    # The audit walk lists the row each page writes; all but the reports' show a child.
    shown = {action for action, _, _ in AUDITED.values() if action != "report.view"}
    assert shown - set(VIEW_ACTIONS) == set()


def test_opening_the_records_due_for_review_counts_as_reading_them(
    clock, school, dsl, head, client_for
):
    clock.set(2026, 3, 2, 9, 0)
    pupil = PupilFactory(school=school, date_of_birth=date(1990, 1, 1), given_name="Zed")
    concern = record_concern(by=dsl, pupil=pupil, **concern_data())
    close_concern(concern, by=dsl, outcome="nfa", rationale=NFA)
    clock.set(2026, 3, 3, 9, 0)
    client = client_for(dsl)
    client.get(reverse("concerns:records_reviews"))
    assert "Zed" in client.get(reverse("concerns:records_review", args=[pupil.pk])).text
    assert AuditEvent.objects.filter(actor=dsl, action__startswith="pupil.review").count() == 2
    clock.set(2026, 3, 4, 9, 0)
    viewers = html_tables(client_for(head).get(REPORT).text)["access-viewers"]
    rows = {row[0]: row for row in viewers[1:]}
    assert rows[dsl.full_name][-1] == "2"


def test_a_request_the_school_withdrew_is_not_advice_sought(clock, school, teacher, dsl):
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    other = record_concern(by=teacher, pupil=pupil, **concern_data())
    clock.set(2026, 3, 2, 10, 0)
    request = asked(concern, dsl)
    asked(other, dsl)
    clock.set(2026, 3, 2, 11, 0)
    withdraw_advice_request(request, by=dsl, reason="Sent by mistake.")
    clock.set(2026, 3, 2, 12, 0)
    close_concern(concern, by=dsl, outcome="nfa", rationale=NFA)
    figures = audit_figures(school, Period.academic_year(date(2026, 3, 2)), now=timezone.now())
    assert (figures.recorded, figures.advice_sought) == (2, 1)
    assert figures.closed_without_advice_count == 1


def test_the_time_to_the_conversation_counts_from_the_advice_it_followed(
    clock, school, teacher, dsl, hub_advisor
):
    # Advice at noon on Monday 2 March; the talk on Tuesday at 11; follow-up advice on
    # Wednesday; the talk logged on Thursday. From the first advice: 7 working hours.
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    for asked_at, advised in [((2, 10), (2, 12)), ((3, 14), (4, 10))]:
        clock.set(2026, 3, *asked_at, 0)
        request = asked(concern, dsl)
        claim_advice_request(request, by=hub_advisor)
        clock.set(2026, 3, *advised, 0)
        advised_to_talk(request, hub_advisor)
    clock.set(2026, 3, 5, 9, 0)
    talked(concern, dsl, held_at=datetime(2026, 3, 3, 11, 0, tzinfo=LONDON))
    figures = audit_figures(school, Period.academic_year(date(2026, 3, 5)), now=timezone.now())
    assert figures.advice_to_conversation.values == (7.0,)


def test_the_governors_version_hides_an_outcome_that_would_give_away_a_small_count(
    clock, client_for, head, school, teacher, dsl
):
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    for n in range(7):
        concern = record_concern(by=teacher, pupil=pupil, **concern_data())
        escalation = escalate_significant_harm(concern, by=dsl, **escalation_data())
        if n < 5:
            record_escalation_outcome(escalation, by=dsl, outcome="section_47")
    clock.set(2026, 3, 16, 12, 0)
    client = client_for(head)
    full = html_tables(client.get(REPORT).text)["escalations-outcome"][1:]
    assert [row[1:] for row in full] == [
        ["Section 47 child protection enquiry", "5"],
        ["Not yet recorded", "2"],
    ]
    tables = html_tables(client.get(REPORT, {"audience": "governors"}).text)
    total = dict(tables["escalations-target"][1:])["Children's social care (MASH)"]
    outcomes = [row[2] for row in tables["escalations-outcome"][1:]]
    assert total == "7"
    # 7 shown beside 5 and "fewer than 5" would say the hidden count is 2.
    assert "5" not in outcomes
    assert "fewer than 5" in outcomes


@pytest.mark.parametrize("audience", ["", "governors"])
def test_each_table_region_has_its_own_name(clock, client_for, head, audience):
    page = client_for(head).get(REPORT, {"audience": audience} if audience else {}).text
    labels = re.findall(r'role="region" aria-label="([^"]*)"', page)
    assert labels
    assert {label: n for label, n in Counter(labels).items() if n > 1} == {}


# Who counts as the school's DSL, its staff, and a refused look from elsewhere: scoped to this
# school's memberships and records, however many schools a person belongs to.


def figures_now(school, day=date(2026, 3, 2)):
    return audit_figures(school, Period.academic_year(day), now=timezone.now())


def test_a_deputy_dsls_first_action_is_the_dsls_review(clock, school, teacher, deputy_dsl):
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=PupilFactory(school=school), **concern_data())
    clock.set(2026, 3, 2, 11, 0)
    request_hub_advice(concern, by=deputy_dsl, summary="S.", question="Q?", urgency="amber")
    assert figures_now(school).recorded_to_dsl.values == (2.0,)


def test_a_dsl_elsewhere_who_is_staff_here_is_not_this_schools_dsl(
    clock, school, other_school, teacher
):
    both = member(Role.STAFF, school, full_name="Sam Both")
    Membership.objects.create(user=both, school=other_school, role=Role.DSL)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=both, pupil=PupilFactory(school=school), **concern_data())
    add_addendum(concern, by=both, text="More from the teacher who saw it.")
    clock.set(2026, 3, 4, 9, 0)
    figures = figures_now(school)
    assert figures.recorded_to_dsl.values == ()
    assert [row[1] for row in figures.awaiting_review] == [concern.reference]


def test_a_reopened_concern_awaits_review_again_from_its_reopening(clock, school, teacher, dsl):
    # Reopened and left undecided, it waits for a DSL's decision as a new concern does, and is
    # reminded; the report lists it with the time it began to wait again.
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=PupilFactory(school=school), **concern_data())
    clock.set(2026, 3, 2, 11, 0)
    close_concern(concern, by=dsl, outcome="nfa", rationale=NFA)
    clock.set(2026, 3, 9, 10, 0)
    reopen_concern(concern, by=dsl, reason="New disclosure from her brother.")
    clock.set(2026, 3, 10, 10, 0)  # one working day: not yet over it
    assert figures_now(school).awaiting_review == []
    clock.set(2026, 3, 11, 10, 0)
    (row,) = figures_now(school).awaiting_review
    assert row[1:] == (concern.reference, datetime(2026, 3, 9, 10, 0, tzinfo=LONDON), 16.0)
    assert remind_overdue() == 1


def test_a_dsl_here_who_is_staff_elsewhere_is_not_listed_as_staff_reading_beyond_their_own(
    clock, school, other_school, teacher, client_for
):
    lead = member(Role.DSL, school, full_name="Lee Lead")
    Membership.objects.create(user=lead, school=other_school, role=Role.STAFF)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=PupilFactory(school=school), **concern_data())
    client = client_for(lead)
    session = client.session
    session["membership_id"] = lead.memberships.get(school=school).pk
    session.save()
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    assert AuditEvent.objects.filter(actor=lead, action="concern.view").exists()
    assert figures_now(school).staff_beyond_own == []


def test_a_refused_look_at_this_schools_pupil_from_elsewhere_is_counted(
    clock, school, pupil, other_school_dsl, client_for
):
    clock.set(2026, 3, 2, 9, 0)
    url = reverse("concerns:pupil_chronology", args=[pupil.pk])
    assert client_for(other_school_dsl).get(url).status_code == 404
    denied = figures_now(school).denied
    assert [(row["actor_id"], row["attempts"]) for row in denied] == [(other_school_dsl.pk, 1)]


def test_a_policy_confirmed_after_the_period_is_not_its_evidence(clock, school, head):
    school.safeguarding_policy_url = "https://school.example/policy"
    school.save()
    clock.set(2026, 9, 2, 9, 0)  # the next academic year
    confirm_prevent_policy(school, by=head, expected_url=school.safeguarding_policy_url)
    assert figures_now(school, date(2026, 3, 2)).confirmation is None
    assert figures_now(school, date(2026, 9, 2)).confirmation is not None


def test_claimed_requests_are_still_open_and_withdrawn_ones_neither_open_nor_answered(
    clock, school, teacher, dsl, hub_advisor
):
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    requests = []
    for _ in range(3):
        concern = record_concern(by=teacher, pupil=pupil, **concern_data())
        requests.append(asked(concern, dsl))
    claim_advice_request(requests[0], by=hub_advisor)
    withdraw_advice_request(requests[1], by=dsl, reason="Sent by mistake.")
    figures = figures_now(school)
    assert (figures.requests_made, figures.requests_open) == (3, 2)
    assert all(row.times.values == () for row in figures.by_urgency)


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ((), None, None),
        ((4.0,), 4.0, 4.0),
        ((1.0, 2.0), 1.5, 2.0),
        (tuple(float(n) for n in range(1, 11)), 5.5, 9.0),  # rank ceil(9.0) = 9
        (tuple(float(n) for n in range(11, 0, -1)), 6.0, 10.0),  # rank ceil(9.9) = 10
    ],
)
def test_the_median_and_the_90th_percentile_by_nearest_rank(values, median, p90):
    sample = Sample(values)
    assert (sample.median, sample.p90) == (median, p90)


def test_a_pupil_who_left_on_the_periods_last_day_is_counted_in_it(clock, school, teacher, dsl):
    pupil = PupilFactory(school=school)
    clock.set(2026, 8, 31, 15, 0)
    record_concern(by=teacher, pupil=pupil, **concern_data())
    record_leaving(
        pupil,
        by=dsl,
        left_on=date(2026, 8, 31),
        starts_on=date(2026, 9, 3),
        new_school="Wardown Vale High School",
    )
    assert figures_now(school, date(2026, 8, 31)).leavers["left"] == 1
    assert figures_now(school, date(2026, 9, 1)).leavers["left"] == 0


def test_a_conversation_held_before_the_advice_came_is_counted_apart_from_the_median(
    clock, school, teacher, dsl, hub_advisor
):
    # Step 3 before step 2: the DSL spoke to the mother at 10, the hub advised at noon.
    pupil = PupilFactory(school=school)
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    request = asked(concern, dsl)
    claim_advice_request(request, by=hub_advisor)
    clock.set(2026, 3, 2, 12, 0)
    advised_to_talk(request, hub_advisor)
    clock.set(2026, 3, 2, 15, 0)
    talked(concern, dsl, held_at=datetime(2026, 3, 2, 10, 0, tzinfo=LONDON))
    figures = figures_now(school)
    assert (figures.conversations_held, figures.held_before_advice) == (1, 1)
    assert figures.advice_to_conversation.values == ()


PREVENT_ROW = "Policy covers Prevent, with no separate Prevent policy (step 4)"


def _prevent_row(client, query=None):
    return dict(html_tables(client.get(REPORT, query or {}).text)["evidence-policy"][1:])[
        PREVENT_ROW
    ]


@pytest.mark.parametrize(
    ("confirmed_on", "out_of_date"),
    [((2025, 3, 16), False), ((2025, 3, 15), True)],
)
def test_a_confirmation_more_than_12_months_old_is_not_reported_as_covering_the_policy(
    clock, school, head, client_for, confirmed_on, out_of_date
):
    # The start page asks the head to confirm again once the confirmation is more than 12
    # months old; the report, run on 16 March 2026, does not call it confirmed either.
    clock.set(*confirmed_on, 9, 0)
    confirm_prevent_policy(school, by=head, expected_url=school.safeguarding_policy_url)
    clock.set(2026, 3, 16, 12, 0)
    client = client_for(head)
    on = f"{confirmed_on[2]} March 2025"
    if out_of_date:
        assert _prevent_row(client) == (
            "Not confirmed in the 12 months to 16 March 2026: the last confirmation, by Hana "
            f"Head, head teacher, on {on}, is more than 12 months old"
        )
        assert _prevent_row(client, {"audience": "governors"}) == (
            "Not confirmed in the 12 months to 16 March 2026: the last confirmation, by the "
            f"head teacher on {on}, is more than 12 months old"
        )
    else:
        assert _prevent_row(client) == f"Confirmed by Hana Head, head teacher, on {on}"


def test_a_past_periods_confirmation_is_judged_at_the_end_of_that_period(
    clock, school, head, client_for
):
    # Confirmed in October 2023: current all through the 2023 to 2024 year, out of date by
    # the end of the 2024 to 2025 year (31 August 2025).
    clock.set(2023, 10, 2, 9, 0)
    confirm_prevent_policy(school, by=head, expected_url=school.safeguarding_policy_url)
    clock.set(2026, 3, 16, 12, 0)
    client = client_for(head)

    def year(first):
        return {
            **{"start_0": "1", "start_1": "9", "start_2": str(first)},
            **{"end_0": "31", "end_1": "8", "end_2": str(first + 1)},
        }

    assert _prevent_row(client, year(2023)) == (
        "Confirmed by Hana Head, head teacher, on 2 October 2023"
    )
    assert _prevent_row(client, year(2024)) == (
        "Not confirmed in the 12 months to 31 August 2025: the last confirmation, by Hana "
        "Head, head teacher, on 2 October 2023, is more than 12 months old"
    )


def test_a_policy_not_yet_confirmed_in_a_period_still_running_is_not_judged_at_its_end(
    clock, school, head, client_for
):
    # On 16 March 2026 the 2025 to 2026 year runs to 31 August: the head may still confirm,
    # so the report does not say the year ended without it. A year that is over does.
    clock.set(2026, 3, 16, 12, 0)
    client = client_for(head)
    assert _prevent_row(client) == "Not confirmed in this period so far"
    last_year = {
        **{"start_0": "1", "start_1": "9", "start_2": "2024"},
        **{"end_0": "31", "end_1": "8", "end_2": "2025"},
    }
    assert _prevent_row(client, last_year) == "Not confirmed by the end of the period"


def test_a_concern_a_dsl_only_added_a_note_to_still_awaits_their_decision(
    clock, school, teacher, dsl
):
    # Recorded on Monday at 9, a note from the DSL at 10, nothing decided by Wednesday at 9:
    # the leads are reminded it waits for a DSL's decision, and the head's report lists it.
    clock.set(2026, 3, 2, 9, 0)
    concern = record_concern(by=teacher, pupil=PupilFactory(school=school), **concern_data())
    clock.set(2026, 3, 2, 10, 0)
    add_addendum(concern, by=dsl, text="Seen; I will speak to the class teacher.")
    clock.set(2026, 3, 4, 9, 0)
    assert remind_overdue() == 1
    figures = figures_now(school)
    assert [(row[1], row[3]) for row in figures.awaiting_review] == [(concern.reference, 16.0)]
    # The note is still the DSL's first action on it, for the median.
    assert figures.recorded_to_dsl.values == (1.0,)
