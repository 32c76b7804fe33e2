"""A contract for the report's tests, built directly with the models (the test database
has none): signed on 15/01/2024, year 3 running on 07/12/2026, three missions retained
(accès, prévention, qualité) and one optional mission not chosen (accompagnement)."""

import datetime
from decimal import Decimal as D

from maillage.reporting.models import (
    Contract,
    ContractAction,
    ContractIndicator,
    ContractMission,
    IndicatorYear,
    MissionYear,
    SuppliedFigure,
    Tier,
)

SIGNED = datetime.date(2024, 1, 15)
TODAY = datetime.date(2026, 12, 7)
YEAR = 3


def indicator(mission, code, label, *, source="cpam", baseline=None, direction="higher",
              tiers=None, target=None, amount=None, pro_rata=True, value=None, action=None,
              year=YEAR, position=0):  # fmt: skip
    row = ContractIndicator.objects.create(
        mission=mission, code=code, label=label, definition=f"Définition de {label}.",
        source=source, baseline=baseline, direction=direction, position=position,
        action=action)  # fmt: skip
    rule = IndicatorYear.objects.create(indicator=row, year=year,
                                        rule="tiers" if tiers else "target", target=target,
                                        amount=amount, pro_rata=pro_rata)  # fmt: skip
    for i, (threshold, paid) in enumerate(tiers or []):
        Tier.objects.create(indicator_year=rule, threshold=threshold, amount=paid, position=i)
    if value is not None:
        SuppliedFigure.objects.create(indicator=row, year=year, value=value, dated=TODAY,
                                      document="Tableau CPAM de novembre")  # fmt: skip
    return row


def build_contract(cpts) -> Contract:
    contract = Contract.objects.create(cpts=cpts, signed_on=SIGNED, size_class=3,
                                       operating_grant=D("75000"))  # fmt: skip
    acces = ContractMission.objects.create(contract=contract, code="acces", status="started",
                                           started_on=datetime.date(2024, 3, 1))  # fmt: skip
    prevention = ContractMission.objects.create(
        contract=contract,
        code="prevention",
        status="deployed",
        started_on=datetime.date(2024, 6, 1),
        deployed_on=datetime.date(2025, 6, 1),
    )
    qualite = ContractMission.objects.create(contract=contract, code="qualite")
    ContractMission.objects.create(contract=contract, code="accompagnement", included=False)
    for mission, fixed, variable in (
        (acces, "90000", "35000"),
        (prevention, "17500", "17500"),
        (qualite, "15000", "15000"),
    ):
        for year in (1, 2, 3, 4, 5):
            MissionYear.objects.create(mission=mission, year=year, fixed=D(fixed),
                                       variable=D(variable))  # fmt: skip
    census = ContractAction.objects.create(mission=acces,
                                           title="Recensement des patients sans médecin "
                                                 "traitant", description="Listes CPAM et "
                                                 "pharmacies.")  # fmt: skip
    indicator(acces, "ald-sans-mt", "Patients en ALD sans médecin traitant", baseline=D(240),
              direction="lower", tiers=[(D(50), D(9000)), (D(100), D(6000)), (D(219), D(3000))],
              value=D(80), action=census)  # fmt: skip
    indicator(
        acces,
        "mg-volontaires",
        "Médecins volontaires recensés",
        source="manual",
        baseline=D(4),
        target=D(12),
        amount=D(4000),
        value=D(10),
        position=1,
    )
    indicator(prevention, "depistage-sein", "Dépistage du cancer du sein", baseline=D(55),
              target=D(62), amount=D(2500), value=D("58.5"))  # fmt: skip
    indicator(
        qualite,
        "reunions-qualite",
        "Réunions qualité avec compte rendu",
        source="manual",
        target=D(2),
        amount=D(15000),
        pro_rata=False,
        value=D(2),
    )
    return contract
