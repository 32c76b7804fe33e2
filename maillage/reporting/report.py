"""The annual activity report of a contract year: gathered from the contract, the
indicators, the proofs and the coordinator's comments into a snapshot, written as PDF
(paged, table of contents) and XLSX (one sheet per mission); versions kept, a version
sent to the CPAM frozen.

The snapshot is the report's single source: the PDF, the XLSX, the page's preview and the
API all read it, so a stored version says exactly what it said the day it was generated,
whatever the contract, the figures or the comments became after. It is plain JSON
(amounts as strings, "9000.00") so it survives the JSONField unchanged.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from maillage.core import audit
from maillage.core.indicators import batch

from . import achievement, missions, proofs, status, years
from .models import Contract, ContractMission, Report, ReportComment

GENERAL = "general"
# Long enough for a page of comment per section, short enough to keep the PDF readable.
MAX_COMMENT_CHARS = 5_000

AUDIT_LABELS: dict = {
    "actions": {
        "reporting.report_generated": "Génération d'une version du rapport annuel ACI",
        "reporting.report_sent": "Version du rapport annuel marquée envoyée à la CPAM",
        "reporting.report_downloaded": "Téléchargement d'une version du rapport annuel",
        "reporting.report_deleted": "Suppression d'une version du rapport annuel",
        "reporting.report_comment": "Commentaire du rapport annuel",
    },
    "places": {
        "reporting.reports": "Rapports annuels du contrat ACI",
        "reporting.report_year": "Rapport annuel d'une année du contrat",
        "reporting.report_download": "Téléchargement du rapport annuel",
        "reporting.report_api": "Rapport annuel par l'API",
    },
}

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


# ------------------------------------------------------------------ the snapshot


def _amount(value) -> str | None:
    return None if value is None else str(achievement.money(value))


def _number(value) -> str | None:
    return None if value is None else str(value)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _warnings(contract, rows, today) -> tuple[dict, list]:
    """Warnings per mission code (status.mission_warnings: a start before the signature or
    after its deadline, a mission late), and those naming no mission (none today)."""
    return {m.code: status.mission_warnings(m, contract.signed_on, today) for m in rows}, []


def _rule(result) -> dict:
    rule = result.rule
    if rule is None:
        return {"rule": None, "target": None, "amount": None, "pro_rata": None, "tiers": []}
    return {
        "rule": rule.rule, "target": _number(rule.target), "amount": _amount(rule.amount),
        "pro_rata": rule.pro_rata,
        "tiers": [{"threshold": _number(t), "amount": _amount(a)} for t, a in result.tiers],
    }  # fmt: skip


def _indicator(result) -> dict:
    indicator = result.indicator
    outcome = result.outcome
    step = outcome.next_step if outcome else None
    return {
        "code": indicator.code, "label": indicator.label, "definition": indicator.definition,
        "unit": indicator.unit, "source": indicator.source,
        "source_label": indicator.get_source_display(), "source_text": result.source_text,
        "action": indicator.action.title if indicator.action_id else None,
        "baseline": _number(indicator.baseline), "direction": indicator.direction,
        **_rule(result),
        "value": _number(result.value), "missing": result.missing, "note": result.note,
        "earned": _amount(result.earned), "maximum": _amount(result.maximum),
        "next_step": ({"threshold": _number(step.threshold), "gain": _amount(step.gain)}
                      if step else None),
    }  # fmt: skip


def _proof(item) -> dict:
    requirement = item.requirement
    return {
        "label": requirement.label, "kind": requirement.kind,
        "kind_label": requirement.get_kind_display(),
        "indicator": requirement.indicator.label if requirement.indicator_id else None,
        "action": requirement.action.title if requirement.action_id else None,
        "have": item.have, "expected": item.expected, "ok": item.ok, "detail": item.detail,
        "files": [getattr(f, "name", str(f)) for f in item.files],
    }  # fmt: skip


def comments(contract, year: int) -> dict[str, str]:
    """The working draft's comments of a year, by section."""
    return dict(ReportComment.objects.filter(contract=contract, year=year)
                .values_list("section", "text"))  # fmt: skip


