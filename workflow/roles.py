"""Telling a place's leads that someone was given a role that opens its children's records.

A local authority's administrator gives roles (schools/services.py) and never holds one that
reads case content; a DSL's role given to a second account of their own would get round that.
The grant is audited, and now also told to those who would notice a stranger: a school's
DSLs, deputies and head teacher when someone becomes one of them, the hub's managers when
someone joins the hub. A member of staff's role reads no one else's concerns, so it is not
told. The email names the person, the role and who gave it; it holds nothing about a child.
"""

from safeguarding import clock
from schools.models import DSL_ROLES, HUB_ROLES, Role

from . import notify

ROLE_GRANTED = "role_granted"
# The school roles that read every child's safeguarding record there.
READS_THE_SCHOOLS_RECORDS = DSL_ROLES | {Role.HEAD_TEACHER}


def _told(membership):
    """Those told of `membership` (never its holder)."""
    if membership.school_id is not None:
        if membership.role not in READS_THE_SCHOOLS_RECORDS:
            return []
        return notify.school_leads_and_head(membership.school, but=membership.user)
    if membership.role not in HUB_ROLES:
        return []
    return notify.hub_managers(membership.local_authority, but=membership.user)


def tell_of_role(membership, *, by, at):
    """Queue the email to the leads of `membership`'s place: `by` gave it `at`."""
    recipients = _told(membership)
    if not recipients:
        return
    person = membership.user
    role = membership.get_role_display()
    reads = (
        "every child's safeguarding record at the school"
        if membership.school_id is not None
        else "the advice requests of every school in the authority"
    )
    notify.queue(
        ROLE_GRANTED,
        recipients,
        subject=f"{person} has been given a role at {membership.place}: {role}",
        body=(
            f"{person} ({person.email}) was given a role at {membership.place} by {by} on "
            f"{clock.written(at)}: {role}. With it they can read {reads}."
            "\n\nIf you did not expect this, tell your local authority's information security "
            "team today."
        ),
    )
