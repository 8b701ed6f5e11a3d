"""Transitions on a concern made by the school (and, for escalation, the hub)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html

from advice.models import AdviceStatus, NextStep, claimant_left
from concerns.models import (
    Addendum,
    Category,
    Closure,
    Concern,
    ConcernCategory,
    ConcernStatus,
    Escalation,
    ParentConversation,
    ReferenceSequence,
)
from safeguarding.templatetags.presenters import typed

from . import notify
from .core import (
    actor_for,
    check,
    check_role,
    done_by,
    history,
    lock_concern,
    lock_pupil,
    move,
    not_before_seen,
    not_in_future,
    require,
)
from .exceptions import TransitionRefused
from .rules import (
    CLOSED_TO_THE_HUB,
    SCHOOL_LEADS,
    SCHOOL_RECORDERS,
    Action,
    conversation_refused,
    latest_conversation,
    refused_from,
    reopened_at,
)

DELAY_NEEDS_REASON = timedelta(days=7)
REQUEST_STILL_OPEN = (
    "An advice request is still open with the hub. Wait for the advice, or withdraw the "
    "request, before closing the concern."
)
OUTCOME_RECORDED = (
    "The outcome of this escalation is already recorded. Add an addendum for later news."
)
NFA_MIN_WORDS = 5


def _next_reference(authority, year):
    sequence, _ = ReferenceSequence.objects.get_or_create(local_authority=authority, year=year)
    sequence = ReferenceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{authority.code}-{year}-{sequence.last_number:05d}"


def record_concern(
    *,
    by,
    pupil,
    observed_at,
    location,
    categories,
    what_happened,
    child_words="",
    others_present="",
    immediate_action="",
    immediate_risk=False,
    delay_reason="",
    submission_key=None,
):
    """Step 1: record a concern about a pupil.

    Who: staff, DSLs and deputy DSLs of the pupil's school. From: nothing; to: RECORDED.
    Effects: the concern, its categories, a reference unique in the authority, the
    WorkflowEvent and AuditEvent, and a notification to the school's DSLs (marked urgent if
    the child may be at immediate risk). With a `submission_key`, a repeated submission
    returns the concern the first one recorded instead of recording it twice.
    Raises TransitionRefused for a pupil of another school, a time in the future, no
    category, missing facts, or a delay of more than 7 days without a reason.
    """
    if submission_key is not None:
        earlier = Concern.objects.filter(submission_key=submission_key, recorded_by=by).first()
        if earlier is not None:
            return earlier
    try:
        return _record_concern(
            by=by,
            pupil=pupil,
            observed_at=observed_at,
            location=location,
            categories=categories,
            what_happened=what_happened,
            child_words=child_words,
            others_present=others_present,
            immediate_action=immediate_action,
            immediate_risk=immediate_risk,
            delay_reason=delay_reason,
            submission_key=submission_key,
        )
    except IntegrityError:
        # A simultaneous submission of the same form won the race: show its concern.
        if submission_key is None:
            raise
        return Concern.objects.get(submission_key=submission_key, recorded_by=by)


@transaction.atomic
def _record_concern(*, by, pupil, observed_at, categories, delay_reason, submission_key, **text):
    actor = actor_for(by)
    school = pupil.school
    if not actor.in_school(school, SCHOOL_RECORDERS):
        raise TransitionRefused(
            "You can record concerns only about pupils at a school where you are a member of "
            "staff or a DSL."
        )
    now = timezone.now()
    require(observed_at, "observed_at", "Enter the date and time it was seen or heard")
    not_in_future(observed_at, "observed_at", "The date and time must be in the past")
    born = pupil.date_of_birth
    if timezone.localdate(observed_at) < born:
        raise TransitionRefused(
            format_html(
                "The date it was seen or heard must be on or after {} {}, when {} was born",
                born.day,
                f"{born:%B %Y}",
                typed(pupil.given_name),
            ),
            field="observed_at",
        )
    require(text["location"], "location", "Enter where it happened")
    categories = sorted(set(categories or []))
    if not categories:
        raise TransitionRefused("Select at least one category", field="categories")
    unknown = set(categories) - set(Category.values)
    if unknown:
        raise TransitionRefused("Select categories from the list", field="categories")
    require(text["what_happened"], "what_happened", "Enter what happened")
    if now - observed_at > DELAY_NEEDS_REASON and not (delay_reason or "").strip():
        raise TransitionRefused(
            f"Explain why this is being recorded more than {DELAY_NEEDS_REASON.days} days after "
            "it was seen or heard",
            field="delay_reason",
        )
    # The pupil first: the authority's reference sequence, which every school's recording
    # waits on, is then held no longer than it must be.
    pupil = lock_pupil(pupil)
    concern = Concern.objects.create(
        reference=_next_reference(school.local_authority, timezone.localtime(now).year),
        school=school,
        pupil=pupil,
        year_group=pupil.year_group,
        recorded_by=by,
        observed_at=observed_at,
        recorded_at=now,
        delay_reason=(delay_reason or "").strip(),
        status=ConcernStatus.RECORDED,
        submission_key=submission_key,
        **{
            key: (value.strip() if isinstance(value, str) else value) for key, value in text.items()
        },
    )
    ConcernCategory.objects.bulk_create(
        ConcernCategory(concern=concern, category=category) for category in categories
    )
    history(concern, Action.RECORD, "", by=by, at=now)
    notify.queue(
        "concern_recorded",
        notify.school_leads(school, but=by),
        subject=f"New safeguarding concern {concern.reference}",
        body=(
            f"A member of staff at {school.name} has recorded a safeguarding concern "
            f"({concern.reference}). It needs a DSL to review it."
            + (
                "\n\nThey think the child may be at immediate risk of significant harm: "
                "look at it now."
                if concern.immediate_risk
                else ""
            )
            + f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
        urgent=concern.immediate_risk,
    )
    return concern


@transaction.atomic
def add_addendum(concern, *, by, text, submission_key=None):
    """Append a note or correction; the concern itself is never edited.

    Who: the person who recorded it, the school's DSLs and the head teacher. From: any
    status, including closed; the status does not change. With a `submission_key`, a
    repeated submission (a second click, a resent form) returns the addendum the first one
    added: an addendum can never be removed, so a duplicate would stay for good. One added
    by anyone but a DSL is notified to the school's DSLs. Raises TransitionRefused for anyone
    else or for an empty note.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    check(actor, Action.ADD_ADDENDUM, concern)
    text = require(text, "text", "Enter the addendum")
    if submission_key is not None:
        # The concern's row is locked: a second submission waits here for the first.
        earlier = concern.addenda.filter(submission_key=submission_key, author=by).first()
        if earlier is not None:
            return earlier
    addendum = Addendum.objects.create(
        concern=concern, author=by, text=text, submission_key=submission_key
    )
    # The record has changed: a page drawn before it (the hub's advice form, a DSL's next
    # step) is refused as stale rather than acting on what it did not show.
    history(
        concern,
        Action.ADD_ADDENDUM,
        concern.status,
        by=by,
        new_version=True,
        at=addendum.created_at,
    )
    if not actor.in_school(concern.school, SCHOOL_LEADS):
        # Staff add what they learn later to the concern they recorded, even once it is closed:
        # the DSLs must see it, as they saw the concern.
        notify.queue(
            "addendum_added",
            notify.school_leads(concern.school),
            subject=f"Addendum to safeguarding concern {concern.reference}",
            body=(
                f"The member of staff who recorded safeguarding concern {concern.reference} at "
                f"{concern.school.name} has added to it. It needs a DSL to read the addendum."
                f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
            ),
            concern=concern,
        )
    # The advisor answering the hub's request would otherwise advise without what was added:
    # their advice form is refused as stale, and only then would they look.
    _tell_advisor(
        concern,
        "addendum_for_advisor",
        by=by,
        subject=f"Addendum to {concern.reference}, whose advice request you have claimed",
        said=f"{concern.school.name} has added to safeguarding concern {concern.reference}.",
        read="the addendum",
    )
    return addendum


