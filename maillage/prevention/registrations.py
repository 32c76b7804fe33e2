"""Public events: registration with confirmation and reminder, cancellation by link,
waiting list, check-in at the door and bulk check-in from a paper list.

Residents have no account: every audit row they cause has no actor, and their messages
go to a bare address (notifications.Recipient). The cancellation link carries a random
token; only its sha256 is stored, so the database alone cannot cancel anyone.

The seats of an action are counted under a lock on the action row, in the transaction
that writes the registration (or the cancellation and the promotion it causes): two
people taking the last seat at once give one confirmed and one on the waiting list.

Area: public.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import audit
from maillage.core.locking import retrying_when_locked
from maillage.core.validators import validate_phone_fr

from .models import Action, ActionStatus, Registration, RegistrationStatus

KIND = "prevention.registration"
NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 25

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.registration_create": "Inscription à une action de prévention",
        "prevention.registration_cancel": "Annulation d'une inscription (lien du message)",
        "prevention.registration_promote": "Inscription confirmée depuis la liste d'attente",
        "prevention.registration_checkin": "Présence enregistrée à une action de prévention",
        "prevention.registration_bulk_checkin": "Émargement a posteriori d'une action",
        "prevention.registration_walk_in": "Personne accueillie sans inscription",
        "prevention.registration_list": "Liste des inscrits d'une action",
        "prevention.registration_export": "Export des inscrits d'une action",
        "prevention.registration_reminder": "Rappel de la veille envoyé",
    },
}


class InvalidToken(Exception):
    """An unknown or already used cancellation link."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


# Figures ------------------------------------------------------------------------------


def counts(action) -> dict:
    """{confirmed, waiting, present, cancelled, seats_left (None: no limit)}."""
    row = Registration.objects.filter(action=action).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        present=Count("pk", filter=Q(checked_in_at__isnull=False)
                      & ~Q(status=RegistrationStatus.CANCELLED)),
    )  # fmt: skip
    row["seats_left"] = (None if action.capacity is None
                         else max(0, action.capacity - row["confirmed"]))  # fmt: skip
    return row


def upcoming_public(cpts):
    """The CPTS's public actions not over yet, soonest first."""
    return (Action.objects.for_cpts(cpts).public().filter(end__gte=timezone.now())
            .select_related("commune", "structure").order_by("start", "pk"))  # fmt: skip


def is_open(action) -> bool:
    return (action.public and action.status != ActionStatus.CANCELLED
            and action.end >= timezone.now())  # fmt: skip


# Input ---------------------------------------------------------------------------------


def _clean_text(value, field, label, errors, *, required=True, max_length=NAME_MAX) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        errors.setdefault(field, []).append(f"{label} : caractère nul interdit.")
        return ""
    if required and not text:
        errors.setdefault(field, []).append(f"Indiquez votre {label.lower()}.")
    elif len(text) > max_length:
        errors.setdefault(field, []).append(
            f"{label} : {max_length} caractères au plus ({len(text)} saisis).")
    return text


def clean_identity(*, first_name, last_name, email="", phone="") -> dict:
    """The person's fields, checked and normalised (phone in E.164), or a ValidationError
    naming each field. Names are stored as typed: templates escape them, exports
    neutralise formulas."""
    errors: dict[str, list[str]] = {}
    first = _clean_text(first_name, "first_name", "Prénom", errors)
    last = _clean_text(last_name, "last_name", "Nom", errors)
    mail = _clean_text(email, "email", "E-mail", errors, required=False, max_length=EMAIL_MAX)
    tel = _clean_text(phone, "phone", "Téléphone", errors, required=False, max_length=PHONE_MAX)
    if mail and "email" not in errors:
        try:
            validate_email(mail)
        except ValidationError:
            errors["email"] = ["Adresse e-mail invalide (exemple : nom@exemple.fr)."]
    if tel and "phone" not in errors:
        try:
            tel = validate_phone_fr(tel).value
        except ValidationError as exc:
            errors["phone"] = [exc.messages[0]]
    if not mail and not tel and "email" not in errors and "phone" not in errors:
        errors["email"] = ["Indiquez une adresse e-mail ou un téléphone pour recevoir la "
                           "confirmation."]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return {"first_name": first, "last_name": last, "email": mail, "phone": tel}


