"""The DSL's inbox: every concern of the school, grouped by what it needs next."""

import re
import threading
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditEvent
from concerns import inbox
from concerns.inbox import GROUPS, REFERRAL_DUE, inbox_page, inbox_queryset, mark_read
from concerns.models import Addendum, Closure, Concern, ConcernRead, ConcernStatus
from safeguarding.templatetags.presenters import uk_datetime
from schools.models import Role
from tests.concurrency import simultaneous_writers
from tests.factories import PupilFactory, member
from tests.searching import search
from workflow import core
from workflow.advice import give_advice
from workflow.concerns import (
    add_addendum,
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    record_escalation_outcome,
    reopen_concern,
)
from workflow.exceptions import TransitionRefused
from workflow.models import WorkflowEvent
from workflow.rules import Action

from ..walk import Walker, closing, concern_data, escalation_data, given_advice, held_conversation

S = ConcernStatus
INBOX = reverse("concerns:inbox")


def backdate(concern, **ago):
    Concern.objects.filter(pk=concern.pk).update(recorded_at=timezone.now() - timedelta(**ago))


def references(response):
    return [row.reference for _, rows in response.context["page"].sections for row in rows]


# The access ladder.


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor", "hub_manager", "la_admin"])
def test_other_roles_are_refused(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(INBOX).status_code == 403


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "head"])
def test_the_schools_leads_and_head_see_its_concerns(request, walk, client_for, persona):
    concern = walk.recorded()
    response = client_for(request.getfixturevalue(persona)).get(INBOX)
    assert response.status_code == 200
    assert references(response) == [concern.reference]
    assert AuditEvent.objects.filter(action="concern.inbox.view").count() == 1


def test_another_schools_dsl_sees_none_of_them(walk, client_for, other_school_dsl):
    walk.recorded()
    walk.closed()  # recently closed concerns are listed too, but only the school's own
    response = client_for(other_school_dsl).get(INBOX)
    assert response.status_code == 200
    assert references(response) == []


# Grouping and order.


def test_an_empty_inbox_says_how_far_back_it_lists_closed_concerns(client_for, dsl, monkeypatch):
    monkeypatch.setattr(inbox, "RECENTLY_CLOSED", timedelta(days=7))
    page = client_for(dsl).get(reverse("concerns:inbox")).text
    assert "There are no open concerns, and none closed in the last 7 days." in page


def test_groups_come_in_working_order_with_urgent_first_then_oldest(walk, client_for, dsl):
    old = walk.recorded()
    backdate(old, days=3)
    new = walk.recorded()
    urgent = walk.recorded(immediate_risk=True)
    with_hub = walk.with_hub()
    escalated = walk.escalated()
    advised = walk.advice_received()
    logged = walk.conversation_logged()
    closed = walk.closed()
    added_to = walk.closed()
    closed_at(added_to, timezone.now() - timedelta(days=60))
    add_addendum(added_to, by=walk.teacher, text="She told me more today.")

    response = client_for(dsl).get(INBOX)

    sections = response.context["page"].sections
    assert [heading for heading, _ in sections] == [
        heading
        for group, heading in GROUPS
        if group != REFERRAL_DUE  # none needs a referral
    ]
    assert references(response) == [
        urgent.reference,
        old.reference,
        new.reference,
        added_to.reference,
        with_hub.reference,
        advised.reference,
        escalated.reference,
        logged.reference,
        closed.reference,
    ]
    html = response.content.decode()
    assert "Immediate risk" in html
    assert "Talk with the parent or carer and log the conversation" in html
    assert "Record the outcome of the referral" in html
    assert "Wait for the hub&#x27;s advice, due" in html


def test_a_conversation_logged_where_a_referral_must_come_first_is_not_ready_to_close(
    walk, client_for, dsl
):
    # The hub advised a referral to children's social care, or the parent was not told because
    # telling would place the child at risk: the concern cannot close until the referral is
    # recorded, whatever the parent conversation's log says.
    advised = walk.claimed()
    give_advice(walk.request(advised), by=walk.advisor, **given_advice(next_step="mash"))
    log_parent_conversation(advised, by=dsl, **held_conversation())
    at_risk = walk.advice_received()
    log_parent_conversation(
        at_risk,
        by=dsl,
        **held_conversation(held=False, not_held_reason="risk", details="Dad is the risk."),
    )
    logged = walk.conversation_logged()

    sections = client_for(dsl).get(INBOX).context["page"].sections
    grouped = {heading: [row.reference for row in rows] for heading, rows in sections}
    assert grouped["Parent conversation logged: ready to close"] == [logged.reference]
    due = grouped["Referral to record before closing"]
    assert sorted(due) == sorted([advised.reference, at_risk.reference])
    steps = {row.reference: row.next_step for _, rows in sections for row in rows}
    assert steps[advised.reference].startswith("Record the referral")
    assert steps[logged.reference] == "Close it, or ask the hub for follow-up advice"


