from django.urls import path

from .views import audit_report, hub, policy, values

app_name = "reports"
urlpatterns = [
    path("hub/", hub.overview, name="hub_overview"),
    path("audit/", audit_report.audit_report, name="audit"),
    path("policy/", policy.policy, name="policy"),
    path("policy/address/", policy.policy_url, name="policy_url"),
    path("policy/confirm/", policy.policy_confirm, name="policy_confirm"),
    path("values/", values.values_log, name="values"),
    path("values/add/", values.values_add, name="values_add"),
    path("values/<int:pk>/", values.values_detail, name="values_detail"),
    path("values/<int:pk>/edit/", values.values_edit, name="values_edit"),
]
