"""Two tabs of one draft saving different pages at the same moment: each page's answers are
kept, whichever lands first."""

import threading

import pytest
from django.db import connection

from concerns.models import ConcernDraft
from concerns.recording import save_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time by design",
    ),
]

TABS, EACH = 6, 15


def test_pages_saved_at_once_from_several_tabs_all_keep_their_answers(teacher, school, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=school, pupil=pupil)
    start = threading.Barrier(TABS)
    failures = []

    def save(tab):
        mine = ConcernDraft.objects.get(pk=draft.pk)  # each tab read the draft when it opened
        start.wait()
        try:
            for n in range(EACH):
                save_answers(mine, {f"page_{tab}": [str(n)]})
        except Exception as error:  # noqa: BLE001: reported below, not swallowed
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(tab,)) for tab in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    draft.refresh_from_db()
    assert draft.answers == {f"page_{tab}": [str(EACH - 1)] for tab in range(TABS)}