def test_advice_to_refer_is_not_shown_as_a_parent_conversation_due(walk, client_for, dsl):
    # The hub advised a referral to children's social care: the inbox does not tell the DSL
    # to talk with the parent first (which a referral for significant harm may rule out).
    advised = walk.claimed()
    give_advice(walk.request(advised), by=walk.advisor, **given_advice(next_step="mash"))
    sections = client_for(dsl).get(INBOX).context["page"].sections
    assert [(heading, [row.next_step for row in rows]) for heading, rows in sections] == [
        ("Referral to record before closing", ["Record the referral (escalate), then close it"])
    ]


@pytest.mark.parametrize("outcome", ["", "police_action"])
def test_an_escalation_elsewhere_is_not_the_referral_the_hub_advised(
    walk, client_for, dsl, outcome
):
    # The hub advised a referral to children's social care; the DSL referred to the police
    # only. The concern cannot close until the advised referral is recorded (the concern page
    # and closing it say so): the row does not tell the DSL to close it.
    concern = walk.claimed()
    give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    police = escalate_significant_harm(
        concern, by=dsl, **escalation_data(referred_to="police", reference_number="PC-1")
    )
    if outcome:
        record_escalation_outcome(police, by=dsl, outcome=outcome)
    with pytest.raises(TransitionRefused, match="The hub advised"):
        close_concern(concern, by=dsl, **closing(outcome="nfa"))
    _, steps = _rows(client_for(dsl))
    assert steps[concern.reference].startswith(
        "Record the referral to children's social care the hub advised"
    )


def test_an_escalation_to_where_the_hub_advised_lets_the_row_say_close_it(walk, client_for, dsl):
    concern = walk.claimed()
    give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    referral = escalate_significant_harm(concern, by=dsl, **escalation_data())
    record_escalation_outcome(referral, by=dsl, outcome="section_47")
    _, steps = _rows(client_for(dsl))
    assert steps[concern.reference] == "Close it, now the referral's outcome is known"


@pytest.mark.parametrize("advised_again", [False, True])
def test_a_referral_the_hub_advises_is_looked_for_since_the_concern_was_reopened(
    walk, client_for, dsl, advised_again
):
    # Advised to refer, referred and closed; reopened on new information, then (advised to
    # refer again, or not asked) escalated to the police. The earlier advice was answered in
    # its own episode; advice given again is answered only by a referral made since.
    concern = walk.claimed()
    give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    referral = escalate_significant_harm(concern, by=dsl, **escalation_data())
    record_escalation_outcome(referral, by=dsl, outcome="section_47")
    close_concern(concern, by=dsl, **closing(outcome="csc"))
    reopen_concern(concern, by=dsl, reason="A new note from the class teacher.")
    if advised_again:
        walk.claimed(concern)
        give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    police = escalate_significant_harm(
        concern, by=dsl, **escalation_data(referred_to="police", reference_number="PC-2")
    )
    record_escalation_outcome(police, by=dsl, outcome="police_action")
    _, steps = _rows(client_for(dsl))
    assert steps[concern.reference] == (
        "Record the referral to children's social care the hub advised, then close it"
        if advised_again
        else "Close it, now the referral's outcome is known"
    )


def test_advice_the_hub_has_not_given_by_its_due_time_is_to_be_followed_up_not_waited_for(
    walk, client_for, dsl
):
    # A red request was due at 10 this morning; at 4pm the DSL must not be told to wait.
    late = walk.with_hub(urgency="red")
    due = timezone.now() - timedelta(hours=6)
    AdviceRequest.objects.filter(concern=late).update(due_at=due)
    on_time = walk.with_hub()

    html = client_for(dsl).get(INBOX).content.decode()

    assert (
        f"Follow up the request with the hub: its advice was due {uk_datetime(due)}".replace(
            "'", "&#x27;"
        )
        in html
    )
    assert html.count("Wait for the hub&#x27;s advice, due") == 1
    assert uk_datetime(Walker.request(on_time).due_at) in html


def test_a_concern_marked_at_immediate_risk_is_not_offered_closing_before_an_answer(
    walk, client_for, dsl
):
    # Closing is refused until the hub has advised or it is escalated (the concern page does
    # not offer it): the row does not offer it either. Reopened after an escalation, the
    # mark has had its answer and closing is one of the choices again.
    urgent = walk.recorded(immediate_risk=True)
    with pytest.raises(TransitionRefused, match="immediate risk"):
        close_concern(urgent, by=dsl, **closing(outcome="nfa"))
    answered = walk.escalated(walk.recorded(immediate_risk=True))
    close_concern(answered, by=dsl, **closing(outcome="nfa"))
    reopen_concern(answered, by=dsl, reason="A new note from the class teacher.")
    _, steps = _rows(client_for(dsl))
    assert steps[urgent.reference] == (
        "Review it now: escalate it, or ask the hub for advice, before it can be closed"
    )
    assert steps[answered.reference] == "Review it: ask the hub for advice, escalate, or close it"


