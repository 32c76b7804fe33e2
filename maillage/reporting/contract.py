"""The contract as data: created from a shipped template (the standard grid, the real
year-5 example of the annexes), edited amount by amount, or replaced in one go by the
API's PUT; indicators with their tiers or targets, and the figures the CPAM supplies.
Every write is validated whole and written in one transaction, and audited."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.core import audit

from . import missions as mission_rules
from .models import (
    Contract,
    ContractAction,
    ContractIndicator,
    ContractMission,
    Direction,
    IndicatorSource,
    IndicatorYear,
    MissionCode,
    MissionStatus,
    MissionYear,
    ProofRequirement,
    Rule,
    SuppliedFigure,
    Tier,
)

AUDIT_LABELS: dict = {
    "actions": {
        "reporting.contract_create": "Contrat ACI créé depuis un modèle",
        "reporting.contract_save": "Contrat ACI modifié (dates, taille, montants)",
        "reporting.indicator_save": "Indicateur du contrat ACI enregistré",
        "reporting.indicator_delete": "Indicateur du contrat ACI supprimé",
        "reporting.figure_save": "Chiffre d'un indicateur du contrat saisi",
        "reporting.mission_status": "État d'une mission du contrat modifié",
    },
    "places": {
        "reporting.contract": "Contrat ACI",
        "reporting.missions": "Tableau de bord des missions du contrat",
        "reporting.api_contract": "API du contrat ACI",
    },
}

# Shipped templates (data/*.json): code → French label.
TEMPLATES = {
    "standard": "Grille standard de l'ACI (montants de la taille du territoire)",
    "exemple-annee-5": "Exemple réel d'un contrat en 5e année",
}
DATA = Path(__file__).resolve().parent / "data"

# The largest amount a field holds (12 digits, 2 of them cents): beyond, a clear refusal
# rather than a database error.
AMOUNT_MAX = Decimal("9999999999.99")
VALUE_MAX = Decimal("999999999999.99")
MAX_MISSIONS = len(MissionCode.choices)


@cache
def load_template(code: str) -> dict:
    """A shipped template, its `based_on` template's tree filled in (the year-5 example
    keeps the standard grid's actions and indicators, with its own amounts)."""
    if code not in TEMPLATES:
        raise KeyError(code)
    data = json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))
    if "based_on" in data:
        base = json.loads(json.dumps(load_template(data["based_on"])))
        overrides = data.pop("missions", {})
        for mission in base["missions"]:
            mission.update(overrides.get(mission["code"], {}))
        data = {**base, **{k: v for k, v in data.items() if k != "based_on"}}
    return data


# -- parsing -------------------------------------------------------------------------


def parse_amount(value, *, maximum: Decimal = AMOUNT_MAX, negative: bool = False) -> Decimal:
    """Euros with at most two decimals, from a JSON number or a French text ("2 500,50").
    Raises ValueError with a French message."""
    if value is None or isinstance(value, bool):
        raise ValueError("Montant manquant." if value is None else "Nombre attendu.")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    text = text.replace(",", ".").removesuffix("€").removesuffix("EUR")
    if not text:
        raise ValueError("Montant manquant.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Nombre attendu (ex. 2500 ou 2 500,50).") from None
    if not amount.is_finite():
        raise ValueError("Nombre attendu (ex. 2500 ou 2 500,50).")
    if amount < 0 and not negative:
        raise ValueError("Un montant ne peut pas être négatif.")
    # copy_abs, not abs(): abs() rounds to the context and overflows on "1E1000000".
    if amount.copy_abs() > maximum:
        raise ValueError(f"Nombre trop grand (au plus {maximum:,.0f}).".replace(",", " "))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Deux décimales au plus (au centime près).")
    return amount.quantize(Decimal("0.01"))


def parse_value(value) -> Decimal:
    """An indicator's value, threshold, target or baseline: counts and rates, never below
    zero."""
    return parse_amount(value, maximum=VALUE_MAX)


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    else:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("Date attendue (AAAA-MM-JJ).")
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("Date invalide (format attendu : AAAA-MM-JJ).") from None
    if not datetime.date(1990, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise ValueError("Date hors des limites acceptées (de 1990 à 2100).")
    return day


def parse_int(value, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} : nombre entier attendu.")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{what} : nombre entier attendu.")
    try:
        number = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise ValueError(f"{what} : nombre entier attendu.") from None
    if not low <= number <= high:
        raise ValueError(f"{what} : de {low} à {high}.")
    return number


