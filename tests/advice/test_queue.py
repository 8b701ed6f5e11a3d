"""The hub's queue: whose requests, in what order, filtered, counted and paged."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from advice import queue as queue_module
from advice.models import AdviceRequest, AdviceStatus, claims_lapsed_at
from advice.queue import Cursor, Filters, queue_page
from schools.middleware import SESSION_KEY as MEMBERSHIP
from schools.models import Role
from tests.factories import MembershipFactory, member
from tests.hubcases import at

URL = reverse("advice:queue")
TEN_DAYS_AGO = timedelta(days=10)  # always more than three working days: overdue at any urgency


def lapsed(membership):
    return claims_lapsed_at(membership.local_authority_id)


def shown(response):
    assert response.status_code == 200
    return [row.pk for row in response.context["page"].rows]


# Who may see the queue


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "dsl", "deputy_dsl", "head", "la_admin"])
def test_school_staff_and_la_admins_are_refused(request, client_for, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["hub_advisor", "hub_manager"])
def test_hub_staff_open_the_queue(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 200


# What is in it, and in what order


def test_open_work_of_the_authority_only_overdue_first_then_urgency_then_due(
    cases, school, other_school, other_la_school, hub_advisor, client_for
):
    now = timezone.now()
    overdue_green = cases.request(school, "green", when=now - TEN_DAYS_AGO)
    overdue_red = cases.request(other_school, "red", when=now - TEN_DAYS_AGO)
    red_first = cases.request(school, "red")
    red_second = cases.request(other_school, "red", categories=["radicalisation"])
    green = cases.request(other_school, "green")
    amber = cases.request(school, "amber")
    cases.answered(cases.request(school, "red"), hub_advisor)
    cases.withdrawn(cases.request(school, "red"))
    cases.request(other_la_school, "red", when=now - TEN_DAYS_AGO)

    response = client_for(hub_advisor).get(URL)

    assert shown(response) == [
        overdue_red.pk,
        overdue_green.pk,
        red_first.pk,
        red_second.pk,
        amber.pk,
        green.pk,
    ]
    page = response.content.decode()
    assert "Radicalisation or extremism (Prevent)" in page
    assert page.count("Overdue by") == 2
    assert "Due in" in page
    assert 'govuk-tag--red">Red<' in page
    assert 'govuk-tag--orange">Amber<' in page
    assert other_la_school.name not in page


def test_each_row_says_who_has_claimed_it_and_how_long_is_left(
    cases, school, hub_advisor, hub_manager, client_for
):
    claimed = cases.request(school, "red")
    cases.claimed(claimed, hub_manager)
    response = client_for(hub_advisor).get(URL)
    row = response.context["page"].rows[0]
    assert row.claimed_by_name == hub_manager.full_name
    assert row.due_text.startswith("Due in ")
    assert "Max Manager" in response.content.decode()


# Filters


@pytest.fixture
def mixed(cases, school, other_school, other_la_school, hub_advisor, hub_manager):
    """Requests of every status, urgency and claimant across two schools, and one from
    another authority that must never show."""
    now = timezone.now()
    made = {
        "a": cases.request(school, "red"),
        "b": cases.request(school, "amber", categories=["radicalisation"]),
        "c": cases.request(other_school, "green", categories=["online_safety", "radicalisation"]),
        "d": cases.request(other_school, "red", when=now - TEN_DAYS_AGO, categories=["self_harm"]),
        "e": cases.request(school, "amber"),
        "f": cases.request(other_school, "green"),
        "x": cases.request(other_la_school, "red", categories=["radicalisation"]),
    }
    cases.claimed(made["b"], hub_advisor)
    cases.claimed(made["c"], hub_manager)
    cases.answered(made["e"], hub_advisor)
    cases.withdrawn(made["f"])
    return {name: request.pk for name, request in made.items()}


def query_for(names, school, other_school):
    return names.replace("SCHOOL", str(school.pk)).replace("OTHER", str(other_school.pk))


OPEN_WORK = "status=open&status=claimed&"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "abcd"),
        ("status=answered", "e"),
        ("status=withdrawn&status=open", "adf"),
        ("school=", "abcdef"),  # a submitted form with every status unticked: all statuses
        (OPEN_WORK + "urgency=red", "ad"),
        (OPEN_WORK + "school=OTHER", "cd"),
        (OPEN_WORK + "category=radicalisation", "bc"),
        (OPEN_WORK + "claimed=me", "b"),
        ("claimed=me", "be"),  # every status: the advisor's answered request too
        (OPEN_WORK + "claimed=nobody", "ad"),
        ("overdue=on", "d"),
        (OPEN_WORK + "urgency=red&school=SCHOOL", "a"),
    ],
)
def test_each_filter_narrows_the_queue(
    mixed, hub_advisor, client_for, school, other_school, query, expected
):
    response = client_for(hub_advisor).get(f"{URL}?{query_for(query, school, other_school)}")
    assert sorted(shown(response)) == sorted(mixed[name] for name in expected)


def test_only_open_work_past_its_due_time_is_tagged_overdue(cases, school, hub_advisor, client_for):
    """A request answered or withdrawn after its due time is no longer overdue work."""
    late = [cases.request(school, "red", when=timezone.now() - TEN_DAYS_AGO) for _ in range(3)]
    cases.answered(late[1], hub_advisor)
    cases.withdrawn(late[2])
    response = client_for(hub_advisor).get(f"{URL}?school=")  # every status
    assert sorted(shown(response)) == sorted(r.pk for r in late)
    page = response.content.decode()
    assert page.count('govuk-tag--red">Overdue</strong>') == 1
    row_of_open = page.split(late[0].concern.reference)[1].split("</tr>")[0]
    assert "Overdue</strong>" in row_of_open


def test_a_school_of_another_authority_is_not_a_choice(
    mixed, hub_advisor, client_for, other_la_school
):
    # An address from their role at another authority, or a colleague's there: the page
    # says why the school is not applied and what it shows instead, not Django's words.
    response = client_for(hub_advisor).get(f"{URL}?school={other_la_school.pk}")
    page = response.content.decode()
    assert "Select a valid choice" not in page
    assert f"{other_la_school.pk} is not one of the available choices" not in page
    said = (
        "The school chosen is not one of this authority&#x27;s, so requests from all its "
        "schools are shown: select a school from the list"
    )
    assert f'<a href="#id_school">{said}</a>' in page  # in the error summary
    assert response.context["page"].rows
    assert mixed["x"] not in shown(response)


def test_counts_per_status_and_urgency_use_the_other_filters(mixed, hub_advisor, client_for):
    client = client_for(hub_advisor)

    def counts(query):
        context = client.get(f"{URL}?{query}").context
        return (
            {str(status): count for status, count, _ in context["status_counts"]},
            {str(urgency): count for urgency, count, _ in context["urgency_counts"]},
        )

    assert counts("") == (
        {"open": 2, "claimed": 2, "answered": 1, "withdrawn": 1},
        {"red": 2, "amber": 1, "green": 1},
    )
    assert counts("status=open&status=claimed&urgency=red") == (
        {"open": 2, "claimed": 0, "answered": 0, "withdrawn": 0},
        {"red": 2, "amber": 1, "green": 1},
    )
    assert counts("status=answered&urgency=amber") == (
        {"open": 0, "claimed": 1, "answered": 1, "withdrawn": 0},
        {"red": 0, "amber": 1, "green": 0},
    )


def test_the_open_work_is_counted_from_the_requests_alone_however_many_are_claimed(
    mixed, hub_advisor, client_for
):
    """Who has left the hub is read from its roles once, not for each claimed request: on
    `luton-stress` (4,989 claimed) asking for each took the count from 3 ms to 21 ms."""
    with CaptureQueriesContext(connection) as captured:
        client_for(hub_advisor).get(URL)
    (counting,) = [query["sql"] for query in captured if '"lapsed"' in query["sql"]]
    assert "schools_membership" not in counting
    assert "audit_auditevent" not in counting


@pytest.mark.parametrize(
    "query",
    ["status=open", "status=claimed", "claimed=nobody", "claimed=me", "status=open&claimed=me"],
)
def test_a_filtered_queue_reads_who_left_the_hub_once_not_for_each_request(
    query, mixed, hub_advisor, client_for
):
    """Open only, claimed only, nobody's or mine: each asks who has left the hub, and each
    read that for every claimed request it counted and sorted (on `luton-stress`, 4,989
    claimed: 18 to 33 ms a statement). The hub's roles are read once, in a statement of
    their own; only the page's 50 rows are asked about one by one."""
    with CaptureQueriesContext(connection) as captured:
        assert client_for(hub_advisor).get(f"{URL}?{query}").status_code == 200
    counting = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "advice_" in q["sql"]]
    assert counting
    for sql in counting:
        assert "audit_auditevent" not in sql, query
    (rows,) = [q["sql"] for q in captured if '"category_list"' in q["sql"]]
    assert rows.count("audit_auditevent") == 1, query  # the rows' own column, not the choice