def _lock(action) -> Action:
    return Action.objects.select_for_update().select_related("cpts").get(pk=action.pk)


def _confirmed(action) -> int:
    return Registration.objects.filter(action=action, status=RegistrationStatus.CONFIRMED).count()


# Registration ---------------------------------------------------------------------------


def register(*, action, first_name, last_name, email="", phone="", request=None) -> Registration:
    """A resident registers: CONFIRMED while seats remain, else WAITING. Raises
    ValidationError (by field, or on `__all__` for an action closed to registration)."""
    data = clean_identity(first_name=first_name, last_name=last_name, email=email, phone=phone)
    raw, digest = new_token()

    def write():
        with transaction.atomic():
            locked = _lock(action)
            if not is_open(locked):
                raise ValidationError(
                    "Les inscriptions à cette action sont closes (action passée, annulée ou "
                    "non ouverte au public).")  # fmt: skip
            full = locked.capacity is not None and _confirmed(locked) >= locked.capacity
            registration = Registration.objects.create(
                cpts=locked.cpts, action=locked, token_hash=digest,
                status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
                **data,
            )  # fmt: skip
            audit.record(action="prevention.registration_create", actor=None, cpts=locked.cpts,
                         obj=registration, request=request,
                         detail={"action": str(locked.public_id),
                                 "status": registration.status})  # fmt: skip
            _send_confirmation(registration, locked, raw)
            return registration

    return retrying_when_locked(write)


def cancel_link(action, raw: str) -> str:
    return reverse("prevention:public_cancel",
                   kwargs={"cpts_slug": action.cpts.slug, "token": raw})  # fmt: skip


def _when(action) -> str:
    start = timezone.localtime(action.start)
    return f"le {start:%d/%m/%Y} à {start:%H:%M}"


def _where(action) -> str:
    parts = [action.place or (action.structure.name if action.structure_id else "")]
    if action.commune_id:
        parts.append(action.commune.name)
    return ", ".join(p for p in parts if p)


def _notify(registration, action, *, subject, body, link=""):
    from maillage.notifications.services import Recipient, notify

    notify(cpts=action.cpts, kind=KIND, subject=subject, body=body, link=link,
           recipients=[Recipient(email=registration.email, phone=registration.phone)],
           ref=f"prevention.registration:{registration.public_id}")  # fmt: skip


def _send_confirmation(registration, action, raw):
    where = _where(action)
    place = f" ({where})" if where else ""
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = f"Inscription confirmée : {action.title}"
        body = f"Votre inscription à « {action.title} » {_when(action)}{place} est confirmée."
    else:
        subject = f"Liste d'attente : {action.title}"
        body = (f"« {action.title} » {_when(action)}{place} est complet : vous êtes sur la "
                "liste d'attente. Vous serez prévenu(e) si une place se libère.")  # fmt: skip
    body += " Pour annuler, utilisez le lien ci-dessous."
    _notify(registration, action, subject=subject, body=body, link=cancel_link(action, raw))


# Cancellation ---------------------------------------------------------------------------


def find_by_token(cpts, raw: str) -> Registration:
    """The live registration this link cancels, or InvalidToken."""
    if not raw or len(raw) > 200:
        raise InvalidToken
    registration = (Registration.objects.for_cpts(cpts).select_related("action", "cpts")
                    .filter(token_hash=hash_token(raw)).first())  # fmt: skip
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise InvalidToken
    return registration


def cancel(*, cpts, raw_token: str, request=None) -> tuple[Registration, Registration | None]:
    """Cancel by link; a confirmed seat freed goes to the first of the waiting list, who is
    told. Returns (the cancelled registration, the promoted one or None). Raises
    InvalidToken for an unknown or used link."""
    digest = hash_token(raw_token) if raw_token and len(raw_token) <= 200 else ""

    def write():
        with transaction.atomic():
            found = Registration.objects.for_cpts(cpts).filter(token_hash=digest).first()
            if not digest or found is None:
                raise InvalidToken
            action = _lock(found.action)
            registration = Registration.objects.select_for_update().get(pk=found.pk)
            if registration.status == RegistrationStatus.CANCELLED:
                raise InvalidToken
            was_confirmed = registration.status == RegistrationStatus.CONFIRMED
            registration.status = RegistrationStatus.CANCELLED
            registration.cancelled_at = timezone.now()
            registration.save(update_fields=["status", "cancelled_at"])
            audit.record(action="prevention.registration_cancel", actor=None, cpts=action.cpts,
                         obj=registration, request=request)  # fmt: skip
            promoted = _promote(action, request=request) if was_confirmed else None
            return registration, promoted

    return retrying_when_locked(write)


