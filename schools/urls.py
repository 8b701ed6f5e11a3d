"""The local authority administrator's pages: the authority's schools and people."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.authority_schools, name="schools"),
    path("authority/", views.people, name="authority"),
    path("authority/add/", views.add_person, name="authority_add"),
    path("schools/<int:school_pk>/", views.people, name="school"),
    path("schools/<int:school_pk>/add/", views.add_person, name="school_add"),
    path("roles/<int:pk>/end/", views.end_role, name="end"),
    path("roles/<int:pk>/set-password-email/", views.resend_set_password, name="resend"),
]
