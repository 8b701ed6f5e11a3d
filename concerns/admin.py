from django.contrib import admin

from safeguarding.admin import ReadOnlyAdmin

from .models import Addendum, Closure, Concern, Escalation, ParentConversation


class AddendumInline(admin.TabularInline):
    model = Addendum
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["reference", "school", "status", "recorded_at", "immediate_risk"]
    list_filter = ["status", "immediate_risk"]
    search_fields = ["reference"]
    inlines = [AddendumInline]


admin.site.register(ParentConversation, ReadOnlyAdmin)
admin.site.register(Escalation, ReadOnlyAdmin)
admin.site.register(Closure, ReadOnlyAdmin)
