from django.urls import path

from .views import policy

app_name = "reports"
urlpatterns = [
    path("policy/", policy.policy, name="policy"),
    path("policy/address/", policy.policy_url, name="policy_url"),
    path("policy/confirm/", policy.policy_confirm, name="policy_confirm"),
]
