"""Every form of the service, the page it is on, who fills it in, and a submission it accepts.

`FORM_PAGES` maps each form class to a `FormPage`. The fuzz tests
(tests/security/test_fuzz_forms.py) start from `valid(w)` and spoil it; the audit content
test (tests/security/test_audit_content.py) sends it with telling words. Dates are built from
today, so a valid submission stays valid.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.recovery_codes import forms as recovery_forms
from allauth.mfa.totp import forms as totp_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from advice import forms as advice
from concerns.forms import case, leavers, pupils, record, retention, subject_access
from reports import forms as reports
from reports.hub_overview import PeriodForm
from schools import forms as schools
from schools.demo import make_upn
from schools.models import Membership, Role
from tests.clock import typed_time
from tests.factories import PASSWORD
from tests.passkeys import SoftPasskey, options_on, register
from workflow.leavers import leaving_version
from workflow.subject_access import (
    CLARIFICATION_FIELDS,
    EXTENSION_FIELDS,
    request_version,
)

from .world import PDF, World

STAFF, DSL, HEAD = Role.STAFF, Role.DSL, Role.HEAD_TEACHER
ADVISOR, MANAGER = Role.HUB_ADVISOR, Role.HUB_MANAGER
ANONYMOUS = "anonymous"
NEW_PASSWORD = "a-new-and-long-passphrase-2026"


def day(name, moment):
    """A GOV.UK date input's three boxes."""
    return {
        f"{name}_0": str(moment.day),
        f"{name}_1": str(moment.month),
        f"{name}_2": str(moment.year),
    }


def earlier(**delta):
    return timezone.localtime(timezone.now() - timedelta(**delta))


def period(start_days, end_days=0):
    return day("start", earlier(days=start_days)) | day("end", earlier(days=end_days))


def escalation():
    moment = earlier(minutes=30)
    return {
        "indicators": "Bruising to both arms.",
        "referred_to": "csc",
        "referred_to_other": "",
        **day("referred_on", moment),
        "referred_time": typed_time(moment),
        "spoken_to": "MASH duty worker",
        "reference_number": "MASH-1",
        "parent_informed": "no",
        "parent_not_informed_reason": "It could put the child at risk.",
    }


def csv_file():
    text = "UPN,Forename,Surname,Date of Birth,Year\n"
    text += f"{make_upn('821', 3001, 21, 1)},Zoe,Kowalska,17/05/2016,4\n"
    return SimpleUploadedFile("pupils.csv", text.encode(), "text/csv")


@dataclass(frozen=True)
class FormPage:
    """Where a form is filled in, by whom, and a submission it accepts.

    `url(w)` is the page; `role` the person at the home school or authority who uses it
    ("newcomer": a DSL with no authenticator app yet); `valid(w)` the fields; `method` "GET"
    for a filter sent by GET (a search for a child is sent by POST, safeguarding/searches.py);
    `shown_on(w)` pages where what was saved is shown again; `ready(client, w)` what a person
    does first (upload a file to confirm, sign in with a password before the code), returning
    any fields that depend on it."""

    url: Any
    role: str
    valid: Any
    method: str = "POST"
    shown_on: Any = lambda w: []
    ready: Any = None
    files: tuple = ()


