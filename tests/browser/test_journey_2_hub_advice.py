"""Journey 2: a hub advisor finds the school's request in the queue, claims it, and advises
talking with the parent (level 2). With and without JavaScript."""

import pytest

from advice.models import AdviceStatus
from concerns.models import ConcernStatus

from .conftest import look
from .journeys import give_advice


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_hub_advisor_claims_the_request_and_advises_talking_with_the_parent(
    signed_in, walk, hub_advisor, js
):
    concern = walk.with_hub(walk.recorded(categories=["radicalisation"]), urgency="amber")

    page = signed_in(hub_advisor, js=js)
    give_advice(page, look, concern.reference, mistakes=True)

    advice_request = walk.request(concern)
    assert advice_request.status == AdviceStatus.ANSWERED
    assert advice_request.claimed_by == hub_advisor
    assert advice_request.recommended_next_step == "talk_to_parent"
    assert advice_request.level_of_need == 2
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADVICE_RECEIVED
