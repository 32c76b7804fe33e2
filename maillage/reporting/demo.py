"""The demo CPTS's contract: signed on the CPTS's ACI date, built from the shipped
year-5 example, missions started, payments received, a few CPAM figures and proofs."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_SLUG = "pays-berjalliens"
# Plausible starts: the access and crisis missions (6 months to start) soon after the
# signature, the pathways and prevention (12 months) later.
STARTS = {
    "acces": (datetime.date(2022, 9, 1), datetime.date(2023, 11, 15)),
    "crise": (datetime.date(2022, 10, 3), datetime.date(2023, 9, 29)),
    "parcours": (datetime.date(2023, 3, 13), datetime.date(2024, 5, 21)),
    "prevention": (datetime.date(2023, 4, 3), datetime.date(2024, 4, 30)),
    "qualite": (datetime.date(2023, 9, 18), None),
    "accompagnement": (datetime.date(2024, 1, 8), None),
}
# (indicator code, contract year, value, date, document): figures the CPAM sent.
FIGURES = (
    ("ald-sans-medecin-traitant", 4, "87", datetime.date(2026, 2, 10),
     "Tableau de bord CPAM de l'Isère, décembre 2025"),
    ("patients-16-ans-avec-medecin-traitant", 4, "89.40", datetime.date(2026, 2, 10),
     "Tableau de bord CPAM de l'Isère, décembre 2025"),
    ("70-ans-sans-medecin-traitant", 4, "241", datetime.date(2026, 2, 10),
     "Tableau de bord CPAM de l'Isère, décembre 2025"),
)  # fmt: skip


@transaction.atomic
def build_demo_reporting(*, today=None) -> None:
    """Once: nothing is done when the demo CPTS already has a contract."""
    from maillage.core.models import Cpts, Membership, Role

    from . import contract as services
    from .models import ContractIndicator, MissionStatus, SuppliedFigure

    cpts = Cpts.objects.filter(slug=DEMO_SLUG).first()
    if cpts is None or cpts.aci_contracts.exists():
        return
    signed_on = cpts.aci_signed_on or datetime.date(2022, 6, 30)
    coordinator = (Membership.objects.active().filter(cpts=cpts, role=Role.COORDINATOR)
                   .select_related("user").first())  # fmt: skip
    actor = coordinator.user if coordinator else None
    contract = services.apply_template(cpts=cpts, template="exemple-annee-5",
                                       signed_on=signed_on, actor=actor)  # fmt: skip
    for mission in contract.missions.all():
        started, deployed = STARTS[mission.code]
        mission.started_on, mission.deployed_on = started, deployed
        mission.status = MissionStatus.DEPLOYED if deployed else MissionStatus.STARTED
        mission.save(update_fields=["started_on", "deployed_on", "status"])
    for code, year, value, dated, document in FIGURES:
        indicator = ContractIndicator.objects.get(mission__contract=contract, code=code)
        SuppliedFigure.objects.create(indicator=indicator, year=year, value=Decimal(value),
                                      dated=dated, document=document, entered_by=actor)  # fmt: skip
    _demo_payments(contract, actor, today or timezone.localdate())


# The CPAM pays about three weeks after a line falls due; the lines of the last two months
# are left unpaid, so that the payments page shows what is still expected.
PAYMENT_DELAY = datetime.timedelta(days=21)
UNPAID_RECENT = datetime.timedelta(days=60)


def _demo_payments(contract, actor, today) -> None:
    from . import funding
    from .models import Payment

    for line in funding.schedule(contract, today=today):
        if line.date > today - UNPAID_RECENT or line.amount <= 0:
            continue
        Payment.objects.create(
            contract=contract, received_on=line.date + PAYMENT_DELAY, amount=line.amount,
            reference=f"VIR CPAM38 {line.date:%Y%m%d} {line.line[:5]} {line.kind[:3]}".upper(),
            line=line.line, kind=line.kind, due_on=line.date, entered_by=actor,
        )  # fmt: skip
