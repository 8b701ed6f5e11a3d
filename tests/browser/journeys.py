"""The users' journeys, step by step in a real browser, shared by the journey tests and by
screenshots.py.

Every function takes `look(page, name)` and calls it on each page it arrives at: the tests pass
one that checks the page (accessibility at both widths, error summary links, console), the
screenshot module one that saves a picture. Names are stable: they become file names.

The pages are driven by their labels and roles, as a person reads them, never by CSS classes.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.clock import typed_time

WHAT_HAPPENED = (
    "At 10:15am in the library Amelia Ahmed showed me a video on her phone praising a banned "
    "extremist group and said her cousin told her to share it with her class."
)
CHILD_WORDS = "My cousin says they are the only ones telling the truth."


def observed(hours_ago=2):
    """When it was seen, in the service's time zone, as the date and time boxes want it."""
    moment = timezone.localtime(timezone.now() - timedelta(hours=hours_ago))
    return {
        "Day": str(moment.day),
        "Month": str(moment.month),
        "Year": str(moment.year),
        "Time": typed_time(moment),
    }


def continue_(page):
    page.get_by_role("button", name="Continue", exact=True).click()


def heading(page):
    return page.get_by_role("heading", level=1)


def record_concern(
    page,
    look,
    *,
    pupil,
    category="Radicalisation or extremism (Prevent)",
    risk="No",
    what_happened=WHAT_HAPPENED,
    mistakes=False,
):
    """A member of staff records a concern from their start page to the confirmation.

    With `mistakes`, they first press Continue without answering where a question is required
    (a date, and checkboxes), so the error pages are checked too. Returns the reference."""
    look(page, "start-staff")
    page.get_by_role("link", name="Record a concern").first.click()
    look(page, "record-start")
    page.get_by_role("button", name="Start now").click()
    look(page, "record-pupil")
    page.get_by_label("Search by the pupil's name or UPN").fill(pupil.given_name)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?search="))  # a token: never the name typed
    assert pupil.given_name not in page.url
    look(page, "record-pupil-found")
    page.get_by_label(pupil.full_name).check()
    continue_(page)

    expect(heading(page)).to_have_text("When did you see or hear it?")
    look(page, "record-when")
    if mistakes:
        continue_(page)
        look(page, "record-when-error")
    for label, value in observed().items():
        page.get_by_label(label, exact=True).fill(value)
    continue_(page)

    page.get_by_label("Where did it happen?").fill("The library")
    look(page, "record-where")
    continue_(page)

    expect(heading(page)).to_have_text("What is the concern about?")
    if mistakes:
        continue_(page)
        look(page, "record-categories-error")
    page.get_by_label(category, exact=True).check()
    look(page, "record-categories")
    continue_(page)

    page.get_by_label("What happened?").fill(what_happened)
    look(page, "record-what-happened")
    continue_(page)
    look(page, "record-child-words")
    page.get_by_label("What did the child say?").fill(CHILD_WORDS)
    continue_(page)
    look(page, "record-others")
    page.get_by_label("Who else was there?").fill("Tom Brown (librarian)")
    continue_(page)
    look(page, "record-action")
    page.get_by_label("What did you do straight away?").fill("Kept the phone and told the DSL.")
    continue_(page)

    expect(heading(page)).to_have_text(
        "Do you think the child is at immediate risk of significant harm?"
    )
    look(page, "record-risk")
    page.get_by_label(risk, exact=True).check()
    continue_(page)

    expect(heading(page)).to_have_text("Check your answers before sending")
    look(page, "record-check")
    page.get_by_role("button", name="Send to the DSL").click()
    expect(heading(page)).to_have_text("Concern recorded")
    look(page, "record-done")
    return page.locator(".govuk-panel__body strong").inner_text()


def open_concern_from_inbox(page, look, reference, *, start="start-dsl"):
    """A DSL goes from their start page to the concern, through the inbox."""
    look(page, start)
    page.get_by_role("link", name="Concerns inbox").first.click()
    expect(heading(page)).to_have_text("Concerns inbox")
    look(page, "inbox")
    page.get_by_role("link", name=reference).click()
    expect(heading(page)).to_have_text(f"Concern {reference}")
    look(page, "concern")


def request_advice(page, look, *, urgency="Amber", mistakes=False):
    """From the concern page, a DSL asks the Early Help Hub for advice (step 2)."""
    page.get_by_role("button", name="Ask the Early Help Hub for advice").click()
    expect(heading(page)).to_have_text("Ask the Early Help Hub for advice")
    look(page, "request-advice")
    if mistakes:
        page.get_by_role("button", name="Send to the hub").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        look(page, "request-advice-error")
    page.get_by_label("Summary for the hub").fill(
        "Year 6 pupil shared extremist material in the library; says a cousin told her to."
    )
    page.get_by_label("Your question for the hub").fill(
        "Should we talk with her parents first, or refer to the police Prevent team?"
    )
    page.get_by_label(urgency, exact=True).check()
    page.get_by_role("button", name="Send to the hub").click()
    expect(page.get_by_text("Your request has been sent to the Early Help Hub")).to_be_visible()
    look(page, "concern-with-hub")


