from django.contrib import admin
from django.urls import include, path

from schools import views as school_views

from . import views

# 500, or the "service unavailable" page (503) when the database cannot be reached.
handler400 = "safeguarding.errors.bad_request"
handler500 = "safeguarding.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("role/", school_views.choose_role, name="choose_role"),
    path("no-access/", school_views.no_access, name="no_access"),
    path("lockouts/", school_views.lockouts, name="lockouts"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("health/", views.health, name="health"),
    path("session/keep-alive/", views.keep_alive, name="session_keep_alive"),
    path("people/", include("schools.urls")),
    path("concerns/", include("concerns.urls")),
    path("hub/", include("advice.urls")),
    path("reports/", include("reports.urls")),
    # Before allauth's own: setting the app up counts as using it (schools/views.py).
    path(
        "account/2fa/totp/activate/", school_views.ActivateApp.as_view(), name="mfa_activate_totp"
    ),
    # Before allauth's own: a mail server that is down is explained (schools/views.py).
    path(
        "account/password/reset/",
        school_views.ResetPassword.as_view(),
        name="account_reset_password",
    ),
    # Before allauth's own: a code entered too long after the password is explained.
    path("account/2fa/authenticate/", school_views.second_step, name="mfa_authenticate"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
