"""API of the ACI contract: /api/v1/aci/..."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Response

from maillage.core import audit, exports, permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import ERRORS, WRITE_ERRORS, CptsSlug, unprocessable

from . import access, achievement, funding, report, years
from . import contract as contract_services
from .access import audit_read, contract_of

router = Router(tags=["contrat ACI"])

# Each area adds its operations in its own block (contract, funding, report).

# -- contract --
# The body is checked by contract.clean_payload, not by the schema, so every refusal
# names its field the same way ("missions[1].years[0].fixed") as the page's form does.


class MissionYearIn(Schema):
    year: Any = None
    fixed: Any = None
    variable: Any = None


class MissionIn(Schema):
    code: Any = None
    started_on: Any = None
    years: list[MissionYearIn] | None = None


class ContractIn(Schema):
    signed_on: Any = None
    size_class: Any = None
    operating_grant: Any = None
    missions: list[MissionIn] | None = None


class MissionYearOut(Schema):
    year: int
    fixed: str
    variable: str


class MissionOut(Schema):
    code: str
    started_on: str | None
    years: list[MissionYearOut]


class ContractOut(Schema):
    signed_on: str
    size_class: int
    operating_grant: str
    years: int
    missions: list[MissionOut]
    warnings: list[str]



@router.get("/aci/contract", response={200: ContractOut, **ERRORS},
            summary="Le contrat ACI : signature, taille, montants par mission")  # fmt: skip
@api_permission(permissions.see_contract)
def aci_contract_get(request, cpts: CptsSlug | None = None):

    membership = api_membership(request, cpts)
    contract = access.contract_of(membership.cpts)
    if contract is None:
        raise Http404
    if permissions.reads_audited(membership):
        audit.record(action="reporting.funder_read", actor=request.auth, cpts=membership.cpts,
                     obj=contract, request=request,
                     detail={"where": "reporting.api_contract"})  # fmt: skip
    return contract_services.as_payload(contract)


@router.put("/aci/contract", response={200: ContractOut, **WRITE_ERRORS},
            summary="Remplacer le contrat ACI (le crée s'il n'existe pas)")  # fmt: skip
@api_permission(permissions.manage_contract)
def aci_contract_put(request, payload: ContractIn, cpts: CptsSlug | None = None):

    membership = api_membership(request, cpts)
    try:
        contract = contract_services.save_payload(cpts=membership.cpts, payload=payload.dict(),
                                                  actor=request.auth, request=request)  # fmt: skip
    except ValidationError as exc:
        return unprocessable(exc)
    return contract_services.as_payload(contract)


# -- funding --
# Amounts are strings with two decimals ("67500.00"): exact euros and cents, never a
# binary float. A missing contract is a 404 that says so; a year outside it, a 422 naming
# `year`.


class ScheduleLineOut(Schema):
    date: datetime.date
    mission: str = Field(description="Code de la mission (acces, parcours…) ou "
                                     "« fonctionnement »")  # fmt: skip
    kind: Literal["advance", "balance"]
    amount: str = Field(description="Montant en euros, chaîne à deux décimales (« 67500.00 »)",
                        pattern=r"^\d+\.\d{2}$")  # fmt: skip
    estimated: bool = Field(description="Solde dont la part variable est encore estimée")


class TierOut(Schema):
    threshold: str
    amount: str


class IndicatorOut(Schema):
    mission: str
    code: str
    label: str
    source: Literal["computed", "cpam", "manual"]
    source_text: str = Field(description="D'où vient la valeur (période, chiffre et document)")
    baseline: str | None
    value: str | None
    target: str | None
    tiers: list[TierOut]
    earned: str
    maximum: str
    next_step: str | None = Field(description="Le prochain palier et ce qu'il rapporterait")


NO_CONTRACT = "Aucun contrat ACI n'est enregistré pour cette CPTS."


def _funding_contract(request, cpts, place):
    membership = api_membership(request, cpts)
    contract = contract_of(membership.cpts)
    if contract is None:
        return membership, None
    request.cpts, request.membership = membership.cpts, membership
    audit_read(request, place)
    return membership, contract


def _decimal(value):
    return None if value is None else f"{value:.2f}"


def _year_or_422(contract, year):
    """The contract year asked, or the one running today when none is asked (the year is
    optional so that a caller without the permission gets its 404 before any 422)."""
    if year is None:
        year = years.year_of(contract, timezone.localdate())
        if year is None:
            message = "Indiquez l'année du contrat (aujourd'hui est hors du contrat)."
            return None, Response(
                422,
                {"detail": f"year : {message}", "errors": [{"field": "year", "message": message}]},
            )
    try:
        return years.check_year(contract, year), None
    except ValidationError as exc:
        message = " ".join(exc.message_dict["year"])
        return None, Response(
            422, {"detail": f"year : {message}", "errors": [{"field": "year", "message": message}]}
        )


def _no_contract():
    return Response(404, {"detail": NO_CONTRACT, "errors": []})


@router.get(
    "/aci/schedule",
    response={200: list[ScheduleLineOut], **ERRORS},
    summary="Échéancier des versements d'une année du contrat (avances et soldes)",
)
@api_permission(permissions.see_contract)
def aci_schedule(request, year: int | None = None, cpts: CptsSlug | None = None):
    _membership, contract = _funding_contract(request, cpts, "reporting.api_schedule")
    if contract is None:
        return _no_contract()
    wanted, error = _year_or_422(contract, year)
    if error:
        return error
    return [{"date": ln.date, "mission": ln.line, "kind": ln.kind,
             "amount": _decimal(ln.amount), "estimated": ln.estimated}
            for ln in funding.schedule(contract, year=wanted)]  # fmt: skip


@router.get(
    "/aci/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="Indicateurs d'une année du contrat : valeur, paliers ou cible, montant",
)
@api_permission(permissions.see_contract)
def aci_indicators(request, year: int | None = None, cpts: CptsSlug | None = None):
    _membership, contract = _funding_contract(request, cpts, "reporting.api_indicators")
    if contract is None:
        return _no_contract()
    wanted, error = _year_or_422(contract, year)
    if error:
        return error
    out = []
    for r in achievement.results(contract, wanted):
        step = r.outcome.next_step if r.outcome else None
        out.append({
            "mission": r.indicator.mission.code, "code": r.indicator.code,
            "label": r.indicator.label, "source": r.indicator.source,
            "source_text": r.source_text or r.missing, "baseline": _decimal(r.indicator.baseline),
            "value": _decimal(r.value),
            "target": _decimal(r.rule.target) if r.rule and r.rule.rule == "target" else None,
            "tiers": [{"threshold": _decimal(t), "amount": _decimal(a)} for t, a in r.tiers],
            "earned": _decimal(r.earned), "maximum": _decimal(r.maximum),
            "next_step": (funding.what_if_text(r.indicator, step.threshold, step.gain)
                          if step else None),
        })  # fmt: skip
    return out


# -- report --
# The year's report as a file: the latest stored version, or, when none was generated yet,
# a draft made on the fly and stored nowhere (a GET writes no report).


_FILE = {"schema": {"type": "string", "format": "binary"}}


def _unprocessable(field: str, message: str):
    return Response(422, {"detail": f"{field} : {message}",
                         "errors": [{"field": field, "message": message}]})  # fmt: skip


@router.get(
    "/aci/report", response=ERRORS,
    summary="Le rapport annuel d'une année du contrat, en PDF ou en XLSX",
    description="La dernière version générée de l'année ; à défaut, un brouillon produit à "
    "la volée et non enregistré. 422 pour une année hors du contrat ou un format inconnu, "
    "404 sans contrat.",
    openapi_extra={"responses": {"200": {
        "description": "Le fichier du rapport",
        "content": dict.fromkeys(report.FORMATS.values(), _FILE)}}},
)  # fmt: skip
@api_permission(permissions.see_contract)
def aci_report(request, year: int | None = None, format: Literal["pdf", "xlsx"] = "pdf",
               cpts: CptsSlug | None = None):  # fmt: skip
    membership = api_membership(request, cpts)
    contract = access.contract_of(membership.cpts)
    if contract is None:
        return Response(404, {"detail": "Aucun contrat ACI n'est saisi pour cette CPTS.",
                             "errors": []})  # fmt: skip
    if year is None:
        return _unprocessable("year", "Champ obligatoire : l'année du contrat (1, 2, 3…).")
    try:
        year = years.check_year(contract, year)
    except ValidationError as exc:
        return _unprocessable("year", " ".join(exc.message_dict["year"]))
    stored = report.latest(contract, year)
    if stored is not None:
        content, name = bytes(getattr(stored, format)), report.filename(stored, format)
        audit.record(
            action="reporting.report_downloaded",
            actor=request.auth,
            cpts=membership.cpts,
            obj=stored,
            request=request,
            detail={"year": year, "version": stored.version, "format": format},
        )
    else:
        data, pdf, xlsx = report.draft_files(contract, year)
        content, name = (pdf if format == "pdf" else xlsx), report.filename(data, format)
    if permissions.reads_audited(membership):
        audit.record(action="reporting.funder_read", actor=request.auth, cpts=membership.cpts,
                      obj=stored, request=request,
                      detail={"where": "reporting.report_api", "year": year,
                              "format": format})  # fmt: skip
    # A file, not JSON: returned as is by the operation.
    return exports.file_response(content, name, report.FORMATS[format])