def _url(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def question(slug, answers):
    return FormPage(
        _url("concerns:record_question", lambda w: w.draft.pk, slug),
        STAFF,
        lambda w: answers() if callable(answers) else answers,
        shown_on=lambda w: [
            reverse("concerns:record_question", args=[w.draft.pk, slug]),
            reverse("concerns:record_check", args=[w.draft.pk]),
        ],
    )


def detail_of(pick):
    return lambda w: [reverse("concerns:detail", args=[pick(w).pk])]


def request_pages(w):
    """The hub's page of the request, and the school's page of the concern, which shows
    what the hub did."""
    return [
        reverse("advice:detail", args=[w.request.pk]),
        (DSL, reverse("concerns:detail", args=[w.concern.pk])),
    ]


def membership(w, role):
    return Membership.objects.get(user=w.user(role)).pk


def upload_pupils(client, w):
    response = client.post(reverse("concerns:pupil_import"), {"file": csv_file()})
    assert response["Location"] == reverse("concerns:pupil_import_preview")
    return {"token": client.session["pupil_import"]["token"]}


def password_first(client, w):
    """The first step of signing in; the code comes next."""
    response = client.post(
        reverse("account_login"), {"login": w.user(DSL).email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")


def password_again(client, w):
    """Setting up the app asks a newcomer for their password again first."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def open_reset_link(client, w):
    """The first visit moves the key from the address into the session, as allauth does."""
    client.get(reset_key_url(w))


def second_factor_first(client, w):
    from tests.conftest import reauthenticate

    reauthenticate(client)


def dsl_passkey(w):
    """The DSL's passkey (software, tests/passkeys.py) and its row. What a test's `ready`
    writes is rolled back when the test ends, so it is made again when it is gone."""
    made = getattr(w, "dsl_passkey", None)
    if made is None or not type(made[1]).objects.filter(pk=made[1].pk).exists():
        w.dsl_passkey = made = register(w.user(DSL))
    return made


def passkey_answer(client, url, make):
    """What the browser posts: the page's options answered by `make(options)`."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code, page.get("Location"))
    return {"credential": json.dumps(make(options_on(page.text)))}


def new_passkey_ready(client, w):
    second_factor_first(client, w)
    return passkey_answer(client, reverse("mfa_add_webauthn"), SoftPasskey().create)


def passkey_sign_in_ready(client, w):
    passkey, _ = dsl_passkey(w)
    password_first(client, w)
    return passkey_answer(client, reverse("mfa_authenticate"), passkey.get)


def passkey_confirm_ready(client, w):
    passkey, _ = dsl_passkey(w)
    return passkey_answer(client, reverse("mfa_reauthenticate_webauthn"), passkey.get)


def rename_ready(client, w):
    dsl_passkey(w)
    second_factor_first(client, w)


def reset_key_url(w, key=None):
    """The link in the password reset email; once opened, allauth keeps the key in the
    session and the form posts to the same address with "set-password" in its place."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = w.user(DSL)
    key = key or default_token_generator.make_token(user)
    return reverse("account_reset_password_from_key", args=[user_pk_to_url_str(user), key])


FORM_PAGES = {
    # Choosing a role, and signing in (allauth's forms, with the service's sign-in form).
    schools.ChooseRoleForm: FormPage(
        _url("choose_role"), DSL, lambda w: {"membership": membership(w, DSL)}
    ),
    # The LA admin gives a new person a role at the home school.
    schools.AddPersonForm: FormPage(
        _url("people:school_add", lambda w: w.school.pk),
        Role.LA_ADMIN,
        lambda w: {"email": "new.person@example.org", "full_name": "Nell Newperson", "role": STAFF},
        shown_on=lambda w: [reverse("people:school", args=[w.school.pk])],
    ),
    schools.SignInForm: FormPage(
        _url("account_login"),
        ANONYMOUS,
        lambda w: {"login": w.user(DSL).email, "password": PASSWORD},
    ),
    schools.SecondStepForm: FormPage(
        _url("mfa_authenticate"), ANONYMOUS, lambda w: {"code": "123456"}, ready=password_first
    ),
    schools.ReauthenticateCodeForm: FormPage(
        _url("mfa_reauthenticate"), DSL, lambda w: {"code": "123456"}
    ),
    account_forms.ReauthenticateForm: FormPage(
        _url("account_reauthenticate"), "newcomer", lambda w: {"password": PASSWORD}
    ),
    totp_forms.ActivateTOTPForm: FormPage(
        _url("mfa_activate_totp"),
        "newcomer",
        lambda w: {"code": "123456"},
        ready=password_again,
    ),
    totp_forms.DeactivateTOTPForm: FormPage(
        _url("mfa_deactivate_totp"), DSL, lambda w: {}, ready=second_factor_first
    ),
    recovery_forms.GenerateRecoveryCodesForm: FormPage(
        _url("mfa_generate_recovery_codes"), DSL, lambda w: {}, ready=second_factor_first
    ),
    # Passkeys: the hidden `credential` is what the browser answers for the passkey.
    schools.AddPasskeyForm: FormPage(
        _url("mfa_add_webauthn"),
        DSL,
        lambda w: {"name": "Work laptop"},
        ready=new_passkey_ready,
        shown_on=lambda w: [reverse("mfa_list_webauthn"), reverse("mfa_index")],
    ),
    schools.RenamePasskeyForm: FormPage(
        lambda w: reverse("mfa_edit_webauthn", args=[dsl_passkey(w)[1].pk]),
        DSL,
        lambda w: {"name": "Old laptop"},
        ready=rename_ready,
        shown_on=lambda w: [reverse("mfa_list_webauthn")],
    ),
    schools.PasskeyAuthenticateForm: FormPage(
        _url("mfa_authenticate"), ANONYMOUS, lambda w: {}, ready=passkey_sign_in_ready
    ),
    schools.PasskeyReauthenticateForm: FormPage(
        _url("mfa_reauthenticate_webauthn"), DSL, lambda w: {}, ready=passkey_confirm_ready
    ),
    schools.ResetPasswordForm: FormPage(
        _url("account_reset_password"), ANONYMOUS, lambda w: {"email": w.user(DSL).email}
    ),
    schools.ResetPasswordKeyForm: FormPage(
        lambda w: reset_key_url(w, key="set-password"),
        ANONYMOUS,
        lambda w: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ready=open_reset_link,
    ),
    schools.ChangePasswordForm: FormPage(
        _url("account_change_password"),
        DSL,
        lambda w: {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ),
    account_forms.AddEmailForm: FormPage(
        _url("account_email"), DSL, lambda w: {"action_add": "", "email": "new@example.org"}
    ),
    # Recording a concern (step 1).
    record.PupilSearchForm: FormPage(
        _url("concerns:record_pupil"), STAFF, lambda w: {"q": "Ahmed"}
    ),
    # Changing the draft's pupil: with no search yet, the page offers the pupil chosen before.
    record.PupilChoiceForm: FormPage(
        _url("concerns:record_draft_pupil", lambda w: w.draft.pk),
        STAFF,
        lambda w: {"pupil": str(w.pupil.pk)},
    ),
    record.WhenForm: question(
        "when",
        lambda: (
            day("observed_on", earlier(hours=2)) | {"observed_time": typed_time(earlier(hours=2))}
        ),
    ),
    record.DelayForm: question("delay", {"delay_reason": "I was away on a course."}),
    record.WhereForm: question("where", {"location": "Playground"}),
    record.CategoriesForm: question("categories", {"categories": ["neglect", "radicalisation"]}),
    record.WhatHappenedForm: question(
        "what-happened", {"what_happened": "She said she had not eaten since yesterday."}
    ),
    record.ChildWordsForm: question("child-words", {"child_words": "I'm hungry."}),
    record.OthersForm: question("others", {"others_present": "Tom Brown (teaching assistant)"}),
    record.ActionForm: question("action", {"immediate_action": "Gave her breakfast."}),
    record.RiskForm: question("risk", {"immediate_risk": "no"}),
    # The DSL's inbox and actions.
    case.InboxFilterForm: FormPage(
        _url("concerns:inbox"),
        DSL,
        lambda w: {
            "q": "Ahmed",
            "status": "escalated",
            "category": "neglect",
            "year_group": "4",
            "recorded_by": str(w.user(STAFF).pk),
        },
    ),
    case.AdviceRequestForm: FormPage(
        _url("concerns:request_advice", lambda w: w.advised.pk),
        DSL,
        lambda w: {
            "expected_version": str(w.advised.version),
            "summary": "She arrives hungry most days.",
            "question": "Should we talk to mum?",
            "urgency": "amber",
        },
        shown_on=detail_of(lambda w: w.advised),
    ),
    case.ParentConversationForm: FormPage(
        _url("concerns:conversation", lambda w: w.advised.pk),
        DSL,
        lambda w: {
            "expected_version": str(w.advised.version),
            "held": "yes",
            **day("held_on", earlier(hours=1)),
            "held_time": typed_time(earlier(hours=1)),
            "with_name": "Mrs Ahmed",
            "with_relationship": "Mother",
            "method": "phone",
            "others_present": "",
            "discussed": "Breakfast club.",
            "parent_view": "Money is tight.",
            "agreed_actions": "A place at breakfast club.",
        },
        shown_on=detail_of(lambda w: w.advised),
    ),
    case.ConcernEscalationForm: FormPage(
        _url("concerns:escalate", lambda w: w.concern.pk),
        DSL,
        lambda w: {"expected_version": str(w.concern.version), **escalation()},
        shown_on=detail_of(lambda w: w.concern),
    ),
    case.EscalationOutcomeForm: FormPage(
        _url("concerns:outcome", lambda w: w.concern.pk, lambda w: w.escalation.pk),
        DSL,
        lambda w: {"outcome": "other", "details": "Strategy meeting held."},
        shown_on=detail_of(lambda w: w.concern),
    ),
    case.CloseForm: FormPage(
        _url("concerns:close", lambda w: w.talked.pk),
        DSL,
        lambda w: {
            "expected_version": str(w.talked.version),
            "outcome": "monitoring",
            "rationale": "Breakfast club is in place and she is eating.",
        },
        shown_on=detail_of(lambda w: w.talked),
    ),
    case.ReopenForm: FormPage(
        _url("concerns:reopen", lambda w: w.closed.pk),
        DSL,
        lambda w: {"expected_version": str(w.closed.version), "reason": "New information."},
        shown_on=detail_of(lambda w: w.closed),
    ),
    case.WithdrawRequestForm: FormPage(
        _url("concerns:withdraw_request", lambda w: w.waiting.pk, lambda w: w.waiting_request.pk),
        DSL,
        lambda w: {"expected_version": str(w.waiting.version), "reason": "Resolved."},
        shown_on=detail_of(lambda w: w.waiting),
    ),
    case.AddendumForm: FormPage(
        _url("concerns:addendum", lambda w: w.concern.pk),
        STAFF,
        lambda w: {"text": "She told me more at lunch."},
        shown_on=detail_of(lambda w: w.concern),
    ),
    case.AttachmentForm: FormPage(
        _url("concerns:attachment_upload", lambda w: w.concern.pk),
        DSL,
        lambda w: {"file": SimpleUploadedFile("body-map.pdf", PDF, "application/pdf")},
        shown_on=detail_of(lambda w: w.concern),
        files=("file",),
    ),
    # The school's roll.
    pupils.PupilSearchForm: FormPage(_url("concerns:pupils"), DSL, lambda w: {"q": "Ahmed"}),
    pupils.PupilForm: FormPage(
        _url("concerns:pupil_edit", lambda w: w.pupil.pk),
        DSL,
        lambda w: {
            "given_name": "Amelia",
            "family_name": "Ahmed-Khan",
            **day("date_of_birth", earlier(days=9 * 365)),
            "year_group": "4",
            "upn": w.pupil.upn,
        },
        shown_on=lambda w: [
            reverse("concerns:pupils"),
            reverse("concerns:pupil_chronology", args=[w.pupil.pk]),
        ],
    ),
    # A pupil leaving, and their child protection file.
    leavers.LeavingForm: FormPage(
        _url("concerns:leaving", lambda w: w.pupil.pk),
        DSL,
        lambda w: {
            "new_school": "Wardown Vale High School",
            **day("left_on", earlier(days=2)),
            **day("starts_on", earlier(days=1)),
        },
        shown_on=lambda w: [
            reverse("concerns:leavers"),
            reverse("concerns:pupil_chronology", args=[w.pupil.pk]),
        ],
    ),
    leavers.FileSentForm: FormPage(
        _url("concerns:file_sent", lambda w: w.leaver.pk),
        DSL,
        lambda w: {**day("sent_on", earlier(days=0)), "sent_how": "by_hand"},
        shown_on=lambda w: [reverse("concerns:pupil_chronology", args=[w.leaver.pk])],
    ),
    leavers.FileReceivedForm: FormPage(
        _url("concerns:file_received", lambda w: w.sent_leaver.pk),
        DSL,
        lambda w: {**day("received_on", earlier(days=0)), "received_by": "Sam Patel, DSL"},
        shown_on=lambda w: [reverse("concerns:pupil_chronology", args=[w.sent_leaver.pk])],
    ),
    leavers.LeavingCorrectionForm: FormPage(
        _url("concerns:leaving_change", lambda w: w.leaver.pk),
        DSL,
        lambda w: {
            "new_school": "Stopsley High School",
            **day("left_on", earlier(days=3)),
            **day("starts_on", earlier(days=2)),
            "drawn": leaving_version(w.leaver.file_transfers.get()),
        },
        shown_on=lambda w: [reverse("concerns:pupil_chronology", args=[w.leaver.pk])],
    ),
    leavers.ReturnForm: FormPage(
        _url("concerns:returned", lambda w: w.leaver.pk),
        DSL,
        lambda w: day("returned_on", earlier(days=0)),
        shown_on=lambda w: [reverse("concerns:pupil_chronology", args=[w.leaver.pk])],
    ),
    # A subject access request about a pupil, and its steps.
    subject_access.AccessRequestForm: FormPage(
        _url("concerns:access_request_new", lambda w: w.pupil.pk),
        DSL,
        lambda w: {"requester": "Jane Ahmed, mother", **day("received_on", earlier(days=1))},
        shown_on=lambda w: [reverse("concerns:access_requests")],
    ),
    subject_access.ExtendForm: FormPage(
        _url("concerns:access_request_extend", lambda w: w.access_request.pk),
        DSL,
        lambda w: {
            **day("told_on", earlier(days=0)),
            "reason": "Many records, and others named in them to ask.",
        },
        shown_on=lambda w: [
            reverse("concerns:access_requests"),
            reverse("concerns:access_request_answer", args=[w.access_request.pk]),
        ],
    ),
    subject_access.ClarifyForm: FormPage(
        _url("concerns:access_request_clarify", lambda w: w.access_request.pk),
        DSL,
        lambda w: {
            **day("asked_on", earlier(days=0)),
            "question": "Which school years is the request about?",
        },
        shown_on=lambda w: [
            reverse("concerns:access_request_answer", args=[w.access_request.pk]),
        ],
    ),
    subject_access.AccessRequestCorrectionForm: FormPage(
        _url("concerns:access_request_correct", lambda w: w.access_request.pk),
        DSL,
        lambda w: {
            "requester": "Jane Ahmed, grandmother",
            **day("received_on", earlier(days=1)),
            "drawn": request_version(w.access_request),
        },
        shown_on=lambda w: [reverse("concerns:access_requests")],
    ),
    subject_access.ExtensionCorrectionForm: FormPage(
        _url("concerns:access_request_correct_extension", lambda w: w.extended_request.pk),
        DSL,
        lambda w: {
            **day("told_on", earlier(days=1)),
            "reason": "Many records, and a social worker named in them to ask.",
            "drawn": request_version(w.extended_request, EXTENSION_FIELDS),
        },
        shown_on=lambda w: [
            reverse("concerns:access_request_answer", args=[w.extended_request.pk]),
        ],
    ),
    subject_access.ClarificationCorrectionForm: FormPage(
        _url("concerns:access_request_correct_clarification", lambda w: w.clarifying_request.pk),
        DSL,
        lambda w: {
            **day("asked_on", earlier(days=1)),
            "question": "Which school years, and which concerns, is the request about?",
            "drawn": request_version(w.clarifying_request, CLARIFICATION_FIELDS),
        },
        shown_on=lambda w: [
            reverse("concerns:access_request_answer", args=[w.clarifying_request.pk]),
        ],
    ),
    subject_access.ClarifiedForm: FormPage(
        _url("concerns:access_request_clarified", lambda w: w.clarifying_request.pk),
        DSL,
        lambda w: day("clarified_on", earlier(days=0)),
        shown_on=lambda w: [reverse("concerns:access_requests")],
    ),
    subject_access.AnswerForm: FormPage(
        _url("concerns:access_request_answer", lambda w: w.access_request.pk),
        DSL,
        lambda w: {
            **day("answered_on", earlier(days=0)),
            "basis": "agreed",
            "answer": "in_part",
            "withheld_reason": "A third party's account, withheld under the serious harm test.",
        },
        shown_on=lambda w: [reverse("concerns:access_requests") + "?answered=yes"],
    ),
    # The review of a former pupil's records at their 25th birthday: kept for longer.
    retention.ReviewForm: FormPage(
        _url("concerns:records_review", lambda w: w.former.pk),
        DSL,
        lambda w: {
            "decision": "keep",
            "reason": "A civil claim about the school is pending.",
            **day("review_again_on", earlier(days=-400)),
        },
        shown_on=lambda w: [reverse("concerns:records_reviews") + "?done=yes"],
    ),
    pupils.PupilImportForm: FormPage(
        _url("concerns:pupil_import"),
        DSL,
        lambda w: {"file": csv_file()},
        shown_on=lambda w: [reverse("concerns:pupil_import_preview")],
        files=("file",),
    ),
    pupils.ConfirmImportForm: FormPage(
        _url("concerns:pupil_import_preview"),
        DSL,
        lambda w: {},
        ready=upload_pupils,
        shown_on=lambda w: [reverse("concerns:pupils")],
    ),
    # The Early Help Hub.
    advice.QueueFilterForm: FormPage(
        _url("advice:queue"),
        ADVISOR,
        lambda w: {
            "status": ["open", "claimed"],
            "urgency": ["amber"],
            "claimed": "any",
            "overdue": "on",
            "school": str(w.school.pk),
            "category": "neglect",
        },
        method="GET",
    ),
    advice.ClaimForm: FormPage(
        _url("advice:claim", lambda w: w.waiting_request.pk),
        ADVISOR,
        lambda w: {},
        shown_on=lambda w: [reverse("advice:detail", args=[w.waiting_request.pk])],
    ),
    advice.ReleaseForm: FormPage(
        _url("advice:release", lambda w: w.request.pk),
        ADVISOR,
        lambda w: {"expected_version": str(w.request.version)},
        shown_on=request_pages,
    ),
    advice.ReassignForm: FormPage(
        _url("advice:reassign", lambda w: w.request.pk),
        MANAGER,
        lambda w: {
            "expected_version": str(w.request.version),
            "to": str(w.user(MANAGER).pk),
            "reason": "Ada is on leave.",
        },
        shown_on=request_pages,
    ),
    advice.RerateForm: FormPage(
        _url("advice:rerate", lambda w: w.request.pk),
        MANAGER,
        lambda w: {
            "expected_version": str(w.request.version),
            "urgency": "red",
            "reason": "A sibling is now known to social care.",
        },
        shown_on=request_pages,
    ),
    advice.AdviceForm: FormPage(
        _url("advice:advise", lambda w: w.request.pk),
        ADVISOR,
        lambda w: {
            "expected_version": str(w.request.version),
            "expected_concern_version": str(w.request.concern.version),
            "advice": "Talk with mum first.",
            "next_step": "talk_to_parent",
            "level_of_need": "2",
            **day("follow_up_on", timezone.localdate() + timedelta(days=14)),
        },
        shown_on=request_pages,
    ),
    advice.HubEscalationForm: FormPage(
        _url("advice:escalate", lambda w: w.request.pk),
        ADVISOR,
        lambda w: {"expected_version": str(w.concern.version), **escalation()},
        shown_on=request_pages,
    ),
    # Reports and evidence.
    PeriodForm: FormPage(_url("reports:hub_overview"), MANAGER, lambda w: period(90), method="GET"),
    reports.ReportPeriodForm: FormPage(
        _url("reports:audit"), HEAD, lambda w: period(365), method="GET"
    ),
    reports.PolicyUrlForm: FormPage(
        _url("reports:policy_url"),
        HEAD,
        lambda w: {
            "url": "https://www.leabank.example.sch.uk/safeguarding",
            "expected_url": w.school.safeguarding_policy_url,
        },
        shown_on=lambda w: [reverse("reports:policy"), reverse("home")],
    ),
    reports.PolicyConfirmForm: FormPage(
        _url("reports:policy_confirm"),
        HEAD,
        lambda w: {"confirm": "on", "expected_url": w.school.safeguarding_policy_url},
        shown_on=lambda w: [reverse("reports:policy"), reverse("reports:audit")],
    ),
    reports.ValuesEvidenceForm: FormPage(
        _url("reports:values_edit", lambda w: w.values.pk),
        STAFF,
        lambda w: {
            **day("activity_date", earlier(days=5)),
            "title": "Mock election",
            "description": "Year 5 ran a mock election.",
            "year_groups": ["5", "6"],
            "values": ["democracy", "individual_liberty"],
            "expected_version": str(w.values.version),
        },
        shown_on=lambda w: [
            reverse("reports:values"),
            reverse("reports:values_detail", args=[w.values.pk]),
            (HEAD, reverse("reports:audit")),
        ],
    ),
    reports.ValuesFilterForm: FormPage(
        _url("reports:values"),
        STAFF,
        lambda w: {"value": "democracy", "year_group": "5", "when": ""},
        method="GET",
    ),
}

# Forms that are only ever met through a subclass above.
BASES = {
    "safeguarding.forms.GovUKForm",
    "safeguarding.forms.DrawnFrom",
    "concerns.forms.case.VersionedForm",
    "concerns.forms.escalation.EscalationForm",
    "concerns.forms.record.QuestionForm",
    "advice.forms.VersionForm",
}

# allauth forms behind URLs the service serves that nobody can fill in here, and why.
ALLAUTH_NOT_USED = {
    "allauth.account.forms.SignupForm": "there is no sign-up: the page says so",
    "allauth.account.forms.SetPasswordForm": "everyone has a password: it sends them to change it",
    "allauth.account.forms.ConfirmLoginCodeForm": "signing in by an emailed code is off",
    "allauth.account.forms.RequestReauthenticationCodeForm": "confirming it is you asks for "
    "the app's code (mfa_reauthenticate), not an emailed one",
    "allauth.account.forms.ConfirmReauthenticationCodeForm": "as above",
}

__all__ = ["BASES", "FORM_PAGES", "FormPage", "World"]
