from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import ChooseRoleForm
from .middleware import SESSION_KEY


@require_http_methods(["GET", "POST"])
def choose_role(request):
    """A user with several memberships chooses the one they act as; it is kept in the session."""
    form = ChooseRoleForm(
        request.POST if request.method == "POST" else None,
        memberships=request.memberships,
        initial={"membership": request.membership.pk if request.membership else None},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        chosen = next(m for m in request.memberships if m.pk == form.cleaned_data["membership"])
        messages.success(request, f"You are now working as {chosen}.")
        return redirect("home")
    return render(request, "schools/choose_role.html", {"form": form})


def no_access(request):
    """Signed in, but with no active role anywhere: say so, and whom to ask."""
    if request.memberships:
        return redirect("home")
    return render(request, "schools/no_access.html", status=403)