def test_finished_requests_are_counted_up_to_a_cap_and_open_work_exactly(
    mixed, cases, school, hub_advisor, client_for, monkeypatch
):
    monkeypatch.setattr(queue_module, "COUNT_CAP", 1)
    cases.answered(cases.request(school, "green"), hub_advisor)  # 2 answered, 1 withdrawn
    for _ in range(2):
        cases.request(school, "red")  # 4 open

    response = client_for(hub_advisor).get(URL)

    by_status = {str(status): count for status, count, _ in response.context["status_counts"]}
    assert by_status == {
        "open": 4,
        "claimed": 2,
        "answered": queue_module.MoreThan(1),
        "withdrawn": 1,
    }
    page = response.content.decode()
    assert 'More than 1<span class="govuk-visually-hidden"> answered</span>' in page
    assert '>4<span class="govuk-visually-hidden"> open</span>' in page


def test_the_address_spells_out_every_filter_so_it_can_be_shared(
    mixed, hub_advisor, client_for, school
):
    response = client_for(hub_advisor).get(f"{URL}?urgency=red&school={school.pk}")
    query = parse_qs(response.context["query"], keep_blank_values=True)
    # No status ticked in a submitted form means every status, and the address says so.
    assert sorted(query.pop("status")) == ["answered", "claimed", "open", "withdrawn"]
    assert query == {
        "urgency": ["red"],
        "claimed": ["any"],
        "school": [str(school.pk)],
        "category": [""],
    }
    # A count's link keeps the other filters and picks its own status.
    links = {str(status): link for status, _, link in response.context["status_counts"]}
    red_open_link = links["open"]
    assert parse_qs(red_open_link)["status"] == ["open"]
    assert parse_qs(red_open_link)["urgency"] == ["red"]
    assert parse_qs(red_open_link)["school"] == [str(school.pk)]


