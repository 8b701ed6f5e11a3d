"""Who may open every URL the service serves: one declarative table.

`ROUTES` has one entry per URL name (tests/routes.py finds them all; a URL without an entry
fails the suite). An entry says:

- `args`: how to build a real URL: the record(s) of the home school it points at (see
  tests/security/world.py), e.g. `lambda w: [w.concern.pk]`.
- `get`, `post`: what each role acting at its OWN place gets, as `{roles: result}`. A role
  not listed gets 403 (deny by default). `post=None` means the page takes GET only, so a
  signed-in POST answers 405. The POST is an empty form: it proves who reaches the form, not
  what it accepts (tests/security/test_fuzz_forms.py does that).
- `anonymous`: what a visitor who has not signed in gets, for both methods (default: sent to
  sign in), or `{"GET": ..., "POST": ...}` when the two differ (see `public`).
- `scoped`: True when the URL names a record. Then a person of another school, or another
  authority, whose role would be let in gets 404, never 403, so the record's existence is not
  revealed; a role refused at its own place is refused (403) everywhere. When False (a list,
  a form for a new record, the user's own account), every place gets what its role gets.

Results: "200"; "403"; "404"; "405"; "-> name" for a redirect to the URL named `name`.

Django's admin is covered by one rule, `ADMIN_RULE`, tested for every admin URL in
tests/security/test_access_matrix.py.
"""

from dataclasses import dataclass, field
from typing import Any

from schools.models import Role

OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "200", "403", "404", "405"


def to(name):
    return f"-> {name}"


SIGN_IN = to("account_login")

STAFF, DSL, DEPUTY, HEAD = Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEAD_TEACHER
ADVISOR, MANAGER, LA_ADMIN = Role.HUB_ADVISOR, Role.HUB_MANAGER, Role.LA_ADMIN
LEADS = frozenset({DSL, DEPUTY})
READERS = LEADS | {HEAD}  # a school's leads and its head teacher
RECORDERS = LEADS | {STAFF}  # who may record a concern
SCHOOL = READERS | {STAFF}
HUB = frozenset({ADVISOR, MANAGER})
EVERYONE = SCHOOL | HUB | {LA_ADMIN}


@dataclass(frozen=True)
class Route:
    args: Any = None
    get: dict = field(default_factory=dict)
    post: dict | None = None
    anonymous: str | dict = SIGN_IN
    scoped: bool = False

    def url_args(self, world):
        return self.args(world) if self.args else []

    def expected(self, persona, method):
        if persona.role == "anonymous":
            return self.anonymous[method] if isinstance(self.anonymous, dict) else self.anonymous
        table = self.get if method == "GET" else self.post
        if table is None:
            return NOT_ALLOWED
        result = next((r for roles, r in table.items() if persona.role in _roles(roles)), None)
        result = result or FORBIDDEN
        if self.scoped and persona.place != "own" and result != FORBIDDEN:
            return NOT_FOUND
        return result


def _roles(key):
    return key if isinstance(key, frozenset | set | tuple) else {key}


def public(get=OK, post=NOT_ALLOWED):
    """What a visitor who has not signed in gets from a page open to them."""
    return {"GET": get, "POST": post}


def shows_errors(roles):
    """The POST of a form page, which shows the form and its errors when posted empty."""
    return {roles: OK}


def concern(w):
    return [w.concern.pk]


def draft(w):
    return [w.draft.pk]


def advice_request(w):
    return [w.request.pk]


def pupil(w):
    return [w.pupil.pk]


def values(w):
    return [w.values.pk]


