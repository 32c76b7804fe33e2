"""Writes that touch several core models: invitations, accounts, tokens, unlocking."""

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user

from . import audit, messaging, permissions
from .models import ApiToken, Cpts, Invitation, Membership, Role, User


def normalise_email(email: str) -> str:
    return User.objects.normalize_email(email or "").strip().lower()


def pending_invitation(*, cpts: Cpts, email: str) -> Invitation | None:
    """The invitation of this address still waiting to be accepted in this CPTS, if any."""
    return (
        Invitation.objects.for_cpts(cpts)
        .pending()
        .filter(email=normalise_email(email))
        .order_by("-created_at")
        .first()
    )


class PendingInvitationExists(ValidationError):
    """Re-inviting an address cancels its pending invitation: the caller must say so."""

    def __init__(self, pending: Invitation):
        self.pending = pending
        super().__init__(
            {
                "email": f"Une invitation est déjà en attente pour {pending.email} : "
                "confirmez son remplacement."
            }
        )


@transaction.atomic
def invitation_create(
    *,
    cpts: Cpts,
    email: str,
    role: str,
    invited_by: User,
    title: str = "",
    replace_pending: bool = False,
    request=None,
) -> tuple[Invitation, str]:
    """Invite someone to the CPTS and e-mail them a one-time link. Returns (invitation, link).

    An address with a pending invitation raises PendingInvitationExists unless
    `replace_pending` says the caller confirmed: the former link then stops working.
    """
    email = normalise_email(email)
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    if Membership.objects.active().filter(cpts=cpts, user__email=email).exists():
        raise ValidationError(
            {"email": f"{email} est déjà membre de cette CPTS : inutile de l'inviter."}
        )
    # Locked, so two coordinators re-inviting at once cannot leave two live links.
    pending = list(
        Invitation.objects.select_for_update().for_cpts(cpts).pending().filter(email=email)
    )
    if pending and not replace_pending:
        raise PendingInvitationExists(max(pending, key=lambda i: i.created_at))
    # Only the latest link works.
    Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(revoked_at=timezone.now())
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
    # Queued for the workers (sent after the commit): a mail server down no longer
    # undoes the invitation; the members page shows whether it went out.
    messaging.notify(
        cpts=cpts, recipients=[email], kind="core.invitation", sender=invited_by,
        ref=f"invitation:{invitation.public_id}", link=link,
        subject=f"Invitation à rejoindre {cpts.name} sur Maillage",
        body=(
            f"Bonjour,\n\n{invited_by} vous invite à rejoindre {cpts.name} sur Maillage "
            f"avec le rôle « {role_label} ».\n\n"
            f"Pour créer votre compte, ouvrez le lien ci-dessous (valable jusqu'au "
            f"{timezone.localtime(invitation.expires_at):%d/%m/%Y à %H:%M}, utilisable "
            f"une seule fois).\n\n"
            "Vous choisirez un mot de passe puis activerez la double authentification "
            "avec une application (FreeOTP, Aegis, Google Authenticator...)."
        ),
    )  # fmt: skip
    audit.record(
        action="invitation.create",
        actor=invited_by,
        cpts=cpts,
        obj=invitation,
        request=request,
        detail={
            "email": email,
            "role": role,
            "replaces": [str(i.public_id) for i in pending],
        },
    )
    return invitation, link


def existing_account(*, cpts: Cpts, email: str) -> str:
    """What the invitation page should know about an address: "" (no account), "other"
    (an account that is a member of another CPTS) or "account" (an account without an
    active membership elsewhere, e.g. a former member)."""
    user = User.objects.filter(email=normalise_email(email)).first()
    if user is None:
        return ""
    elsewhere = Membership.objects.active().filter(user=user).exclude(cpts=cpts).exists()
    return "other" if elsewhere else "account"


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


# Accounts: password reset, and what a coordinator does for a member ----------------------


def _record_for_account(*, user: User, action: str, actor=None, request=None, detail=None):
    """One audit event in each CPTS the account is an active member of, as for a login: each
    CPTS's coordination sees in its own journal what happened to the account."""
    memberships = list(Membership.objects.active().filter(user=user).select_related("cpts"))
    for cpts in [m.cpts for m in memberships] or [None]:
        audit.record(
            action=action, actor=actor, cpts=cpts, obj=user, request=request, detail=detail
        )


def password_reset_requested(*, user: User, request=None) -> None:
    """Audit a reset link sent to an account (the requester is not logged in)."""
    _record_for_account(
        user=user, action="auth.password_reset_request", request=request,
        detail={"email": user.email},
    )  # fmt: skip


