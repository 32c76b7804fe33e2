"""Mission status: not started / started on a date / deployed, set by the coordinator and
suggested by the data (prévention starts with its first action...), against the
deadlines of the avenant."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit

from . import missions as mission_rules
from .models import ContractMission, MissionStatus


def suggested_start(contract_mission):
    """(date, reason in French) the data suggests the mission started, or None: the
    earliest first activity among the registry missions feeding it (for the access
    mission, the first request for a médecin traitant or the first same-day slot)."""
    from maillage.core import indicators

    if contract_mission.status != MissionStatus.NOT_STARTED:
        return None
    cpts = contract_mission.contract.cpts
    found = []
    for registry_mission, code in mission_rules.REGISTRY_MISSIONS.items():
        if code != contract_mission.code:
            continue
        first = indicators.first_activity(cpts, registry_mission)
        if first is not None and first[0] is not None:
            found.append(first)
    if not found:
        return None
    day, label = min(found, key=lambda f: f[0])
    return day, f"{mission_rules.label(contract_mission.code)} : {label} le {day:%d/%m/%Y}"


def mission_warnings(mission, signed_on, today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    name = mission_rules.label(mission.code)
    start_by, deployed_by = mission_rules.deadlines(mission.code, signed_on)
    found = []
    if mission.started_on and mission.started_on < signed_on:
        found.append(f"{name} : démarrée le {mission.started_on:%d/%m/%Y}, avant la signature "
                     f"du contrat ({signed_on:%d/%m/%Y}).")  # fmt: skip
    if start_by is not None:
        if mission.started_on and mission.started_on > start_by:
            found.append(f"{name} : démarrée le {mission.started_on:%d/%m/%Y}, après l'échéance "
                         f"du {start_by:%d/%m/%Y}.")  # fmt: skip
        elif mission.started_on is None and today > start_by:
            found.append(f"{name} : en retard, non démarrée alors que l'échéance était le "
                         f"{start_by:%d/%m/%Y}.")  # fmt: skip
        if mission.deployed_on and mission.deployed_on > deployed_by:
            found.append(f"{name} : déployée le {mission.deployed_on:%d/%m/%Y}, après "
                         f"l'échéance du {deployed_by:%d/%m/%Y}.")  # fmt: skip
        elif mission.deployed_on is None and today > deployed_by:
            found.append(f"{name} : en retard, non déployée alors que l'échéance était le "
                         f"{deployed_by:%d/%m/%Y}.")  # fmt: skip
    return found


def warnings(contract, today: datetime.date | None = None) -> list[str]:
    """What is out of the avenant's rules in the contract's missions (a start before the
    signature, after its deadline, a mission late): accepted, and said on the contract's
    pages and in the report."""
    found = []
    for mission in contract.missions.filter(included=True):
        found.extend(mission_warnings(mission, contract.signed_on, today))
    return found


@dataclass
class MissionRow:
    mission: ContractMission
    label: str
    mandatory: bool
    start_by: datetime.date | None
    deployed_by: datetime.date | None
    suggestion: tuple | None
    warnings: list


def dashboard(contract, today: datetime.date | None = None) -> list[MissionRow]:
    rows = []
    for mission in contract.missions.select_related("contract__cpts").order_by("pk"):
        start_by, deployed_by = mission_rules.deadlines(mission.code, contract.signed_on)
        rows.append(MissionRow(
            mission=mission, label=mission_rules.label(mission.code),
            mandatory=mission_rules.mandatory(mission.code), start_by=start_by,
            deployed_by=deployed_by,
            suggestion=suggested_start(mission) if mission.included else None,
            warnings=mission_warnings(mission, contract.signed_on, today)
            if mission.included else []))  # fmt: skip
    return rows


@transaction.atomic
def set_status(*, mission, status: str, started_on=None, deployed_on=None, note: str = "",
               actor, request=None) -> ContractMission:  # fmt: skip
    """The coordinator states where a mission stands. A start before the signature or after
    its deadline is accepted (see `warnings`); a deployment before the start is not."""
    from .contract import parse_date

    errors = {}
    if status not in MissionStatus.values:
        errors["status"] = "Choisissez l'état : non démarrée, démarrée ou déployée."
    if status in (MissionStatus.STARTED, MissionStatus.DEPLOYED):
        try:
            started_on = parse_date(started_on)
        except ValueError as exc:
            errors["started_on"] = f"Date de démarrage : {exc}"
    else:
        started_on = None
    if status == MissionStatus.DEPLOYED:
        try:
            deployed_on = parse_date(deployed_on)
        except ValueError as exc:
            errors["deployed_on"] = f"Date de déploiement : {exc}"
        else:
            if "started_on" not in errors and deployed_on < started_on:
                errors["deployed_on"] = "Une mission est déployée après avoir démarré."
    else:
        deployed_on = None
    note = (note or "").strip()
    if len(note) > 300:
        errors["status_note"] = "300 caractères au plus."
    if errors:
        raise ValidationError(errors)
    mission = ContractMission.objects.select_for_update().get(pk=mission.pk)
    before = mission.status
    mission.status, mission.started_on, mission.deployed_on = status, started_on, deployed_on
    mission.status_note = note
    mission.save(update_fields=["status", "started_on", "deployed_on", "status_note"])
    audit.record(action="reporting.mission_status", actor=actor, cpts=mission.contract.cpts,
                 obj=mission.contract, request=request,
                 detail={"mission": mission.code, "before": before, "after": status,
                         "started_on": str(started_on or ""),
                         "deployed_on": str(deployed_on or "")})  # fmt: skip
    return mission
