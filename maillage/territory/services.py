"""Changes to a CPTS's territory: every change is checked whole, then applied, audited and
kept in the territory's history, or nothing is written."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from maillage.core import audit
from maillage.core.models import Cpts
from maillage.core.text import echo
from maillage.core.validators import validate_insee_commune

from . import aci
from .models import Commune, Epci, TerritoryChange, TerritoryCommune, search_key

# Anything made of digits (and the A/B of Corsica) is read as an INSEE code, not a name.
LOOKS_LIKE_CODE = re.compile(r"[0-9][0-9AB][0-9]*", re.IGNORECASE)


# Called with the CPTS after each change of its territory, inside the change's transaction:
# the directory registers the refresh of its search index here (DirectoryConfig.ready),
# so that territory never imports the apps that depend on it.
territory_change_hooks: list = []


def _territory_changed(cpts: Cpts) -> None:
    for hook in territory_change_hooks:
        hook(cpts)


def territory_communes(cpts: Cpts):
    return Commune.objects.filter(
        pk__in=TerritoryCommune.objects.filter(cpts=cpts).values("commune_id")
    )


def territory_population(cpts: Cpts) -> int:
    return territory_communes(cpts).aggregate(total=Sum("population"))["total"] or 0


@dataclass(frozen=True)
class TerritorySummary:
    population: int
    commune_count: int
    size_class: int


def territory_summary(cpts: Cpts) -> TerritorySummary:
    population = territory_population(cpts)
    return TerritorySummary(
        population=population,
        commune_count=TerritoryCommune.objects.filter(cpts=cpts).count(),
        size_class=aci.size_class(population),
    )


def resolve_communes(text: str, *, include_archived: bool = False) -> list[Commune]:
    """Turn "38053, L'Isle-d'Abeau; Four" into communes.

    Items are separated by commas, semicolons or new lines; each is an INSEE code or a
    name (case and accents ignored). Every unknown or ambiguous item is reported at once,
    in French, so the coordinator fixes the whole list in one go.
    """
    items = [item.strip() for item in re.split(r"[,;\n]+", text or "") if item.strip()]
    if not items:
        raise ValidationError("Indiquez au moins une commune (nom ou code INSEE).")
    # Removing must reach a commune archived since (merged into a commune nouvelle).
    communes = Commune.objects.all() if include_archived else Commune.objects.current()
    errors, found = [], []
    for item in items:
        if LOOKS_LIKE_CODE.fullmatch(item):
            try:
                code = validate_insee_commune(item).value
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            commune = communes.filter(code=code).first()
            if commune is None:
                errors.append(f"Code INSEE inconnu : {echo(code)}.")
            else:
                found.append(commune)
            continue
        matches = list(communes.filter(search_name=search_key(item))[:6])
        if not matches:
            errors.append(f"Aucune commune nommée « {echo(item)} ».")
        elif len(matches) > 1:
            listed = ", ".join(f"{c.name} ({c.code})" for c in matches)
            errors.append(f"« {item} » est ambigu : {listed}. Indiquez le code INSEE.")
        else:
            found.append(matches[0])
    if errors:
        raise ValidationError(errors)
    unique = {c.pk: c for c in found}
    return list(unique.values())


def resolve_epci(text: str) -> Epci:
    value = (text or "").strip()
    if not value:
        raise ValidationError("Indiquez un EPCI (nom ou numéro SIREN).")
    if value.isdigit():
        epci = Epci.objects.filter(code=value).first()
        if epci is None:
            raise ValidationError(f"Aucun EPCI avec le SIREN {value}.")
        return epci
    key = search_key(value)
    matches = list(Epci.objects.filter(search_name=key)[:6]) or list(
        Epci.objects.filter(search_name__contains=key)[:6]
    )
    if not matches:
        raise ValidationError(f"Aucun EPCI nommé « {value} ».")
    if len(matches) > 1:
        listed = ", ".join(f"{e.name} ({e.code})" for e in matches)
        raise ValidationError(f"« {value} » est ambigu : {listed}. Indiquez le SIREN.")
    return matches[0]


def _record_change(*, cpts, actor, action, communes, before, after, reason, request):
    change = TerritoryChange.objects.create(
        cpts=cpts,
        actor=actor,
        action=action,
        communes=[{"code": c.code, "name": c.name, "population": c.population} for c in communes],
        population_before=before,
        population_after=after,
        reason=reason,
    )
    audit.record(
        action=f"territory.{action}",
        actor=actor,
        cpts=cpts,
        obj=change,
        request=request,
        detail={
            "communes": [c.code for c in communes],
            "population_before": before,
            "population_after": after,
        },
    )
    return change


@transaction.atomic
def territory_add_communes(
    *, cpts: Cpts, communes: list[Commune], actor=None, reason: str = "", request=None
) -> TerritoryChange:
    if not communes:
        raise ValidationError("Aucune commune à ajouter.")
    # Lock the tenant row so two coordinators editing at once serialise cleanly.
    Cpts.objects.select_for_update().filter(pk=cpts.pk).first()
    present = set(
        TerritoryCommune.objects.filter(cpts=cpts, commune__in=communes).values_list(
            "commune__code", flat=True
        )
    )
    if present:
        names = ", ".join(f"{c.name} ({c.code})" for c in communes if c.code in present)
        raise ValidationError(f"Déjà dans le territoire : {names}.")
    before = territory_population(cpts)
    TerritoryCommune.objects.bulk_create([TerritoryCommune(cpts=cpts, commune=c) for c in communes])
    after = territory_population(cpts)
    _territory_changed(cpts)
    return _record_change(
        cpts=cpts,
        actor=actor,
        action=TerritoryChange.Action.ADD,
        communes=communes,
        before=before,
        after=after,
        reason=reason,
        request=request,
    )


@transaction.atomic
def territory_remove_communes(
    *, cpts: Cpts, communes: list[Commune], actor=None, reason: str = "", request=None
) -> TerritoryChange:
    if not communes:
        raise ValidationError("Aucune commune à retirer.")
    Cpts.objects.select_for_update().filter(pk=cpts.pk).first()
    rows = TerritoryCommune.objects.filter(cpts=cpts, commune__in=communes)
    present = set(rows.values_list("commune__code", flat=True))
    missing = [c for c in communes if c.code not in present]
    if missing:
        names = ", ".join(f"{c.name} ({c.code})" for c in missing)
        raise ValidationError(f"Pas dans le territoire : {names}.")
    total = TerritoryCommune.objects.filter(cpts=cpts).count()
    if total - len(present) <= 0:
        raise ValidationError("Le territoire ne peut pas être vide : gardez au moins une commune.")
    before = territory_population(cpts)
    rows.delete()
    after = territory_population(cpts)
    _territory_changed(cpts)
    return _record_change(
        cpts=cpts,
        actor=actor,
        action=TerritoryChange.Action.REMOVE,
        communes=communes,
        before=before,
        after=after,
        reason=reason,
        request=request,
    )


def epci_communes(epci: Epci) -> list[Commune]:
    return list(Commune.objects.current().filter(epci=epci).order_by("code"))


@transaction.atomic
def territory_add_epci(*, cpts: Cpts, epci: Epci, actor=None, reason: str = "", request=None):
    """Add every commune of an EPCI that is not yet in the territory."""
    communes = epci_communes(epci)
    present = set(TerritoryCommune.objects.filter(cpts=cpts).values_list("commune_id", flat=True))
    new = [c for c in communes if c.pk not in present]
    if not new:
        raise ValidationError(f"Toutes les communes de {epci.name} sont déjà dans le territoire.")
    return territory_add_communes(
        cpts=cpts, communes=new, actor=actor, reason=reason or f"EPCI {epci.name}", request=request
    )
