"""The 'Record a concern' journey (step 1): drafts, the pages in order, and check-your-answers.

A draft keeps every answer exactly as typed, page by page, so a closed tab, an expired session
or a wrong answer loses nothing. Check-your-answers validates every page again and hands the
answers to `workflow.concerns.record_concern`, with the draft's id as the submission key so a
second press of the button finds the first concern instead of recording another.

Drafts are read only through `drafts_for` / `get_draft_for`: a draft belongs to its author in
the school they started it for, and is forgotten 30 days after it was last changed.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from audit.scope import OutOfScope, get_in_scope
from safeguarding.forms import typed_text
from safeguarding.searches import as_upn, name_contains
from safeguarding.templatetags.presenters import uk_date
from schools.models import DSL_ROLES, Membership, Role
from schools.selectors import pupils_for
from workflow.concerns import DELAY_NEEDS_REASON
from workflow.core import lock_pupil
from workflow.rules import SCHOOL_RECORDERS

from .forms import record as questions
from .models import ConcernDraft
from .selectors import concerns_visible_to

DRAFT_LIFETIME = timedelta(days=30)
SEARCH_LIMIT = 25


def may_record(membership):
    return membership is not None and membership.role in SCHOOL_RECORDERS


# Drafts -------------------------------------------------------------------------------------


def drafts_for(membership):
    """The membership's user's own unfinished concerns in its school, newest first."""
    if not may_record(membership):
        return ConcernDraft.objects.none()
    return ConcernDraft.objects.filter(
        author_id=membership.user_id,
        school_id=membership.school_id,
        updated_at__gte=timezone.now() - DRAFT_LIFETIME,
    ).order_by("-updated_at")


def get_draft_for(membership, pk):
    """The draft with `pk` if it is this user's, in this school, and not expired; else a 404."""
    return get_in_scope(drafts_for(membership).select_related("pupil"), pk, "concern draft")


@transaction.atomic
def start_draft(membership, pupil):
    """A draft about `pupil`: this user's unfinished one about them with nothing answered yet
    if there is one (Continue pressed twice, or the child chosen again before a word was
    typed: two empty drafts would be listed as two concerns), else a new one. Refused
    (TransitionRefused) if the pupil's records were destroyed meanwhile, as every write about
    a pupil is (workflow.core.lock_pupil), whose lock also makes a second press wait for the
    first."""
    lock_pupil(pupil)
    empty = drafts_for(membership).filter(pupil=pupil, answers={}).first()
    return empty or ConcernDraft.objects.create(
        author_id=membership.user_id, school_id=membership.school_id, pupil=pupil
    )


@transaction.atomic
def choose_pupil(draft, pupil):
    """The draft is about `pupil` now; refused as `start_draft` is. ConcernDraft.DoesNotExist
    if the draft has gone since it was read (sent or deleted in another tab, or purged)."""
    lock_pupil(pupil)
    draft.pupil = pupil
    changed = ConcernDraft.objects.filter(pk=draft.pk).update(
        pupil=pupil, updated_at=timezone.now()
    )
    if not changed:
        raise ConcernDraft.DoesNotExist("The draft has gone (sent, or deleted).")


def save_answers(draft, values):
    """Merge one page's answers into the draft, and keep the draft's answers as they now stand.

    One statement: the database merges the page's answers into the row as it is at that
    moment (under the row's lock, for the statement alone), so two tabs saving different pages
    at once both keep their answers. It was a transaction of four statements (lock, read,
    write, commit) on every page of every concern recorded."""
    with connection.cursor() as cursor:
        cursor.execute(_save_answers_sql(), _save_answers_params(draft, values))
        saved = cursor.fetchone()
    if saved is None:
        raise ConcernDraft.DoesNotExist("The draft has gone (sent, or deleted).")
    draft.answers = ConcernDraft._meta.get_field("answers").from_db_value(
        saved[0], None, connection
    )


def _save_answers_sql():
    meta, quote = ConcernDraft._meta, connection.ops.quote_name
    answers = quote(meta.get_field("answers").column)
    # Top-level keys (input names) replace their old values; the rest are kept. Each value is a
    # list, never null, so SQLite's JSON merge patch does the same as PostgreSQL's ||.
    if connection.vendor == "postgresql":
        merged = f"{answers} || %s::jsonb"
    else:
        merged = f"json_patch({answers}, %s)"
    return (
        f"UPDATE {quote(meta.db_table)} SET {answers} = {merged}, "  # nosec B608
        f"{quote(meta.get_field('updated_at').column)} = %s "
        f"WHERE {quote(meta.pk.column)} = %s RETURNING {answers}"
    )


