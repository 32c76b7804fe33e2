"""Actions of the programme: vaccination campaigns, screening days, awareness sessions;
their places, partners, professionals (attendance), materials and proofs checklist.

The contract pays an action on its proofs (domain/prevention.md): the calendar, the
sign-in sheet (émargement), the materials used, and the numbers of people informed,
screened and referred. `checklist` says which of them are still missing.

The professionals' attendance (present, minutes) recorded after the action is the
record the association compensates them on: it is declared to core.attendance as the
source "prevention", read by community without touching this app.

Area: programme.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import attendance, audit, uploads
from maillage.core.indicators import period_bounds
from maillage.directory.models import Structure

from . import programme as programme_services
from . import scoring, vaccination
from .models import (
    Action,
    ActionKind,
    ActionProfessional,
    ActionStatus,
    Material,
    MaterialKind,
    ProgrammeTheme,
)

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.action_create": "Action de prévention créée",
        "prevention.action_update": "Action de prévention modifiée",
        "prevention.action_counts": "Comptes de preuves d'une action de prévention saisis",
        "prevention.professional_add": "Professionnel ajouté à une action de prévention",
        "prevention.professional_record": "Présence d'un professionnel à une action enregistrée",
        "prevention.professional_remove": "Professionnel retiré d'une action de prévention",
        "prevention.material_add": "Document ajouté à une action de prévention",
        "prevention.material_download": "Document d'une action de prévention téléchargé",
        "prevention.material_delete": "Document d'une action de prévention supprimé",
    },
    "objects": {
        "prevention.Action": "Action de prévention",
        "prevention.ActionProfessional": "Professionnel d'une action de prévention",
        "prevention.Material": "Document d'une action de prévention",
    },
    "places": {},
}

ACTION_FIELDS = ("kind", "theme", "title", "description", "start", "end", "status", "commune",
                 "structure", "place", "partners", "questionnaire", "vaccines", "target_size",
                 "objective_rate", "public", "audience", "capacity")  # fmt: skip
CAPACITY_MAX = 100_000
END_BEFORE_START = "La fin doit être après le début (même jour ou plus tard)."
CAPACITY_RANGE = f"Nombre de places entre 1 et {CAPACITY_MAX:,}.".replace(",", "\u202f")
MISSION = "prevention"

# Materials: what a proof may be, and how big, is core.uploads's rule.


# Actions -------------------------------------------------------------------------------


def _clean(obj, exclude):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def structures_for(cpts):
    """The directory structures an action may take place in."""
    return Structure.objects.visible_to(cpts).filter(active=True)


def programme_theme_of(cpts, theme, start) -> ProgrammeTheme | None:
    """The programme theme of the action's year, when the theme is on that programme."""
    if theme is None or start is None:
        return None
    year = timezone.localtime(start).year if timezone.is_aware(start) else start.year
    return ProgrammeTheme.objects.filter(cpts=cpts, programme__year=year, theme=theme).first()


def validate(cpts, data: dict) -> dict:
    """The cross-field rules of an action, as a dict of French messages per field."""
    errors = {}
    start, end = data.get("start"), data.get("end")
    if start and end and end < start:
        errors["end"] = END_BEFORE_START
    theme = data.get("theme")
    if theme is not None and not programme_services.themes_for(cpts).filter(pk=theme.pk).exists():
        errors["theme"] = "Thème inconnu."
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = CAPACITY_RANGE
    if data.get("public") and not capacity and "capacity" not in errors:
        errors["capacity"] = "Une action ouverte au public indique son nombre de places."
    questionnaire = data.get("questionnaire") or ""
    if questionnaire and questionnaire not in dict(scoring.choices(cpts)):
        errors["questionnaire"] = "Questionnaire inconnu."
    unknown = [v for v in data.get("vaccines") or [] if v not in vaccination.VACCINES]
    if unknown:
        errors["vaccines"] = "Vaccin inconnu : " + ", ".join(unknown) + "."
    structure = data.get("structure")
    if structure is not None and not structures_for(cpts).filter(pk=structure.pk).exists():
        errors["structure"] = "Structure inconnue de l'annuaire."
    return errors


