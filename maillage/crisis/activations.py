"""Activations (a crisis, a vigilance, an exercise), the main courante, the end and the
RETEX, the public notice.

Rules:
- a crisis is activated only on a decision of the ARS director general, the préfet or the
  minister, with the reference of the decision (domain/crisis.md); anything else is a
  vigilance or an exercise, which the refusal offers instead;
- one live crisis at a time per CPTS (a database constraint holds it too): the cell, the
  board, the public notice and the proofs of the contract are those of one crisis, and two
  live crises would count the same professionals twice; a new decision about the same
  events is written in the log of the live one. Vigilances and exercises may run beside;
- the main courante is never edited: a correction is a new entry pointing to the one it
  corrects; a plan action ticked is an entry naming the action (time and person);
- ending is done once (a second end changes nothing) and opens the RETEX, whose
  conclusions go into the plan's working draft (plan.append_retex);
- an exercise counts in no real figure (ActivationQuerySet.real()), its pages carry an
  EXERCICE banner and its alerts start with "EXERCICE" (alerts.send_alert); its public
  notice is never shown to the public.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.public_notices import Notice

from . import alerts, plan
from .models import (
    Activation,
    ActivationKind,
    Authority,
    CrisisType,
    LogEntry,
    Retex,
)

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.activate": "Activation de crise, vigilance ou exercice",
        "crisis.log_entry": "Entrée de la main courante",
        "crisis.log_correct": "Correction d'une entrée de la main courante",
        "crisis.action_done": "Action du plan de crise faite",
        "crisis.end": "Fin d'une activation de crise",
        "crisis.retex": "RETEX d'une crise complété",
        "crisis.notice": "Message au public d'une crise",
    },
    "objects": {
        "crisis.Activation": "Activation de crise",
        "crisis.LogEntry": "Entrée de la main courante",
        "crisis.Retex": "RETEX",
    },
    "places": {},
}

TRIGGER_REFUSED = (
    "Une crise n'est activée que sur décision du DG de l'ARS, du préfet ou du ministre (avec "
    "la référence de la décision). Sinon, lancez une vigilance ou un exercice."
)
ENTRY_MAX = 5000
NOTICE_MAX = 2000
RETEX_MAX = 10000
TITLE_MAX = Activation._meta.get_field("title").max_length
REFERENCE_MAX = Activation._meta.get_field("trigger_reference").max_length


def clean_text(value, *, field: str, max_length: int, required: bool, missing: str = "") -> str:
    """Typed text as stored: NUL characters dropped, blanks trimmed, bounded. Markup is kept
    as typed and escaped where shown (templates, PDF)."""
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: missing or "Ce champ est obligatoire."})
    if len(text) > max_length:
        raise ValidationError({field: f"{max_length} caractères au plus ({len(text)} saisis)."})
    return text


def default_title(kind: str, crisis_type: str) -> str:
    return f"{ActivationKind(kind).label.split(' (')[0]} — {CrisisType(crisis_type).label}"[
        :TITLE_MAX]


@transaction.atomic
def activate(*, cpts, actor, kind, crisis_type, title, trigger_authority="",
             trigger_reference="", trigger_on=None, public_notice="", convene_cell=False,
             cell_channels=("inapp", "email", "sms"), request=None) -> Activation:  # fmt: skip
    """Start a crisis, a vigilance or an exercise. ValidationError naming the field on bad
    input ("trigger" for a crisis without an authorised decision). With `convene_cell`, the
    cell is alerted in the same transaction; when nobody can be convened (no cell member),
    the activation still happens and `activation.convene_error` says why."""
    if kind not in ActivationKind.values:
        raise ValidationError({"kind": "Nature inconnue : crise, vigilance ou exercice."})
    if crisis_type not in CrisisType.values:
        raise ValidationError({"crisis_type": "Type de crise inconnu : choisissez l'un des cinq "
                                              "types de la trame nationale."})  # fmt: skip
    title = clean_text(title, field="title", max_length=TITLE_MAX, required=False)
    authority = str(trigger_authority or "").strip()
    reference = clean_text(trigger_reference, field="trigger", max_length=REFERENCE_MAX,
                           required=False)  # fmt: skip
    notice = clean_text(public_notice, field="public_notice", max_length=NOTICE_MAX,
                        required=False)  # fmt: skip
    if trigger_on is not None and not isinstance(trigger_on, datetime.date):
        raise ValidationError({"trigger": "Date de la décision invalide."})
    if trigger_on is not None and trigger_on > timezone.localdate():
        raise ValidationError({"trigger": "La date de la décision est dans le futur."})
    if kind == ActivationKind.CRISIS:
        if authority not in Authority.values or not reference:
            raise ValidationError({"trigger": TRIGGER_REFUSED})
    elif authority and authority not in Authority.values:
        raise ValidationError({"trigger": "Autorité inconnue : ARS, préfet ou ministre."})
    if kind == ActivationKind.CRISIS and Activation.objects.for_cpts(cpts).live().filter(
            kind=ActivationKind.CRISIS).exists():  # fmt: skip
        raise ValidationError({"kind": LIVE_CRISIS})
    try:
        with transaction.atomic():
            activation = Activation.objects.create(
                cpts=cpts, kind=kind, crisis_type=crisis_type,
                title=title or default_title(kind, crisis_type), trigger_authority=authority,
                trigger_reference=reference, trigger_on=trigger_on, started_by=actor,
                started_at=timezone.now(), public_notice=notice,
                public_notice_at=timezone.now() if notice else None,
            )  # fmt: skip
    except IntegrityError:
        # Two coordinators activating at the same instant: the constraint keeps one.
        raise ValidationError({"kind": LIVE_CRISIS}) from None
    audit.record(action="crisis.activate", actor=actor, cpts=cpts, obj=activation,
                 request=request, detail={"kind": kind, "crisis_type": crisis_type,
                                          "authority": authority})  # fmt: skip
    activation.convened = None
    activation.convene_error = ""
    if convene_cell:
        try:
            # send_alert is atomic: a refusal rolls back to its savepoint only.
            activation.convened = alerts.send_alert(
                cpts=cpts, actor=actor, activation=activation, groups=["cell"],
                channels=list(cell_channels), message=convocation(activation), request=request,
            )  # fmt: skip
        except ValidationError as exc:
            activation.convene_error = " ".join(exc.messages)
    return activation


LIVE_CRISIS = ("Une crise est déjà en cours pour cette CPTS : terminez-la avant d'en activer "
               "une autre, ou notez la nouvelle décision dans sa main courante.")  # fmt: skip


def convocation(activation) -> str:
    lines = [f"Convocation de la cellule de crise : {activation.title}."]
    if activation.trigger_authority:
        lines.append(f"Décision : {activation.get_trigger_authority_display()}, "
                     f"{activation.trigger_reference}.")  # fmt: skip
    lines.append("Indiquez votre disponibilité.")
    return " ".join(lines)


def _live(activation):
    if activation.ended_at is not None:
        raise ValidationError({"text": "Cette activation est terminée : la main courante est "
                                       "close."})  # fmt: skip


def _locked(activation) -> Activation:
    return Activation.objects.select_for_update().get(pk=activation.pk)


@transaction.atomic
def add_entry(*, activation, actor, text, request=None) -> LogEntry:
    """A new entry of the main courante, timestamped and signed."""
    activation = _locked(activation)
    _live(activation)
    text = clean_text(text, field="text", max_length=ENTRY_MAX, required=True,
                      missing="Écrivez l'entrée de la main courante.")  # fmt: skip
    entry = LogEntry.objects.create(cpts=activation.cpts, activation=activation, author=actor,
                                    text=text, at=timezone.now())  # fmt: skip
    audit.record(action="crisis.log_entry", actor=actor, cpts=activation.cpts, obj=entry,
                 request=request)  # fmt: skip
    return entry


@transaction.atomic
def correct_entry(*, entry, actor, text, request=None) -> LogEntry:
    """A correction is a new entry "Correction de l'entrée de HH:MM" pointing to the one
    it corrects: nothing written is changed."""
    activation = _locked(entry.activation)
    _live(activation)
    text = clean_text(text, field="text", max_length=ENTRY_MAX, required=True,
                      missing="Écrivez la correction.")  # fmt: skip
    at = timezone.localtime(entry.at)
    correction = LogEntry.objects.create(
        cpts=activation.cpts, activation=activation, author=actor, corrects=entry,
        text=f"Correction de l'entrée de {at:%H:%M} : {text}"[:ENTRY_MAX + 60],
        at=timezone.now(),
    )  # fmt: skip
    audit.record(action="crisis.log_correct", actor=actor, cpts=activation.cpts, obj=correction,
                 request=request, detail={"corrects": str(entry.public_id)})  # fmt: skip
    return correction


@transaction.atomic
def action_done(*, activation, actor, code, request=None) -> LogEntry:
    """Tick an action of the plan's sheet for this crisis type: an entry naming it. Ticked
    once: a second tick returns the first entry."""
    activation = _locked(activation)
    _live(activation)
    actions = dict(plan.actions_for(activation.cpts, activation.crisis_type))
    if code not in actions:
        raise ValidationError({"action": "Action inconnue dans le plan pour ce type de crise."})
    done = activation.log.filter(plan_action=code).first()
    if done is not None:
        return done
    entry = LogEntry.objects.create(cpts=activation.cpts, activation=activation, author=actor,
                                    text=f"Action du plan faite : {actions[code]}"[:ENTRY_MAX],
                                    plan_action=code, at=timezone.now())  # fmt: skip
    audit.record(action="crisis.action_done", actor=actor, cpts=activation.cpts, obj=entry,
                 request=request, detail={"action": code})  # fmt: skip
    return entry


@transaction.atomic
def set_notice(*, activation, actor, text, request=None) -> Activation:
    """The message shown on the CPTS's public page while the activation is live (an
    exercise's never is); empty to withdraw it."""
    activation = _locked(activation)
    if activation.ended_at is not None:
        raise ValidationError({"public_notice": "Cette activation est terminée : son message "
                                                "n'est plus affiché."})  # fmt: skip
    activation.public_notice = clean_text(text, field="public_notice", max_length=NOTICE_MAX,
                                          required=False)  # fmt: skip
    activation.public_notice_at = timezone.now()
    activation.save(update_fields=["public_notice", "public_notice_at"])
    audit.record(action="crisis.notice", actor=actor, cpts=activation.cpts, obj=activation,
                 request=request, detail={"length": len(activation.public_notice)})  # fmt: skip
    return activation