def size_class_of(cpts) -> int:
    from maillage.territory import aci
    from maillage.territory.services import territory_population

    return aci.size_class(territory_population(cpts))


# -- template ------------------------------------------------------------------------


def _build_tree(contract, template: dict) -> None:
    for mission_data in template["missions"]:
        mission = ContractMission.objects.create(
            contract=contract,
            code=mission_data["code"],
            included=mission_data["included"] or mission_rules.mandatory(mission_data["code"]),
        )
        MissionYear.objects.bulk_create(
            MissionYear(mission=mission, year=year, fixed=Decimal(mission_data["fixed"]),
                        variable=Decimal(mission_data["variable"]))
            for year in range(1, contract.years + 1))  # fmt: skip
        position = 0
        for a_pos, action_data in enumerate(mission_data.get("actions", [])):
            action = ContractAction.objects.create(
                mission=mission, title=action_data["title"],
                description=action_data.get("description", ""), position=a_pos)  # fmt: skip
            by_code = {}
            for ind in action_data.get("indicators", []):
                position += 1
                indicator = ContractIndicator.objects.create(
                    mission=mission,
                    action=action,
                    code=ind["code"],
                    label=ind["label"],
                    definition=ind.get("definition", ""),
                    source=ind["source"],
                    registry_code=ind.get("registry_code", ""),
                    unit=ind.get("unit", "nombre"),
                    baseline=Decimal(ind["baseline"]) if ind.get("baseline") else None,
                    direction=ind.get("direction", Direction.HIGHER),
                    position=position,
                )
                by_code[ind["code"]] = indicator
                for year in range(1, contract.years + 1):
                    rule = IndicatorYear.objects.create(
                        indicator=indicator, year=year, rule=ind["rule"],
                        target=Decimal(ind["target"]) if ind.get("target") else None,
                        amount=Decimal(ind["amount"]) if ind.get("amount") else None,
                        pro_rata=ind.get("pro_rata", True))  # fmt: skip
                    Tier.objects.bulk_create(
                        Tier(indicator_year=rule, threshold=Decimal(t), amount=Decimal(a),
                             position=i)
                        for i, (t, a) in enumerate(ind.get("tiers", [])))  # fmt: skip
            for p_pos, proof in enumerate(action_data.get("proofs", [])):
                ProofRequirement.objects.create(
                    mission=mission, action=action, indicator=by_code.get(proof.get("indicator")),
                    label=proof["label"], kind=proof["kind"],
                    registry_code=proof.get("registry_code", ""),
                    expected=proof.get("expected", 1), position=p_pos)  # fmt: skip


@transaction.atomic
def apply_template(*, cpts, template: str, signed_on, actor, request=None):
    """Create the CPTS's contract from a shipped template (refused when one exists).
    Returns the Contract."""
    errors = {}
    if template not in TEMPLATES:
        errors["template"] = "Modèle de contrat inconnu : choisissez-en un dans la liste."
    try:
        signed_on = parse_date(signed_on)
    except ValueError as exc:
        errors["signed_on"] = f"Date de signature : {exc}"
    if errors:
        raise ValidationError(errors)
    if Contract.objects.select_for_update().filter(cpts=cpts).exists():
        raise ValidationError("Cette CPTS a déjà un contrat ACI : modifiez-le plutôt.")
    data = load_template(template)
    size_class = size_class_of(cpts)
    contract = Contract.objects.create(
        cpts=cpts, signed_on=signed_on, size_class=size_class, template=template,
        operating_grant=Decimal(data["operating_grant"][str(size_class)]),
        years=data.get("years", 5))  # fmt: skip
    _build_tree(contract, data)
    _sync_signature(cpts, signed_on)
    audit.record(action="reporting.contract_create", actor=actor, cpts=cpts, obj=contract,
                 request=request, detail={"template": template, "signed_on": str(signed_on),
                                          "size_class": size_class})  # fmt: skip
    return contract


def _sync_signature(cpts, signed_on) -> None:
    # The territory page computes the deadlines from the CPTS's own date: one date.
    if cpts.aci_signed_on != signed_on:
        cpts.aci_signed_on = signed_on
        cpts.save(update_fields=["aci_signed_on"])


# -- the whole contract (PUT) ----------------------------------------------------------


