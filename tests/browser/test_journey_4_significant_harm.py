"""Journey 4, significant harm: a teacher says the child is at immediate risk; the DSL refers to
children's social care without telling the parent (and says why), records the outcome, and
closes the concern."""

from playwright.sync_api import expect

from concerns.models import ConcernStatus, Escalation

from .conftest import look
from .journeys import escalate_record_outcome_and_close, open_concern_from_inbox, record_concern


def test_immediate_risk_is_escalated_without_telling_the_parent_then_closed(
    signed_in, teacher, dsl, pupil
):
    page = signed_in(teacher)
    reference = record_concern(
        page,
        look,
        pupil=pupil,
        category="Physical abuse",
        risk="Yes",
        what_happened="Amelia Ahmed flinched when I touched her arm. She has bruises on both "
        "upper arms and said her stepfather grabbed her.",
    )
    expect(page.get_by_text("You said the child may be at immediate risk")).to_be_visible()
    expect(page.get_by_text(dsl.full_name)).to_be_visible()  # who to speak to now

    page = signed_in(dsl)
    open_concern_from_inbox(page, look, reference)
    expect(page.get_by_text("may be at immediate risk of significant harm")).to_be_visible()
    escalate_record_outcome_and_close(page, look, mistakes=True)

    escalation = Escalation.objects.get()
    assert escalation.concern.reference == reference
    assert escalation.referred_to == Escalation.Target.CSC
    assert escalation.parent_informed is False
    assert "alleged abuser" in escalation.parent_not_informed_reason
    assert escalation.outcome == "section_47"
    assert escalation.concern.status == ConcernStatus.CLOSED