def test_each_row_shows_reference_pupil_categories_recorder_age_and_next_step(
    walk, client_for, dsl
):
    concern = walk.recorded(categories=["neglect", "radicalisation"])
    backdate(concern, days=3, hours=1)
    html = client_for(dsl).get(INBOX).content.decode()
    for text in [
        concern.reference,
        "Amelia Ahmed",
        "Year 4",
        "Neglect, Radicalisation or extremism (Prevent)",
        "Tara Teacher",
        "3 days",
        "Review it: ask the hub for advice, escalate, or close it",
    ]:
        assert text in html


def test_concerns_closed_over_30_days_ago_leave_the_inbox_but_can_be_found(walk, client_for, dsl):
    recent = walk.closed()
    old = walk.closed()
    Closure.objects.filter(concern=old).update(closed_at=timezone.now() - timedelta(days=31))
    client = client_for(dsl)
    assert references(client.get(INBOX)) == [recent.reference]
    closed = client.get(INBOX, {"status": "closed"})
    assert set(references(closed)) == {recent.reference, old.reference}
    assert [heading for heading, _ in closed.context["page"].sections] == ["Closed"]


def closed_at(concern, when):
    """Date the concern's latest closure `when`."""
    latest = Closure.objects.filter(concern=concern).latest("closed_at", "pk")
    Closure.objects.filter(pk=latest.pk).update(closed_at=when)


def test_recently_closed_concerns_come_most_recently_closed_first(walk, client_for, dsl):
    # Recorded oldest first, closed the other way round; at immediate risk or not, a closed
    # concern needs nothing more, so the one closed last comes first.
    urgent_closed_first = walk.closed(walk.recorded(immediate_risk=True))
    closed_second = walk.closed()
    closed_last = walk.closed()
    for concern, days in [(urgent_closed_first, 20), (closed_second, 10), (closed_last, 1)]:
        backdate(concern, days=days + 5)
        closed_at(concern, timezone.now() - timedelta(days=days))
    open_concern = walk.recorded()

    page = client_for(dsl).get(INBOX).context["page"]

    assert [(heading, [row.reference for row in rows]) for heading, rows in page.sections] == [
        ("New: awaiting DSL review", [open_concern.reference]),
        (
            "Recently closed",
            [closed_last.reference, closed_second.reference, urgent_closed_first.reference],
        ),
    ]


def test_the_closed_filter_pages_through_every_closed_concern_most_recently_closed_first(
    walk, client_for, dsl
):
    # Years of history, recorded oldest first. Closed on days 30 (two on the same moment:
    # the tie is kept in a fixed order across pages), 100, 400, 900 and 2000 ago; one closed
    # years ago and reopened, closed again yesterday, counts by its latest closure.
    concerns = [walk.closed(walk.recorded(immediate_risk=index == 0)) for index in range(6)]
    for index, concern in enumerate(concerns):
        backdate(concern, days=3000 - index)
    now = timezone.now()
    ago = [2000, 900, 30, 400, 30, 100]
    for concern, days in zip(concerns, ago, strict=True):
        closed_at(concern, now - timedelta(days=days))
    reopened = concerns[1]
    reopen_concern(reopened, by=dsl, reason="New information from the family.")
    walk.closed(Concern.objects.get(pk=reopened.pk))
    closed_at(reopened, now - timedelta(days=1))
    walk.recorded()  # open: not listed under Closed
    expected = [concerns[i].reference for i in (1, 2, 4, 5, 3, 0)]
    membership = dsl.memberships.get()

    pages, cursor = [], ""
    while True:
        page = inbox_page(membership, status=S.CLOSED, size=2, after=cursor)
        pages.append([row.reference for _, rows in page.sections for row in rows])
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert pages == [expected[0:2], expected[2:4], expected[4:6]]

    # And back again, page by page, from the last.
    back = inbox_page(membership, status=S.CLOSED, size=2, before=page.previous_cursor)
    assert [row.reference for _, rows in back.sections for row in rows] == expected[2:4]
    assert back.has_previous
    first = inbox_page(membership, status=S.CLOSED, size=2, before=back.previous_cursor)
    assert [row.reference for _, rows in first.sections for row in rows] == expected[0:2]
    assert not first.has_previous

    # The page a DSL opens shows the same order, under one heading.
    response = client_for(dsl).get(INBOX, {"status": "closed"})
    assert references(response) == expected
    assert [heading for heading, _ in response.context["page"].sections] == ["Closed"]


def test_pages_run_on_from_the_open_groups_into_the_recently_closed_and_back(walk, dsl):
    # Pages of two: an urgent open concern first, then the oldest open one; then the closed,
    # most recently closed first (the one at immediate risk closed earliest), two of them
    # closed at the same moment.
    now = timezone.now()
    closed = [walk.closed(walk.recorded(immediate_risk=True)), walk.closed(), walk.closed()]
    for concern, days in zip(closed, [9, 3, 3], strict=True):
        closed_at(concern, now - timedelta(days=days))
    older, urgent = walk.recorded(), walk.recorded(immediate_risk=True)
    backdate(older, days=2)
    expected = [urgent, older, closed[1], closed[2], closed[0]]
    membership = dsl.memberships.get()

    def shown(page):
        return [row.pk for _, rows in page.sections for row in rows]

    first = inbox_page(membership, size=2)
    second = inbox_page(membership, size=2, after=first.next_cursor)
    third = inbox_page(membership, size=2, after=second.next_cursor)
    assert [shown(first), shown(second), shown(third)] == [
        [c.pk for c in expected[0:2]],
        [c.pk for c in expected[2:4]],
        [c.pk for c in expected[4:]],
    ]
    assert not third.has_next
    back = inbox_page(membership, size=2, before=third.previous_cursor)
    assert shown(back) == [c.pk for c in expected[2:4]]
    assert shown(inbox_page(membership, size=2, before=back.previous_cursor)) == [
        c.pk for c in expected[0:2]
    ]