def _tell_advisor(concern, kind, *, by, subject, said, read, urgent=None):
    """Email the advisor who has claimed the concern's open advice request (unless they did
    it) that something they must read before they advise has been done: `said` says what,
    naming no child. Urgent when the request is red, unless `urgent` says otherwise. Not
    someone who has left the hub (`claimant_left`): the request is nobody's."""
    pending = _open_requests(concern).annotate(claimant_left=claimant_left()).first()
    if pending is None or pending.claimed_by_id in (None, by.pk) or pending.claimant_left:
        return
    notify.queue(
        kind,
        notify.hub_staff(concern.school.local_authority, [pending.claimed_by]),
        subject=subject,
        body=(
            f"{said} You have claimed its advice request: read {read} before you give your "
            f"advice.\n\nSign in to see it: {notify.link('advice:detail', pending.pk)}"
        ),
        concern=concern,
        urgent=pending.urgency == "red" if urgent is None else urgent,
    )


@transaction.atomic
def log_parent_conversation(
    concern,
    *,
    by,
    held,
    expected_version=None,
    held_at=None,
    with_name="",
    with_relationship="",
    method="",
    others_present="",
    discussed="",
    parent_view="",
    agreed_actions="",
    not_held_reason="",
    attempts="",
    details="",
    submission_key=None,
):
    """Step 3: the conversation with the parent or carer, or the reason it was not held.

    Who: the school's DSLs. From: ADVICE_RECEIVED (step 3 follows step 2's advice), or
    PARENT_CONVERSATION_LOGGED when the latest conversation since the concern was last
    reopened was not held for a reason other than the child's safety (the talk happened
    later); to: PARENT_CONVERSATION_LOGGED. Held needs when, with whom, their relationship, how, and
    what was discussed; not held needs a reason from the list and details (and the attempts
    made, if the parent could not be reached). Raises TransitionRefused otherwise.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    target = check(actor, Action.LOG_CONVERSATION, concern, expected_version=expected_version)
    if (refused := conversation_refused(concern)) is not None:
        raise TransitionRefused(refused)
    if done_by(concern, submission_key, by=by):
        # The same form sent again, once the first was logged (the row lock made it wait).
        raise TransitionRefused(refused_from(Action.LOG_CONVERSATION, concern.status))
    if held is None:
        raise TransitionRefused("Select whether the conversation was held", field="held")
    fields = {}
    if held:
        require(held_at, "held_at", "Enter when the conversation was held")
        not_in_future(
            held_at,
            "held_at",
            "The time of the conversation must be in the past",
            day_message="The date of the conversation must be today or in the past",
        )
        not_before_seen(concern, held_at, "held_at", "The date of the conversation")
        fields = {
            "held_at": held_at,
            "with_name": require(with_name, "with_name", "Enter who you spoke with"),
            "with_relationship": require(
                with_relationship, "with_relationship", "Enter their relationship to the child"
            ),
            "method": require(method, "method", "Select how the conversation was held"),
            "others_present": others_present.strip(),
            "discussed": require(discussed, "discussed", "Enter what was discussed"),
            "parent_view": parent_view.strip(),
            "agreed_actions": agreed_actions.strip(),
        }
        if method not in ParentConversation.Method.values:
            raise TransitionRefused("Select how the conversation was held", field="method")
    else:
        if not_held_reason not in ParentConversation.NotHeldReason.values:
            raise TransitionRefused(
                "Select why the conversation was not held", field="not_held_reason"
            )
        if not_held_reason == ParentConversation.NotHeldReason.UNREACHABLE:
            require(attempts, "attempts", "Enter the attempts made to reach the parent or carer")
        fields = {
            "not_held_reason": not_held_reason,
            "attempts": attempts.strip(),
            "details": require(
                details, "details", "Enter the details of why the conversation was not held"
            ),
        }
    conversation = ParentConversation.objects.create(
        concern=concern, school_id=concern.school_id, held=held, logged_by=by, **fields
    )
    move(concern, Action.LOG_CONVERSATION, target, by=by, held=held, submission_key=submission_key)
    return conversation


def _open_requests(concern):
    """The concern's advice request still waiting for the hub, as a query (at most one row)."""
    return concern.advice_requests.filter(status__in=["open", "claimed"])


