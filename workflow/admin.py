from django.contrib import admin

from safeguarding.admin import ReadOnlyAdmin

from .models import Notification

# Workflow events are a concern's history, with the notes its steps were taken with: a child's
# data, read only on the service's own audited pages (see concerns.admin). Notifications are
# the emails sent, which hold no child data, only a reference and a school's name.


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "user", "recipient", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    # Whom each is for (a user of the service; none for the hub's shared mailbox), found by
    # their name or address as it is now, or by the address it went to.
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email", "recipient"]
