from django.urls import path

from .views import record

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
]
