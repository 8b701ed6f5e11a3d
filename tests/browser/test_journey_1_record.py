"""Journey 1: a teacher records a Prevent concern through to check-your-answers and the
confirmation; the school's DSL finds it in the inbox and asks the Early Help Hub for amber
advice. With and without JavaScript; every page checked at desktop and phone widths."""

import pytest

from advice.models import AdviceRequest
from concerns.models import Concern, ConcernStatus

from .conftest import look
from .journeys import open_concern_from_inbox, record_concern, request_advice


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_teacher_records_a_prevent_concern_and_the_dsl_asks_the_hub(
    signed_in, teacher, dsl, pupil, js
):
    page = signed_in(teacher, js=js)
    reference = record_concern(page, look, pupil=pupil, mistakes=True)

    concern = Concern.objects.get()
    assert concern.reference == reference
    assert concern.recorded_by == teacher
    assert [c.category for c in concern.categories.all()] == ["radicalisation"]

    page = signed_in(dsl, js=js)
    open_concern_from_inbox(page, look, reference)
    request_advice(page, look, urgency="Amber", mistakes=True)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.WITH_HUB
    assert AdviceRequest.objects.get(concern=concern).urgency == "amber"
