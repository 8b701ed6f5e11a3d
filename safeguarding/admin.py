from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Case records are read-only in the admin: changes go through the workflow layer."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