@transaction.atomic
def action_save(*, cpts, actor, data: dict, action: Action | None = None,
                request=None) -> Action:
    """Create or update an action. A screening day without a questionnaire takes its
    theme's; a campaign keeps only vaccines; an action is linked to its theme on the
    programme of its year when there is one."""
    creating = action is None
    if creating:
        action = Action(cpts=cpts, created_by=actor)
    else:
        action = Action.objects.select_for_update().get(pk=action.pk, cpts=cpts)
    merged = {f: getattr(action, f, None) for f in ACTION_FIELDS if f != "theme"}
    merged["theme"] = action.theme if action.theme_id else None
    merged.update({k: v for k, v in data.items() if k in ACTION_FIELDS})
    errors = validate(cpts, merged)
    if errors:
        raise ValidationError(errors)
    for field in ACTION_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field in ("description", "place", "partners", "audience",
                                           "questionnaire"):  # fmt: skip
                value = ""
            setattr(action, field, value)
    if action.kind == ActionKind.SCREENING:
        if not action.questionnaire and action.theme_id:
            action.questionnaire = action.theme.questionnaire
    else:
        action.questionnaire = ""
    if action.kind != ActionKind.VACCINATION:
        action.vaccines = []
    if not action.public:
        action.audience = ""
    action.programme_theme = programme_theme_of(cpts, action.theme, action.start)
    _clean(action, exclude=["cpts", "created_by", "programme_theme"])
    action.save()
    audit.record(action="prevention.action_create" if creating else "prevention.action_update",
                 actor=actor, cpts=cpts, obj=action, request=request,
                 detail={"kind": action.kind, "theme": action.theme.code})  # fmt: skip
    return action