ROUTES = {
    # The start page, choosing a role, and the pages anyone may read.
    "home": Route(get={EVERYONE: OK}),
    "choose_role": Route(get={EVERYONE: OK}, post=shows_errors(EVERYONE)),
    # Only for someone without any role: everyone here has one, so is sent home.
    "no_access": Route(get={EVERYONE: to("home")}),
    "lockouts": Route(get={LA_ADMIN: OK}, post={LA_ADMIN: to("lockouts")}),
    # The LA admin's schools and people: their own authority's, never another's. The
    # authority's pages are its own, so they are not scoped; a school's and a role's are.
    "people:schools": Route(get={LA_ADMIN: OK}),
    "people:authority": Route(get={LA_ADMIN: OK}),
    "people:authority_add": Route(get={LA_ADMIN: OK}, post=shows_errors(LA_ADMIN)),
    "people:school": Route(lambda w: [w.school.pk], get={LA_ADMIN: OK}, scoped=True),
    "people:school_add": Route(
        lambda w: [w.school.pk], get={LA_ADMIN: OK}, post=shows_errors(LA_ADMIN), scoped=True
    ),
    # Ending the home school's member of staff's role: it needs no form, so the POST ends it
    # (rolled back) and goes back to the school's people.
    "people:end": Route(
        lambda w: [w.user(STAFF).memberships.get().pk],
        get={LA_ADMIN: OK},
        post={LA_ADMIN: to("people:school")},
        scoped=True,
    ),
    # Sending the set-password email again: a button, so a GET is not allowed. The home
    # school's member of staff has a password, so the POST is refused with a message there.
    "people:resend": Route(
        lambda w: [w.user(STAFF).memberships.get().pk],
        get={LA_ADMIN: NOT_ALLOWED},
        post={LA_ADMIN: to("people:school")},
        scoped=True,
    ),
    "accessibility": Route(get={EVERYONE: OK}, anonymous=public()),
    "privacy": Route(get={EVERYONE: OK}, anonymous=public()),
    # For load balancers: whether this server can serve pages. Nothing about anyone.
    "health": Route(get={EVERYONE: OK}, anonymous=public()),
    # "Stay signed in": moves a signed-in session's end on, and answers with nothing.
    "session_keep_alive": Route(get={EVERYONE: "204"}),
    # Recording a concern (step 1). A draft is its author's alone: the home school's DSLs are
    # another person, so even they get 404.
    "concerns:start": Route(get={RECORDERS: OK}),
    "concerns:record_pupil": Route(get={RECORDERS: OK}, post=shows_errors(RECORDERS)),
    "concerns:record_draft": Route(
        draft, get={STAFF: to("concerns:record_question"), LEADS: NOT_FOUND}, scoped=True
    ),
    "concerns:record_draft_pupil": Route(
        draft,
        get={STAFF: OK, LEADS: NOT_FOUND},
        post={STAFF: OK, LEADS: NOT_FOUND},
        scoped=True,
    ),
    "concerns:record_question": Route(
        lambda w: [w.draft.pk, "where"],
        get={STAFF: OK, LEADS: NOT_FOUND},
        post={STAFF: OK, LEADS: NOT_FOUND},
        scoped=True,
    ),
    "concerns:record_check": Route(
        draft,
        get={STAFF: OK, LEADS: NOT_FOUND},
        post={STAFF: OK, LEADS: NOT_FOUND},
        scoped=True,
    ),
    "concerns:record_delete": Route(
        draft,
        get={STAFF: OK, LEADS: NOT_FOUND},
        post={STAFF: to("home"), LEADS: NOT_FOUND},
        scoped=True,
    ),
    # The confirmation is for the person who sent it.
    "concerns:record_done": Route(
        lambda w: [w.concern.submission_key], get={STAFF: OK, LEADS: NOT_FOUND}, scoped=True
    ),
    "concerns:mine": Route(get={RECORDERS: OK}),
    # The DSL's inbox and the concern page (staff see the concern they recorded).
    # A search is sent by POST: an empty one shows the page again, unsearched (303).
    "concerns:inbox": Route(get={READERS: OK}, post={READERS: to("concerns:inbox")}),
    "concerns:detail": Route(concern, get={SCHOOL: OK}, scoped=True),
    # One page per action: the school's leads only. The world's concerns are at a status
    # where each action is possible, so the form shows.
    "concerns:request_advice": Route(
        lambda w: [w.advised.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:conversation": Route(
        lambda w: [w.advised.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:escalate": Route(concern, get={LEADS: OK}, post=shows_errors(LEADS), scoped=True),
    "concerns:outcome": Route(
        lambda w: [w.concern.pk, w.escalation.pk],
        get={LEADS: OK},
        post=shows_errors(LEADS),
        scoped=True,
    ),
    "concerns:close": Route(concern, get={LEADS: OK}, post=shows_errors(LEADS), scoped=True),
    "concerns:reopen": Route(
        lambda w: [w.closed.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:withdraw_request": Route(
        lambda w: [w.waiting.pk, w.waiting_request.pk],
        get={LEADS: OK},
        post=shows_errors(LEADS),
        scoped=True,
    ),
    # The recorder and the leads may add an addendum; the head teacher reads only.
    "concerns:addendum": Route(
        concern, get={RECORDERS: OK}, post=shows_errors(RECORDERS), scoped=True
    ),
    # The head teacher reads files but does not attach them.
    "concerns:attachment_upload": Route(
        concern, get={RECORDERS: OK}, post=shows_errors(RECORDERS), scoped=True
    ),
    "concerns:attachment_download": Route(
        lambda w: [w.concern.pk, w.attachment.pk], get={SCHOOL: OK}, scoped=True
    ),
    # The school's roll: its leads; the head teacher reads a pupil's chronology.
    "concerns:pupils": Route(get={LEADS: OK}, post={LEADS: to("concerns:pupils")}),
    "concerns:pupil_add": Route(get={LEADS: OK}, post=shows_errors(LEADS)),
    "concerns:pupil_edit": Route(pupil, get={LEADS: OK}, post=shows_errors(LEADS), scoped=True),
    "concerns:pupil_chronology": Route(pupil, get={READERS: OK}, scoped=True),
    "concerns:pupil_file": Route(pupil, get={READERS: OK}, scoped=True),
    # The pupil's attached files in one zip: as the whole file.
    # Every file about the child at once: an export, so the second factor first.
    "concerns:pupil_attachments": Route(
        pupil, get={READERS: to("mfa_reauthenticate")}, scoped=True
    ),
    "concerns:pupil_import": Route(get={LEADS: OK}, post=shows_errors(LEADS)),
    # Leavers' child protection files: the school's leads record each step; the head teacher
    # reads the list.
    "concerns:leavers": Route(get={READERS: OK}),
    # Subject access requests: the school's leads record each step; the head teacher reads
    # the list.
    "concerns:access_requests": Route(get={READERS: OK}),
    "concerns:access_request_new": Route(
        pupil, get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:access_request_extend": Route(
        lambda w: [w.access_request.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:access_request_answer": Route(
        lambda w: [w.access_request.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:access_request_clarify": Route(
        lambda w: [w.access_request.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:access_request_correct": Route(
        lambda w: [w.access_request.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:access_request_correct_extension": Route(
        lambda w: [w.extended_request.pk],
        get={LEADS: OK},
        post=shows_errors(LEADS),
        scoped=True,
    ),
    "concerns:access_request_correct_clarification": Route(
        lambda w: [w.clarifying_request.pk],
        get={LEADS: OK},
        post=shows_errors(LEADS),
        scoped=True,
    ),
    "concerns:access_request_clarified": Route(
        lambda w: [w.clarifying_request.pk],
        get={LEADS: OK},
        post=shows_errors(LEADS),
        scoped=True,
    ),
    # Records at a pupil's 25th birthday: the school's leads review them; the head teacher
    # reads the lists.
    "concerns:records_reviews": Route(get={READERS: OK}),
    "concerns:records_review": Route(
        lambda w: [w.former.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:leaving": Route(pupil, get={LEADS: OK}, post=shows_errors(LEADS), scoped=True),
    "concerns:file_sent": Route(
        lambda w: [w.leaver.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:file_received": Route(
        lambda w: [w.sent_leaver.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:returned": Route(
        lambda w: [w.leaver.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    "concerns:leaving_change": Route(
        lambda w: [w.leaver.pk], get={LEADS: OK}, post=shows_errors(LEADS), scoped=True
    ),
    # Nothing uploaded yet in this session: back to the upload.
    "concerns:pupil_import_preview": Route(
        get={LEADS: to("concerns:pupil_import")}, post={LEADS: to("concerns:pupil_import")}
    ),
    # The Early Help Hub. The world's request is claimed by the home authority's advisor.
    "advice:queue": Route(get={HUB: OK}),
    "advice:detail": Route(advice_request, get={HUB: OK}, scoped=True),
    # An unclaimed request: an empty form is all claiming needs.
    "advice:claim": Route(
        lambda w: [w.waiting_request.pk],
        get={HUB: OK},
        post={HUB: to("advice:detail")},
        scoped=True,
    ),
    "advice:release": Route(advice_request, get={HUB: OK}, post=shows_errors(HUB), scoped=True),
    "advice:reassign": Route(
        advice_request, get={MANAGER: OK}, post=shows_errors(MANAGER), scoped=True
    ),
    "advice:rerate": Route(
        advice_request, get={MANAGER: OK}, post=shows_errors(MANAGER), scoped=True
    ),
    # Only the claimant advises: the manager is told so, and the empty form is refused.
    "advice:advise": Route(
        advice_request,
        get={ADVISOR: OK, MANAGER: to("advice:detail")},
        post=shows_errors(HUB),
        scoped=True,
    ),
    "advice:escalate": Route(advice_request, get={HUB: OK}, post=shows_errors(HUB), scoped=True),
    # Reports and evidence.
    "reports:hub_overview": Route(get={MANAGER: OK}),
    "reports:audit": Route(get={READERS: OK}),
    "reports:policy": Route(get={READERS: OK}),
    "reports:policy_url": Route(get={READERS: OK}, post=shows_errors(READERS)),
    "reports:policy_confirm": Route(get={HEAD: OK}, post=shows_errors(HEAD)),
    "reports:values": Route(get={SCHOOL: OK}),
    "reports:values_add": Route(get={SCHOOL: OK}, post=shows_errors(SCHOOL)),
    "reports:values_detail": Route(values, get={SCHOOL: OK}, scoped=True),
    # The member of staff added it, so may change it, as may the school's leads.
    "reports:values_edit": Route(values, get={SCHOOL: OK}, post=shows_errors(SCHOOL), scoped=True),
    # django-allauth's pages: signing in and out, passwords, the second factor. They act on
    # the signed-in person's own account, so every role at every place gets the same.
    "account_login": Route(
        get={EVERYONE: to("home")}, post={EVERYONE: to("home")}, anonymous=public(post=OK)
    ),
    "account_logout": Route(get={EVERYONE: OK}, post={EVERYONE: SIGN_IN}),
    # Nobody signs up: the page says so (accounts are made by administrators).
    "account_signup": Route(
        get={EVERYONE: to("home")}, post={EVERYONE: to("home")}, anonymous=public(post=OK)
    ),
    "account_inactive": Route(get={EVERYONE: OK}, anonymous=public()),
    "account_email_verification_sent": Route(get={EVERYONE: OK}, anonymous=public()),
    # An unknown key: the page says the link is not valid.
    "account_confirm_email": Route(
        lambda w: ["no-such-key"],
        get={EVERYONE: OK},
        post={EVERYONE: NOT_FOUND},
        anonymous=public(post=NOT_FOUND),
    ),
    "account_reset_password": Route(
        get={EVERYONE: OK}, post=shows_errors(EVERYONE), anonymous=public(post=OK)
    ),
    "account_reset_password_done": Route(get={EVERYONE: OK}, anonymous=public()),
    "account_reset_password_from_key": Route(
        lambda w: ["x", "no-such-key"],
        get={EVERYONE: OK},
        post=shows_errors(EVERYONE),
        anonymous=public(post=OK),
    ),
    "account_reset_password_from_key_done": Route(get={EVERYONE: OK}, anonymous=public()),
    "account_change_password": Route(get={EVERYONE: OK}, post=shows_errors(EVERYONE)),
    "account_set_password": Route(
        get={EVERYONE: to("account_change_password")},
        post={EVERYONE: to("account_change_password")},
    ),
    # Shows the address; adding another is refused (tests/schools/test_sign_in.py).
    "account_email": Route(get={EVERYONE: OK}, post={EVERYONE: to("account_email")}),
    # Confirming it is you means the second factor.
    "account_reauthenticate": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "account_request_reauthentication_code": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "account_confirm_reauthentication_code": Route(
        get={EVERYONE: to("account_request_reauthentication_code")},
        post={EVERYONE: to("account_request_reauthentication_code")},
    ),
    # Signing in by emailed code is off; a signed-in person has nothing to confirm.
    "account_confirm_login_code": Route(get={EVERYONE: to("home")}, post={EVERYONE: to("home")}),
    "mfa_index": Route(get={EVERYONE: OK}),
    "mfa_authenticate": Route(get={EVERYONE: to("home")}, post={EVERYONE: to("home")}),
    "mfa_reauthenticate": Route(get={EVERYONE: OK}, post=shows_errors(EVERYONE)),
    # Changing the second factor, or seeing recovery codes, asks for the second factor first.
    "mfa_activate_totp": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "mfa_deactivate_totp": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "mfa_generate_recovery_codes": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "mfa_view_recovery_codes": Route(get={EVERYONE: to("mfa_reauthenticate")}),
    "mfa_download_recovery_codes": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    # Passkeys: the list is the person's own; adding, renaming and removing one ask for the
    # second factor first, before the passkey named is looked up (it is looked up only among
    # the person's own: tests/schools/test_passkeys.py). Nobody here has a passkey, so
    # confirming it is you with one sends you to the code.
    "mfa_list_webauthn": Route(get={EVERYONE: OK}),
    "mfa_add_webauthn": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
    "mfa_edit_webauthn": Route(
        lambda w: [1],
        get={EVERYONE: to("mfa_reauthenticate")},
        post={EVERYONE: to("mfa_reauthenticate")},
    ),
    "mfa_remove_webauthn": Route(
        lambda w: [1],
        get={EVERYONE: to("mfa_reauthenticate")},
        post={EVERYONE: to("mfa_reauthenticate")},
    ),
    "mfa_reauthenticate_webauthn": Route(
        get={EVERYONE: to("mfa_reauthenticate")}, post={EVERYONE: to("mfa_reauthenticate")}
    ),
}

ADMIN_RULE = (
    "Every admin URL sends anyone who is not a superuser to sign in: a visitor to the "
    "service's sign-in page, with its second factor (the admin's own sign-in page, which would "
    "take a password alone, sends them there too); a signed-in person who is not a superuser, "
    "staff rights or not, to the admin's sign-in page, which refuses them."
)
