"""The proofs the contract asks for, what the platform already holds, the files filed,
and what is still missing before the report.

A requirement is one of three kinds:
- "file": a document the coordination files (minutes, a sign-in sheet, the written
  pathway): `have` is the number of files filed for that contract year;
- "indicator": a figure of the indicator registry (core.indicators), computed over the
  contract year up to today;
- "attendance": the attendance a mission records (core.attendance): `have` is the number
  of distinct sessions (a meeting, a shift, an action) with at least one professional
  present, not the number of people, since the contract asks for "three meetings".

The report is due at the end of the contract year (the dialogue de gestion follows it):
from WARN_BEFORE before that date, what is still missing is flagged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.indicators import batch
from maillage.core.uploads import check_upload

from . import years
from .models import ProofFile, ProofKind, ProofRequirement, Report

# How long before the report's due date missing proofs are flagged (home card, banner).
WARN_BEFORE = datetime.timedelta(weeks=6)

FROZEN = ("Le rapport de cette année a été envoyé à la CPAM : ses preuves sont figées et ne "
          "peuvent plus être supprimées.")  # fmt: skip

AUDIT_LABELS: dict = {
    "actions": {
        "reporting.proof_file_add": "Dépôt d'une preuve du contrat",
        "reporting.proof_file_download": "Téléchargement d'une preuve du contrat",
        "reporting.proof_file_delete": "Suppression d'une preuve du contrat",
    },
    "places": {
        "reporting.proofs": "Preuves du contrat ACI",
        "reporting.proof_file": "Fichier de preuve du contrat ACI",
    },
}


@dataclass
class ProofStatus:
    requirement: object  # ProofRequirement
    have: int
    expected: int
    detail: str = ""  # in French: "3 réunions avec présences", "2 fichiers"
    files: list = field(default_factory=list)
    # What `have` counts, in French ("fichiers déposés", "séances avec présences").
    counts: str = ""

    @property
    def ok(self) -> bool:
        return self.have >= self.expected

    @property
    def state(self) -> str:
        return "présent" if self.ok else "manquant"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n <= 1 else (plural or word + 's')}"


def requirements(contract):
    """The requirements of the contract's included missions, in the contract's order."""
    return (
        ProofRequirement.objects.filter(mission__contract=contract, mission__included=True)
        .select_related("mission", "action", "indicator")
        .order_by("mission__pk", "action__position", "action__pk", "position", "pk")
    )


def period(contract, year: int, today: datetime.date | None = None):
    """The contract year up to today (the whole year once it has ended); None before it
    starts."""
    today = today or timezone.localdate()
    start, end = years.bounds(contract, year)
    if today < start:
        return None
    return start, min(end, today)


def _as_count(value) -> int:
    if value is None:
        return 0
    try:
        return max(int(Decimal(str(value))), 0)
    except (InvalidOperation, ValueError, OverflowError):
        return 0


def _indicator(requirement, cpts, span) -> tuple[int, str, str]:
    from maillage.core import indicators

    code = requirement.registry_code
    if code not in indicators.REGISTRY:
        return 0, f"Indicateur « {code} » inconnu de Maillage : rien n'est compté.", ""
    indicator = indicators.REGISTRY[code]
    if span is None:
        return 0, "L'année du contrat n'a pas commencé.", indicator.label
    have = _as_count(indicators.compute(code, cpts, span).value)
    return have, f"{have} ({indicator.label}, {indicator.unit})", indicator.label


def _attendance(requirement, cpts, span) -> tuple[int, str, str]:
    from maillage.core import attendance

    code = requirement.registry_code
    source = attendance.REGISTRY.get(code)
    if source is None:
        return 0, f"Source de présences « {code} » inconnue de Maillage : rien n'est compté.", ""
    counts = f"séances avec présences ({source.label})"
    if span is None:
        return 0, "L'année du contrat n'a pas commencé.", counts
    rows = source.records(cpts, span)
    # One session is one activity at one moment, whoever attended: the contract counts
    # meetings held, not the people in them.
    sessions = {(row.activity, row.started_at) for row in rows}
    people = len(rows)
    detail = (f"{_plural(len(sessions), 'séance')} avec présences "
              f"({_plural(people, 'présence')} de professionnels)")  # fmt: skip
    return len(sessions), detail, counts


@batch()
def status(contract, year: int, *, today=None) -> list[ProofStatus]:
    """Every proof requirement of the included missions for a contract year."""
    today = today or timezone.localdate()
    span = period(contract, year, today)
    reqs = list(requirements(contract))
    files_by_req: dict[int, list] = {}
    for row in (ProofFile.objects.filter(requirement__in=reqs, year=year).defer("content")
                .select_related("uploaded_by")):  # fmt: skip
        files_by_req.setdefault(row.requirement_id, []).append(row)
    out = []
    for req in reqs:
        files = files_by_req.get(req.pk, [])
        if req.kind == ProofKind.INDICATOR:
            have, detail, counts = _indicator(req, contract.cpts, span)
        elif req.kind == ProofKind.ATTENDANCE:
            have, detail, counts = _attendance(req, contract.cpts, span)
        else:
            have = len(files)
            detail = _plural(have, "fichier déposé", "fichiers déposés")
            counts = "fichiers déposés"
        out.append(ProofStatus(requirement=req, have=have, expected=req.expected,
                               detail=detail, files=files, counts=counts))  # fmt: skip
    return out


def due(contract, year: int) -> datetime.date:
    """The report of a contract year is due on its last day (the dialogue de gestion)."""
    return years.bounds(contract, year)[1]


def is_sent(contract, year: int) -> bool:
    return Report.objects.filter(contract=contract, year=year, sent_at__isnull=False).exists()


@dataclass
class Watch:
    year: int
    due: datetime.date
    missing: list  # [ProofStatus] not ok


def watch(contract, today: datetime.date | None = None) -> Watch | None:
    """The report the coordination must now prepare and its missing proofs: the year just
    ended while its report has not been sent (late), else the current year from
    WARN_BEFORE before its end. None when nothing is missing or nothing is due soon."""
    today = today or timezone.localdate()
    current = years.year_of(contract, today)
    candidates = []
    if current is None:
        last = contract.years
        if today > due(contract, last):
            candidates.append(last)
    else:
        if current > 1:
            candidates.append(current - 1)
        if today >= due(contract, current) - WARN_BEFORE:
            candidates.append(current)
    for year in candidates:
        if is_sent(contract, year):
            continue
        missing = [s for s in status(contract, year, today=today) if not s.ok]
        if missing:
            return Watch(year=year, due=due(contract, year), missing=missing)
    return None


def missing_soon(contract, today: datetime.date | None = None) -> list[ProofStatus]:
    """The requirements not met when the report is due within WARN_BEFORE (or late)."""
    found = watch(contract, today)
    return found.missing if found else []


# Files ---------------------------------------------------------------------------------


@transaction.atomic
def file_proof(*, requirement, year, upload, actor, request=None) -> ProofFile:
    """File a document for a requirement and a contract year."""
    contract = requirement.mission.contract
    year = years.check_year(contract, year)
    name, content_type, content = check_upload(upload)
    proof = ProofFile.objects.create(requirement=requirement, year=year, name=name,
                                     content_type=content_type, size=len(content),
                                     content=content, uploaded_by=actor)  # fmt: skip
    audit.record(action="reporting.proof_file_add", actor=actor, cpts=contract.cpts, obj=proof,
                 request=request, detail={"name": name, "year": year, "size": len(content),
                                          "requirement": str(requirement.public_id)})  # fmt: skip
    return proof


def record_download(*, proof, request) -> None:
    audit.record(action="reporting.proof_file_download", request=request, cpts=request.cpts,
                 obj=proof, detail={"name": proof.name, "year": proof.year})  # fmt: skip


@transaction.atomic
def delete_proof(*, proof, actor, request=None) -> None:
    """Delete a filed document, unless the report of its year has been sent (frozen)."""
    contract = proof.requirement.mission.contract
    if is_sent(contract, proof.year):
        raise ValidationError(FROZEN)
    audit.record(action="reporting.proof_file_delete", actor=actor, cpts=contract.cpts,
                 obj=proof, request=request, detail={"name": proof.name,
                                                     "year": proof.year})  # fmt: skip
    proof.delete()


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