def _promote(action, *, request=None) -> Registration | None:
    """Under the action's lock: the first waiting person takes a freed seat."""
    if action.capacity is not None and _confirmed(action) >= action.capacity:
        return None
    first = (Registration.objects.select_for_update()
             .filter(action=action, status=RegistrationStatus.WAITING)
             .order_by("created_at", "pk").first())  # fmt: skip
    if first is None:
        return None
    first.status = RegistrationStatus.CONFIRMED
    first.promoted_at = timezone.now()
    first.save(update_fields=["status", "promoted_at"])
    audit.record(action="prevention.registration_promote", actor=None, cpts=action.cpts,
                 obj=first, request=request)  # fmt: skip
    where = _where(action)
    _notify(first, action, subject=f"Une place s'est libérée : {action.title}",
            body=(f"Bonne nouvelle : une place s'est libérée. Votre inscription à "
                  f"« {action.title} » {_when(action)}{' (' + where + ')' if where else ''} "
                  "est confirmée. Pour annuler, utilisez le lien de votre premier message."))
    return first


# Reminder the day before -----------------------------------------------------------------


def send_reminders(now=None) -> int:
    """Periodic: the registrations confirmed for an action starting tomorrow (local day)
    get their reminder. Each one is claimed by a conditional UPDATE on reminder_sent_at
    before its message is written, in the same transaction: two workers never send it
    twice, and a failure leaves it unclaimed for the next pass."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    pks = list(Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED, reminder_sent_at__isnull=True,
        action__start__gte=start, action__start__lt=end, action__public=True,
    ).exclude(action__status=ActionStatus.CANCELLED).values_list("pk", flat=True)[:2000])
    sent = 0
    for pk in pks:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=pk, reminder_sent_at__isnull=True, status=RegistrationStatus.CONFIRMED,
            ).update(reminder_sent_at=now)  # fmt: skip
            if not claimed:
                continue
            registration = Registration.objects.select_related(
                "action", "action__cpts", "action__commune", "action__structure").get(pk=pk)
            action = registration.action
            where = _where(action)
            _notify(registration, action, subject=f"Rappel : {action.title} demain",
                    body=(f"Rappel : « {action.title} » {_when(action)}"
                          f"{' (' + where + ')' if where else ''}. Si vous ne pouvez pas "
                          "venir, annulez avec le lien de votre message d'inscription pour "
                          "laisser la place à une autre personne."))  # fmt: skip
            audit.record(action="prevention.registration_reminder", actor=None,
                         cpts=action.cpts, obj=registration)  # fmt: skip
            sent += 1
    return sent


# Contacts are kept for the event only -----------------------------------------------------

# After this many days past its end, an action's registrations lose their e-mail and phone
# (the names stay: they are the sign-in sheet, a proof of the contract).
CONTACT_KEPT_DAYS = 30


def forget_contacts(now=None) -> int:
    """Periodic: erase the contacts of the registrations of actions ended long enough."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=CONTACT_KEPT_DAYS)
    return (Registration.objects.filter(action__end__lt=cutoff)
            .exclude(email="", phone="").update(email="", phone=""))  # fmt: skip


# At the door ----------------------------------------------------------------------------


def check_in(*, registration, actor, request=None) -> Registration:
    """Mark present (idempotent). A cancelled registration cannot be checked in."""
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == RegistrationStatus.CANCELLED:
            raise ValidationError("Cette inscription a été annulée : ajoutez la personne "
                                  "comme venue sans inscription.")  # fmt: skip
        if locked.checked_in_at is None:
            locked.checked_in_at = timezone.now()
            locked.checked_in_by = actor
            locked.save(update_fields=["checked_in_at", "checked_in_by"])
            audit.record(action="prevention.registration_checkin", actor=actor,
                         cpts=locked.cpts, obj=locked, request=request)  # fmt: skip
        return locked


