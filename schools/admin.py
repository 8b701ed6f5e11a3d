from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from .models import LocalAuthority, Membership, School, User

# Pupils are not here: the roll is a child's data, kept by the school's DSL on the service's
# own pages, where every read and change is audited (see concerns.admin).


class MembershipForm(forms.ModelForm):
    """Who held which role where is history: the head teacher's report reads it for every past
    year (whose actions were a DSL's). Once saved, a membership's person, role and place are
    fixed: to change a role, end the membership (untick "active") and add another."""

    class Meta:
        model = Membership
        fields = ["user", "role", "school", "local_authority", "is_active", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ["user", "role", "school", "local_authority"]:
                if name in self.fields:
                    self.fields[name].disabled = True


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    can_delete = False
    autocomplete_fields = ["school", "local_authority"]


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
    form = MembershipForm

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
