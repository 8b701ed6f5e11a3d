from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never changes (the notifications sent)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
