"""Tenancy (Cpts, Membership, roles), accounts, invitations, API tokens and the audit trail."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .roles import Role
from .validators import phone_fr_validator, validate_finess

__all__ = ["Role"]


SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: the e-mail address is the login."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Every session opened before this moment is over (a coordinator ended them, or the
    # password was reset). It is part of the session hash below, which Django checks on
    # every request: no per-user index of sessions is needed, and it holds for every
    # session engine and every way a session was opened.
    sessions_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def _session_hash(self, secret=None):
        # Django's own hash (same salt, password only) while no revocation happened, so
        # sessions opened before this field existed stay valid.
        value = self.password
        if self.sessions_revoked_at is not None:
            value += f"|{int(self.sessions_revoked_at.timestamp() * 1_000_000)}"
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()


class CptsQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


def cpts_finess_validator(value: str) -> None:
    """A CPTS's own FINESS: the format, and unlike an imported FINESS file (where a bad
    check digit is only a warning), the check digit too: the SAS must recognise it."""
    checked = validate_finess(value)
    if checked.warnings:
        raise ValidationError(
            "Le chiffre de contrôle du numéro FINESS ne correspond pas (clé de Luhn, "
            "9e chiffre) : vérifiez le numéro sur l'avis de situation FINESS de la CPTS.",
            code="finess_key",
        )


class Cpts(models.Model):
    """The tenant: one CPTS association. Every domain row carries a `cpts`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField("nom", max_length=200)
    aci_signed_on = models.DateField("date de signature de l'ACI", null=True, blank=True)
    # The CPTS as the SAS knows it (FHIR Organization of the slot search): its own FINESS
    # establishment number (check digit verified, see cpts_finess_validator) and phone
    # (stored in E.164, +33...). Both blank until the coordination enters them.
    finess = models.CharField(
        "numéro FINESS", max_length=9, blank=True, validators=[cpts_finess_validator]
    )
    phone = models.CharField(
        "téléphone", max_length=20, blank=True, validators=[phone_fr_validator]
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CptsQuerySet.as_manager()

    class Meta:
        verbose_name = "CPTS"
        verbose_name_plural = "CPTS"

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, cpts__archived_at__isnull=True)

    def with_permission(self, permission):
        """Members holding a permission of core.permissions (e.g. who may see patients)."""
        return self.filter(role__in=permission.roles)

    def professionals(self):
        """The health professionals (GPs, nurses, pharmacists...) among the members."""
        return self.filter(role=Role.PROFESSIONAL)

    def regulators(self):
        """The regulators (SAS, secretariat): bookings they make are reported to the SAS."""
        return self.filter(role=Role.REGULATOR)


class Membership(models.Model):
    """The single source of permissions: a user's role in one CPTS."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # Free label shown next to the role ("Médecin généraliste", "EHPAD Les Tilleuls").
    title = models.CharField("fonction", max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "cpts"], name="membership_one_per_cpts")
        ]

    def __str__(self):
        return f"{self.user} @ {self.cpts.slug} ({self.role})"

    # Permissions are predicates on a membership, all in core/permissions.py.


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link that lets a person join a CPTS with a role.

    Only the SHA-256 of the token is stored: a leaked database does not leak valid links.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    title = models.CharField("fonction", max_length=120, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, _hash_token(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "révoquée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "en attente"


class ApiToken(models.Model):
    """A bearer token for machines. Only its hash is stored; the raw value is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = "mlg_" + secrets.token_urlsafe(32)
        return raw, _hash_token(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class AuditEventQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def about_patient(self, *public_ids):
        """Every event whose subject is one of these patient records (a patient and the
        records merged into it): "who saw or changed this patient" in one indexed query."""
        return self.filter(patient__in=public_ids)


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Written explicitly by services.

    Append-only: the application never updates or deletes a row, and the database refuses
    it (triggers of migration core 0003, on SQLite and PostgreSQL), except the deletion of
    rows older than the retention period (`maillage audit-purge`), never younger than
    AUDIT_MIN_RETENTION_DAYS.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(
        Cpts, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    # No database constraint and no cascade: deleting an account must neither rewrite nor
    # delete its trail (the rows are append-only); actor_email keeps who it was.
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    # The subject: the public id of the record holding the identity of the person whose
    # data was read or changed (a patient, or a same-day request, which carries its own
    # minimal identity). Not a foreign key: core knows no mission, and the trail outlives
    # the record.
    patient = models.UUIDField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["cpts", "-at"], name="audit_cpts_at"),
            # The CPTS in the index: the access report's count (this patient in this
            # CPTS) is read from the index alone. Without it SQLite, which keeps no
            # statistics, counts through the CPTS index instead: every event of the CPTS
            # (0.8 s among 5 000 000 events, bench/bench_audit.py).
            models.Index(fields=["patient", "cpts", "-at", "-id"], name="audit_patient_at",
                         condition=models.Q(patient__isnull=False)),
            models.Index(fields=["cpts", "actor_email", "-at"], name="audit_actor_at"),
            models.Index(fields=["object_id"], name="audit_object",
                         condition=models.Q(object_id__isnull=False)),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"
