from django.contrib import admin

from safeguarding.admin import ReadOnlyAdmin

from .models import Notification, WorkflowEvent


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "concern", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