@transaction.atomic
def end(*, activation, actor, request=None) -> Activation:
    """End the activation (escalations stop: they check `ended_at`) and open its RETEX.
    Ending an ended activation changes nothing."""
    activation = _locked(activation)
    if activation.ended_at is not None:
        return activation
    activation.ended_at = timezone.now()
    activation.ended_by = actor
    activation.save(update_fields=["ended_at", "ended_by"])
    Retex.objects.get_or_create(activation=activation, defaults={"cpts": activation.cpts})
    audit.record(action="crisis.end", actor=actor, cpts=activation.cpts, obj=activation,
                 request=request)  # fmt: skip
    return activation


@transaction.atomic
def complete_retex(*, activation, actor, what_worked, what_failed, conclusions,
                   request=None) -> Retex:  # fmt: skip
    """Record the RETEX of an ended activation; its conclusions enter the plan's working
    draft (once: completing again updates the RETEX, the draft keeps its history)."""
    activation = _locked(activation)
    if activation.ended_at is None:
        raise ValidationError({"conclusions": "Terminez l'activation avant d'en faire le "
                                              "RETEX."})  # fmt: skip
    values = {
        "what_worked": clean_text(what_worked, field="what_worked", max_length=RETEX_MAX,
                                  required=False),
        "what_failed": clean_text(what_failed, field="what_failed", max_length=RETEX_MAX,
                                  required=False),
        "conclusions": clean_text(conclusions, field="conclusions", max_length=RETEX_MAX,
                                  required=True,
                                  missing="Écrivez les conclusions pour le plan."),
    }  # fmt: skip
    retex, _ = Retex.objects.get_or_create(activation=activation,
                                           defaults={"cpts": activation.cpts})  # fmt: skip
    first_time = retex.completed_at is None
    for name, value in values.items():
        setattr(retex, name, value)
    retex.completed_at = timezone.now()
    retex.completed_by = actor
    retex.save()
    audit.record(action="crisis.retex", actor=actor, cpts=activation.cpts, obj=retex,
                 request=request)  # fmt: skip
    if first_time:
        plan.append_retex(cpts=activation.cpts, retex=retex, actor=actor, request=request)
    return retex


def public_notices(cpts) -> list[Notice]:
    """The notices the public sees (core.public_notices): live activations that are not
    exercises, with a text."""
    rows = (Activation.objects.for_cpts(cpts).live().real().exclude(public_notice="")
            .order_by("-started_at"))  # fmt: skip
    return [Notice(key=a.public_id.hex,
                   heading=("Crise sanitaire en cours" if a.kind == ActivationKind.CRISIS
                            else "Vigilance en cours") + f" : {a.title}",
                   text=a.public_notice, at=a.public_notice_at or a.started_at)
            for a in rows]  # fmt: skip
