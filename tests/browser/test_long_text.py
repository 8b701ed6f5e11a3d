"""A long account pasted into a text box is never cut short by the browser: the service says
how long it may be and keeps every word, for the writer to shorten."""

from django.urls import reverse

from concerns.forms.record import LONG_TEXT
from concerns.models import ConcernDraft

from .conftest import enter_credentials


def test_an_account_longer_than_allowed_is_kept_whole_and_explained(browse, teacher, pupil):
    draft = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    page = browse()
    page.goto("/account/login/")
    enter_credentials(page, teacher)
    page.goto(reverse("concerns:record_question", args=[draft.pk, "what-happened"]))
    account = "Amelia said her uncle hit her. " * (LONG_TEXT // 31) + "The last words count."
    assert len(account) > LONG_TEXT
    page.get_by_label("What happened?").fill(account)
    assert page.get_by_label("What happened?").input_value() == account
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name=f"Write {LONG_TEXT:,} characters or fewer").wait_for()
    assert page.get_by_label("What happened?").input_value() == account
