"""What the admin titles an audit row or a policy confirmation with: London's time, as the
service's pages show it, not UTC (an hour out all summer, a day out near midnight)."""

from datetime import UTC, datetime

from audit.models import AuditEvent
from reports.models import PolicyConfirmation

SUMMER_NIGHT = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London


def test_an_audit_rows_title_is_in_london_time():
    event = AuditEvent(at=SUMMER_NIGHT, action="concern.view", object_type="concern", object_id="5")
    assert str(event) == "2026-07-02 00:30 concern.view concern 5"


def test_a_policy_confirmations_title_is_londons_day():
    confirmation = PolicyConfirmation(school_id=3, confirmed_at=SUMMER_NIGHT)
    assert str(confirmation) == "Prevent policy confirmation for 3 at 2026-07-02"
