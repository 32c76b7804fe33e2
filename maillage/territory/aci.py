"""ACI figures used by the territory: size classes and mission deadlines.

These come from the ACI contract (avenant 2, 2021). They are data, kept in one place,
so that a new avenant changes this table and nothing else.
"""

import calendar
import datetime
from dataclasses import dataclass

# (upper bound exclusive, taille). Above the last bound: taille 4.
SIZE_CLASS_BOUNDS = ((40_000, 1), (80_000, 2), (175_000, 3))


def size_class(population: int) -> int:
    """ACI taille (1-4) for a territory of `population` inhabitants.

    The ACI table gives ranges "40 000 - 80 000" and "80 000 - 175 000"; a population
    exactly on a bound belongs to the upper class (80 000 inhabitants is taille 3),
    except 175 000 which the text puts in taille 3 ("> 175 000" is taille 4).
    """
    if population < 0:
        raise ValueError("population must be non-negative")
    for bound, klass in SIZE_CLASS_BOUNDS:
        if population < bound:
            return klass
    return 3 if population == 175_000 else 4


@dataclass(frozen=True)
class Mission:
    code: str
    name: str
    mandatory: bool
    start_months: int | None
    deployed_months: int | None


MISSIONS = (
    Mission("acces_soins", "Accès aux soins (médecin traitant, soins non programmés)", True, 6, 18),
    Mission("parcours", "Parcours pluriprofessionnels", True, 12, 24),
    Mission("prevention", "Prévention", True, 12, 24),
    Mission("crise", "Crises sanitaires graves", True, 6, 18),
    Mission("qualite", "Qualité et pertinence des soins", False, None, None),
    Mission("accompagnement", "Accompagnement des professionnels de santé", False, None, None),
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    mission: Mission
    start_by: datetime.date | None
    deployed_by: datetime.date | None

    def state(self, today: datetime.date) -> str:
        if self.start_by is None:
            return "optionnelle"
        if today > self.deployed_by:
            return "échéance passée"
        if today > self.start_by:
            return "à déployer"
        return "à démarrer"


def mission_deadlines(signed_on: datetime.date | None) -> list[Deadline]:
    if signed_on is None:
        return []
    return [
        Deadline(
            m,
            add_months(signed_on, m.start_months) if m.start_months is not None else None,
            add_months(signed_on, m.deployed_months) if m.deployed_months is not None else None,
        )
        for m in MISSIONS
    ]
