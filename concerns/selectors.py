"""Scoped reads of concerns. Every view reads concerns through these, never `Concern.objects`.

Scope follows DESIGN.md section 4: staff see the concerns they recorded; DSLs, deputies and the
head teacher see all of their school's; hub staff see a concern only once the school has shared
it with the hub through an advice request, and only for schools of their own authority.
"""

from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.db.models.functions import Lower

from audit.scope import get_in_scope
from safeguarding.searches import as_upn, name_contains
from schools.models import DSL_ROLES, HUB_ROLES, Role
from schools.selectors import pupils_for

from .models import Attachment, Concern, FileTransfer, RecordsReview, SubjectAccessRequest


def concerns_visible_to(membership):
    if membership is None:
        return Concern.objects.none()
    role = membership.role
    if role in DSL_ROLES or role == Role.HEAD_TEACHER:
        return Concern.objects.filter(school_id=membership.school_id)
    if role == Role.STAFF:
        return Concern.objects.filter(
            school_id=membership.school_id, recorded_by_id=membership.user_id
        )
    if role in HUB_ROLES:
        return Concern.objects.filter(
            school__local_authority_id=membership.local_authority_id,
            pk__in=_shared_with_hub(),
        )
    return Concern.objects.none()


def _shared_with_hub():
    """Concerns a request shares as they are now. A withdrawn one shares its concern only as it
    stood, on the request's own page (docs/adr/008), so it does not count here."""
    from advice.models import AdviceRequest, AdviceStatus

    return AdviceRequest.objects.exclude(status=AdviceStatus.WITHDRAWN).values("concern_id")


def get_concern_for(membership, pk):
    """The concern with `pk` if this membership may see it; otherwise a 404, audited."""
    return get_in_scope(
        concerns_visible_to(membership).select_related(
            "school__local_authority", "pupil", "recorded_by"
        ),
        pk,
        "concern",
    )


def get_concern_page_for(membership, pk):
    """As get_concern_for, with `has_attachments` (any at all, whoever attached them), so
    that the concern page asks for its files only when there are some."""
    return get_in_scope(
        concerns_visible_to(membership)
        .select_related("school__local_authority", "pupil", "recorded_by")
        .with_categories()
        .annotate(has_attachments=Exists(Attachment.objects.filter(concern=OuterRef("pk")))),
        pk,
        "concern",
    )


def attachments_visible_to(membership):
    """The school's DSLs and head teacher see every attachment on their school's concerns; the
    person who recorded a concern sees the files they attached to it themselves (what a DSL
    attaches is their working). Hub staff and others see none here."""
    if membership is None:
        return Attachment.objects.none()
    role = membership.role
    if role in DSL_ROLES or role == Role.HEAD_TEACHER:
        return Attachment.objects.filter(concern__school_id=membership.school_id)
    if role == Role.STAFF:
        return Attachment.objects.filter(
            concern__school_id=membership.school_id,
            concern__recorded_by_id=membership.user_id,
            uploaded_by_id=membership.user_id,
        )
    return Attachment.objects.none()


def get_attachment_for(membership, concern, pk):
    """An attachment of `concern` this membership may open; otherwise a 404, audited."""
    return get_in_scope(
        attachments_visible_to(membership).filter(concern=concern), pk, "attachment"
    )


def _away(path="file_transfers"):
    """The condition on a pupil's transfers (at `path`) that picks the current leaving: at
    most one has no return (a partial unique constraint)."""
    return Q(**{f"{path}__returned_on__isnull": True})


def with_file_transfer(pupils):
    """`pupils`, each with `file_transfer`: the transfer of their file if they have left and
    not come back (in the same query). Django leaves the attribute unset when there is none:
    read it with `getattr(pupil, "file_transfer", None)`."""
    return pupils.annotate(
        file_transfer=FilteredRelation("file_transfers", condition=_away())
    ).select_related("file_transfer")


def with_pupils_file_transfer(concerns):
    """`concerns`, each with `transfer`: its pupil's, as `with_file_transfer` gives it."""
    path = "pupil__file_transfers"
    return concerns.annotate(transfer=FilteredRelation(path, condition=_away(path))).select_related(
        "transfer"
    )


def get_pupil_for(membership, pk):
    """A pupil on the roll of the membership's school, with their file's transfer if they have
    left; otherwise a 404, audited."""
    return get_in_scope(with_file_transfer(pupils_for(membership)), pk, "pupil")


def recorders_for(membership):
    """The people who recorded concerns this membership can see (for the inbox's filter), by
    name whatever the case of its first letter."""
    from schools.models import User

    return User.objects.filter(
        pk__in=concerns_visible_to(membership).values("recorded_by_id")
    ).order_by(Lower("full_name"), "pk")


def search_pupils(membership, text=""):
    """The membership's roll, narrowed to pupils matching every word of `text` by name or UPN,
    with the keys that list it by name whatever the case of a name's first letter (de Souza
    among the Ds, not after Zielinski)."""
    pupils = pupils_for(membership).annotate(
        family_key=Lower("family_name"), given_key=Lower("given_name")
    )
    if not text.split():
        return pupils
    by_name = Q()
    for word in text.split():
        by_name &= name_contains(word, "given_name", "family_name")
    return pupils.filter(by_name | Q(upn=as_upn(text)))


def file_transfers_for(membership):
    """Leavers' child protection files of the membership's school (workflow.leavers)."""
    if membership is None or not membership.school_id:
        return FileTransfer.objects.none()
    return FileTransfer.objects.filter(school_id=membership.school_id)


def access_requests_for(membership):
    """Subject access requests about pupils of the membership's school
    (workflow.subject_access)."""
    if membership is None or not membership.school_id:
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(school_id=membership.school_id)


def get_access_request_for(membership, pk):
    """A subject access request about a pupil of the membership's school, with the pupil;
    otherwise a 404, audited."""
    return get_in_scope(
        access_requests_for(membership).select_related("pupil"), pk, "subjectaccessrequest"
    )


def records_reviews_for(membership):
    """Reviews of pupils' records at the membership's school, kept and destroyed
    (workflow.retention), each with `superseded`: a later review of the same pupil replaced
    it."""
    if membership is None or not membership.school_id:
        return RecordsReview.objects.none()
    later = RecordsReview.objects.filter(pupil=OuterRef("pupil"), pk__gt=OuterRef("pk"))
    return RecordsReview.objects.filter(school_id=membership.school_id).annotate(
        superseded=Exists(later)
    )