# What the DSL has not read.


def _new_addendum(client):
    """The references whose rows say an addendum is not yet read, in the page's order."""
    rows = [row for _, rows in client.get(INBOX).context["page"].sections for row in rows]
    return [row.reference for row in rows if row.unread_addendum]


def test_an_addendum_the_dsl_has_not_read_is_on_the_row_until_they_open_the_concern(
    walk, client_for, dsl
):
    concern = walk.with_hub()
    untouched = walk.recorded()
    client = client_for(dsl)
    client.get(reverse("concerns:detail", args=[concern.pk]))
    assert _new_addendum(client) == []

    add_addendum(concern, by=walk.teacher, text="She has just told me he hits her again.")
    html = client.get(INBOX).text
    assert html.count("New addendum") == 1
    assert _new_addendum(client) == [concern.reference]

    client.get(reverse("concerns:detail", args=[concern.pk]))
    assert _new_addendum(client) == []
    assert "New addendum" not in client.get(INBOX).text

    # Something added later is new again; the other concern was never marked.
    add_addendum(concern, by=walk.teacher, text="Her brother says the same.")
    assert _new_addendum(client) == [concern.reference]
    assert untouched.reference not in _new_addendum(client)


def test_each_lead_sees_the_addenda_they_have_not_read_themselves(
    walk, client_for, dsl, deputy_dsl, head
):
    concern = walk.recorded()
    add_addendum(concern, by=walk.teacher, text="More about the bruise.")
    lead, deputy, head_teacher = client_for(dsl), client_for(deputy_dsl), client_for(head)
    lead.get(reverse("concerns:detail", args=[concern.pk]))
    assert _new_addendum(lead) == []
    # The deputy and the head teacher have not opened it since: it is still new to them.
    assert _new_addendum(deputy) == [concern.reference]
    assert _new_addendum(head_teacher) == [concern.reference]


def test_a_leads_own_addendum_is_not_new_to_them(walk, client_for, dsl, deputy_dsl):
    concern = walk.closed()  # still listed: closed in the last 30 days
    add_addendum(concern, by=dsl, text="The social worker rang back.")
    assert _new_addendum(client_for(dsl)) == []
    assert _new_addendum(client_for(deputy_dsl)) == [concern.reference]


def _grouped(client, **filters):
    sections = client.get(INBOX, filters).context["page"].sections
    return {heading: [row.reference for row in rows] for heading, rows in sections}


NEW_ADDENDUM_CLOSED = "Closed: new addendum to read"


def test_an_addendum_to_a_concern_closed_long_ago_is_shown_until_the_dsl_reads_it(
    walk, client_for, dsl, deputy_dsl
):
    # Closed two months ago, then a teacher learns more about the child: the DSL sees it in
    # the inbox as it opens, not only under 'Closed', until they have read it.
    concern = walk.closed()
    closed_at(concern, timezone.now() - timedelta(days=60))
    client = client_for(dsl)
    assert concern.reference not in references(client.get(INBOX))

    add_addendum(concern, by=walk.teacher, text="Her brother says it has started again.")
    assert _grouped(client)[NEW_ADDENDUM_CLOSED] == [concern.reference]
    assert _new_addendum(client) == [concern.reference]
    step = "Read the new addendum, and reopen the concern if it needs acting on"
    assert step in client.get(INBOX).content.decode()
    # Under 'Closed' too, where it comes first.
    assert _grouped(client, status="closed")[NEW_ADDENDUM_CLOSED] == [concern.reference]

    client.get(reverse("concerns:detail", args=[concern.pk]))
    assert concern.reference not in references(client.get(INBOX))
    # Each lead reads it for themselves.
    assert _grouped(client_for(deputy_dsl))[NEW_ADDENDUM_CLOSED] == [concern.reference]


def test_an_addendum_unread_for_30_days_leaves_the_inbox_as_a_closing_does(walk, client_for, dsl):
    # As with closed concerns, the inbox as it opens lists the last 30 days' additions (the
    # DSLs were emailed each one); an older one unread is still first under 'Closed'. So the
    # inbox reads the last month's addenda, not every addendum in the school's history.
    concern = walk.closed()
    closed_at(concern, timezone.now() - timedelta(days=90))
    add_addendum(concern, by=walk.teacher, text="Her brother says it has started again.")
    Addendum.objects.filter(concern=concern).update(created_at=timezone.now() - timedelta(days=31))
    client = client_for(dsl)
    assert concern.reference not in references(client.get(INBOX))
    assert _grouped(client, status="closed")[NEW_ADDENDUM_CLOSED] == [concern.reference]
    first = client.get(INBOX, {"status": "closed"}).context["page"].sections[0][1]
    assert [row.reference for row in first if row.unread_addendum] == [concern.reference]