def _open_request(concern):
    return _open_requests(concern).first()


def _latest_request(concern):
    return concern.advice_requests.order_by("-requested_at", "-pk").first()


def _through(concern, advice_request):
    """The concern's advice request a move is made through, read again under the concern's
    lock (a withdrawal locks the concern first): `advice_request` if it is one of this
    concern's, else None; the latest if `advice_request` is None."""
    if advice_request is None:
        return _latest_request(concern)
    return concern.advice_requests.filter(pk=advice_request.pk).first()


def _latest_advice(concern, *, since=None):
    answered = _since(concern.advice_requests.filter(status="answered"), "advised_at", since)
    return answered.order_by("-advised_at", "-pk").first()


def _since(rows, made_at, since):
    """The `rows` made at or after `since` (by their field `made_at`); all of them if None."""
    return rows if since is None else rows.filter(**{f"{made_at}__gte": since})


def immediate_risk_unanswered(concern):
    """Whether its recorder marked the child at immediate risk and the concern has had neither
    the hub's advice nor an escalation, ever: it may not close until it has one. Ever, not
    since reopening: the mark belongs to the concern as recorded, which was answered once
    either came."""
    # From the records as `.all()` gives them, as `referral_missing`: the concern page has them.
    return (
        concern.immediate_risk
        and not any(r.status == AdviceStatus.ANSWERED for r in concern.advice_requests.all())
        and not concern.escalations.all()
    )


