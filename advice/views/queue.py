from dataclasses import replace

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from schools.selectors import schools_for

from ..forms import QueueFilterForm, filter_query
from ..models import AdviceStatus, Urgency, claims_lapsed_at
from ..presenters import due_phrase, is_overdue
from ..queue import Cursor, counts, queue_page
from .access import hub_only

# The queue page an advisor last saw, for the back link from a request's page to return to it.
LAST_SHOWN = "advice.queue"


def _remember(request, shown):
    """Keep the query of the queue page shown (its filters, and its cursor on a later page):
    an advisor who opens a request from a page of one school's red requests goes back to
    that page, not to every open request of the authority. Kept for this membership: another
    authority's schools are not choices in its queue."""
    kept = {"membership": request.membership.pk, "query": shown}
    if request.session.get(LAST_SHOWN) != kept:  # no session write for the same page again
        request.session[LAST_SHOWN] = kept


def queue_url(request):
    """The queue as this membership last saw it, or as it opens. A later page is the same
    place in the queue, ordered as it stands now: its cursor carries the moment the order
    was first taken, and kept for the back link that could be hours ago, leaving out of
    'Overdue only' every request that has become overdue since."""
    url = reverse("advice:queue")
    kept = request.session.get(LAST_SHOWN) or {}
    if kept.get("membership") != request.membership.pk or not kept.get("query"):
        return url
    query = QueryDict(kept["query"], mutable=True)
    for side in ("after", "before"):
        cursor = Cursor.decode(query.get(side))
        if cursor is not None:
            query[side] = replace(cursor, as_of=timezone.now()).encode()
    return f"{url}?{query.urlencode()}"


@require_GET
@hub_only
def queue(request):
    """Advice requests from the authority's schools: overdue first, then by urgency and due."""
    membership, now = request.membership, timezone.now()
    form = QueueFilterForm(request.GET, schools=schools_for(membership))
    filters = form.filters()
    after = Cursor.decode(request.GET.get("after"))
    before = Cursor.decode(request.GET.get("before"))
    # Whose claims lapsed (their claimant left the hub), from the hub's roles, read once: the
    # counts and filters ask it of thousands of requests.
    lapsed = claims_lapsed_at(membership.local_authority_id)
    page = queue_page(
        membership, request.user, filters, now=now, lapsed=lapsed, after=after, before=before
    )
    by_status, by_urgency = counts(
        membership, request.user, filters, as_of=page.as_of, lapsed=lapsed
    )
    for row in page.rows:
        row.due_text, row.overdue = due_phrase(row, now), is_overdue(row, now)
    query = filter_query(filters)
    shown = query if form.is_bound else ""
    if before is not None:
        shown = f"{query}&{urlencode({'before': before.encode()})}"
    elif after is not None:
        shown = f"{query}&{urlencode({'after': after.encode()})}"
    _remember(request, shown)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "next_query": page.next_cursor
        and f"{query}&{urlencode({'after': page.next_cursor.encode()})}",
        "previous_query": page.previous_cursor
        and f"{query}&{urlencode({'before': page.previous_cursor.encode()})}",
        "status_counts": [
            (status, by_status[status], filter_query(filters, statuses=(status,)))
            for status in AdviceStatus
        ],
        "urgency_counts": [
            (urgency, by_urgency[urgency], filter_query(filters, urgencies=(urgency,)))
            for urgency in Urgency
        ],
        "filtered": form.is_bound,
        # A later page can empty while it is read (its requests answered or withdrawn): it
        # says so and leads back to the first, not that nothing matches the filters.
        "paged": after is not None or before is not None,
    }
    return render(request, "advice/queue.html", context)
