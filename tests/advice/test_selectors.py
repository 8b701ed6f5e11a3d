import pytest

from advice.selectors import get_request_for, requests_visible_to
from audit.scope import OutOfScope


def test_hub_sees_its_authoritys_requests_and_schools_their_own(
    walk, hub_advisor, dsl, head, teacher, other_la_advisor, other_school_dsl
):
    concern = walk.with_hub()
    request = walk.request(concern)
    for user in [hub_advisor, dsl, head]:
        assert list(requests_visible_to(user.memberships.get())) == [request]
    for user in [teacher, other_la_advisor, other_school_dsl]:
        assert list(requests_visible_to(user.memberships.get())) == []
        with pytest.raises(OutOfScope):
            get_request_for(user.memberships.get(), request.pk)