@batch()
def snapshot(contract, year: int, *, today: datetime.date | None = None) -> dict:
    """Everything the report of `year` says, as plain JSON."""
    year = years.check_year(contract, year)
    today = today or timezone.localdate()
    start, end = years.bounds(contract, year)
    rows = list(ContractMission.objects.filter(contract=contract, included=True)
                .prefetch_related("years", "actions").order_by("pk"))  # fmt: skip
    order = {code: i for i, code in enumerate(missions.CODES)}
    rows.sort(key=lambda m: order.get(m.code, len(order)))
    texts = comments(contract, year)
    warnings, general_warnings = _warnings(contract, rows, today)
    proof_rows = proofs.status(contract, year, today=today)
    sections, fixed_total, earned_total, variable_total = [], Decimal(0), Decimal(0), Decimal(0)
    for mission in rows:
        amounts = next((y for y in mission.years.all() if y.year == year), None)
        fixed = amounts.fixed if amounts else Decimal(0)
        variable = amounts.variable if amounts else Decimal(0)
        found = achievement.results(contract, year, today=today, mission=mission)
        earned = achievement.mission_variable(mission, year, found)
        start_by, deployed_by = missions.deadlines(mission.code, contract.signed_on)
        fixed_total += fixed
        earned_total += earned
        variable_total += variable
        sections.append({
            "code": mission.code, "label": mission.get_code_display(),
            "short": SHEET_NAMES.get(mission.code, mission.code),
            "mandatory": missions.mandatory(mission.code),
            "status": mission.status, "status_label": mission.get_status_display(),
            "started_on": _date(mission.started_on), "deployed_on": _date(mission.deployed_on),
            "status_note": mission.status_note,
            "start_by": _date(start_by), "deployed_by": _date(deployed_by),
            "warnings": warnings.get(mission.code, []),
            "fixed": _amount(fixed), "variable": _amount(variable),
            "variable_earned": _amount(earned),
            "comment": texts.get(mission.code, ""),
            "actions": [{"title": a.title, "description": a.description}
                        for a in mission.actions.all()],
            "indicators": [_indicator(r) for r in found],
            "proofs": [_proof(p) for p in proof_rows
                       if p.requirement.mission_id == mission.pk],
        })  # fmt: skip
    cpts = contract.cpts
    return {
        "cpts": {"name": cpts.name, "slug": cpts.slug},
        "contract": {
            "signed_on": _date(contract.signed_on), "size_class": contract.size_class,
            "operating_grant": _amount(contract.operating_grant), "years": contract.years,
        },
        "year": year, "start": _date(start), "end": _date(end), "today": _date(today),
        "generated_at": timezone.now().isoformat(),
        "comment": texts.get(GENERAL, ""),
        "warnings": general_warnings,
        "missions": sections,
        "totals": {
            "fixed": _amount(fixed_total), "variable_earned": _amount(earned_total),
            "variable_maximum": _amount(variable_total),
            "earned": _amount(fixed_total + earned_total),
            "maximum": _amount(fixed_total + variable_total),
        },
    }  # fmt: skip


# Sheet names of the XLSX and short titles (≤ 31 characters, none of []:*?/\).
SHEET_NAMES = {
    "acces": "Accès aux soins", "parcours": "Parcours pluriprofessionnels",
    "prevention": "Prévention", "crise": "Crises sanitaires graves",
    "qualite": "Qualité et pertinence", "accompagnement": "Accompagnement des PS",
}  # fmt: skip


# ------------------------------------------------------------------ files


def render(data: dict, *, version: int | None = None, sent_at=None) -> tuple[bytes, bytes]:
    """(PDF, XLSX) of a snapshot; `version` None for a draft."""
    from . import report_pdf, report_xlsx

    return (report_pdf.render(data, version=version, sent_at=sent_at),
            report_xlsx.render(data, version=version))  # fmt: skip


def filename(data_or_report, fmt: str) -> str:
    if isinstance(data_or_report, Report):
        report = data_or_report
        slug, year, version = report.contract.cpts.slug, report.year, f"v{report.version}"
    else:
        slug, year, version = (data_or_report["cpts"]["slug"], data_or_report["year"],
                               "brouillon")  # fmt: skip
    return f"rapport-aci-{slug}-annee-{year}-{version}.{fmt}"


def draft_files(contract, year, *, today=None) -> tuple[dict, bytes, bytes]:
    """The year's report as it would be generated now, stored nowhere."""
    data = snapshot(contract, year, today=today)
    pdf, xlsx = render(data)
    return data, pdf, xlsx


# ------------------------------------------------------------------ versions


def versions(contract, year: int | None = None):
    rows = Report.objects.filter(contract=contract).select_related("created_by", "sent_by")
    if year is not None:
        rows = rows.filter(year=year)
    # The bytes are only read by a download.
    return rows.defer("pdf", "xlsx", "snapshot").order_by("year", "-version")


def latest(contract, year: int) -> Report | None:
    return Report.objects.filter(contract=contract, year=year).order_by("-version").first()


def _lock(contract) -> None:
    """Serialise report writes of one contract (PostgreSQL row lock; SQLite writes one
    transaction at a time)."""
    list(Contract.objects.select_for_update().filter(pk=contract.pk).values_list("pk", flat=True))


def _last_version(contract, year: int) -> int:
    return Report.objects.filter(contract=contract, year=year).aggregate(n=Max("version"))["n"] or 0