def _last_reopened(concern):
    """When the concern was last reopened, or None. What came before belongs to an earlier
    episode: its referrals answered that episode's harm, not the new information's."""
    reopened = concern.events.filter(action=Action.REOPEN).order_by("-at", "-pk")
    return reopened.values_list("at", flat=True).first()


@transaction.atomic
def escalate_significant_harm(
    concern,
    *,
    by,
    indicators,
    referred_to,
    referred_at,
    parent_informed,
    referred_to_other="",
    spoken_to="",
    reference_number="",
    parent_not_informed_reason="",
    expected_version=None,
    submission_key=None,
    advice_request=None,
):
    """Significant harm: the normal safeguarding escalation, which makes step 3 unnecessary.

    Who: the school's DSLs, or Early Help Hub staff of the school's authority on a concern
    shared with the hub through an advice request. From: any open status; to: ESCALATED.
    Needs what indicates significant harm, to whom and when it was referred, and whether
    the parent or carer was told (with the reason if not). Notifies the school's DSLs and
    head teacher. With a `submission_key`, a repeated submission (a second click, a form sent
    again after the first was saved) returns the escalation the first one recorded, as
    `add_addendum` does. The hub escalates through `advice_request`, the request whose page
    it is on (the concern's latest request if None): one it has answered will do, one the
    school withdrew will not, whatever the school has asked since. Raises TransitionRefused
    otherwise.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    request = _through(concern, advice_request)
    check_role(actor, Action.ESCALATE, concern, request)
    if submission_key is not None:
        # The concern's row is locked: a second submission waits here for the first, and is
        # answered before its version, which the first one moved on, is compared.
        earlier = concern.escalations.filter(submission_key=submission_key, escalated_by=by)
        if (found := earlier.first()) is not None:
            return found
    if concern.status == ConcernStatus.CLOSED and not actor.in_school(concern.school, SCHOOL_LEADS):
        raise TransitionRefused(CLOSED_TO_THE_HUB)  # the hub: who can reopen it
    target = check(actor, Action.ESCALATE, concern, request, expected_version=expected_version)
    indicators = require(indicators, "indicators", "Enter what indicates significant harm")
    if referred_to not in Escalation.Target.values:
        raise TransitionRefused("Select who the concern was referred to", field="referred_to")
    if referred_to == Escalation.Target.OTHER:
        require(referred_to_other, "referred_to_other", "Enter who the concern was referred to")
    require(referred_at, "referred_at", "Enter when the referral was made")
    not_in_future(
        referred_at,
        "referred_at",
        "The time of the referral must be in the past",
        day_message="The date of the referral must be today or in the past",
    )
    not_before_seen(concern, referred_at, "referred_at", "The date of the referral")
    if parent_informed is None:
        raise TransitionRefused(
            "Select whether the parent or carer was told", field="parent_informed"
        )
    if not parent_informed:
        require(
            parent_not_informed_reason,
            "parent_not_informed_reason",
            "Enter why the parent or carer was not told",
        )
    by_hub = not actor.in_school(concern.school, SCHOOL_LEADS)
    # An answer to the question another choice reveals (typed, then the choice changed; every
    # question shows without JavaScript) is not the record's: 'Police: MASH duty team' would
    # say the referral went somewhere it did not.
    if referred_to != Escalation.Target.OTHER:
        referred_to_other = ""
    if parent_informed:
        parent_not_informed_reason = ""
    escalation = Escalation.objects.create(
        concern=concern,
        school_id=concern.school_id,
        indicators=indicators,
        referred_to=referred_to,
        referred_to_other=referred_to_other.strip(),
        referred_at=referred_at,
        spoken_to=spoken_to.strip(),
        reference_number=reference_number.strip(),
        parent_informed=parent_informed,
        parent_not_informed_reason=parent_not_informed_reason.strip(),
        by_hub=by_hub,
        escalated_by=by,
        submission_key=submission_key,
    )
    move(
        concern,
        Action.ESCALATE,
        target,
        by=by,
        request=request if by_hub else None,
        referred_to=referred_to,
    )
    notify.queue(
        "concern_escalated",
        notify.school_leads_and_head(concern.school, but=by),
        subject=f"Safeguarding concern {concern.reference} escalated",
        body=(
            f"Safeguarding concern {concern.reference} at {concern.school.name} has been "
            f"escalated for significant harm{' by the Early Help Hub' if by_hub else ''}."
            f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
        urgent=True,
    )
    # The advisor answering the hub's request would otherwise go on with advice the escalation
    # may change, and learn of it only when their advice form is refused as stale. Who the
    # child was referred to is the child's: the email does not say.
    _tell_advisor(
        concern,
        "escalated_for_advisor",
        by=by,
        subject=f"Safeguarding concern {concern.reference}, whose advice request you have "
        "claimed, escalated",
        said=f"Safeguarding concern {concern.reference} at {concern.school.name} has been "
        "escalated for significant harm.",
        read="the escalation",
        urgent=True,
    )
    return escalation


@transaction.atomic
def record_escalation_outcome(escalation, *, by, outcome, details="", submission_key=None):
    """What came of an escalation (for example a section 47 enquiry, or Channel support).

    Who: the school's DSLs, or hub staff on a shared concern. The
    status (any) does not change, but the concern's version steps on, as an addendum's does:
    what came of a referral changes what the school and the hub act on, so a page drawn before
    it is refused as stale (docs/adr/013). Recorded once; later news is an addendum. Raises
    TransitionRefused otherwise.
    """
    actor = actor_for(by)
    concern = lock_concern(escalation.concern)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    check(actor, Action.RECORD_OUTCOME, concern, _latest_request(concern))
    if escalation.outcome:
        raise TransitionRefused(OUTCOME_RECORDED)
    if outcome not in Escalation.Outcome.values:
        raise TransitionRefused("Select the outcome", field="outcome")
    if outcome == Escalation.Outcome.OTHER:
        require(details, "details", "Enter what the outcome was")
    escalation.outcome = outcome
    escalation.outcome_details = details.strip()
    escalation.outcome_recorded_by = by
    escalation.outcome_recorded_at = timezone.now()
    escalation.save(
        update_fields=["outcome", "outcome_details", "outcome_recorded_by", "outcome_recorded_at"]
    )
    history(
        concern,
        Action.RECORD_OUTCOME,
        concern.status,
        by=by,
        new_version=True,
        # The hub's list of what a stale page missed finds the outcome by this time.
        at=escalation.outcome_recorded_at,
        outcome=outcome,
        submission_key=submission_key,
    )
    # As for an addendum: the advisor answering the hub's request would otherwise advise
    # without knowing what came of the referral, and learn of it only when their advice form
    # is refused as stale. What came of it is the child's: the email does not say.
    _tell_advisor(
        concern,
        "outcome_for_advisor",
        by=by,
        subject=f"Referral outcome on {concern.reference}, whose advice request you have claimed",
        said=f"What came of a referral on safeguarding concern {concern.reference} at "
        f"{concern.school.name} has been recorded.",
        read="the outcome",
    )
    return escalation


# Closing outcomes that say the concern was referred on: the referral itself is an escalation,
# with its date, reference and outcome, and the head teacher told (step 3's exception).
_REFERRALS = {
    Closure.Outcome.CSC: Escalation.Target.CSC,
    Closure.Outcome.CHANNEL: Escalation.Target.PREVENT,
}
# Next steps by which the hub advises a referral, and where it goes: significant harm is
# indicated, so that referral is made (an escalation) before the concern can close, whatever
# came of it.
_REFERRAL_ADVICE = {
    NextStep.MASH: Escalation.Target.CSC,
    NextStep.PREVENT: Escalation.Target.PREVENT,
}


def referral_missing(concern):
    """Why `concern` cannot close until a referral is recorded, or None: significant harm is
    indicated, so the normal escalation applies first. The hub advised a referral (to
    children's social care or Prevent) and none to there is recorded, or the parent
    conversation was not held because it would place the child at risk and nothing is
    escalated; each counted since the concern was last reopened. Read from the concern's
    records as `.all()` gives them, so a page that loaded them (concerns.casework) asks
    nothing more."""
    since = reopened_at(concern)

    def current(rows, made_at):
        return [r for r in rows if since is None or getattr(r, made_at) >= since]

    referrals = current(concern.escalations.all(), "escalated_at")
    answered = [r for r in concern.advice_requests.all() if r.status == AdviceStatus.ANSWERED]
    advice = max(current(answered, "advised_at"), key=lambda r: (r.advised_at, r.pk), default=None)
    advised = _REFERRAL_ADVICE.get(advice.recommended_next_step) if advice else None
    if advised is not None and not any(r.referred_to == advised for r in referrals):
        # An escalated concern cannot go back to the hub (DESIGN §3), so only the referral
        # is offered there.
        again = (
            ""
            if concern.status == ConcernStatus.ESCALATED
            else ", or ask the hub again if things have changed"
        )
        return (
            f"The hub advised: {advice.get_recommended_next_step_display()}. Record that "
            f"referral (escalate, to {Escalation.Target(advised).label}, with when it was "
            f"made) before closing the concern{again}."
        )
    conversation = latest_conversation(concern)
    if (
        conversation is not None
        and conversation.not_held_reason == ParentConversation.NotHeldReason.RISK
        and not referrals
    ):
        return (
            "The parent conversation was not held because talking to the parent or carer "
            "would place the child at risk: an indication of significant harm. Escalate the "
            "concern, with who it went to and when, before closing it."
        )
    return None


@transaction.atomic
def close_concern(concern, *, by, outcome, rationale, expected_version=None, submission_key=None):
    """Close a concern with its outcome and the reason for it.

    Who: the school's DSLs. From: PARENT_CONVERSATION_LOGGED, ESCALATED, or RECORDED (no
    further action, or monitoring, without the hub's advice: a DSL decision that needs a
    rationale of at least a sentence and is reported as an exception); to: CLOSED. Not while
    an advice request is open. Where significant harm is indicated, the normal escalation
    applies first: an escalation to where the hub advised a referral (children's social care
    or Prevent), and any escalation when the parent conversation was not held because it
    would place the child at risk; each counted since the concern was last reopened. Nor
    from RECORDED when its recorder marked the child at immediate risk and it has had
    neither the hub's advice nor an escalation.
    Raises TransitionRefused otherwise.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    target = check(actor, Action.CLOSE, concern, expected_version=expected_version)
    if _open_request(concern) is not None:
        raise TransitionRefused(REQUEST_STILL_OPEN)
    if outcome not in Closure.Outcome.values:
        raise TransitionRefused("Select the outcome", field="outcome")
    without_advice = concern.status == ConcernStatus.RECORDED
    if without_advice and outcome not in Closure.WITHOUT_ADVICE:
        raise TransitionRefused(
            "Without the hub's advice a concern can be closed only as no further action or "
            "monitoring in school. Ask the hub for advice first.",
            field="outcome",
        )
    if without_advice and immediate_risk_unanswered(concern):
        raise TransitionRefused(
            "The person who recorded this concern thinks the child may be at immediate risk "
            "of significant harm. Escalate it (to children's social care, the police or "
            "Prevent), or ask the hub for advice, before closing it.",
            field="outcome",
        )
    if (missing := referral_missing(concern)) is not None:
        raise TransitionRefused(missing, field="outcome")
    referrals = _since(concern.escalations.all(), "escalated_at", _last_reopened(concern))
    referral = _REFERRALS.get(outcome)
    if referral is not None and not referrals.filter(referred_to=referral).exists():
        raise TransitionRefused(
            f"There is no referral to {Escalation.Target(referral).label} on record for this "
            "concern. Escalate it first, with who it went to and when, then close it.",
            field="outcome",
        )
    rationale = require(rationale, "rationale", "Enter the reason for closing the concern")
    if without_advice and len(rationale.split()) < NFA_MIN_WORDS:
        raise TransitionRefused(
            "Explain in at least a full sentence why no further action is needed without "
            "the hub's advice",
            field="rationale",
        )
    closure = Closure.objects.create(
        concern=concern,
        school_id=concern.school_id,
        outcome=outcome,
        rationale=rationale,
        without_hub_advice=without_advice,
        closed_by=by,
    )
    move(
        concern,
        Action.CLOSE,
        target,
        by=by,
        outcome=outcome,
        without_hub_advice=without_advice,
        submission_key=submission_key,
    )
    return closure


@transaction.atomic
def reopen_concern(concern, *, by, reason, expected_version=None, submission_key=None):
    """Reopen a closed concern, for example when new information arrives.

    Who: the school's DSLs. From: CLOSED; to: RECORDED, keeping all its history. Needs a
    reason. Raises TransitionRefused otherwise.
    """
    actor = actor_for(by)
    concern = lock_concern(concern)
    target = check(actor, Action.REOPEN, concern, expected_version=expected_version)
    reason = require(reason, "reason", "Enter why the concern is being reopened")
    return move(concern, Action.REOPEN, target, by=by, note=reason, submission_key=submission_key)