def check_in_many(*, action, public_ids, actor, request=None) -> int:
    """Émargement a posteriori: every listed registration of this action marked present,
    or none (an unknown or cancelled one refuses the whole sheet). Returns how many were
    newly marked."""
    try:
        wanted = {str(uuid.UUID(str(p))) for p in public_ids}
    except ValueError as exc:
        raise ValidationError("Une des personnes cochées est inconnue : rien n'est "
                              "enregistré.") from exc
    with transaction.atomic():
        rows = list(Registration.objects.select_for_update().filter(
            action=action, public_id__in=list(wanted)))  # fmt: skip
        if len(rows) != len(wanted):
            raise ValidationError("Une des personnes cochées n'est pas inscrite à cette "
                                  "action : rien n'est enregistré.")  # fmt: skip
        cancelled = [r for r in rows if r.status == RegistrationStatus.CANCELLED]
        if cancelled:
            names = ", ".join(f"{r.first_name} {r.last_name}" for r in cancelled[:5])
            raise ValidationError(f"Inscription annulée : {names}. Rien n'est enregistré.")
        now = timezone.now()
        fresh = [r.pk for r in rows if r.checked_in_at is None]
        Registration.objects.filter(pk__in=fresh).update(checked_in_at=now, checked_in_by=actor)
        audit.record(action="prevention.registration_bulk_checkin", actor=actor,
                     cpts=action.cpts, obj=action, request=request,
                     detail={"marked": len(fresh), "sheet": len(rows)})  # fmt: skip
    return len(fresh)


def add_walk_in(*, action, first_name, last_name, actor, request=None) -> Registration:
    """Someone who came without registering: recorded present at once. They are at the
    door already, so the capacity does not turn them away."""
    errors: dict[str, list[str]] = {}
    first = _clean_text(first_name, "first_name", "Prénom", errors)
    last = _clean_text(last_name, "last_name", "Nom", errors)
    if errors:
        raise ValidationError(errors)
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError("Cette action est annulée.")
    _raw, digest = new_token()
    now = timezone.now()
    with transaction.atomic():
        registration = Registration.objects.create(
            cpts=action.cpts, action=action, first_name=first, last_name=last,
            status=RegistrationStatus.CONFIRMED, token_hash=digest, checked_in_at=now,
            checked_in_by=actor,
        )  # fmt: skip
        audit.record(action="prevention.registration_walk_in", actor=actor, cpts=action.cpts,
                     obj=registration, request=request)  # fmt: skip
    return registration


# Public home ----------------------------------------------------------------------------


def public_notices(cpts):
    """One notice on the CPTS's public home listing its next public events."""
    from maillage.core.public_notices import Notice

    actions = list(upcoming_public(cpts)[:5])
    if not actions:
        return []
    lines = []
    for action in actions:
        where = _where(action)
        lines.append(f"• {action.title} : {_when(action)}{' – ' + where if where else ''}")
    link = reverse("prevention:public_events", kwargs={"cpts_slug": cpts.slug})
    return [Notice(key="prevention-events", heading="Prochaines actions de prévention",
                   text="\n".join(lines), at=timezone.now(), link=link,
                   link_label="Voir les actions et s'inscrire (gratuit)", urgent=False)]


def ready():
    from maillage.core import public_notices as notices
    from maillage.core.audit_trail import register_labels
    from maillage.core.jobs import register_periodic
    from maillage.notifications import kinds

    register_labels(**AUDIT_LABELS)
    # Sent to residents' addresses only (no account): not on anyone's preferences page. The
    # link cancels the registration, so it is erased once sent.
    kinds.register(KIND, "Inscription à une action de prévention",
                   channels=(kinds.EMAIL, kinds.SMS), listed=False, secret_link=True)
    notices.register(public_notices)
    register_periodic("prevention-reminders", "maillage.prevention.registrations.send_reminders",
                      minutes=60, label="Rappel de la veille aux inscrits des actions de "
                      "prévention")  # fmt: skip
    register_periodic("prevention-forget-contacts",
                      "maillage.prevention.registrations.forget_contacts", cron="40 3 * * *",
                      label="Effacement des coordonnées des inscrits après l'action")