def give_advice(page, look, reference, *, mistakes=False):
    """A hub advisor finds the request in the queue, claims it and advises (step 2)."""
    look(page, "start-hub-advisor")
    page.get_by_role("link", name="Advice queue").first.click()
    expect(heading(page)).to_have_text("Advice queue")
    look(page, "hub-queue")
    page.get_by_role("link", name=reference).click()
    expect(heading(page)).to_have_text(f"Advice request {reference}")
    look(page, "hub-request")
    page.get_by_role("button", name="Claim this request").click()
    expect(page.get_by_text("You have claimed this request.")).to_be_visible()
    look(page, "hub-request-claimed")
    page.get_by_role("button", name="Give advice").click()
    look(page, "hub-advise")
    if mistakes:
        page.get_by_role("button", name="Send the advice to the school").click()
        look(page, "hub-advise-error")
    page.get_by_label("Your advice to the school").fill(
        "Talk with Amelia's mother first: she is not known to us and there is no sign of "
        "significant harm. Tell us if the family will not engage."
    )
    page.get_by_label("Talk with the parent or carer", exact=True).check()
    page.get_by_label("Level 2: early help", exact=True).check()
    page.get_by_role("button", name="Send the advice to the school").click()
    expect(page.get_by_text("Your advice has been sent.")).to_be_visible()
    look(page, "hub-request-answered")


def log_conversation_and_close(page, look, *, mistakes=False):
    """From the concern page, a DSL logs the parent conversation (step 3) and closes it."""
    page.get_by_role("button", name="Log the parent or carer conversation").click()
    look(page, "conversation")
    if mistakes:
        page.get_by_role("button", name="Save", exact=True).click()
        look(page, "conversation-error")
    page.get_by_label("Yes, it took place").check()
    look(page, "conversation-held")
    moment = observed(hours_ago=1)
    for label in ("Day", "Month", "Year"):
        page.get_by_label(label, exact=True).fill(moment[label])
    page.get_by_label("Time of the conversation").fill(moment["Time"])
    page.get_by_label("Who did you speak with?").fill("Mrs Ahmed")
    page.get_by_label("Their relationship to the child").fill("Mother")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("What was discussed").fill("The video, and who Amelia talks to online.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The parent or carer conversation has been logged")).to_be_visible()
    look(page, "concern-conversation-logged")

    close(
        page,
        look,
        outcome="Monitoring in school",
        rationale="Mother is supportive and has taken the phone away; the hub's advice is "
        "followed and school will monitor.",
    )


def close(page, look, *, outcome, rationale):
    page.get_by_role("button", name="Close the concern").click()
    look(page, "close")
    page.get_by_label(outcome, exact=True).check()
    page.get_by_label("Why are you closing the concern?").fill(rationale)
    page.get_by_role("button", name="Close the concern").click()
    expect(page.get_by_text("The concern has been closed")).to_be_visible()
    look(page, "concern-closed")


def escalate_record_outcome_and_close(page, look, *, mistakes=False):
    """From the concern page, a DSL records a referral to children's social care without telling
    the parent, then what came of it, then closes the concern."""
    page.get_by_role("button", name="Escalate for significant harm").click()
    look(page, "escalate")
    if mistakes:
        page.get_by_role("button", name="Record the escalation").click()
        look(page, "escalate-error")
    page.get_by_label("What indicates significant harm?").fill(
        "Bruising to both upper arms in the shape of fingers; she says her stepfather did it."
    )
    page.get_by_label("Children's social care (MASH)", exact=True).check()
    referred = observed(hours_ago=0)
    for label in ("Day", "Month", "Year"):
        page.get_by_label(label, exact=True).fill(referred[label])
    page.get_by_label("Time of the referral").fill(referred["Time"])
    page.get_by_label("Who did you speak to?").fill("MASH duty social worker")
    page.get_by_label("Their reference number (if given)").fill("MASH-2026-0415")
    page.get_by_role(
        "group", name="Has the parent or carer been told about the referral?"
    ).get_by_label("No", exact=True).check()
    page.get_by_label("If not, why not?").fill(
        "The stepfather is the alleged abuser; MASH asked us not to tell the family yet."
    )
    page.get_by_role("button", name="Record the escalation").click()
    expect(page.get_by_text("The escalation has been recorded")).to_be_visible()
    look(page, "concern-escalated")

    page.get_by_role(
        "button", name="Record the outcome of the referral to Children's social care (MASH)"
    ).click()
    look(page, "outcome")
    page.get_by_label("Section 47 child protection enquiry", exact=True).check()
    page.get_by_label("Details").fill("Strategy discussion held; child protection plan to follow.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("The outcome of the referral has been recorded")).to_be_visible()
    look(page, "concern-outcome-recorded")

    close(
        page,
        look,
        outcome="Referred to children's social care",
        rationale="Children's social care lead under a child protection plan; the school's "
        "part is recorded there.",
    )
