"""Each workflow event keeps the concern version it produced (WorkflowEvent.concern_version).

The rows written before this have none, and say nothing of it: it is worked out, concern by
concern, from the actions of its events in their order (`at`, then id) and the concern's
version now, which every move that stepped it on raised by one from the 1 it was recorded at.
Which moves stepped it on is known from the code's history:

- the recording: 1; a referral's outcome: never;
- asking for advice, withdrawing, a new urgency, advice, a parent conversation, an
  escalation, closing and reopening: always;
- an addendum: only from 29 November 2026 (commit e870dcb), before which it did not;
- the hub claiming, releasing or reassigning a request: only until 2 December 2026 (commit
  7e08d6a), after which they do not.

When each change reached a server is not known, so every way of splitting a concern's events
into those three periods is tried (some first addenda that did not step the version on, some
first claims, releases and reassignments that did, and no addendum of the first period after
a claim of the last). The splits whose steps add up to the concern's version now are the
ones that could have happened. An event is given the version they all agree on; where they
disagree, which of its moves stepped the version on cannot be told, and those events stay
null, as do all but the recording of a concern no split fits. A null is read as "no version
known": the hub's list of what changed does not show it (advice.selectors.changes_since).
"""

from django.conf import settings
from django.db import migrations, models

RECORD = "record_concern"
ALWAYS = {
    "request_hub_advice",
    "withdraw_advice_request",
    "rerate_advice_request",
    "give_advice",
    "log_parent_conversation",
    "escalate_significant_harm",
    "close_concern",
    "reopen_concern",
}
ADDENDUM = "add_addendum"
HUB_HOLDS = {"claim_advice_request", "release_advice_request", "reassign_advice_request"}
CONCERNS_AT_A_TIME = 1000


def placed(actions, version):
    """The version each of a concern's events produced, given their actions in order and the
    concern's version now: a number, or None where it produced none or that cannot be told."""
    addenda = [i for i, action in enumerate(actions) if action == ADDENDUM]
    holds = [i for i, action in enumerate(actions) if action in HUB_HOLDS]
    always = sum(action in ALWAYS for action in actions)
    fits = []
    for quiet in range(len(addenda) + 1):  # the first `quiet` addenda did not step it on
        stepped = version - 1 - always - (len(addenda) - quiet)  # the first `stepped` holds did
        if not 0 <= stepped <= len(holds):
            continue
        if quiet and stepped < len(holds) and addenda[quiet - 1] > holds[stepped]:
            continue  # an addendum from before 29 November after a claim from after 2 December
        loud = set(addenda[quiet:]) | set(holds[:stepped])
        versions, current = [], 1
        for i, action in enumerate(actions):
            if action in ALWAYS or i in loud:
                current += 1
            versions.append(current if action in ALWAYS or i in loud else None)
        fits.append(versions)
    agreed = [
        produced if all(fit[i] == produced for fit in fits) else None
        for i, produced in enumerate(fits[0] if fits else [None] * len(actions))
    ]
    if RECORD in actions:  # the concern was recorded at 1, whatever came after
        agreed[actions.index(RECORD)] = 1
    return agreed


def place_versions(apps, schema_editor):
    Concern = apps.get_model("concerns", "Concern")
    WorkflowEvent = apps.get_model("workflow", "WorkflowEvent")
    concerns = Concern.objects.order_by("pk").values_list("pk", "version")
    after = 0
    while batch := list(concerns.filter(pk__gt=after)[:CONCERNS_AT_A_TIME]):
        after = batch[-1][0]
        events = {pk: [] for pk, _ in batch}
        rows = WorkflowEvent.objects.filter(concern_id__in=events).only("concern_id", "action")
        for event in rows.order_by("concern_id", "at", "pk"):
            events[event.concern_id].append(event)
        changed = []
        for pk, version in batch:
            rows = events[pk]
            for event, produced in zip(
                rows, placed([row.action for row in rows], version), strict=True
            ):
                if produced is not None:
                    event.concern_version = produced
                    changed.append(event)
        WorkflowEvent.objects.bulk_update(changed, ["concern_version"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0004_request_keeps_withdrawn_pupil"),
        ("concerns", "0018_subject_access_identity_requested"),
        ("workflow", "0006_notification_user"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="workflowevent",
            name="concern_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="workflowevent",
            constraint=models.UniqueConstraint(
                fields=("concern", "concern_version"), name="one_event_per_concern_version"
            ),
        ),
        migrations.RunPython(place_versions, migrations.RunPython.noop),
    ]