@transaction.atomic
def password_reset_complete(*, user: User, password: str, request=None) -> None:
    """Set the new password chosen through an e-mailed link.

    Nobody is logged in by this: the next login asks for the password and then the second
    factor as always. Every session of the account ends (the session hash covers the
    password and `sessions_revoked_at`), and so does a login left half-way (see
    `sessions_revoked_at` in the login views).
    """
    validate_password(password, user=user)
    user.set_password(password)
    user.sessions_revoked_at = timezone.now()
    user.save(update_fields=["password", "sessions_revoked_at"])
    _record_for_account(user=user, action="auth.password_reset", actor=user, request=request)


@dataclass(frozen=True)
class AccountScope:
    """What a coordinator's action on a member's account reaches, and whether it is allowed.

    Sessions, API tokens and the second factor belong to the account, not to one CPTS: an
    action reaches every CPTS the member belongs to. It is allowed for any member of the
    coordinator's CPTS (the page says when other CPTS are reached, and their journals get
    the event), except a member who coordinates another CPTS the actor does not: that
    account is reset only by a co-coordinator of that CPTS (or the platform operator).
    """

    membership: Membership
    other_cpts: int
    refusal: str = ""


def member_account_scope(*, cpts: Cpts, actor: User, membership: Membership) -> AccountScope:
    if membership.cpts_id != cpts.pk or membership.archived_at is not None:
        raise ValidationError("Ce compte n'est pas membre de votre CPTS.")
    actor_cpts = {
        m.cpts_id
        for m in Membership.objects.active().filter(user=actor)
        if permissions.manage_members(m)
    }
    if cpts.pk not in actor_cpts:
        raise ValidationError("Seule la coordination de la CPTS gère les comptes de ses membres.")
    others = list(
        Membership.objects.active().filter(user_id=membership.user_id).exclude(cpts=cpts)
    )
    refusal = ""
    if any(permissions.manage_members(m) and m.cpts_id not in actor_cpts for m in others):
        refusal = (
            "Ce compte coordonne aussi une autre CPTS : ses sessions, ses jetons et sa double "
            "authentification y donnent accès. Seule la coordination de cette CPTS (ou "
            "l'exploitant de la plateforme) peut les réinitialiser."
        )
    return AccountScope(membership=membership, other_cpts=len(others), refusal=refusal)


def _allowed_scope(*, cpts, actor, membership) -> AccountScope:
    scope = member_account_scope(cpts=cpts, actor=actor, membership=membership)
    if scope.refusal:
        raise ValidationError(scope.refusal)
    return scope


def _end_sessions(user: User) -> None:
    user.sessions_revoked_at = timezone.now()
    user.save(update_fields=["sessions_revoked_at"])


@transaction.atomic
def member_sessions_end(*, cpts: Cpts, membership: Membership, actor: User, request=None) -> None:
    """End every session of a member's account, on every device (the next request of each
    goes to the login page)."""
    scope = _allowed_scope(cpts=cpts, actor=actor, membership=membership)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    _end_sessions(user)
    _record_for_account(
        user=user, action="account.sessions_end", actor=actor, request=request,
        detail={"email": user.email, "by_cpts": cpts.slug, "other_cpts": scope.other_cpts},
    )  # fmt: skip


@transaction.atomic
def member_api_tokens_revoke(
    *, cpts: Cpts, membership: Membership, actor: User, request=None
) -> int:
    """Revoke every API token of a member's account; returns how many were live."""
    scope = _allowed_scope(cpts=cpts, actor=actor, membership=membership)
    user = membership.user
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _record_for_account(
        user=user, action="account.api_tokens_revoke", actor=actor, request=request,
        detail={"email": user.email, "by_cpts": cpts.slug, "other_cpts": scope.other_cpts,
                "tokens_revoked": revoked},
    )  # fmt: skip
    return revoked


OWN_SECOND_FACTOR_REFUSAL = (
    "Vous ne pouvez pas réinitialiser votre propre double authentification : demandez-le "
    "à une autre personne de la coordination (ou à l'exploitant de la plateforme)."
)


@transaction.atomic
def member_second_factor_reset(
    *, cpts: Cpts, membership: Membership, actor: User, request=None
) -> int:
    """Remove a member's second-factor devices, after a lost or replaced phone; returns how
    many were removed.

    Their sessions end too, and at the next login, after the password, they enrol a new
    application (the enrolment page is reachable only right after the password step).
    Nobody resets their own second factor: whoever holds a verified session of an account
    must not be able to swap its device.
    """
    if membership.user_id == actor.pk:
        raise ValidationError(OWN_SECOND_FACTOR_REFUSAL)
    scope = _allowed_scope(cpts=cpts, actor=actor, membership=membership)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    _end_sessions(user)
    _record_for_account(
        user=user, action="account.second_factor_reset", actor=actor, request=request,
        detail={"email": user.email, "by_cpts": cpts.slug, "other_cpts": scope.other_cpts,
                "devices_removed": removed},
    )  # fmt: skip
    return removed