# A constant number of queries


def test_the_queue_takes_the_same_number_of_queries_for_1_and_50_rows(
    cases, school, other_school, hub_advisor, hub_manager, client_for
):
    client = client_for(hub_advisor)
    cases.request(school, "red")
    client.get(URL)  # the first page after sign-in also moves the session's idle expiry on

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        return len(shown(response)), len(captured)

    rows, at_one = queries()
    assert rows == 1
    advisors = [hub_advisor, hub_manager, member(Role.HUB_ADVISOR, school.local_authority)]
    for n in range(49):
        made = cases.request(
            [school, other_school][n % 2],
            ["red", "amber", "green"][n % 3],
            categories=[["neglect"], ["radicalisation", "online_safety"]][n % 2],
        )
        if n % 4 == 0:
            cases.claimed(made, advisors[n % 3])
    # Requests whose claimant has left the hub are shown as nobody's, from the same query.
    advisors[2].memberships.update(is_active=False)
    rows, at_fifty = queries()
    assert rows == 50
    assert at_fifty == at_one


# Pages


WEDNESDAY = datetime(2026, 2, 25, tzinfo=UTC)  # GMT: London time is UTC


def wed(hour, minute=0, second=0):
    return WEDNESDAY.replace(hour=hour, minute=minute, second=second)