def test_a_concern_closed_lately_with_a_new_addendum_is_not_listed_twice(walk, client_for, dsl):
    concern = walk.closed()
    add_addendum(concern, by=walk.teacher, text="He said it again at lunch.")
    grouped = _grouped(client_for(dsl))
    assert grouped[NEW_ADDENDUM_CLOSED] == [concern.reference]
    assert "Recently closed" not in grouped


def test_addenda_from_before_an_old_closing_do_not_bring_it_back(walk, client_for, dsl):
    # What was added before the concern was closed was there for the decision to close it: a
    # lead who never opened it (one who joined since, say) is not sent years of closed
    # concerns. Nor is their own addendum new to them.
    concern = walk.conversation_logged()
    add_addendum(concern, by=walk.teacher, text="Before it was closed.")
    walk.closed(concern)
    long_ago = timezone.now() - timedelta(days=400)
    Addendum.objects.filter(concern=concern).update(created_at=long_ago)
    closed_at(concern, long_ago + timedelta(days=1))
    own = walk.closed()
    closed_at(own, long_ago)
    add_addendum(own, by=dsl, text="The social worker rang back.")
    assert references(client_for(dsl).get(INBOX)) == []


def test_a_teacher_opening_their_concern_does_not_mark_it_read_for_the_dsl(
    walk, client_for, dsl, teacher
):
    concern = walk.recorded()
    add_addendum(concern, by=teacher, text="He said it again at lunch.")
    client_for(teacher).get(reverse("concerns:detail", args=[concern.pk]))
    assert _new_addendum(client_for(dsl)) == [concern.reference]


def test_a_page_opened_before_an_addendum_does_not_unread_a_later_opening(
    walk, client_for, dsl, django_assert_num_queries
):
    # Two tabs: the later opening, after the addendum, marks it read; a page opened before the
    # addendum but saved after does not take that back. One statement either way.
    concern = walk.recorded()
    earlier = timezone.now()
    add_addendum(concern, by=walk.teacher, text="He came in with another bruise.")
    client = client_for(dsl)
    client.get(reverse("concerns:detail", args=[concern.pk]))
    assert _new_addendum(client) == []
    membership = dsl.memberships.get()
    with django_assert_num_queries(1):
        mark_read(membership, concern, earlier)
    assert _new_addendum(client) == []
    assert ConcernRead.objects.get(concern=concern, user=dsl).read_at > earlier


def test_an_addendum_saved_as_the_page_was_read_but_not_shown_on_it_stays_new(
    walk, client_for, dsl
):
    # A teacher's addendum is stamped when its saving begins and seen by others only once it
    # is saved: begun a moment before the DSL opened the concern and saved a moment after
    # the page read its addenda (or stamped by a server whose clock is a little behind), it
    # was not on the page the DSL read, so it is still new to them.
    concern = walk.recorded()
    add_addendum(concern, by=walk.teacher, text="The first note.")
    begun = timezone.now()
    client = client_for(dsl)
    page = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert "The first note." in page.text
    late = add_addendum(concern, by=walk.teacher, text="She has just told me he hits her again.")
    Addendum.objects.filter(pk=late.pk).update(created_at=begun)
    WorkflowEvent.objects.filter(
        concern=concern, action=Action.ADD_ADDENDUM, at=late.created_at
    ).update(at=begun)
    assert _new_addendum(client) == [concern.reference]

    page = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert "She has just told me he hits her again." in page.text
    assert _new_addendum(client) == []


@simultaneous_writers
@pytest.mark.django_db(transaction=True)
def test_an_addendum_still_being_saved_when_the_page_is_read_stays_new(
    walk, client_for, dsl, monkeypatch
):
    # The same, as it happens: the teacher's addendum is written and stamped, and its saving
    # not yet finished, when the DSL opens the concern.
    concern = walk.recorded()
    client = client_for(dsl)
    writing, finish = threading.Event(), threading.Event()
    real_audit = core.audit

    def paused_audit(*args, **kwargs):
        writing.set()
        finish.wait(30)
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(core, "audit", paused_audit)
    teacher = walk.teacher

    def add():
        try:
            add_addendum(Concern.objects.get(pk=concern.pk), by=teacher, text="He hits her again.")
        finally:
            connection.close()

    thread = threading.Thread(target=add)
    thread.start()
    assert writing.wait(30)
    monkeypatch.setattr(core, "audit", real_audit)
    try:
        page = client.get(reverse("concerns:detail", args=[concern.pk]))
    finally:
        finish.set()
        thread.join(30)
    assert "He hits her again." not in page.text
    assert _new_addendum(client) == [concern.reference]