def _save_answers_params(draft, values):
    meta = ConcernDraft._meta
    return [
        meta.get_field("answers").get_db_prep_save(values, connection),
        meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection),
        meta.pk.get_db_prep_value(draft.pk, connection),
    ]


def discard_draft(draft):
    ConcernDraft.objects.filter(pk=draft.pk).delete()


def purge_expired_drafts(now=None):
    """Delete drafts not changed for 30 days. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - DRAFT_LIFETIME
    deleted, _ = ConcernDraft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def recorded_from(membership, key):
    """The concern this user recorded from draft `key`, or None."""
    if not may_record(membership):
        return None
    return (
        concerns_visible_to(membership)
        .filter(submission_key=key, recorded_by_id=membership.user_id)
        .select_related("pupil", "school")
        .first()
    )


def draft_or_concern(membership, pk):
    """The draft `pk`, or the concern it has already become (sent from another tab, or by a
    second press of the button at the same moment), or a 404.

    The draft is looked for first: every page of the journey has one, and only a page opened
    after sending has not. In the moment between a concern being recorded and its draft being
    deleted, the draft is still found; sending it again gives back the concern already
    recorded from it (`record_concern` is idempotent on the draft's key)."""
    try:
        return get_draft_for(membership, pk)
    except OutOfScope:
        concern = recorded_from(membership, pk)
        if concern is None:
            raise
        return concern


# Other reads the journey needs ----------------------------------------------------------------


def find_pupils(membership, query):
    """Pupils of the membership's own school matching a UPN, or every word of a name."""
    words = query.split()
    if not words:
        return []
    by_name = Q()
    for word in words:
        by_name &= name_contains(word, "given_name", "family_name")
    matches = pupils_for(membership).filter(Q(upn=as_upn(query)) | by_name)
    return list(
        matches.order_by(Lower("family_name"), Lower("given_name"), "pk")[: SEARCH_LIMIT + 1]
    )


def school_leads(school):
    """The names of the school's DSL, then its deputies, for 'speak to your DSL now'."""
    leads = Membership.objects.filter(
        school=school, role__in=DSL_ROLES, is_active=True, user__is_active=True
    ).values_list("role", "user__full_name")
    names = [name for role, name in sorted(leads, key=lambda lead: (lead[0] != Role.DSL, lead[1]))]
    return list(dict.fromkeys(names))


# The pages, in order ------------------------------------------------------------------------


def _needs_delay_reason(data):
    when = questions.WhenForm(data)
    return when.is_valid() and timezone.now() - when.cleaned_data["observed_at"] > (
        DELAY_NEEDS_REASON
    )


@dataclass(frozen=True)
class Page:
    slug: str
    form_class: type
    applies: object = None  # a predicate on the answers; None: always asked

    def applies_to(self, data):
        return self.applies is None or self.applies(data)


PAGES = [
    Page("when", questions.WhenForm),
    Page("delay", questions.DelayForm, _needs_delay_reason),
    Page("where", questions.WhereForm),
    Page("categories", questions.CategoriesForm),
    Page("what-happened", questions.WhatHappenedForm),
    Page("child-words", questions.ChildWordsForm),
    Page("others", questions.OthersForm),
    Page("action", questions.ActionForm),
    Page("risk", questions.RiskForm),
]
PAGE_BY_SLUG = {page.slug: page for page in PAGES}
# Which page answers each `record_concern` argument, to show a refusal where it can be fixed.
PAGE_FOR_FIELD = {name: page for page in PAGES for name in page.form_class.record_fields()}


@dataclass
class Row:
    label: str
    answer: str
    change_url: str
    change_label: str
    problem: str = ""
    hints: list = field(default_factory=list)


@dataclass
class Review:
    """Everything check-your-answers shows, and what `record_concern` is called with."""

    draft_pk: object
    rows: list
    pupil: object
    kwargs: dict
    problems: list  # (message, url of the page that fixes it) pairs, in page order

    def refused(self, refusal):
        """Show a refusal from the workflow beside a link to the page that can fix it."""
        page = PAGE_FOR_FIELD.get(refusal.field)
        url = page_url(self.draft_pk, page, change=True) if page is not None else ""
        self.problems.append((refusal.message, url))


def page_url(draft_pk, page, *, change=False):
    url = reverse("concerns:record_question", args=[draft_pk, page.slug])
    return f"{url}?change=1" if change else url


def pupil_url(draft_pk):
    return reverse("concerns:record_draft_pupil", args=[draft_pk])


def check_url(draft_pk):
    return reverse("concerns:record_check", args=[draft_pk])


class Journey:
    """One draft moving through the pages."""

    def __init__(self, draft):
        self.draft = draft

    @property
    def data(self):
        return MultiValueDict(self.draft.answers)

    def _form(self, page, data):
        """The page's form, knowing the child (a date before their birth is a mistake) and
        when it was seen or heard (the delay question says it)."""
        return page.form_class(data, pupil=self.draft.pupil, seen=self._seen())

    def _seen(self):
        when = questions.WhenForm(self.data, pupil=self.draft.pupil)
        return when.cleaned_data["observed_at"] if when.is_valid() else None

    def pages(self):
        data = self.data
        return [page for page in PAGES if page.applies_to(data)]

    def answered(self, page):
        return any(name in self.draft.answers for name in page.form_class.input_names())

    def form(self, page):
        """The page as it was left: its answers as typed (with any errors), or empty."""
        return self._form(page, self.data if self.answered(page) else None)

    def save(self, page, posted):
        """Keep the page's answers as typed, valid or not, and return the form bound to them.
        Kept as the form reads them (`typed_text`): a NUL, which no keyboard types and
        PostgreSQL cannot store, is dropped, and a line break is one character."""
        values = {
            name: [typed_text(value) for value in posted.getlist(name)]
            for name in page.form_class.input_names()
        }
        save_answers(self.draft, values)
        return self._form(page, MultiValueDict(values))

    def first_gap(self):
        """The first page not yet answered (even an optional one: the child's own words
        matter) or answered wrongly; None when every page has a valid answer."""
        data = self.data
        for page in self.pages():
            if not self.answered(page) or not self._form(page, data).is_valid():
                return page
        return None

    def resume_url(self):
        if self.draft.pupil_id is None:
            return pupil_url(self.draft.pk)
        gap = self.first_gap()
        return check_url(self.draft.pk) if gap is None else page_url(self.draft.pk, gap)

    def url_after(self, page, *, changing):
        """Where Continue goes: the next page; or, when changing an answer from
        check-your-answers, the first page that now needs an answer, else back to check."""
        if changing:
            gap = self.first_gap()
            return (
                check_url(self.draft.pk)
                if gap is None
                else page_url(self.draft.pk, gap, change=True)
            )
        pages = self.pages()
        later = pages[pages.index(page) + 1 :] if page in pages else []
        return page_url(self.draft.pk, later[0]) if later else check_url(self.draft.pk)

    def url_before(self, page, *, changing):
        if changing:
            return check_url(self.draft.pk)
        pages = self.pages()
        earlier = pages[: pages.index(page)] if page in pages else []
        return page_url(self.draft.pk, earlier[-1]) if earlier else pupil_url(self.draft.pk)

    def review(self, membership):
        pk = self.draft.pk
        pupil = pupils_for(membership).filter(pk=self.draft.pupil_id).first()
        rows = [
            Row(
                "Pupil",
                f"{pupil.full_name}\n{pupil.get_year_group_display()}, born "
                f"{uk_date(pupil.date_of_birth)}"
                if pupil
                else "",
                pupil_url(pk),
                "the pupil",
                "" if pupil else "Choose the pupil the concern is about",
            )
        ]
        kwargs = {"delay_reason": ""}
        data = self.data
        for page in self.pages():
            form = self._form(page, data)
            row = Row(
                form.summary_label, "", page_url(pk, page, change=True), form.summary_label.lower()
            )
            if form.is_valid():
                kwargs.update(form.record_kwargs())
                row.answer, row.hints = form.answer(), form.hints()
            else:
                row.problem = next(iter(form.errors.values()))[0]
            rows.append(row)
        problems = [(row.problem, row.change_url) for row in rows if row.problem]
        return Review(draft_pk=pk, rows=rows, pupil=pupil, kwargs=kwargs, problems=problems)