def test_pages_neither_repeat_nor_skip_rows_when_requests_arrive_and_fall_overdue(
    cases, school, hub_advisor
):
    membership = hub_advisor.memberships.get()
    green_due_at_11 = cases.request(school, "green", when=datetime(2026, 2, 20, 11, tzinfo=UTC))
    red_1 = cases.request(school, "red", when=wed(9, 30))
    red_2 = cases.request(school, "red", when=wed(9, 30, 5))
    amber_1 = cases.request(school, "amber", when=wed(9, 45))
    amber_2 = cases.request(school, "amber", when=wed(9, 45, 5))
    green_monday = cases.request(school, "green", when=wed(9, 50))
    assert green_due_at_11.due_at == wed(11)

    def page(now, **cursor):
        return queue_page(
            membership, hub_advisor, Filters(), now=now, lapsed=lapsed(membership), size=2, **cursor
        )

    first = page(wed(10))
    assert [r.pk for r in first.rows] == [red_1.pk, red_2.pk]
    # Meanwhile two requests arrive, and at 11:00 the green one falls overdue.
    red_3 = cases.request(school, "red", when=wed(10, 30))
    amber_3 = cases.request(school, "amber", when=wed(10, 30))
    seen = [r.pk for r in first.rows]
    pages = [first]
    while pages[-1].next_cursor:
        pages.append(page(wed(12), after=pages[-1].next_cursor))
        seen += [r.pk for r in pages[-1].rows]

    assert seen == [
        red_1.pk,
        red_2.pk,
        red_3.pk,
        amber_1.pk,
        amber_2.pk,
        amber_3.pk,
        green_due_at_11.pk,
        green_monday.pk,
    ]
    # Going back a page shows exactly the page that came before.
    back = page(wed(12), before=pages[2].previous_cursor)
    assert [r.pk for r in back.rows] == [r.pk for r in pages[1].rows]
    # A fresh first page, taken after 11:00, puts the overdue request first.
    assert page(wed(12)).rows[0].pk == green_due_at_11.pk


def test_a_later_page_asks_the_database_for_each_rows_overdue_rank_at_most_twice_more(
    cases, school, hub_advisor
):
    """Whether a request is overdue is worked out (a CASE on its due time) for every request
    the database passes: each copy of it in a later page's condition (rows after the cursor)
    is more to plan and run on every page turned."""
    membership, now = hub_advisor.memberships.get(), timezone.now()
    for urgency in ["red", "amber", "green"]:
        cases.request(school, urgency)
    query = queue_module._ranked(queue_module.requests_visible_to(membership), now).query
    overdue, _ = query.get_compiler(connection=connection).compile(
        query.annotations["overdue_rank"]
    )
    marker = '"due_at" <'
    assert overdue.count(marker) == 1

    left = lapsed(membership)

    def statement(**cursor):
        with CaptureQueriesContext(connection) as captured:
            page = queue_page(
                membership, hub_advisor, Filters(), now=now, lapsed=left, size=2, **cursor
            )
        (sql,) = [query["sql"] for query in captured]
        return page, sql

    first, first_sql = statement()
    later, later_sql = statement(after=first.next_cursor)
    assert len(later.rows) == 1
    assert later_sql.count(marker) - first_sql.count(marker) <= 2


@pytest.mark.parametrize("meanwhile", ["answered", "withdrawn"])
def test_a_request_answered_or_withdrawn_between_pages_is_shown_once(
    cases, school, hub_advisor, meanwhile
):
    """Paging through every status, the advisor sees each request once, though the first
    page's overdue request is answered (or withdrawn) before they turn the page."""
    membership, now = hub_advisor.memberships.get(), timezone.now()
    overdue = [
        cases.request(school, "red", when=now - TEN_DAYS_AGO + timedelta(minutes=i)) for i in (0, 1)
    ]
    amber, green = (
        cases.request(school, "amber", when=now),
        cases.request(school, "green", when=now),
    )
    every_status = Filters(statuses=tuple(AdviceStatus.values))
    pages = [
        queue_page(
            membership, hub_advisor, every_status, now=now, lapsed=lapsed(membership), size=2
        )
    ]
    assert [r.pk for r in pages[0].rows] == [overdue[0].pk, overdue[1].pk]

    if meanwhile == "answered":
        cases.answered(overdue[0], hub_advisor)
    else:
        cases.withdrawn(overdue[0])
    while pages[-1].next_cursor:
        after = pages[-1].next_cursor
        pages.append(
            queue_page(
                membership,
                hub_advisor,
                every_status,
                now=now,
                lapsed=lapsed(membership),
                size=2,
                after=after,
            )
        )

    seen = [r.pk for page in pages for r in page.rows]
    assert seen == [overdue[0].pk, overdue[1].pk, amber.pk, green.pk]


