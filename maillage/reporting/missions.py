"""The contract's missions: their codes, deadlines (from territory.aci, the one table of
the avenant) and which missions of the indicator registry feed each of them."""

from __future__ import annotations

import datetime

from maillage.territory import aci

from .models import MissionCode

# The territory's table names the access mission "acces_soins"; the contract and its API
# say "acces".
_TERRITORY_CODE = {MissionCode.ACCES: "acces_soins"}

# Missions of the indicator registry (core.indicators) → the contract mission they feed.
REGISTRY_MISSIONS = {
    "gp_access": MissionCode.ACCES,
    "same_day_care": MissionCode.ACCES,
    "pathways": MissionCode.PARCOURS,
    "prevention": MissionCode.PREVENTION,
    "crisis": MissionCode.CRISE,
}

CODES = [code for code, _label in MissionCode.choices]


def label(code: str) -> str:
    from .models import FUNDING_LINES

    return dict(FUNDING_LINES).get(code, code)


def territory_mission(code: str) -> aci.Mission:
    wanted = _TERRITORY_CODE.get(code, code)
    return next(m for m in aci.MISSIONS if m.code == wanted)


def mandatory(code: str) -> bool:
    return territory_mission(code).mandatory


def deadlines(
    code: str, signed_on: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """(start by, deployed by) for a mandatory mission; (None, None) for an optional one,
    whose dates the CPTS chooses."""
    mission = territory_mission(code)
    if mission.start_months is None:
        return None, None
    return (aci.add_months(signed_on, mission.start_months),
            aci.add_months(signed_on, mission.deployed_months))  # fmt: skip


def registry_indicators(code: str):
    """The registry's indicators that feed a contract mission."""
    from maillage.core import indicators

    return [i for i in indicators.REGISTRY.values() if REGISTRY_MISSIONS.get(i.mission) == code]
