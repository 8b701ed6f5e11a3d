from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models

from audit.log import record

from .models import LocalAuthority, Membership, School, User

# Pupils are not here: the roll is a child's data, kept by the school's DSL on the service's
# own pages, where every read and change is audited (see concerns.admin).

# Nor the libraries' pages that write without an audit row. allauth's email addresses: each is
# one more address to sign in with and to be sent a password reset at (a person's address is
# changed on their page below, audited). Groups: nobody's rights come from one here.
admin.site.unregister(EmailAddress)
admin.site.unregister(Group)


class AuditedAdmin(admin.ModelAdmin):
    """Every write an operator makes here writes an AuditEvent, in the admin's own transaction,
    as the service's pages do. Django's LogEntry is not the audit trail: it is neither
    append-only nor hash-chained, and nobody's report reads it. Rows hold which fields changed,
    never their values (a policy's address is the one exception: it is public)."""

    def audit_place(self, obj):
        """The school and authority whose chain the row joins."""
        return {}

    def audit_save(self, request, obj, form, change):
        action = "change" if change else "create"
        record(
            f"{obj._meta.model_name}.{action}",
            actor=request.user,
            obj=obj,
            via="admin",
            fields=sorted(form.changed_data),
            **self.audit_place(obj),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit_save(request, obj, form, change)

    def delete_model(self, request, obj):
        pk, name, place = obj.pk, obj._meta.model_name, self.audit_place(obj)
        super().delete_model(request, obj)
        record(
            f"{name}.delete",
            actor=request.user,
            object_type=name,
            object_id=pk,
            via="admin",
            **place,
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:  # one row each, as deleting them one by one would write
            self.delete_model(request, obj)


def audit_membership(request, membership, *, created):
    """Granting a role opens a place's records to a person (a DSL's, every child's in the
    school); ending one closes them."""
    if created:
        action = "membership.grant"
    else:
        action = "membership.restart" if membership.is_active else "membership.end"
    record(
        action,
        actor=request.user,
        obj=membership,
        school=membership.school,
        authority=membership.authority,
        via="admin",
        user=membership.user_id,
        role=membership.role,
    )


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
class UserAdmin(AuditedAdmin, BaseUserAdmin):
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

    def log_change(self, request, obj, message):
        # Setting a person's password has a page of its own, which saves without save_model.
        super().log_change(request, obj, message)
        if request.resolver_match.url_name == "auth_user_password_change":
            record("user.password_set", actor=request.user, obj=obj, via="admin")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            for membership in formset.new_objects:
                audit_membership(request, membership, created=True)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]

    # An authority's rows join the operators' chain (0): its own chain cannot outlive it.


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "urn", "phase", "local_authority"]
    list_filter = ["local_authority", "phase"]
    search_fields = ["name", "urn"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # A school's authority decides which hub sees its requests and in which audit chain its
        # rows are kept; moving a school between authorities is a migration of its records, not
        # an edit here.
        return ["local_authority"] if obj is not None else []

    def audit_place(self, obj):
        return {"authority": obj.local_authority}

    def audit_save(self, request, obj, form, change):
        super().audit_save(request, obj, form, change)
        if change and "safeguarding_policy_url" in form.changed_data:
            # As reports.services.set_policy_url writes it, so the head teacher's page and
            # report see an operator's change as they see a DSL's.
            record(
                "school.policy_url.change",
                actor=request.user,
                obj=obj,
                school=obj,
                via="admin",
                before=form.initial.get("safeguarding_policy_url", ""),
                after=obj.safeguarding_policy_url,
            )


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "school", "local_authority", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user", "school", "local_authority"]

    def get_readonly_fields(self, request, obj=None):
        return _FIXED_ONCE_SAVED if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # end it instead: past reports read it

    def audit_save(self, request, obj, form, change):
        if not change or "is_active" in form.changed_data:
            audit_membership(request, obj, created=not change)


# django-allauth's own page for an authenticator shows and edits its data: the app's secret, from
# which anyone can make the user's codes. Here an operator sees whose app it is and when it was
# used, and resets a lost phone by deleting it (the user sets one up again at the next sign-in).
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        # Resetting a person's second factor: who did it, whose, and which kind. The row joins
        # no authority's chain: a person may hold roles in several.
        pk, user_id, kind = obj.pk, obj.user_id, obj.type
        super(AuditedAdmin, self).delete_model(request, obj)
        record(
            "authenticator.delete",
            actor=request.user,
            object_type="authenticator",
            object_id=pk,
            via="admin",
            user=user_id,
            mfa_type=kind,
        )
        if kind == Authenticator.Type.TOTP:
            # The recovery codes were made with the app and may be kept beside the lost phone:
            # they go with it, and setting the app up again makes new ones. (Left, they would
            # be kept as they are, and go on working.)
            codes = Authenticator.objects.filter(
                user_id=user_id, type=Authenticator.Type.RECOVERY_CODES
            )
            for recovery in codes:
                self.delete_model(request, recovery)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            # Recovery codes chosen beside their app have gone with it already.
            if Authenticator.objects.filter(pk=obj.pk).exists():
                self.delete_model(request, obj)
