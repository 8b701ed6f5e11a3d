from django.urls import path

from .views import (
    actions,
    attachments,
    case,
    leavers,
    pupils,
    record,
    retention,
    subject_access,
)

app_name = "concerns"
urlpatterns = [
    # Staff record a concern (step 1).
    path("new/", record.start, name="start"),
    path("new/pupil/", record.pupil, name="record_pupil"),
    path("drafts/<uuid:pk>/", record.resume, name="record_draft"),
    path("drafts/<uuid:pk>/pupil/", record.pupil, name="record_draft_pupil"),
    path("drafts/<uuid:pk>/check/", record.check, name="record_check"),
    path("drafts/<uuid:pk>/delete/", record.delete, name="record_delete"),
    path("drafts/<uuid:pk>/<slug:slug>/", record.question, name="record_question"),
    path("recorded/<uuid:key>/", record.done, name="record_done"),
    path("mine/", record.mine, name="mine"),
    # The DSL's inbox and the concern page (issue 4, part B).
    path("", case.inbox, name="inbox"),
    path("<int:pk>/", case.detail, name="detail"),
    path("<int:pk>/request-advice/", actions.request_advice, name="request_advice"),
    path("<int:pk>/parent-conversation/", actions.conversation, name="conversation"),
    path("<int:pk>/escalate/", actions.escalate, name="escalate"),
    path("<int:pk>/escalations/<int:escalation_pk>/outcome/", actions.outcome, name="outcome"),
    path("<int:pk>/close/", actions.close, name="close"),
    path("<int:pk>/reopen/", actions.reopen, name="reopen"),
    path(
        "<int:pk>/advice-requests/<int:request_pk>/withdraw/",
        actions.withdraw_request,
        name="withdraw_request",
    ),
    path("<int:pk>/addendum/", actions.addendum, name="addendum"),
    path("<int:pk>/attachments/add/", attachments.upload, name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        attachments.download,
        name="attachment_download",
    ),
    path("pupils/", pupils.pupils, name="pupils"),
    path("pupils/add/", pupils.pupil_add, name="pupil_add"),
    path("pupils/<int:pk>/edit/", pupils.pupil_edit, name="pupil_edit"),
    path("pupils/<int:pk>/chronology/", pupils.pupil_chronology, name="pupil_chronology"),
    path("pupils/<int:pk>/file/", pupils.pupil_file, name="pupil_file"),
    path(
        "pupils/<int:pk>/file/attachments/",
        attachments.pupil_attachments,
        name="pupil_attachments",
    ),
    path("pupils/import/", pupils.pupil_import, name="pupil_import"),
    path("pupils/leavers/", leavers.leavers_list, name="leavers"),
    path("pupils/<int:pk>/leaving/", leavers.leaving, name="leaving"),
    path("pupils/<int:pk>/leaving/sent/", leavers.file_sent, name="file_sent"),
    path("pupils/<int:pk>/leaving/received/", leavers.file_received, name="file_received"),
    path("pupils/<int:pk>/leaving/returned/", leavers.returned, name="returned"),
    path("pupils/<int:pk>/leaving/change/", leavers.leaving_change, name="leaving_change"),
    path("pupils/import/check/", pupils.pupil_import_preview, name="pupil_import_preview"),
    path("pupils/subject-access/", subject_access.access_requests, name="access_requests"),
    path(
        "pupils/<int:pk>/subject-access/",
        subject_access.access_request_new,
        name="access_request_new",
    ),
    path(
        "pupils/subject-access/<int:pk>/extend/",
        subject_access.access_request_extend,
        name="access_request_extend",
    ),
    path(
        "pupils/subject-access/<int:pk>/clarify/",
        subject_access.access_request_clarify,
        name="access_request_clarify",
    ),
    path(
        "pupils/subject-access/<int:pk>/clarified/",
        subject_access.access_request_clarified,
        name="access_request_clarified",
    ),
    path(
        "pupils/subject-access/<int:pk>/correct/",
        subject_access.access_request_correct,
        name="access_request_correct",
    ),
    path(
        "pupils/subject-access/<int:pk>/extend/correct/",
        subject_access.access_request_correct_extension,
        name="access_request_correct_extension",
    ),
    path(
        "pupils/subject-access/<int:pk>/clarify/correct/",
        subject_access.access_request_correct_clarification,
        name="access_request_correct_clarification",
    ),
    path(
        "pupils/subject-access/<int:pk>/answer/",
        subject_access.access_request_answer,
        name="access_request_answer",
    ),
    path("pupils/records-review/", retention.records_reviews, name="records_reviews"),
    path("pupils/<int:pk>/records-review/", retention.records_review, name="records_review"),
]
