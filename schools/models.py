"""Tenancy and people: local authorities, their schools, pupils, users and their roles."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import validate_upn, validate_urn


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may do comes from their memberships, not from here."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the Django admin (system operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class LocalAuthority(models.Model):
    """A local authority, which runs an Early Help Hub for the schools in its area."""

    name = models.CharField(max_length=150, unique=True)
    code = models.CharField(
        max_length=5,
        unique=True,
        help_text="Short capital-letter code used in concern references, for example LUT.",
    )
    hub_email = models.EmailField(
        blank=True, help_text="The Early Help Hub's shared inbox, told of new advice requests."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        ALTERNATIVE = "alternative", "Alternative provision"
        POST_16 = "post_16", "Post-16"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField(max_length=150)
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[validate_urn],
        help_text="The school's 6-digit unique reference number.",
    )
    phase = models.CharField(max_length=20, choices=Phase.choices)
    safeguarding_policy_url = models.URLField(
        "published safeguarding policy",
        blank=True,
        help_text="The address of the safeguarding policy on the school's website.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Pupil(models.Model):
    class YearGroup(models.TextChoices):
        NURSERY = "N", "Nursery"
        RECEPTION = "R", "Reception"
        Y1 = "1", "Year 1"
        Y2 = "2", "Year 2"
        Y3 = "3", "Year 3"
        Y4 = "4", "Year 4"
        Y5 = "5", "Year 5"
        Y6 = "6", "Year 6"
        Y7 = "7", "Year 7"
        Y8 = "8", "Year 8"
        Y9 = "9", "Year 9"
        Y10 = "10", "Year 10"
        Y11 = "11", "Year 11"
        Y12 = "12", "Year 12"
        Y13 = "13", "Year 13"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    upn = models.CharField("UPN", max_length=13, validators=[validate_upn])

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="pupil_upn_unique_per_school"),
        ]
        indexes = [
            models.Index(fields=["school", "family_name", "given_name"]),
            # The roll and the pupil picker list names whatever the case of their first letter.
            models.Index(
                F("school"),
                Lower("family_name"),
                Lower("given_name"),
                name="pupil_school_name_lower",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"


class Role(models.TextChoices):
    STAFF = "staff", "Member of staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    HEAD_TEACHER = "head_teacher", "Head teacher"
    HUB_ADVISOR = "hub_advisor", "Early Help Hub advisor"
    HUB_MANAGER = "hub_manager", "Early Help Hub manager"
    LA_ADMIN = "la_admin", "Local authority administrator"


SCHOOL_ROLES = frozenset({Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEAD_TEACHER})
AUTHORITY_ROLES = frozenset({Role.HUB_ADVISOR, Role.HUB_MANAGER, Role.LA_ADMIN})
DSL_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL})
HUB_ROLES = frozenset({Role.HUB_ADVISOR, Role.HUB_MANAGER})


class Membership(models.Model):
    """A user's role in exactly one school or one local authority."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="membership_school_role_in_school",
                condition=(
                    Q(
                        role__in=sorted(SCHOOL_ROLES),
                        school__isnull=False,
                        local_authority__isnull=True,
                    )
                    | Q(
                        role__in=sorted(AUTHORITY_ROLES),
                        school__isnull=True,
                        local_authority__isnull=False,
                    )
                ),
                violation_error_message=(
                    "A school role needs a school and no authority; an authority role needs an "
                    "authority and no school."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=Q(school__isnull=False),
                name="membership_unique_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "local_authority", "role"],
                condition=Q(local_authority__isnull=False),
                name="membership_unique_authority_role",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}, {self.place}"

    @property
    def place(self):
        return self.school or self.local_authority

    @property
    def authority(self):
        return self.school.local_authority if self.school_id else self.local_authority

    @property
    def is_school_role(self):
        return self.role in SCHOOL_ROLES
