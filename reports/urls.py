from django.urls import path

from .views import hub

app_name = "reports"
urlpatterns = [
    path("hub/", hub.overview, name="hub_overview"),
]