def clean_payload(payload, *, years: int = 5) -> dict:
    """The payload checked whole: every error at once, each named after its field
    ("missions[1].years[0].fixed"). Returns the clean values."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        raise ValidationError({"body": "Un objet JSON est attendu."})
    clean: dict = {"missions": []}
    try:
        clean["signed_on"] = parse_date(payload.get("signed_on"))
    except ValueError as exc:
        errors["signed_on"] = str(exc)
    try:
        clean["size_class"] = parse_int(payload.get("size_class"), 1, 4, "Taille")
    except ValueError as exc:
        errors["size_class"] = f"{exc} (taille ACI, de 1 à 4)."
    try:
        clean["operating_grant"] = parse_amount(payload.get("operating_grant"))
    except ValueError as exc:
        errors["operating_grant"] = str(exc)
    missions = payload.get("missions")
    if not isinstance(missions, list):
        errors["missions"] = "Liste des missions attendue."
        missions = []
    if len(missions) > MAX_MISSIONS:
        errors["missions"] = f"{MAX_MISSIONS} missions au plus."
        missions = []
    seen = set()
    for m_index, item in enumerate(missions):
        where = f"missions[{m_index}]"
        if not isinstance(item, dict):
            errors[where] = "Objet attendu ({code, started_on, years})."
            continue
        code = item.get("code")
        if not isinstance(code, str) or code not in mission_rules.CODES:
            errors[f"{where}.code"] = ("Mission inconnue. Valeurs possibles : "
                                       + ", ".join(mission_rules.CODES) + ".")  # fmt: skip
            code = None
        elif code in seen:
            errors[f"{where}.code"] = f"Mission « {code} » donnée deux fois."
        seen.add(code)
        mission = {"code": code, "started_on": None, "years": []}
        if item.get("started_on") not in (None, ""):
            try:
                mission["started_on"] = parse_date(item["started_on"])
            except ValueError as exc:
                errors[f"{where}.started_on"] = str(exc)
        year_items = item.get("years") or []
        if not isinstance(year_items, list) or len(year_items) > years:
            errors[f"{where}.years"] = f"Liste d'au plus {years} années attendue."
            year_items = []
        seen_years = set()
        for y_index, year_item in enumerate(year_items):
            y_where = f"{where}.years[{y_index}]"
            if not isinstance(year_item, dict):
                errors[y_where] = "Objet attendu ({year, fixed, variable})."
                continue
            row = {}
            try:
                row["year"] = parse_int(year_item.get("year"), 1, years, "Année du contrat")
                if row["year"] in seen_years:
                    errors[f"{y_where}.year"] = f"L'année {row['year']} est donnée deux fois."
                seen_years.add(row["year"])
            except ValueError as exc:
                errors[f"{y_where}.year"] = str(exc)
            for part in ("fixed", "variable"):
                try:
                    row[part] = parse_amount(year_item.get(part))
                except ValueError as exc:
                    errors[f"{y_where}.{part}"] = str(exc)
            mission["years"].append(row)
        clean["missions"].append(mission)
    missing = [c for c in mission_rules.CODES if mission_rules.mandatory(c) and c not in seen]
    if missing and "missions" not in errors:
        errors["missions"] = ("Missions obligatoires manquantes : "
                              + ", ".join(missing) + ".")  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def save_payload(*, cpts, payload: dict, actor, request=None):
    """PUT /api/v1/aci/contract: replace the contract's dates, size, grant, missions and
    their yearly amounts (indicators of a mission kept). ValidationError naming the field
    (e.g. "missions[2].years[0].fixed") when anything is wrong; nothing written then.
    A mission absent from the payload is left out of the contract (an optional one; the
    mandatory ones must be there). A start before the signature or after its deadline is
    accepted: `status.warnings` says so on the page and in the report."""
    contract = Contract.objects.select_for_update().filter(cpts=cpts).first()
    clean = clean_payload(payload, years=contract.years if contract else 5)
    created = contract is None
    if created:
        contract = Contract(cpts=cpts, years=5)
    contract.signed_on = clean["signed_on"]
    contract.size_class = clean["size_class"]
    contract.operating_grant = clean["operating_grant"]
    contract.updated_at = timezone.now()
    contract.save()
    existing = {m.code: m for m in contract.missions.all()}
    given = {m["code"]: m for m in clean["missions"]}
    for code in mission_rules.CODES:
        mission = existing.get(code)
        data = given.get(code)
        if data is None:
            if mission is not None and mission.included:
                mission.included = False
                mission.save(update_fields=["included"])
            continue
        if mission is None:
            mission = ContractMission(contract=contract, code=code)
        mission.included = True
        if data["started_on"] is None:
            mission.status, mission.started_on, mission.deployed_on = (
                MissionStatus.NOT_STARTED, None, None)  # fmt: skip
        elif mission.started_on != data["started_on"]:
            mission.started_on = data["started_on"]
            if mission.deployed_on and mission.deployed_on < mission.started_on:
                mission.deployed_on = None
            mission.status = (
                MissionStatus.DEPLOYED if mission.deployed_on else MissionStatus.STARTED
            )
        mission.save()
        mission.years.all().delete()
        MissionYear.objects.bulk_create(
            MissionYear(mission=mission, year=y["year"], fixed=y["fixed"], variable=y["variable"])
            for y in data["years"])  # fmt: skip
    _sync_signature(cpts, contract.signed_on)
    audit.record(action="reporting.contract_save", actor=actor, cpts=cpts, obj=contract,
                 request=request, detail={"signed_on": str(contract.signed_on),
                                          "size_class": contract.size_class,
                                          "missions": sorted(given),
                                          "created": created})  # fmt: skip
    return contract


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def as_payload(contract) -> dict:
    """GET /api/v1/aci/contract."""
    from . import status

    missions = []
    for mission in contract.missions.filter(included=True).prefetch_related("years"):
        missions.append({
            "code": mission.code,
            "started_on": mission.started_on.isoformat() if mission.started_on else None,
            "years": [{"year": y.year, "fixed": _amount(y.fixed), "variable": _amount(y.variable)}
                      for y in mission.years.all()],
        })  # fmt: skip
    return {"signed_on": contract.signed_on.isoformat(), "size_class": contract.size_class,
            "operating_grant": _amount(contract.operating_grant), "years": contract.years,
            "missions": missions, "warnings": status.warnings(contract)}  # fmt: skip


# -- indicators ----------------------------------------------------------------------

TIER_LINE = re.compile(r"^\s*(?P<threshold>[^→>;:=]+?)\s*(?:→|->|=>|>|;|:|=)\s*(?P<amount>.+?)\s*$")


def parse_tier_lines(text: str) -> list[tuple[str, str]]:
    """ "seuil → montant" lines into (threshold text, amount text) pairs; ValueError naming
    the line that cannot be read."""
    pairs = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = TIER_LINE.match(line)
        if match is None:
            raise ValueError(f"Ligne {number} illisible : écrivez « seuil → montant » "
                             "(ex. 55 → 2500).")  # fmt: skip
        pairs.append((match["threshold"], match["amount"]))
    return pairs


def check_tiers(pairs, direction: str) -> list[tuple[Decimal, Decimal]]:
    """Tiers as (threshold, amount), checked: thresholds in one order (increasing for an
    indicator where higher is better; increasing or decreasing where lower is better), no
    two alike, and each better threshold paying more. ValueError with the French reason."""
    if not pairs:
        raise ValueError("Indiquez au moins un palier (seuil → montant).")
    if len(pairs) > 20:
        raise ValueError("20 paliers au plus.")
    tiers = []
    for index, (threshold, amount) in enumerate(pairs, start=1):
        try:
            t = parse_value(threshold)
        except ValueError as exc:
            raise ValueError(f"Palier {index}, seuil : {exc}") from None
        try:
            a = parse_amount(amount)
        except ValueError as exc:
            raise ValueError(f"Palier {index}, montant : {exc}") from None
        tiers.append((t, a))
    thresholds = [t for t, _a in tiers]
    rising = all(x < y for x, y in zip(thresholds, thresholds[1:], strict=False))
    falling = all(x > y for x, y in zip(thresholds, thresholds[1:], strict=False))
    if direction == Direction.HIGHER and not rising:
        raise ValueError("Paliers dans le désordre : les seuils doivent croître d'une ligne à "
                         "l'autre (plus c'est haut, mieux c'est), sans doublon.")  # fmt: skip
    if direction == Direction.LOWER and not (rising or falling):
        raise ValueError("Paliers dans le désordre : les seuils doivent aller dans un seul sens, "
                         "sans doublon.")  # fmt: skip
    # From the easiest tier to the best one, each must pay more.
    ordered = sorted(tiers, key=lambda ta: ta[0], reverse=direction == Direction.LOWER)
    if any(x[1] >= y[1] for x, y in zip(ordered, ordered[1:], strict=False)):
        better = "plus haut" if direction == Direction.HIGHER else "plus bas"
        raise ValueError(f"Paliers dans le désordre : un seuil {better} (meilleur) doit payer "
                         "davantage que le précédent.")  # fmt: skip
    return ordered


def clean_indicator(contract, data: dict, years_data: dict, *, indicator=None) -> dict:
    """Check an indicator's definition and its rule for each year; every error at once,
    named after the form's fields (`label`, `registry_code`, `y2_tiers`...)."""
    from maillage.core import indicators as registry

    errors: dict[str, str] = {}
    clean: dict = {}
    mission = contract.missions.filter(code=data.get("mission")).first()
    if mission is None:
        errors["mission"] = "Choisissez une mission du contrat."
    clean["mission"] = mission
    label = (data.get("label") or "").strip()
    if not label:
        errors["label"] = "Indiquez l'intitulé de l'indicateur."
    elif len(label) > 300:
        errors["label"] = "300 caractères au plus."
    clean["label"] = label
    clean["definition"] = (data.get("definition") or "").strip()[:5000]
    unit = (data.get("unit") or "nombre").strip() or "nombre"
    if len(unit) > 40:
        errors["unit"] = "40 caractères au plus."
    clean["unit"] = unit
    source = data.get("source")
    if source not in IndicatorSource.values:
        errors["source"] = "Choisissez la source : calculé par Maillage, CPAM ou constat saisi."
    clean["source"] = source
    code = (data.get("registry_code") or "").strip()
    if source == IndicatorSource.COMPUTED:
        entry = registry.REGISTRY.get(code)
        if entry is None:
            errors["registry_code"] = ("Choisissez l'indicateur calculé dans la liste : sans "
                                       "lui, l'indicateur n'a ni source ni valeur.")  # fmt: skip
        elif (
            mission is not None
            and mission_rules.REGISTRY_MISSIONS.get(entry.mission) != mission.code
        ):
            errors["registry_code"] = "Cet indicateur calculé ne relève pas de cette mission."
    else:
        code = ""
    clean["registry_code"] = code
    direction = data.get("direction") or Direction.HIGHER
    if direction not in Direction.values:
        errors["direction"] = "Sens inconnu."
        direction = Direction.HIGHER
    clean["direction"] = direction
    clean["baseline"] = None
    if data.get("baseline") not in (None, ""):
        try:
            clean["baseline"] = parse_value(data["baseline"])
        except ValueError as exc:
            errors["baseline"] = str(exc)
    clean["action"] = None
    if data.get("action") and mission is not None:
        clean["action"] = mission.actions.filter(public_id=_uuid(data["action"])).first()
        if clean["action"] is None:
            errors["action"] = "Choisissez une action de cette mission."
    clean["years"] = {}
    for year in range(1, contract.years + 1):
        item = years_data.get(year) or {}
        prefix = f"y{year}_"
        rule = item.get("rule")
        if rule in (None, ""):
            continue  # this year pays nothing on this indicator
        if rule not in Rule.values:
            errors[f"{prefix}rule"] = "Règle inconnue."
            continue
        row = {"rule": rule, "tiers": [], "target": None, "amount": None,
               "pro_rata": bool(item.get("pro_rata"))}  # fmt: skip
        if rule == Rule.TIERS:
            try:
                pairs = item.get("tiers")
                if isinstance(pairs, str):
                    pairs = parse_tier_lines(pairs)
                row["tiers"] = check_tiers(pairs or [], direction)
            except ValueError as exc:
                errors[f"{prefix}tiers"] = str(exc)
        else:
            try:
                row["target"] = parse_value(item.get("target"))
            except ValueError as exc:
                errors[f"{prefix}target"] = f"Cible : {exc}"
            try:
                row["amount"] = parse_amount(item.get("amount"))
            except ValueError as exc:
                errors[f"{prefix}amount"] = str(exc)
        clean["years"][year] = row
    if errors:
        raise ValidationError(errors)
    return clean


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@transaction.atomic
def indicator_save(*, contract, data: dict, years_data: dict, actor, indicator=None,
                   request=None) -> ContractIndicator:  # fmt: skip
    """Create or replace an indicator and its yearly rules (all years given at once)."""
    clean = clean_indicator(contract, data, years_data, indicator=indicator)
    mission = clean["mission"]
    if indicator is None:
        base = slugify(clean["label"])[:70] or "indicateur"
        code, n = base, 1
        while ContractIndicator.objects.filter(mission=mission, code=code).exists():
            n += 1
            code = f"{base}-{n}"
        last = mission.indicators.order_by("-position").first()
        indicator = ContractIndicator(mission=mission, code=code,
                                      position=(last.position + 1) if last else 0)  # fmt: skip
    elif indicator.mission_id != mission.pk:
        indicator.mission = mission
        if ContractIndicator.objects.filter(mission=mission, code=indicator.code).exists():
            indicator.code = f"{indicator.code}-{indicator.pk}"
    for name in ("label", "definition", "unit", "source", "registry_code", "direction",
                 "baseline", "action"):  # fmt: skip
        setattr(indicator, name, clean[name])
    indicator.save()
    indicator.years.all().delete()
    for year, row in clean["years"].items():
        rule = IndicatorYear.objects.create(indicator=indicator, year=year, rule=row["rule"],
                                            target=row["target"], amount=row["amount"],
                                            pro_rata=row["pro_rata"])  # fmt: skip
        Tier.objects.bulk_create(Tier(indicator_year=rule, threshold=t, amount=a, position=i)
                                 for i, (t, a) in enumerate(row["tiers"]))  # fmt: skip
    audit.record(action="reporting.indicator_save", actor=actor, cpts=contract.cpts,
                 obj=indicator, request=request,
                 detail={"mission": mission.code, "code": indicator.code})  # fmt: skip
    return indicator


