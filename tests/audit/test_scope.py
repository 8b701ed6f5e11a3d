"""A refused look-up answers 404 and leaves an audit row behind."""

from django.urls import path

from audit.models import AuditEvent
from concerns.selectors import get_concern_for
from safeguarding.urls import urlpatterns as project_patterns


def _show(request, pk):
    from django.http import HttpResponse

    concern = get_concern_for(request.membership, pk)
    return HttpResponse(concern.reference)


urlpatterns = [path("probe/<int:pk>/", _show), *project_patterns]


def test_out_of_scope_read_is_404_and_audited_as_a_denial(
    walk, client_for, other_school_dsl, settings
):
    settings.ROOT_URLCONF = __name__
    concern = walk.recorded()
    response = client_for(other_school_dsl).get(f"/probe/{concern.pk}/")
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action="access.denied")
    assert (denial.actor, denial.object_type, denial.object_id) == (
        other_school_dsl,
        "concern",
        str(concern.pk),
    )
    assert denial.school == other_school_dsl.memberships.get().school
    assert denial.path == f"/probe/{concern.pk}/"


def test_missing_record_answers_the_same_404(walk, client_for, dsl, settings):
    settings.ROOT_URLCONF = __name__
    response = client_for(dsl).get("/probe/999999/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id="999999").count() == 1
