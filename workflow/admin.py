from django.contrib import admin

from safeguarding.admin import ReadOnlyAdmin

from .models import Notification

# Workflow events are a concern's history, with the notes its steps were taken with: a child's
# data, read only on the service's own audited pages (see concerns.admin). Notifications are
# the emails sent, which hold no child data, only a reference and a school's name.


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