def test_following_the_page_links_keeps_the_filters(
    cases, school, hub_advisor, client_for, monkeypatch
):
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 2)
    wanted = [cases.request(school, urgency) for urgency in ["red", "amber", "red", "amber", "red"]]
    cases.request(school, "green")
    client = client_for(hub_advisor)
    response = client.get(f"{URL}?urgency=red&urgency=amber&school=")
    seen = shown(response)
    assert response.context["previous_query"] is None
    while response.context["next_query"]:
        response = client.get(f"{URL}?{response.context['next_query']}")
        seen += shown(response)
    assert sorted(seen) == sorted(r.pk for r in wanted)
    assert len(seen) == len(set(seen))
    assert 'rel="prev"' in response.content.decode()
    back = client.get(f"{URL}?{response.context['previous_query']}")
    assert shown(back) == seen[2:4]


def back_link(response):
    page = response.content.decode()
    return page.split('" class="govuk-back-link">Back to the queue</a>')[0].rsplit('href="', 1)[1]


def test_back_to_the_queue_from_a_request_keeps_the_filters_and_the_page(
    cases, school, other_school, hub_advisor, client_for, monkeypatch
):
    # An advisor working through one school's red requests opens one, claims it, and goes
    # back: to their filtered page, not to every open request of the authority's 90 schools.
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 1)
    wanted = [cases.request(school, "red") for _ in range(2)]
    cases.request(other_school, "red")
    client = client_for(hub_advisor)
    first = client.get(f"{URL}?urgency=red&school={school.pk}")
    second = client.get(f"{URL}?{first.context['next_query']}")
    assert shown(second) == [wanted[1].pk]
    detail = reverse("advice:detail", args=[wanted[1].pk])
    # The same filters and the same page (its cursor is signed again, with the time, when the
    # page is shown: the same place, not always the same characters).
    back = back_link(client.get(detail)).replace("&amp;", "&")
    assert back.startswith(f"{URL}?{first.context['query']}&after=")
    assert shown(client.get(back)) == [wanted[1].pk]
    client.post(reverse("advice:claim", args=[wanted[1].pk]))
    back = back_link(client.get(detail)).replace("&amp;", "&")
    assert shown(client.get(back)) == [wanted[1].pk]
    client.get(f"{URL}?{first.context['query']}")  # the first page again: back goes there
    assert back_link(client.get(detail)) == escape(f"{URL}?{first.context['query']}")
    client.get(URL)  # the queue as it opens, or filters cleared: back goes there too
    assert back_link(client.get(detail)) == URL


def test_back_to_a_later_page_orders_the_queue_as_it_stands_now(
    cases, school, hub_advisor, client_for, monkeypatch
):
    # An advisor on the second page of overdue requests works on them, each time going back
    # to the queue: a request that has become overdue meanwhile is in it, not left out
    # because the page is still ordered as it was when they first turned to it.
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 1)
    now = timezone.now()
    late = [cases.request(school, "red") for _ in range(3)]
    due = [now - timedelta(hours=3), now - timedelta(hours=2), now + timedelta(minutes=5)]
    for made, due_at in zip(late, due, strict=True):
        AdviceRequest.objects.filter(pk=made.pk).update(due_at=due_at)
    client = client_for(hub_advisor)
    first = client.get(f"{URL}?{OPEN_WORK}claimed=any&overdue=on&school=&category=")
    assert not first.context["form"].errors  # the filters asked for are the ones applied
    second = client.get(f"{URL}?{first.context['next_query']}")
    assert shown(second) == [late[1].pk]
    assert second.context["next_query"] is None  # the third is not overdue yet

    with at(now + timedelta(minutes=20)):
        detail = reverse("advice:detail", args=[late[1].pk])
        back = client.get(back_link(client.get(detail)).replace("&amp;", "&"))
        assert shown(back) == [late[1].pk]  # the same place in the queue
        assert back.context["next_query"] is not None
        assert shown(client.get(f"{URL}?{back.context['next_query']}")) == [late[2].pk]