def test_addenda_read_before_the_inbox_said_so_are_not_shown_as_new(walk, client_for, dsl):
    # The migration that began keeping what each lead has read takes their last opening of
    # each concern from the audit trail: an addendum they had read is not new on day one.
    backfill = import_module("concerns.migrations.0020_concern_read_by_inbox_reader")
    read = walk.recorded()
    unread = walk.recorded()
    client = client_for(dsl)
    add_addendum(read, by=walk.teacher, text="Read before.")
    client.get(reverse("concerns:detail", args=[read.pk]))
    client.get(reverse("concerns:detail", args=[unread.pk]))
    add_addendum(unread, by=walk.teacher, text="Added after the DSL looked.")
    ConcernRead.objects.all().delete()
    assert _new_addendum(client) == [read.reference, unread.reference]

    backfill.read_marks_from_the_audit_trail(apps, None)

    assert _new_addendum(client) == [unread.reference]


# Filters.


def test_filters_by_status_category_year_group_and_recorder(walk, client_for, dsl, school):
    neglect = walk.recorded()
    prevent = walk.recorded(categories=["radicalisation"])
    with_hub = walk.with_hub()
    year_9 = PupilFactory(school=school, year_group="9")
    colleague = member(Role.STAFF, school, full_name="Colin Colleague")
    by_colleague = record_concern(by=colleague, pupil=year_9, **concern_data())
    client = client_for(dsl)

    assert references(client.get(INBOX, {"status": "with_hub"})) == [with_hub.reference]
    assert references(client.get(INBOX, {"category": "radicalisation"})) == [prevent.reference]
    assert references(client.get(INBOX, {"year_group": "9"})) == [by_colleague.reference]
    assert references(client.get(INBOX, {"recorded_by": colleague.pk})) == [by_colleague.reference]
    everything = references(client.get(INBOX))
    assert set(everything) == {
        neglect.reference,
        prevent.reference,
        with_hub.reference,
        by_colleague.reference,
    }


def test_search_finds_a_pupil_by_name_or_upn(walk, client_for, dsl, school):
    amelia = walk.recorded()
    other = PupilFactory(school=school, given_name="Oliver", family_name="Nowak")
    olivers = record_concern(by=walk.teacher, pupil=other, **concern_data())
    client = client_for(dsl)

    def found(text):
        return references(client.get(search(client, INBOX, text)))

    assert found("amelia ahm") == [amelia.reference]
    assert found("nowak") == [olivers.reference]
    assert found(other.upn.lower()) == [olivers.reference]
    assert found("nobody") == []


def test_a_search_that_finds_only_concerns_closed_long_ago_says_where_to_find_them(
    walk, client_for, dsl
):
    # The DSL looks a child up by name: her only concern was closed two months ago, so the
    # inbox as it opens does not list it, and must not read as if she had none.
    concern = walk.closed()
    closed_at(concern, timezone.now() - timedelta(days=60))
    client = client_for(dsl)

    html = client.get(search(client, INBOX, "amelia")).content.decode()

    assert "No concerns match these filters." not in html
    assert (
        "No open concerns, and none closed in the last 30 days, match these filters. To find "
        "one closed before then, choose Closed under Status."
    ) in html
    assert references(client.get(search(client, INBOX, "amelia", status="closed"))) == [
        concern.reference
    ]
    # Where the status is chosen, the filters say it all.
    html = client.get(search(client, INBOX, "amelia", status="recorded")).content.decode()
    assert "No concerns match these filters." in html


def test_a_search_keeps_the_filters_in_the_address_and_the_words_out(walk, client_for, dsl, school):
    year_9 = PupilFactory(school=school, given_name="Amelia", family_name="Nowak", year_group="9")
    colleague = member(Role.STAFF, school, full_name="Colin Colleague")
    wanted = record_concern(
        by=colleague, pupil=year_9, **concern_data(categories=["radicalisation"])
    )
    walk.recorded(categories=["radicalisation"])  # Amelia Ahmed's, by another teacher
    filters = {
        "status": "recorded",
        "category": "radicalisation",
        "year_group": "9",
        "recorded_by": str(colleague.pk),
    }
    client = client_for(dsl)
    results = search(client, INBOX, "amelia", **filters)
    assert "amelia" not in results.lower()
    for name, value in filters.items():
        assert f"{name}={value}" in results
    response = client.get(results)
    assert references(response) == [wanted.reference]
    assert "Clear filters" in response.text


def test_a_filter_that_is_not_on_the_list_is_explained_and_ignored(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).get(INBOX, {"recorded_by": "99999", "category": "neglect"})
    assert response.status_code == 200
    assert "Select a person from the list" in response.content.decode()
    assert references(response) == [concern.reference]


def test_the_recorded_by_filter_offers_only_people_of_this_school(
    walk, client_for, dsl, other_school
):
    walk.recorded()
    outsider = member(Role.STAFF, other_school, full_name="Olga Outsider")
    record_concern(by=outsider, pupil=PupilFactory(school=other_school), **concern_data())
    html = client_for(dsl).get(INBOX).content.decode()
    assert "Tara Teacher" in html
    assert "Olga Outsider" not in html


