"""Screenshots of the main pages at 1280 and 390 pixels wide, for the README.

Not part of the test suite (pytest collects only test_*.py files); `make screenshots` runs it
by path and writes docs/screenshots/<page>-<width>.png, replacing the files there. The people,
schools and children are the suite's fictional personas.
"""

import io
from pathlib import Path

import pytest
from PIL import Image  # installed with WeasyPrint

from schools.models import Role
from tests.factories import PupilFactory, member
from tests.walk import Walker, given_advice
from workflow.advice import claim_advice_request
from workflow.advice import give_advice as advise

from .conftest import DESKTOP, PHONE, look
from .journeys import give_advice, open_concern_from_inbox, record_concern

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TALLEST = 4000  # pixels: long pages (the report) are cut here, to keep the files small

# Page name in the journeys -> file name.
WANTED = {
    "start-staff": "start-staff",
    "record-what-happened": "concern-form",
    "record-check": "check-your-answers",
    "record-done": "concern-recorded",
    "start-dsl": "start-dsl",
    "inbox": "dsl-inbox",
    "concern": "concern-page",
    "start-hub-advisor": "start-hub-advisor",
    "hub-queue": "hub-queue",
    "hub-request": "hub-request",
    "start-head": "start-head-teacher",
    "report": "audit-report",
    "start-hub-manager": "start-hub-manager",
    "start-la-admin": "start-la-admin",
}


def shoot(page, name):
    """Save the page at both widths, if it is one of the pages wanted."""
    if name not in WANTED:
        return
    page.evaluate("document.activeElement && document.activeElement.blur()")  # as first seen
    try:
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            height = min(page.evaluate("document.documentElement.scrollHeight"), TALLEST)
            png = page.screenshot(
                clip={"x": 0, "y": 0, "width": size["width"], "height": height},
                full_page=True,
                animations="disabled",
            )
            # 256 colours are plenty for GOV.UK's flat colours, at under half the size.
            picture = Image.open(io.BytesIO(png)).convert("RGB")
            picture.quantize(colors=256, dither=Image.Dither.NONE).save(
                OUT / f"{WANTED[name]}-{size['width']}.png", optimize=True
            )
    finally:
        page.set_viewport_size(DESKTOP)


@pytest.fixture
def caseload(teacher, dsl, hub_advisor, pupil, school, other_school):
    """A few concerns at different steps in two schools, so lists have something in them.
    Returns the one to show on the concern page and the request to show the hub."""
    walk = Walker(teacher, dsl, hub_advisor, pupil)
    ben, chloe = (
        PupilFactory(school=school, given_name=given, family_name=family, year_group=year)
        for given, family, year in [("Ben", "Carter", "2"), ("Chloe", "Dunn", "5")]
    )
    walk.recorded(categories=["neglect"])
    # A Prevent concern, shown going through the same steps as any other (the letter's point 4).
    shown = walk.with_hub(
        walk.recorded(
            categories=["radicalisation"],
            location="Year 4 classroom",
            what_happened=(
                "In a lesson on the Second World War, Amelia said people of one religion should "
                "be made to leave the country, and repeated phrases from videos she says her "
                "older cousin shows her."
            ),
            child_words="My cousin says they are the enemy and we have to be ready.",
            others_present="Mr Brown (teaching assistant) and the class",
            immediate_action="Talked with her about respect for other faiths; told the DSL.",
        ),
        summary="Year 4 pupil repeating extremist views from videos an older cousin shows her.",
        question="Is this a Prevent referral, or should we talk with mum first?",
    )
    claim_advice_request(walk.request(shown), by=hub_advisor)
    advise(
        walk.request(shown),
        by=hub_advisor,
        **given_advice(
            advice=(
                "Talk with mum first about what Amelia watches and with whom. Come back to us "
                "if she is worried, or if it continues: we would then discuss a Prevent referral."
            )
        ),
    )
    harm = Walker(teacher, dsl, hub_advisor, ben)
    harm.escalated(harm.recorded(categories=["physical_abuse"], immediate_risk=True))
    Walker(teacher, dsl, hub_advisor, chloe).closed()
    elsewhere = Walker(
        member(Role.STAFF, other_school, full_name="Sam Staff"),
        member(Role.DSL, other_school, full_name="Oscar Otherschool"),
        hub_advisor,
        PupilFactory(school=other_school, given_name="Dev", family_name="Shah"),
    )
    asked = elsewhere.with_hub(elsewhere.recorded(categories=["online_safety"]), urgency="red")
    elsewhere.claimed(elsewhere.recorded(categories=["mental_health", "self_harm"]))
    walk.with_hub(walk.recorded(categories=["missing_education"]), urgency="green")
    return shown, asked


def test_screenshots(signed_in, caseload, teacher, dsl, hub_advisor, hub_manager, la_admin, head):
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()  # the folder holds exactly this run's pictures
    shown, asked = caseload

    page = signed_in(teacher)
    reference = record_concern(page, shoot, pupil=shown.pupil)

    page = signed_in(dsl)
    # The concern page pictured is one with some history, not the one just recorded.
    open_concern_from_inbox(
        page, lambda page, name: name != "concern" and shoot(page, name), reference
    )
    page.goto(f"/concerns/{shown.pk}/")
    shoot(page, "concern")

    page = signed_in(hub_advisor)
    give_advice(page, shoot, asked.reference)

    page = signed_in(hub_manager)
    shoot(page, "start-hub-manager")
    page = signed_in(la_admin)
    shoot(page, "start-la-admin")

    page = signed_in(head)
    shoot(page, "start-head")
    page.get_by_role("link", name="Audit report").first.click()
    look(page, "report")
    shoot(page, "report")

    written = sorted(path.name for path in OUT.glob("*.png"))
    expected = sorted(f"{name}-{w}.png" for name in WANTED.values() for w in (1280, 390))
    assert written == expected