def test_back_to_the_queue_takes_no_filters_from_another_role(
    cases, school, other_la_school, hub_advisor, client_for
):
    # Filters chosen in one authority's queue name its schools: acting for another authority
    # in the same session, the back link is to that authority's queue as it opens.
    elsewhere = MembershipFactory(
        user=hub_advisor,
        role=Role.HUB_ADVISOR,
        school=None,
        local_authority=other_la_school.local_authority,
    )
    theirs = cases.request(other_la_school, "red")
    client = client_for(hub_advisor)
    session = client.session
    session[MEMBERSHIP] = hub_advisor.memberships.exclude(pk=elsewhere.pk).get().pk
    session.save()
    client.get(f"{URL}?urgency=red&school={school.pk}")
    session = client.session
    session[MEMBERSHIP] = elsewhere.pk
    session.save()
    assert back_link(client.get(reverse("advice:detail", args=[theirs.pk]))) == URL


def test_a_later_page_emptied_meanwhile_says_so_and_leads_back_to_the_first(
    cases, school, hub_advisor, client_for, monkeypatch
):
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 2)
    made = [cases.request(school, "red") for _ in range(3)]
    cases.request(school, "amber")  # not shown: the filters ask for red
    client = client_for(hub_advisor)
    first = client.get(f"{URL}?{OPEN_WORK}urgency=red&school=")
    next_query = first.context["next_query"]
    cases.answered(made[2], hub_advisor)  # the only request on the second page

    emptied = client.get(f"{URL}?{next_query}")

    assert shown(emptied) == []
    page = emptied.content.decode()
    assert "No advice requests match these filters." not in page
    assert "There are no more requests on this page." in page
    query = emptied.context["query"]
    assert "urgency=red" in query
    assert f'href="?{escape(query)}">Go back to the first page</a>' in page
    assert shown(client.get(f"{URL}?{query}")) == [made[0].pk, made[1].pk]


def test_a_first_page_with_nothing_to_show_says_nothing_matches(cases, hub_advisor, client_for):
    page = client_for(hub_advisor).get(f"{URL}?urgency=red&school=").content.decode()
    assert "No advice requests match these filters." in page
    assert "Go back to the first page" not in page


def test_an_empty_queue_with_no_filters_chosen_says_nobody_is_waiting(
    cases, school, hub_advisor, client_for
):
    # An advisor who has chosen no filter is not told that their filters match nothing.
    cases.answered(cases.request(school), hub_advisor)  # finished work is not waiting
    page = client_for(hub_advisor).get(URL).content.decode()
    assert "There are no open or claimed advice requests" in page
    assert "No advice requests match these filters." not in page


def test_the_page_links_keep_overdue_only(cases, school, hub_advisor, client_for, monkeypatch):
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 2)
    now = timezone.now()
    late = [
        cases.request(school, "green", when=now - TEN_DAYS_AGO + timedelta(minutes=i))
        for i in range(3)
    ]
    cases.request(school, "red", when=now)  # due later: not overdue, and first among the rest
    client = client_for(hub_advisor)
    first = client.get(f"{URL}?{OPEN_WORK}overdue=on&school=")
    assert shown(first) == [late[0].pk, late[1].pk]

    second = client.get(f"{URL}?{first.context['next_query']}")

    assert shown(second) == [late[2].pk]
    assert second.context["form"]["overdue"].value() is True  # the box is still ticked
    back = client.get(f"{URL}?{second.context['previous_query']}")
    assert shown(back) == [late[0].pk, late[1].pk]


def test_an_altered_cursor_shows_the_first_page(cases, school, hub_advisor, client_for):
    made = cases.request(school, "red")
    token = Cursor.of(
        type("Row", (), {"overdue_rank": 1, "urgency_rank": 9, "due_at": made.due_at, "pk": 0}),
        timezone.now(),
    ).encode()
    response = client_for(hub_advisor).get(f"{URL}?after={token[:-3]}xyz")
    assert shown(response) == [made.pk]
