from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache


class OperatorsAdminSite(admin.AdminSite):
    """Django's admin is for the service's operators (superusers) only.

    A local authority's administrator manages their schools and people on the service's own
    pages (schools/views.py, under /people/), scoped to their authority. Here nothing is
    scoped, so staff rights and model permissions alone open nothing: a staff account that is
    not a superuser could otherwise see every authority's people, give itself a DSL's role
    anywhere, or tick its own "superuser" box.
    """

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        # The admin's own sign-in asks for a password alone: it sends people to the service's
        # sign-in, with its second factor, and refuses anyone signed in who is not an operator
        # (rather than offering them a form to sign in again as someone who is).
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        return secure_admin_login(super().login)(request, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never changes (the notifications sent)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
