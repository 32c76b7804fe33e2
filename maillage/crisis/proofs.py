"""Proofs for the contract (ACI, avenant 2): the plan delivered, its yearly update, and per
real activation what pays the variable part: professionals mobilised, actions carried out,
people of the register reached. The same figures feed the indicator registry (core) and
the attendance registry (for compensating the professionals' time).

Definitions (also on the page and in the exports):
- an exercise counts nowhere (ActivationQuerySet.real());
- a professional mobilised is a contact who answered an alert of the activation "available
  now" or "available from", counted once per activation however many alerts they got;
- an action carried out is an entry of the main courante: a plan action ticked, or another
  entry; a correction is not an action (it fixes an entry already counted);
- a person reached is one of the register whose call ended "reached, fine" or "reached,
  needs help", counted once; only counts are read here, never an identity.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from maillage.core import attendance, indicators
from maillage.core.indicators import period_bounds
from maillage.notifications.models import Answer

from .models import (
    Activation,
    ActivationKind,
    AlertRecipient,
    Call,
    CallOutcome,
    LogEntry,
    PlanVersion,
)

AVAILABLE = (Answer.AVAILABLE_NOW, Answer.AVAILABLE_FROM)
REACHED = (CallOutcome.FINE, CallOutcome.NEEDS_HELP)
# The time credited to a professional who answered "available" in a real activation: a
# half-day, the unit the associations compensate a mobilisation with (the log does not
# record when each person stopped).
ATTENDANCE_MINUTES = 240
MISSION = "crisis"


@dataclass
class ActivationFigures:
    activation: Activation
    professionals: int = 0
    plan_actions: int = 0
    other_entries: int = 0
    reached: int = 0

    @property
    def actions(self) -> int:
        return self.plan_actions + self.other_entries


@dataclass
class YearProofs:
    year: int
    first_delivered: PlanVersion | None
    versions: list[PlanVersion] = field(default_factory=list)  # approved in the year
    activations: list[ActivationFigures] = field(default_factory=list)

    @property
    def totals(self) -> ActivationFigures:
        total = ActivationFigures(activation=None)
        total.professionals = self.professionals
        total.plan_actions = sum(a.plan_actions for a in self.activations)
        total.other_entries = sum(a.other_entries for a in self.activations)
        total.reached = sum(a.reached for a in self.activations)
        return total

    professionals: int = 0  # distinct over the year's activations


def real_activations(cpts, period):
    low, high = period_bounds(period)
    return Activation.objects.for_cpts(cpts).real().filter(started_at__gte=low,
                                                           started_at__lt=high)  # fmt: skip


def _mobilised(activation_ids):
    return AlertRecipient.objects.filter(alert__activation_id__in=activation_ids,
                                         notification__answer__in=AVAILABLE)  # fmt: skip


def figures(activations) -> list[ActivationFigures]:
    """The figures of each activation, a handful of aggregate queries whatever their number."""
    rows = {a.pk: ActivationFigures(activation=a) for a in activations}
    ids = list(rows)
    if not ids:
        return []
    for row in (_mobilised(ids).values("alert__activation_id")
                .annotate(n=Count("contact", distinct=True))):  # fmt: skip
        rows[row["alert__activation_id"]].professionals = row["n"]
    entries = (LogEntry.objects.filter(activation_id__in=ids, corrects__isnull=True)
               .values("activation_id")
               .annotate(plan=Count("pk", filter=~Q(plan_action="")),
                         other=Count("pk", filter=Q(plan_action=""))))  # fmt: skip
    for row in entries:
        rows[row["activation_id"]].plan_actions = row["plan"]
        rows[row["activation_id"]].other_entries = row["other"]
    for row in (Call.objects.filter(campaign__activation_id__in=ids, outcome__in=REACHED)
                .values("campaign__activation_id").annotate(n=Count("person", distinct=True))):
        rows[row["campaign__activation_id"]].reached = row["n"]
    return list(rows.values())


def year_proofs(cpts, year: int) -> YearProofs:
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    low, high = period_bounds(period)
    approved = PlanVersion.objects.for_cpts(cpts).filter(approved_at__isnull=False)
    first = approved.filter(delivered_on__isnull=False).order_by("delivered_on", "number").first()
    versions = list(approved.filter(approved_at__gte=low, approved_at__lt=high)
                    .order_by("number"))  # fmt: skip
    activations = list(real_activations(cpts, period).select_related("started_by", "ended_by")
                       .order_by("started_at"))  # fmt: skip
    proofs = YearProofs(year=year, first_delivered=first, versions=versions,
                        activations=figures(activations))  # fmt: skip
    proofs.professionals = (_mobilised([a.pk for a in activations])
                            .values("contact").distinct().count())  # fmt: skip
    return proofs


# The indicator registry (core.indicators) ------------------------------------------------


def _count_activations(cpts, period):
    rows = real_activations(cpts, period)
    crises = rows.filter(kind=ActivationKind.CRISIS).count()
    return indicators.Value(rows.count(), note=f"dont {crises} crise(s) déclenchée(s) par "
                                               "l'autorité")  # fmt: skip


def _count_professionals(cpts, period):
    ids = list(real_activations(cpts, period).values_list("pk", flat=True))
    return indicators.Value(_mobilised(ids).values("contact").distinct().count())


def _count_actions(cpts, period):
    ids = list(real_activations(cpts, period).values_list("pk", flat=True))
    rows = LogEntry.objects.filter(activation_id__in=ids, corrects__isnull=True).aggregate(
        plan=Count("pk", filter=~Q(plan_action="")), other=Count("pk", filter=Q(plan_action="")))
    return indicators.Value(rows["plan"] + rows["other"],
                            note=f"dont {rows['plan']} action(s) du plan")  # fmt: skip


def _count_reached(cpts, period):
    ids = list(real_activations(cpts, period).values_list("pk", flat=True))
    return indicators.Value(Call.objects.filter(campaign__activation_id__in=ids,
                                                outcome__in=REACHED)
                            .values("person").distinct().count())  # fmt: skip


INDICATORS = (
    ("crisis.activations", "Crises et vigilances activées",
     "Activations de la période (crises déclenchées par l'ARS, le préfet ou le ministre, et "
     "vigilances), exercices exclus.", "activations", _count_activations),
    ("crisis.professionals_mobilised", "Professionnels mobilisés en crise",
     "Contacts ayant répondu « disponible » (maintenant ou à partir d'une heure) à une alerte "
     "d'une activation de la période, chacun compté une fois ; exercices exclus.",
     "professionnels", _count_professionals),
    ("crisis.actions_carried_out", "Actions réalisées en crise",
     "Entrées de la main courante des activations de la période : actions du plan cochées et "
     "autres actions notées (les corrections ne comptent pas) ; exercices exclus.",
     "actions", _count_actions),
    ("crisis.vulnerable_reached", "Personnes vulnérables jointes",
     "Personnes du registre jointes par téléphone (va bien ou a besoin d'aide) lors des "
     "campagnes d'appels des activations de la période, chacune une fois ; exercices exclus.",
     "personnes", _count_reached),
)  # fmt: skip


def register_indicators():
    for code, label, definition, unit, compute in INDICATORS:
        indicators.register(code, mission=MISSION, label=label, definition=definition,
                            unit=unit, source="main courante et alertes de crise (Maillage)",
                            compute=compute)  # fmt: skip
    attendance.register("crisis", label="Mobilisation en crise", records=attendance_records)
    indicators.register_start(MISSION, label="première version du plan de crise approuvée "
                                             "ou première activation",
                              first_activity=first_activity)  # fmt: skip


def first_activity(cpts):
    """The first approval of a plan version or the first real activation (exercises
    excluded), whichever came first."""
    dates = [
        PlanVersion.objects.for_cpts(cpts).filter(approved_at__isnull=False)
        .order_by("approved_at").values_list("approved_at", flat=True).first(),
        Activation.objects.for_cpts(cpts).real().order_by("started_at")
        .values_list("started_at", flat=True).first(),
    ]  # fmt: skip
    dates = [timezone.localtime(d).date() for d in dates if d is not None]
    return min(dates) if dates else None


def attendance_records(cpts, period) -> list[attendance.Attendance]:
    """One record per contact with an account who answered "available" in a real
    activation, per activation, dated by their answer within `period`; a half-day each
    (ATTENDANCE_MINUTES)."""
    low, high = period_bounds(period)
    rows = (AlertRecipient.objects
            .filter(alert__cpts=cpts, notification__answer__in=AVAILABLE,
                    notification__answered_at__gte=low, notification__answered_at__lt=high,
                    contact__account__isnull=False)
            .exclude(alert__activation__isnull=True)
            .exclude(alert__activation__kind=ActivationKind.EXERCISE)
            .select_related("contact", "alert__activation", "notification")
            .order_by("notification__answered_at", "pk"))  # fmt: skip
    seen, records = set(), []
    for row in rows:
        activation = row.alert.activation
        key = (row.contact_id, activation.pk)
        if key in seen:
            continue
        seen.add(key)
        answer = row.notification
        started = answer.answer_available_from or answer.answered_at
        records.append(attendance.Attendance(
            user_id=row.contact.account_id, professional_id=row.contact.professional_id,
            name=row.contact.name, activity="crisis", started_at=started,
            minutes=ATTENDANCE_MINUTES,
            proof=f"Mobilisation crise « {activation.title} » : réponse "
                  f"« {answer.get_answer_display().lower()} » le "
                  f"{timezone.localtime(answer.answered_at):%d/%m/%Y à %H:%M}",
            ref=f"crisis.recipient:{activation.public_id}:{row.contact.public_id}",
        ))  # fmt: skip
    return records


# Exports ------------------------------------------------------------------------------

CSV_HEADER = ["année", "nature", "type de crise", "intitulé", "déclenchée par",
              "référence de la décision", "date de la décision", "début", "fin",
              "professionnels mobilisés", "actions du plan", "autres actions",
              "personnes vulnérables jointes"]  # fmt: skip


def _when(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def csv_rows(proofs: YearProofs):
    for row in proofs.activations:
        a = row.activation
        yield [proofs.year, a.get_kind_display(), a.get_crisis_type_display(), a.title,
               a.get_trigger_authority_display() if a.trigger_authority else "",
               a.trigger_reference, a.trigger_on.strftime("%d/%m/%Y") if a.trigger_on else "",
               _when(a.started_at), _when(a.ended_at), row.professionals, row.plan_actions,
               row.other_entries, row.reached]  # fmt: skip


def pdf(cpts, proofs: YearProofs) -> bytes:
    from maillage.core import pdf as doc

    s = doc.styles()
    story = [doc.para(f"Gestion des crises sanitaires graves — preuves {proofs.year}", s.title),
             doc.para(cpts.name, s.body),
             doc.para("Plan de crise", s.h2)]  # fmt: skip
    first = proofs.first_delivered
    story.append(doc.para(
        f"Plan remis à l'ARS et à la CPAM : version {first.number}, le "
        f"{first.delivered_on:%d/%m/%Y}." if first else
        "Plan remis à l'ARS et à la CPAM : aucune version approuvée remise à ce jour.", s.body))
    story.append(doc.grid(
        ["Version", "Approuvée le", "Remise le", "Objet"],
        [[str(v.number), f"{timezone.localtime(v.approved_at):%d/%m/%Y}",
          f"{v.delivered_on:%d/%m/%Y}" if v.delivered_on else "—", v.note or "—"]
         for v in proofs.versions],
        [0.12, 0.2, 0.2, 0.48], style=s,
        empty=f"Aucune version approuvée en {proofs.year} (mise à jour annuelle).",
    ))  # fmt: skip
    story.append(doc.para("Activations (exercices exclus)", s.h2))
    story.append(doc.grid(
        ["Activation", "Déclenchement", "Dates", "Professionnels mobilisés",
         "Actions (plan + autres)", "Personnes jointes"],
        [[f"{r.activation.get_kind_display()} — {r.activation.title} "
          f"({r.activation.get_crisis_type_display()})",
          (f"{r.activation.get_trigger_authority_display()}, {r.activation.trigger_reference}"
           if r.activation.trigger_authority else "—"),
          f"du {_when(r.activation.started_at)}"
          + (f" au {_when(r.activation.ended_at)}" if r.activation.ended_at else " (en cours)"),
          str(r.professionals), f"{r.actions} ({r.plan_actions} + {r.other_entries})",
          str(r.reached)] for r in proofs.activations],
        [0.26, 0.18, 0.18, 0.12, 0.14, 0.12], style=s,
        empty=f"Aucune crise ni vigilance en {proofs.year}.",
    ))  # fmt: skip
    totals = proofs.totals
    story.append(doc.para(
        f"Total {proofs.year} : {proofs.professionals} professionnel(s) mobilisé(s) "
        f"(chacun une fois), {totals.actions} action(s) réalisée(s) dont "
        f"{totals.plan_actions} du plan, {totals.reached} personne(s) vulnérable(s) "
        "jointe(s).", s.body))  # fmt: skip
    story.append(doc.para(
        "Définitions : un professionnel mobilisé a répondu « disponible » à une alerte de "
        "l'activation ; une action est une entrée de la main courante (les corrections ne "
        "comptent pas) ; une personne jointe l'a été par la campagne d'appels (va bien ou a "
        "besoin d'aide). Les exercices ne sont pas comptés.", s.small))  # fmt: skip
    return doc.build(story, title=f"Preuves crise {proofs.year}", author=cpts.name,
                     footer=f"{cpts.name} — preuves de la mission crise {proofs.year}")
