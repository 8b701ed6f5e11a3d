"""Journey 6: a teacher's session ends while they are typing what happened. They press
Continue, sign in again, and find their words still there; the concern is sent exactly once,
even when they go back to the check page."""

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from concerns.models import Concern, ConcernDraft

from .conftest import enter_credentials, look
from .journeys import continue_, heading, observed

WORDS = (
    "Amelia Ahmed told me at lunch that a man she met online asked her to keep their chats "
    "secret and to send him photos. She showed me the messages: he calls himself 'Jay'."
)


def test_typing_survives_an_expired_session_and_the_concern_is_sent_once(signed_in, teacher, pupil):
    page = signed_in(teacher)
    look(page, "start-staff")
    page.get_by_role("link", name="Record a concern").first.click()
    look(page, "record-start")
    page.get_by_role("button", name="Start now").click()
    look(page, "record-pupil")
    page.get_by_label("Search by the pupil's name or UPN").fill(pupil.family_name)
    page.get_by_role("button", name="Search").click()
    look(page, "record-pupil-found")
    page.get_by_label(pupil.full_name).check()
    continue_(page)
    look(page, "record-when")
    for label, value in observed().items():
        page.get_by_label(label, exact=True).fill(value)
    continue_(page)
    look(page, "record-where")
    page.get_by_label("Where did it happen?").fill("The dining hall")
    continue_(page)
    look(page, "record-categories")
    page.get_by_label("Online safety", exact=True).check()
    continue_(page)

    look(page, "record-what-happened")
    page.get_by_label("What happened?").fill(WORDS)
    # The session ends on the server, as it does after 30 idle minutes or a sign-out elsewhere.
    Session.objects.all().delete()
    continue_(page)

    expect(heading(page)).to_have_text("Sign in")
    look(page, "sign-in-after-expiry")
    enter_credentials(page, teacher, look=look)

    expect(heading(page)).to_have_text("What happened?")
    expect(page.get_by_text("You were signed out, so we kept what you typed")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value(WORDS)
    look(page, "record-what-happened-kept")
    continue_(page)
    for name in ["child-words", "others", "action"]:  # all optional: left blank
        look(page, f"record-{name}")
        continue_(page)
    look(page, "record-risk")
    page.get_by_label("No", exact=True).check()
    continue_(page)

    expect(heading(page)).to_have_text("Check your answers before sending")
    expect(page.get_by_text(WORDS)).to_be_visible()
    look(page, "record-check")
    page.get_by_role("button", name="Send to the DSL").click()
    expect(heading(page)).to_have_text("Concern recorded")
    look(page, "record-done")
    reference = page.locator(".govuk-panel__body strong").inner_text()

    # Back to check-your-answers: it is sent, so the confirmation of the same concern shows.
    page.go_back()
    expect(heading(page)).to_have_text("Concern recorded")
    expect(page.locator(".govuk-panel__body strong")).to_have_text(reference)

    concern = Concern.objects.get()
    assert (concern.reference, concern.what_happened) == (reference, WORDS)
    assert not ConcernDraft.objects.exists()
