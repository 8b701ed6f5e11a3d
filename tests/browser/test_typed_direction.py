"""A name typed in Arabic or Urdu, as Chromium draws it: the page marks it `dir="auto"`
(tests/concerns/test_typed_direction.py); here the browser is seen to run it right to left
where it appears, a choice of a drop-down list included, while the service's own words around
it keep the page's left-to-right direction."""

from django.urls import reverse

from tests.walk import concern_data
from workflow.concerns import record_concern

# The direction Chromium gives the innermost element holding `text` within `selector`.
DIRECTION = """([selector, text]) => {
    const found = [...document.querySelectorAll(selector)].filter(
        (el) => el.textContent.includes(text));
    const inner = found.find((el) => ![...el.children].some((c) => c.textContent.includes(text)));
    return inner ? getComputedStyle(inner).direction : null;
}"""


def test_a_colleagues_name_in_arabic_runs_right_to_left_in_the_header_and_the_inbox_filter(
    signed_in, teacher, dsl, pupil
):
    teacher.full_name = "مريم خان"
    teacher.save(update_fields=["full_name"])
    dsl.full_name = "فاطمة أحمد"
    dsl.save(update_fields=["full_name"])
    record_concern(by=teacher, pupil=pupil, **concern_data())
    page = signed_in(dsl)
    page.goto(reverse("concerns:inbox"))

    def direction(selector, text):
        return page.evaluate(DIRECTION, [selector, text])

    header = ".app-role-switcher, .app-role-switcher *"
    assert direction(header, dsl.full_name) == "rtl"
    assert direction(header, "Designated safeguarding lead") == "ltr"
    choices = "select[name=recorded_by] option"
    assert direction(choices, teacher.full_name) == "rtl"
    assert direction(choices, "Anyone") == "ltr"
