"""Two tabs of one draft saving different pages at the same moment: each page's answers are
kept, whichever lands first."""

from functools import partial

import pytest

from concerns.models import ConcernDraft
from concerns.recording import save_answers
from tests.concurrency import at_once, simultaneous_writers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]

TABS, EACH = 6, 15


def test_pages_saved_at_once_from_several_tabs_all_keep_their_answers(teacher, school, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=school, pupil=pupil)
    # Each tab read the draft when it was opened, before any of them saved.
    tabs = [ConcernDraft.objects.get(pk=draft.pk) for _ in range(TABS)]

    def save(tab):
        for n in range(EACH):
            save_answers(tabs[tab], {f"page_{tab}": [str(n)]})

    failures = at_once(*(partial(save, tab) for tab in range(TABS)))

    assert failures == []
    draft.refresh_from_db()
    assert draft.answers == {f"page_{tab}": [str(EACH - 1)] for tab in range(TABS)}