def test_two_recorders_of_the_same_name_can_be_told_apart_in_the_filter(
    walk, client_for, dsl, school
):
    # Two members of staff called Sam Smith: the list says which is which, so the DSL does
    # not read one's concerns believing them the other's.
    walk.recorded()  # by Tara Teacher, the only one of her name
    first = member(Role.STAFF, school, full_name="Sam Smith", email="sam.smith@example.org")
    second = member(Role.STAFF, school, full_name="sam smith", email="s.smith2@example.org")
    for person in (first, second):
        record_concern(by=person, pupil=walk.pupil, **concern_data())
    html = client_for(dsl).get(INBOX).text
    assert f'value="{first.pk}" dir="auto">Sam Smith (sam.smith@example.org)</option>' in html
    assert f'value="{second.pk}" dir="auto">sam smith (s.smith2@example.org)</option>' in html
    assert 'dir="auto">Tara Teacher</option>' in html


def _select(html, name):
    return re.search(rf'<select name="{name}"[^>]*>', html).group(0)


def test_the_recorded_by_filter_is_a_govuk_select_outlined_in_red_when_refused(
    walk, client_for, dsl
):
    # Drawn as the other filters are, GOV.UK's select, not the browser's own small list; and
    # a person no longer on the list (an old bookmark) marks it as GOV.UK marks a mistake.
    walk.recorded()
    client = client_for(dsl)
    recorded_by = _select(client.get(INBOX).text, "recorded_by")
    assert 'class="govuk-select"' in recorded_by
    refused = client.get(INBOX, {"recorded_by": "99999", "status": "nonsense"}).text
    for name in ("recorded_by", "status"):
        assert 'class="govuk-select govuk-select--error"' in _select(refused, name)
    assert "govuk-input--error" not in refused  # a text box's mark, not a select's


# Paging: a constant number of queries, and a keyset that does not shift.


def _many(walk, count):
    statuses = [S.RECORDED, S.WITH_HUB, S.ESCALATED, S.ADVICE_RECEIVED, S.CLOSED]
    for index in range(count):
        walk.to(statuses[index % len(statuses)])


def test_the_same_number_of_queries_for_1_and_50_concerns(walk, client_for, dsl, queries_for):
    client = client_for(dsl)
    first = walk.with_hub()
    one = queries_for(client, INBOX)
    _many(walk, 49)
    for concern in Concern.objects.exclude(pk=first.pk)[:20]:
        add_addendum(concern, by=walk.teacher, text="More.")  # rows marked unread cost nothing
    assert Concern.objects.count() == 50
    fifty = queries_for(client, INBOX)
    assert one == fifty


def test_paging_never_repeats_or_skips_a_concern_when_a_new_one_arrives(walk, client_for, dsl):
    concerns = []
    for hours in range(30, 0, -1):
        concern = walk.recorded()
        backdate(concern, hours=hours)
        concerns.append(concern.reference)
    client = client_for(dsl)

    first = client.get(INBOX)
    page = first.context["page"]
    assert references(first) == concerns[:25]
    assert page.has_next
    # An urgent concern sorts first: with OFFSET paging it would push a row onto page two.
    walk.recorded(immediate_risk=True)
    second = client.get(INBOX, {"after": page.next_cursor})
    assert references(second) == concerns[25:]
    assert not second.context["page"].has_next

    # Going back shows the same first page, with the newcomer one page further back.
    back = client.get(INBOX, {"before": second.context["page"].previous_cursor})
    assert references(back) == concerns[:25]
    assert back.context["page"].has_previous


def test_the_next_page_link_keeps_the_filters(walk, client_for, dsl):
    for _ in range(26):
        walk.recorded(categories=["neglect"])
    html = client_for(dsl).get(INBOX, {"category": "neglect"}).content.decode()
    assert "category=neglect&amp;after=" in html


def _first_page_link(html):
    (link,) = re.findall(r'<a class="govuk-link" href="([^"]*)">Go to the first page</a>', html)
    assert "after=" not in link
    assert "before=" not in link
    return link


def test_a_later_page_left_empty_by_work_done_since_does_not_say_the_inbox_is_empty(
    walk, client_for, dsl
):
    # Page 2 holds only a concern closed two months ago that a teacher has added to. The DSL
    # opens it from there, reads the addendum (so it leaves the inbox), and goes back to
    # page 2: it is empty now, but 25 new concerns wait on page 1, and the page must not say
    # there are no open concerns.
    for _ in range(25):
        walk.recorded()
    added_to = walk.closed()
    closed_at(added_to, timezone.now() - timedelta(days=60))
    add_addendum(added_to, by=walk.teacher, text="She told me more today.")
    client = client_for(dsl)
    second = client.get(INBOX, {"after": client.get(INBOX).context["page"].next_cursor})
    assert references(second) == [added_to.reference]
    client.get(reverse("concerns:detail", args=[added_to.pk]))

    again = client.get(second.request["PATH_INFO"] + "?" + second.request["QUERY_STRING"])

    assert references(again) == []
    text = again.content.decode()
    assert "There are no open concerns" not in text
    assert "There are no concerns on this page now" in text
    assert len(references(client.get(INBOX + _first_page_link(text)))) == 25