@transaction.atomic
def indicator_delete(*, indicator, actor, request=None) -> None:
    contract = indicator.mission.contract
    audit.record(action="reporting.indicator_delete", actor=actor, cpts=contract.cpts,
                 obj=indicator, request=request,
                 detail={"mission": indicator.mission.code, "code": indicator.code})  # fmt: skip
    indicator.delete()


FILE_MAX = 10 * 1024 * 1024


@transaction.atomic
def figure_save(*, indicator, year, value, dated, document: str, actor, file=None,
                request=None) -> SuppliedFigure:  # fmt: skip
    """The CPAM's figure (or the coordination's statement) for one contract year; replaces
    that year's figure. A computed indicator takes no figure: its value is the platform's."""
    from . import years as contract_years

    contract = indicator.mission.contract
    errors: dict[str, str] = {}
    if indicator.source == IndicatorSource.COMPUTED:
        raise ValidationError("Cet indicateur est calculé par Maillage : il ne prend pas de "
                              "chiffre saisi.")  # fmt: skip
    try:
        year = contract_years.check_year(contract, year)
    except ValidationError as exc:
        errors["year"] = " ".join(exc.messages)
    if value in (None, ""):
        errors["value"] = "Indiquez la valeur : sans elle, cet indicateur n'a ni source ni valeur."
    else:
        try:
            value = parse_value(value)
        except ValueError as exc:
            errors["value"] = str(exc)
    try:
        dated = parse_date(dated)
    except ValueError as exc:
        errors["dated"] = str(exc)
    document = (document or "").strip()
    if not document:
        errors["document"] = "Indiquez le document d'où vient le chiffre (courrier, tableau CPAM…)."
    elif len(document) > 300:
        errors["document"] = "300 caractères au plus."
    content, name = None, ""
    if file is not None:
        if file.size > FILE_MAX:
            errors["file"] = "Fichier trop lourd (10 Mo au plus)."
        else:
            content, name = file.read(), (file.name or "document")[-200:]
    if errors:
        raise ValidationError(errors)
    figure, _created = SuppliedFigure.objects.update_or_create(
        indicator=indicator,
        year=year,
        defaults={
            "value": value,
            "dated": dated,
            "document": document,
            "entered_by": actor,
            "entered_at": timezone.now(),
            **({"file": content, "file_name": name} if content is not None else {}),
        },
    )
    audit.record(action="reporting.figure_save", actor=actor, cpts=contract.cpts, obj=figure,
                 request=request, detail={"indicator": indicator.code, "year": year,
                                          "value": str(value)})  # fmt: skip
    return figure


def ready():
    from maillage.core.audit_trail import register_labels

    from .access import AUDIT_LABELS as READS

    register_labels(**READS)
    register_labels(**AUDIT_LABELS)
