from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from .models import LocalAuthority, Membership, School, User

# Pupils are not here: the roll is a child's data, kept by the school's DSL on the service's
# own pages, where every read and change is audited (see concerns.admin).


# Who held which role where is history: the head teacher's report reads it for every past year
# (whose actions were a DSL's). Once saved, a membership's person, role and place are fixed and
# it is never deleted: to change a role, end the membership (untick "active") and add another.
_FIXED_ONCE_SAVED = ["user", "role", "school", "local_authority"]


class MembershipInline(admin.TabularInline):
    """A person's memberships, shown on their page; new ones are added here, and each is ended
    on its own page."""

    model = Membership
    extra = 0
    can_delete = False
    show_change_link = True
    autocomplete_fields = ["school", "local_authority"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active", "is_staff"]
    inlines = [MembershipInline]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "local_authority"]
    list_filter = ["local_authority", "phase"]
    search_fields = ["name", "urn"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # A school's authority decides which hub sees its requests and in which audit chain its
        # rows are kept; moving a school between authorities is a migration of its records, not
        # an edit here.
        return ["local_authority"] if obj is not None else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "local_authority", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user", "school", "local_authority"]

    def get_readonly_fields(self, request, obj=None):
        return _FIXED_ONCE_SAVED if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # end it instead: past reports read it


# django-allauth's own page for an authenticator shows and edits its data: the app's secret, from
# which anyone can make the user's codes. Here an operator sees whose app it is and when it was
# used, and resets a lost phone by deleting it (the user sets one up again at the next sign-in).
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
