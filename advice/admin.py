from django.contrib import admin

from safeguarding.admin import ReadOnlyAdmin

from .models import AdviceRequest


@admin.register(AdviceRequest)
class AdviceRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "concern", "urgency", "status", "due_at", "claimed_by"]
    list_filter = ["status", "urgency"]
