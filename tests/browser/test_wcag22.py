"""WCAG 2.2 criteria checked on the pages where real data makes them fail, at the narrowest
phone width (1.4.10 Reflow)."""

from django.urls import reverse

from .conftest import NARROWEST, assert_reflows, enter_credentials

# As schools publish them, and as a DSL's work address reads: far wider than a phone.
POLICY_URL = (
    "https://www.leabankprimary.luton.sch.uk/wp-content/uploads/2026/09/"
    "Safeguarding-and-Child-Protection-Policy-2026-27.pdf"
)
DSL_EMAIL = "designated.safeguarding.lead@leabankprimary.luton.sch.uk"


def test_long_web_and_email_addresses_wrap_on_a_phone(browse, walk, school, dsl, head, hub_advisor):
    """A long address breaks across lines on a 320-pixel screen; the page never scrolls
    sideways for it (the hub advisor reading whom to contact, the head teacher checking the
    published policy, the DSL changing its address, whose hint has an example address)."""
    school.safeguarding_policy_url = POLICY_URL
    school.save()
    dsl.email = DSL_EMAIL
    dsl.save()
    request = walk.request(walk.with_hub())
    for user, path in [
        (hub_advisor, reverse("advice:detail", args=[request.pk])),
        (head, reverse("reports:policy_confirm")),
        (dsl, reverse("reports:policy_url")),
    ]:
        page = browse(viewport=NARROWEST)
        page.goto("/account/login/")
        enter_credentials(page, user)
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible()
        assert_reflows(page)
