"""Journey 7: a hub advisor of another authority types the address of an advice request they
have no business seeing. They get the ordinary 'Page not found' (which reveals nothing about
the request), and the attempt is audited."""

from playwright.sync_api import expect

from audit.models import AuditEvent

from .conftest import look
from .journeys import heading


def test_another_authoritys_advisor_gets_page_not_found(signed_in, walk, other_la_advisor):
    concern = walk.with_hub(walk.recorded(categories=["radicalisation"]))
    advice_request = walk.request(concern)

    page = signed_in(other_la_advisor)
    look(page, "start-hub-advisor")
    response = page.goto(f"/hub/requests/{advice_request.pk}/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    look(page, "not-found")
    text = page.locator("main").inner_text()
    assert concern.reference not in text
    assert walk.pupil.family_name not in page.content()

    page.get_by_role("link", name="Advice queue").first.click()
    expect(heading(page)).to_have_text("Advice queue")
    look(page, "hub-queue")
    expect(page.get_by_role("link", name=concern.reference)).to_have_count(0)

    denied = AuditEvent.objects.get(action="access.denied", actor=other_la_advisor)
    assert denied.object_id == str(advice_request.pk)