@transaction.atomic
def counts_save(*, action, actor, informed_count, paper_screened: int, paper_referred: int,
                request=None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    action.informed_count = informed_count
    action.paper_screened = paper_screened or 0
    action.paper_referred = paper_referred or 0
    action.save(update_fields=["informed_count", "paper_screened", "paper_referred"])
    audit.record(action="prevention.action_counts", actor=actor, cpts=action.cpts, obj=action,
                 request=request, detail={"informed": action.informed_count,
                                          "paper_screened": action.paper_screened,
                                          "paper_referred": action.paper_referred})  # fmt: skip
    return action


def index(cpts, *, kind: str = "", theme=None, year: int | None = None):
    """The mission's index: upcoming actions first (soonest first), then past ones (latest
    first)."""
    rows = Action.objects.for_cpts(cpts).select_related("theme", "commune", "structure")
    if kind:
        rows = rows.filter(kind=kind)
    if theme is not None:
        rows = rows.filter(theme=theme)
    if year:
        rows = rows.filter(start__year=year)
    now = timezone.now()
    upcoming = list(rows.filter(end__gte=now).order_by("start", "pk"))
    past = list(rows.filter(end__lt=now).order_by("-start", "pk"))
    return upcoming, past


# Professionals and their attendance ---------------------------------------------------


@transaction.atomic
def professional_add(*, action, membership, actor, role: str = "",
                     request=None) -> ActionProfessional:
    if membership.cpts_id != action.cpts_id:
        raise ValidationError({"member": "Ce professionnel n'est pas membre de la CPTS."})
    try:
        with transaction.atomic():
            row = ActionProfessional.objects.create(cpts=action.cpts, action=action,
                                                    user=membership.user, role=role[:120])
    except IntegrityError:
        raise ValidationError({"member": "Ce professionnel participe déjà à l'action."}) from None
    audit.record(action="prevention.professional_add", actor=actor, cpts=action.cpts,
                 obj=action, request=request, detail={"user": membership.user_id})  # fmt: skip
    return row


@transaction.atomic
def professional_record(*, professional, actor, attended: bool, minutes: int | None,
                        request=None) -> ActionProfessional:
    """After the action: was the professional there, and for how long."""
    if attended and not minutes:
        raise ValidationError({"minutes": "Indiquez le temps passé (en minutes)."})
    if minutes is not None and not 0 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": "Temps passé entre 0 et 1 440 minutes (24 h)."})
    row = ActionProfessional.objects.select_for_update().get(pk=professional.pk)
    row.attended = attended
    row.minutes = minutes if attended else None
    row.recorded_by, row.recorded_at = actor, timezone.now()
    row.save(update_fields=["attended", "minutes", "recorded_by", "recorded_at"])
    audit.record(action="prevention.professional_record", actor=actor, cpts=row.cpts,
                 obj=row.action, request=request,
                 detail={"user": row.user_id, "attended": attended,
                         "minutes": row.minutes})  # fmt: skip
    return row


@transaction.atomic
def professional_remove(*, professional, actor, request=None) -> None:
    audit.record(action="prevention.professional_remove", actor=actor, cpts=professional.cpts,
                 obj=professional.action, request=request,
                 detail={"user": professional.user_id})  # fmt: skip
    professional.delete()


def attendance_records(cpts, period) -> list[attendance.Attendance]:
    """Professionals recorded present at an action (not cancelled) starting in `period`."""
    low, high = period_bounds(period)
    rows = (ActionProfessional.objects.for_cpts(cpts)
            .filter(attended=True, action__start__gte=low, action__start__lt=high)
            .exclude(action__status=ActionStatus.CANCELLED)
            .select_related("user", "action").order_by("action__start", "pk"))  # fmt: skip
    out = []
    for row in rows:
        user = row.user
        out.append(attendance.Attendance(
            user_id=user.pk, professional_id=None,
            name=user.get_full_name() or user.email, activity=MISSION,
            started_at=row.action.start, minutes=row.minutes or 0,
            proof=f"Action de prévention « {row.action.title} » : présence enregistrée",
            ref=f"prevention.professional:{row.pk}",
        ))  # fmt: skip
    return out


# Materials ----------------------------------------------------------------------------


@transaction.atomic
def material_add(*, action, actor, kind: str, upload, request=None) -> Material:
    """Store an uploaded file: a known type (its extension, and its first bytes when the
    format has a signature), 10 MB at most."""
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": "Nature du document inconnue."})
    name, content_type, content = uploads.check_upload(upload)
    material = Material.objects.create(
        cpts=action.cpts, action=action, kind=kind, file_name=name,
        content_type=content_type, size=len(content), content=content,
        uploaded_by=actor,
    )  # fmt: skip
    audit.record(action="prevention.material_add", actor=actor, cpts=action.cpts, obj=material,
                 request=request, detail={"action": str(action.public_id), "kind": kind,
                                          "size": len(content)})  # fmt: skip
    return material


@transaction.atomic
def material_delete(*, material, actor, request=None) -> None:
    audit.record(action="prevention.material_delete", actor=actor, cpts=material.cpts,
                 obj=material, request=request,
                 detail={"action": str(material.action.public_id),
                         "file_name": material.file_name})  # fmt: skip
    material.delete()


# Proofs checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    code: str
    label: str
    done: bool
    detail: str

    @property
    def status(self) -> str:
        return "fait" if self.done else "manquant"


def checklist(action, figures: dict | None = None) -> list[Proof]:
    """The proofs the contract asks of an action, each done or missing."""
    from .indicators import action_figures

    figures = figures if figures is not None else action_figures(action)
    kinds = {}
    for kind in Material.objects.filter(action=action).values_list("kind", flat=True):
        kinds[kind] = kinds.get(kind, 0) + 1
    supports = kinds.get(MaterialKind.MATERIAL, 0) + kinds.get(MaterialKind.PHOTO, 0)

    def files(n):
        return f"{n} fichier{'s' if n > 1 else ''}" if n else ""

    def count(value):
        return "" if not value else f"{value}"

    informed = figures.get("informed")
    return [
        Proof("calendar", "Calendrier", bool(kinds.get(MaterialKind.CALENDAR)),
              files(kinds.get(MaterialKind.CALENDAR, 0))),
        Proof("sign_in", "Feuille d'émargement", bool(kinds.get(MaterialKind.SIGN_IN)),
              files(kinds.get(MaterialKind.SIGN_IN, 0))),
        Proof("materials", "Supports utilisés", bool(supports), files(supports)),
        Proof("informed", "Personnes informées", bool(informed), count(informed)),
        Proof("screened", "Personnes dépistées", bool(figures.get("screened")),
              count(figures.get("screened"))),
        Proof("referred", "Personnes orientées", bool(figures.get("referred")),
              count(figures.get("referred"))),
    ]  # fmt: skip


def target_of(action) -> tuple[int | None, object, str]:
    """(target population size, objective rate in %, where the size comes from) of an
    action: its own figures, else its programme theme's."""
    theme = action.programme_theme
    size = action.target_size if action.target_size is not None else (
        theme.target_size if theme else None)
    rate = action.objective_rate if action.objective_rate is not None else (
        theme.objective_rate if theme else None)
    if action.target_size is not None:
        note = "saisie sur l'action"
    elif theme is not None and theme.target_size is not None:
        note = theme.target_note or theme.get_target_source_display()
    else:
        note = ""
    return size, rate, note


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
    register_labels(**programme_services.AUDIT_LABELS)
    attendance.register(MISSION, label="Actions de prévention", records=attendance_records)