def test_a_previous_page_left_empty_by_work_done_since_offers_the_first_page(walk, client_for, dsl):
    # Page 2 starts with the newest concern awaiting review; meanwhile every concern of page 1
    # went to the hub, so none comes before it now. 'Previous' must not end at a page that
    # says the inbox is empty, with no way on.
    page_one = [walk.recorded() for _ in range(25)]
    for concern in page_one:
        backdate(concern, hours=1)
    walk.recorded()
    client = client_for(dsl)
    second = client.get(INBOX, {"after": client.get(INBOX).context["page"].next_cursor})
    for concern in page_one:
        walk.with_hub(concern)

    back = client.get(INBOX, {"before": second.context["page"].previous_cursor})

    assert references(back) == []
    text = back.content.decode()
    assert "There are no open concerns" not in text
    assert len(references(client.get(INBOX + _first_page_link(text)))) == 25


def test_a_tampered_cursor_shows_the_first_page(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).get(INBOX, {"after": "not-a-cursor"})
    assert references(response) == [concern.reference]


def _rows_statement(membership, **cursor):
    with CaptureQueriesContext(connection) as captured:
        page = inbox_page(membership, size=2, **cursor)
    # The page's rows: the statement that ends in a limit (the closed concerns' has them only
    # inside it).
    (statement,) = [query["sql"] for query in captured if re.search(r" LIMIT \d+$", query["sql"])]
    return page, statement


def test_a_later_page_asks_the_database_for_each_rows_group_at_most_twice_more(walk, dsl):
    """The group is a CASE with subqueries: each copy of it in a later page's condition (rows
    after the cursor) is more for the database to plan and run on every page turned."""
    for _ in range(3):
        walk.recorded()
    membership = dsl.memberships.get()
    query = inbox_queryset(membership).query
    group, _ = query.get_compiler(connection=connection).compile(query.annotations["stage"])
    marker = '"recommended_next_step"'  # the referral group's subquery, inside the group
    assert marker in group

    first, first_statement = _rows_statement(membership)
    later, later_statement = _rows_statement(membership, after=first.next_cursor)
    assert len(later.rows) == 1
    copies = (later_statement.count(marker) - first_statement.count(marker)) / group.count(marker)
    assert copies <= 2


def test_a_conversation_held_after_one_not_held_is_the_rows_step_3(walk, client_for, dsl):
    # Not reached at first, then talked with: the row shows the conversation logged, ready to
    # close, as for any other held conversation.
    concern = walk.advice_received()
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason="unreachable",
        attempts="Phoned twice",
        details="No answer.",
    )
    log_parent_conversation(concern, by=dsl, **held_conversation())
    sections = client_for(dsl).get(INBOX).context["page"].sections
    grouped = {heading: [row.reference for row in rows] for heading, rows in sections}
    assert grouped["Parent conversation logged: ready to close"] == [concern.reference]
    steps = {row.reference: row.next_step for _, rows in sections for row in rows}
    assert steps[concern.reference] == "Close it, or ask the hub for follow-up advice"


def _rows(client):
    sections = client.get(INBOX).context["page"].sections
    grouped = {heading: [row.reference for row in rows] for heading, rows in sections}
    steps = {row.reference: row.next_step for _, rows in sections for row in rows}
    return grouped, steps


@pytest.mark.parametrize("reason", ["unreachable", "child_asked", "other"])
def test_after_a_conversation_not_held_the_row_says_to_log_the_one_that_happens_later(
    walk, client_for, dsl, reason
):
    # The parent could not be reached (or the talk did not happen for another reason): the
    # concern may close, and the DSL is told that the talk, when it happens, is logged too.
    concern = walk.advice_received()
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason=reason,
        attempts="Phoned twice",
        details="No answer.",
    )
    grouped, steps = _rows(client_for(dsl))
    assert grouped["Parent conversation logged: ready to close"] == [concern.reference]
    assert steps[concern.reference] == (
        "Log the conversation if you talk with the parent or carer later, close it, or ask "
        "the hub for follow-up advice"
    )


def test_a_conversation_withheld_for_risk_before_a_reopening_is_not_this_episodes(
    walk, client_for, dsl
):
    # Withheld for the child's safety, escalated and closed; reopened on new information and
    # advised again: this episode has had no conversation, so the talk is due, not a referral
    # (as the concern page and closing it say).
    concern = walk.advice_received()
    log_parent_conversation(
        concern,
        by=dsl,
        **held_conversation(held=False, not_held_reason="risk", details="Dad is the risk."),
    )
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    close_concern(concern, by=dsl, **closing())
    reopen_concern(concern, by=dsl, reason="A new note from the class teacher.")
    concern = walk.advice_received(concern)
    grouped, steps = _rows(client_for(dsl))
    assert grouped["Advice received: parent conversation due"] == [concern.reference]
    assert steps[concern.reference] == "Talk with the parent or carer and log the conversation"
