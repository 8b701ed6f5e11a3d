"""Scoped lookups: a record outside the user's scope answers 404 (never 403, so its existence
is not revealed), and the refusal is audited by `audit.context.RequestDetailsMiddleware`."""

from django.http import Http404


class OutOfScope(Http404):
    def __init__(self, object_type, object_id):
        super().__init__(f"No {object_type} here.")
        self.object_type = object_type
        self.object_id = str(object_id)


def get_in_scope(queryset, pk, object_type):
    """The row with `pk` from an already-scoped queryset, or OutOfScope (a 404)."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise OutOfScope(object_type, pk) from None
