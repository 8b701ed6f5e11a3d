from django.urls import path

from .views import moves, queue, request

app_name = "advice"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("requests/<int:pk>/", request.detail, name="detail"),
    path("requests/<int:pk>/claim/", moves.claim, name="claim"),
    path("requests/<int:pk>/release/", moves.release, name="release"),
    path("requests/<int:pk>/reassign/", moves.reassign, name="reassign"),
    path("requests/<int:pk>/urgency/", moves.rerate, name="rerate"),
    path("requests/<int:pk>/advice/", moves.advise, name="advise"),
    path("requests/<int:pk>/escalate/", moves.escalate, name="escalate"),
]