def generate(*, contract, year, actor, request=None, today=None) -> Report:
    """A new version (Report) of the year's report: numbered after the last one, under the
    contract's lock; should two generations still collide on the number (the unique
    constraint), the second retries with the next number rather than failing."""
    year = years.check_year(contract, year)
    for attempt in range(3):
        try:
            with transaction.atomic():
                _lock(contract)
                last = _last_version(contract, year)
                data = snapshot(contract, year, today=today)
                pdf, xlsx = render(data, version=last + 1)
                report = Report.objects.create(
                    contract=contract, year=year, version=last + 1, snapshot=data, pdf=pdf,
                    xlsx=xlsx, created_by=actor, created_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError:
            if attempt == 2:
                raise ValidationError("Une autre version vient d'être générée en même temps : "
                                      "réessayez.") from None  # fmt: skip
            continue
        break
    audit.record(action="reporting.report_generated", actor=actor, cpts=contract.cpts,
                 obj=report, request=request,
                 detail={"year": year, "version": report.version})  # fmt: skip
    return report


def _frozen_message(report: Report) -> str:
    return (
        f"La version {report.version} a été envoyée à la CPAM le "
        f"{timezone.localtime(report.sent_at):%d/%m/%Y} : elle est figée et ne peut plus "
        "être modifiée, renvoyée ni supprimée. Générez une nouvelle version si besoin."
    )


@transaction.atomic
def mark_sent(*, report: Report, actor, request=None) -> Report:
    """Freeze a version: the day it went to the CPAM is stamped on its PDF's cover (the
    figures, read from the stored snapshot, do not change), and nothing of it changes
    after."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.frozen:
        raise ValidationError(_frozen_message(locked))
    locked.sent_at = timezone.now()
    locked.sent_by = actor
    from . import report_pdf

    locked.pdf = report_pdf.render(locked.snapshot, version=locked.version,
                                   sent_at=locked.sent_at)  # fmt: skip
    locked.save(update_fields=["sent_at", "sent_by", "pdf"])
    audit.record(action="reporting.report_sent", actor=actor, cpts=locked.contract.cpts,
                 obj=locked, request=request,
                 detail={"year": locked.year, "version": locked.version})  # fmt: skip
    return locked


@transaction.atomic
def delete(*, report: Report, actor, request=None) -> None:
    """Drop a version never sent (a mistaken generation); a sent version stays forever."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.frozen:
        raise ValidationError(_frozen_message(locked))
    audit.record(action="reporting.report_deleted", actor=actor, cpts=locked.contract.cpts,
                 obj=locked, request=request,
                 detail={"year": locked.year, "version": locked.version})  # fmt: skip
    locked.delete()


def ensure_not_frozen(report: Report) -> None:
    """For any future edit of a stored version: refused once sent."""
    if report.frozen:
        raise ValidationError(_frozen_message(report))


# ------------------------------------------------------------------ comments


def clean_comment(text) -> str:
    """NUL bytes stripped (PostgreSQL refuses them in text), line endings unified; markup
    is kept as typed: every page and file escapes it when showing it."""
    return str(text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def sections_of(contract) -> list[tuple[str, str]]:
    """(code, French title) of the report's sections that take a comment."""
    rows = ContractMission.objects.filter(contract=contract, included=True)
    order = {code: i for i, code in enumerate(missions.CODES)}
    codes = sorted((m.code for m in rows), key=lambda c: order.get(c, len(order)))
    return [(GENERAL, "Introduction générale"),
            *((c, missions.label(c)) for c in codes)]  # fmt: skip


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


@transaction.atomic
def save_comment(*, contract, year, section: str, text, actor, request=None) -> ReportComment:
    """The working draft's comment of one section (always editable: a version already
    generated keeps, in its snapshot, the comment it had)."""
    year = years.check_year(contract, year)
    if section not in dict(sections_of(contract)):
        raise ValidationError({"section": "Cette section n'existe pas dans le rapport : "
                               "l'introduction ou une mission retenue au contrat."})  # fmt: skip
    text = clean_comment(text)
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError({"text": (
            f"Un commentaire est limité à {_thousands(MAX_COMMENT_CHARS)} caractères ; "
            f"celui-ci en compte {_thousands(len(text))}. Raccourcissez-le.")})  # fmt: skip
    comment, _created = ReportComment.objects.update_or_create(
        contract=contract, year=year, section=section,
        defaults={"text": text, "updated_by": actor, "updated_at": timezone.now()},
    )  # fmt: skip
    audit.record(action="reporting.report_comment", actor=actor, cpts=contract.cpts,
                 request=request, object_type="reporting.ReportComment",
                 detail={"year": year, "section": section, "length": len(text)})  # fmt: skip
    return comment


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
