"""Writes that touch several core models: invitations, accounts, tokens, unlocking."""

import datetime
import smtplib

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import audit
from .models import ApiToken, Cpts, Invitation, Membership, Role, User


def _send(**kwargs) -> None:
    """Send an e-mail, or say in French that it could not be sent (the caller's
    transaction then rolls back: no invitation exists that nobody received)."""
    try:
        send_mail(**kwargs)
    except (OSError, smtplib.SMTPException) as exc:
        raise ValidationError(
            {
                "email": "L'e-mail n'a pas pu être envoyé (serveur de messagerie injoignable). "
                "Réessayez plus tard."
            }
        ) from exc


@transaction.atomic
def invitation_create(
    *, cpts: Cpts, email: str, role: str, invited_by: User, title: str = "", request=None
) -> tuple[Invitation, str]:
    """Invite someone to the CPTS and e-mail them a one-time link. Returns (invitation, link)."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    if Membership.objects.active().filter(cpts=cpts, user__email=email).exists():
        raise ValidationError({"email": f"{email} est déjà membre de cette CPTS."})
    # A new invitation replaces any pending one: only the latest link works.
    Invitation.objects.for_cpts(cpts).pending().filter(email=email).update(
        revoked_at=timezone.now()
    )
    raw, digest = Invitation.new_token()
    invitation = Invitation.objects.create(
        cpts=cpts,
        email=email,
        role=role,
        title=title,
        token_hash=digest,
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALIDITY_DAYS),
    )
    link = settings.SITE_URL.rstrip("/") + reverse("core:invitation", args=[raw])
    role_label = Role(role).label
    _send(
        subject=f"Invitation à rejoindre {cpts.name} sur Maillage",
        message=(
            f"Bonjour,\n\n{invited_by} vous invite à rejoindre {cpts.name} sur Maillage "
            f"avec le rôle « {role_label} ».\n\n"
            f"Pour créer votre compte, ouvrez ce lien (valable jusqu'au "
            f"{timezone.localtime(invitation.expires_at):%d/%m/%Y à %H:%M}, utilisable "
            f"une seule fois) :\n{link}\n\n"
            "Vous choisirez un mot de passe puis activerez la double authentification "
            "avec une application (FreeOTP, Aegis, Google Authenticator...).\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    audit.record(
        action="invitation.create",
        actor=invited_by,
        cpts=cpts,
        obj=invitation,
        request=request,
        detail={"email": email, "role": role},
    )
    return invitation, link


def invitation_from_token(raw: str) -> Invitation:
    """The invitation a link points to, or a ValidationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("cpts", "invited_by")
        .filter(token_hash=Invitation.hash(raw or ""))
        .first()
    )
    if invitation is None:
        raise ValidationError("Ce lien d'invitation n'est pas valide. Vérifiez qu'il est complet.")
    ensure_usable(invitation)
    return invitation


def ensure_usable(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ValidationError(
            "Ce lien d'invitation a déjà été utilisé. Connectez-vous avec votre adresse e-mail."
        )
    if invitation.revoked_at:
        raise ValidationError(
            "Cette invitation a été remplacée ou annulée. Utilisez le dernier lien reçu."
        )
    if invitation.expires_at <= timezone.now():
        when = timezone.localtime(invitation.expires_at)
        raise ValidationError(
            f"Ce lien d'invitation a expiré le {when:%d/%m/%Y à %H:%M}. "
            "Demandez une nouvelle invitation à la coordination de votre CPTS."
        )


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    user: User | None = None,
    request=None,
) -> Membership:
    """Accept an invitation: create the account (or use the logged-in one) and the membership.

    The invitation row is locked so the same link cannot be used twice concurrently.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    ensure_usable(invitation)
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(
                "Un compte existe déjà pour cette adresse : connectez-vous pour accepter."
            )
        candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
        validate_password(password, user=candidate)
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"Cette invitation est destinée à {invitation.email} : "
            "connectez-vous avec ce compte pour l'accepter."
        )
    membership, _ = Membership.objects.update_or_create(
        user=user,
        cpts=invitation.cpts,
        defaults={"role": invitation.role, "title": invitation.title, "archived_at": None},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        action="invitation.accept",
        actor=user,
        cpts=invitation.cpts,
        obj=invitation,
        request=request,
        detail={"role": invitation.role},
    )
    return membership


def api_token_create(*, user: User, name: str = "") -> str:
    """Create a bearer token and return its raw value (shown once, never stored)."""
    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(user=user, name=name, token_hash=digest, prefix=raw[:10])
    for membership in Membership.objects.active().filter(user=user).select_related("cpts"):
        audit.record(
            action="api_token.create", actor=user, cpts=membership.cpts, detail={"name": name}
        )
    return raw


def locked_accounts(cpts: Cpts) -> list[dict]:
    """Members of this CPTS whose account is locked after repeated failed logins."""
    emails = set(
        Membership.objects.active().filter(cpts=cpts).values_list("user__email", flat=True)
    )
    limit = settings.AXES_FAILURE_LIMIT
    rows = (
        AccessAttempt.objects.filter(username__in=emails, failures_since_start__gte=limit)
        .order_by("-attempt_time")
        .values("username", "failures_since_start", "attempt_time")
    )
    seen, out = set(), []
    for row in rows:
        if row["username"] not in seen:
            seen.add(row["username"])
            out.append(row)
    return out


def account_unlock(*, cpts: Cpts, email: str, actor: User, request=None) -> int:
    """Lift the lock of a member of the coordinator's own CPTS."""
    membership = (
        Membership.objects.active().filter(cpts=cpts, user__email=email).select_related("user")
    ).first()
    if membership is None:
        raise ValidationError("Ce compte n'est pas membre de votre CPTS.")
    removed = axes_reset(username=email)
    audit.record(
        action="account.unlock",
        actor=actor,
        cpts=cpts,
        obj=membership.user,
        request=request,
        detail={"email": email, "attempts_cleared": removed},
    )
    return removed
