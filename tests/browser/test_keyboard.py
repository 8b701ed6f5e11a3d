"""Journey 1 with the keyboard alone: Tab, Shift+Tab, Space, Enter, the arrow keys and typing;
never a click or a fill. After every Tab the focused element must be visible: inside the
window, not covered by anything, and drawn differently from when it is not focused."""

from playwright.sync_api import expect

from advice.models import AdviceRequest
from concerns.models import Concern, ConcernStatus
from tests.factories import PASSWORD

from .conftest import fresh_code, press, tab_until
from .journeys import CHILD_WORDS, WHAT_HAPPENED, heading, observed


def is_field(name):
    return lambda now: now["name"] == name


def is_control(text):
    """A link or button whose visible text is `text`."""
    return lambda now: now["tag"] in {"a", "button"} and now["text"] == text


def is_option(label):
    return lambda now: now["type"] in {"radio", "checkbox"} and now["label"] == label


def type_into(page, name, text):
    tab_until(page, is_field(name))
    page.keyboard.type(text)


def activate(page, text, key="Enter"):
    """Tab to a link or button and press it; wait for the page it opens."""
    tab_until(page, is_control(text))
    with page.expect_navigation():
        press(page, key)


def sign_in_by_keyboard(page, user):
    page.goto("/account/login/")
    type_into(page, "login", user.email)
    type_into(page, "password", PASSWORD)
    with page.expect_navigation():
        press(page, "Enter")
    type_into(page, "code", fresh_code(user))
    with page.expect_navigation():
        press(page, "Enter")
    assert "/account/" not in page.url


def test_journey_1_by_keyboard_alone(browse, teacher, dsl, pupil):
    page = browse()
    sign_in_by_keyboard(page, teacher)
    activate(page, "Record a concern")
    # A link drawn as a button is announced as one (GOV.UK's Button: role="button"), so it
    # answers Space as a button does: GOV.UK Frontend's script presses it.
    activate(page, "Start now", key="Space")
    type_into(page, "q", pupil.given_name)
    with page.expect_navigation():
        press(page, "Enter")  # the search form, sent by POST: the results' address has no name
    assert "search=" in page.url
    assert pupil.given_name not in page.url
    tab_until(page, is_option(pupil.full_name))
    press(page, "Space")
    activate(page, "Continue")

    expect(heading(page)).to_have_text("When did you see or hear it?")
    moment = observed()
    type_into(page, "observed_on_0", moment["Day"])
    type_into(page, "observed_on_1", moment["Month"])
    type_into(page, "observed_on_2", moment["Year"])
    type_into(page, "observed_time", moment["Time"])
    with page.expect_navigation():
        press(page, "Enter")  # Enter in a text box submits with the first button: Continue

    type_into(page, "location", "The library")
    activate(page, "Continue")
    tab_until(page, is_option("Radicalisation or extremism (Prevent)"))
    press(page, "Space")
    activate(page, "Continue")
    for name, text in [
        ("what_happened", WHAT_HAPPENED),
        ("child_words", CHILD_WORDS),
        ("others_present", "Tom Brown (librarian)"),
        ("immediate_action", "Kept the phone and told the DSL."),
    ]:
        type_into(page, name, text)
        activate(page, "Continue")  # Enter in a text area is a new line, so Tab to the button

    expect(heading(page)).to_have_text(
        "Do you think the child is at immediate risk of significant harm?"
    )
    first = tab_until(page, lambda now: now["type"] == "radio")
    assert first["label"] == "Yes"
    press(page, "ArrowDown")  # arrows move through a radio group and choose as they go
    assert page.evaluate("document.activeElement.labels[0].innerText.trim()") == "No"
    activate(page, "Continue")

    expect(heading(page)).to_have_text("Check your answers before sending")
    activate(page, "Send to the DSL")
    expect(heading(page)).to_have_text("Concern recorded")
    concern = Concern.objects.get()
    assert concern.immediate_risk is False
    assert [c.category for c in concern.categories.all()] == ["radicalisation"]

    page = browse()
    sign_in_by_keyboard(page, dsl)
    activate(page, "Concerns inbox")
    type_into(page, "q", pupil.family_name)
    with page.expect_navigation():
        press(page, "Enter")  # Enter in the search box applies the filters
    assert "search=" in page.url
    assert pupil.family_name not in page.url
    expect(page.get_by_label("Pupil name or UPN")).to_have_value(pupil.family_name)
    activate(page, concern.reference)
    activate(page, "Ask the Early Help Hub for advice")
    type_into(page, "summary", "Year 6 pupil shared extremist material in the library.")
    type_into(page, "question", "Should we talk with her parents first?")
    tab_until(page, lambda now: now["name"] == "urgency")
    press(page, "ArrowDown")  # from Red to Amber
    assert page.evaluate("document.activeElement.value") == "amber"
    press(page, "Shift+Tab")  # back to the question, to check it, and on again
    activate(page, "Send to the hub")
    expect(page.get_by_text("Your request has been sent to the Early Help Hub")).to_be_visible()

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.WITH_HUB
    assert AdviceRequest.objects.get(concern=concern).urgency == "amber"


def test_a_link_at_the_edge_of_a_tables_scrolling_box_is_scrolled_into_view(
    signed_in, walk, dsl, pupil
):
    """On a phone a wide table scrolls sideways in its own box. A link whose column starts
    right at the box's edge must be scrolled fully into view when Tab reaches it: Chromium
    counts a sliver as 'visible' and leaves it hidden, unless the box asks for some room."""
    from datetime import timedelta

    from django.utils import timezone

    from workflow.leavers import record_leaving

    walk.recorded()
    today = timezone.localdate()
    record_leaving(
        pupil,
        by=dsl,
        left_on=today - timedelta(days=2),
        starts_on=today - timedelta(days=1),
        new_school="Wardown Vale High School",
    )
    page = signed_in(dsl)
    # The widths at which, on these rows, the last column starts at the box's edge.
    for width in range(316, 342, 2):
        page.set_viewport_size({"width": width, "height": 700})
        page.goto("/concerns/pupils/leavers/")
        tab_until(page, lambda now: now["text"].startswith("Record that the file was sent"))
