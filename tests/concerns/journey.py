"""Helpers that walk 'Record a concern' through its pages, as a browser would post them."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from concerns.models import ConcernDraft
from tests.clock import typed_time
from tests.searching import search

FACTS = (
    "At 10:15am in the playground Amelia Ahmed told me she had not eaten since lunch "
    "yesterday. She had no coat and was shivering."
)
ORDER = [
    "when",
    "delay",
    "where",
    "categories",
    "what-happened",
    "child-words",
    "others",
    "action",
    "risk",
]


def when_data(moment):
    local = timezone.localtime(moment)
    return {
        "observed_on_0": str(local.day),
        "observed_on_1": str(local.month),
        "observed_on_2": str(local.year),
        "observed_time": typed_time(local),
    }


def answers(**pages):
    """Answers for every page, by page slug, with `pages` replacing any of them."""
    data = {
        "when": when_data(timezone.now() - timedelta(hours=2)),
        "where": {"location": "Playground"},
        "categories": {"categories": ["neglect"]},
        "what-happened": {"what_happened": FACTS},
        "child-words": {"child_words": "I didn't have breakfast."},
        "others": {"others_present": "Tom Brown (teaching assistant)"},
        "action": {"immediate_action": "Gave her toast and told the DSL."},
        "risk": {"immediate_risk": "no"},
    }
    data.update(pages)
    return data


def question_url(draft, slug, *, change=False):
    url = reverse("concerns:record_question", args=[draft.pk, slug])
    return f"{url}?change=1" if change else url


def check_url(draft):
    return reverse("concerns:record_check", args=[draft.pk])


def done_url(draft):
    return reverse("concerns:record_done", args=[draft.pk])


def start(client, pupil):
    """Find the pupil and choose them: the draft this creates."""
    url = search(client, reverse("concerns:record_pupil"), pupil.family_name)
    response = client.post(url, {"pupil": str(pupil.pk)})
    assert response.status_code == 302, response.content
    return ConcernDraft.objects.latest("created_at")


def fill(client, draft, pages):
    """Post each page's answers in order; every page must accept them."""
    for slug in ORDER:
        if slug in pages:
            response = client.post(question_url(draft, slug), pages[slug])
            assert response.status_code == 302, (slug, response.content.decode()[:3000])


def record(client, pupil, **pages):
    """The whole journey, sent: the draft it used (its id is the concern's submission key)."""
    draft = start(client, pupil)
    fill(client, draft, answers(**pages))
    response = client.post(check_url(draft))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == done_url(draft)
    return draft
