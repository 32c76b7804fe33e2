"""The shipped templates apply: the standard grid and the real year-5 example of the
annexes, with the size class taken from the territory."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AuditEvent
from maillage.reporting import contract as services
from maillage.reporting.models import Contract, ProofRequirement
from maillage.territory import aci
from maillage.territory.services import territory_population

pytestmark = pytest.mark.django_db
SIGNED = datetime.date(2022, 6, 30)

# aci.md, "Example of one real contract (year 5)", EUR per year.
YEAR_5 = {"acces": ("90000", "35000"), "parcours": ("45000", "45000"),
          "prevention": ("17500", "17500"), "crise": ("22500", "67500"),
          "qualite": ("15000", "15000"), "accompagnement": ("10000", "10000")}  # fmt: skip


def _apply(cpts, actor, template="exemple-annee-5", signed_on=SIGNED):
    return services.apply_template(cpts=cpts, template=template, signed_on=signed_on,
                                   actor=actor)  # fmt: skip


def test_the_year_5_example_carries_the_real_amounts_every_year(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator)
    assert contract.years == 5
    for mission in contract.missions.all():
        assert mission.included
        assert [(y.year, y.fixed, y.variable) for y in mission.years.all()] == [
            (n, Decimal(YEAR_5[mission.code][0]), Decimal(YEAR_5[mission.code][1]))
            for n in range(1, 6)
        ]


def test_the_standard_grid_leaves_the_optional_missions_out(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator, "standard")
    included = {m.code: m.included for m in contract.missions.all()}
    assert included == {
        "acces": True,
        "parcours": True,
        "prevention": True,
        "crise": True,
        "qualite": False,
        "accompagnement": False,
    }


def test_size_class_and_grant_come_from_the_territory(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator, "standard")
    size = aci.size_class(territory_population(home_cpts))
    assert contract.size_class == size
    assert contract.operating_grant == {1: 50000, 2: 60000, 3: 75000, 4: 90000}[size]


def test_the_ald_indicator_is_paid_in_the_annexes_tiers(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator)
    ald = contract.missions.get(code="acces").indicators.get(code="ald-sans-medecin-traitant")
    assert (ald.source, ald.direction) == ("cpam", "lower")
    tiers = [(t.threshold, t.amount) for t in ald.years.get(year=1).tiers.all()]
    assert sorted(tiers) == [
        (Decimal(50), Decimal(9000)),
        (Decimal(100), Decimal(6000)),
        (Decimal(219), Decimal(3000)),
    ]


def test_breast_screening_tiers_and_crisis_recognition(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator)
    breast = contract.missions.get(code="prevention").indicators.get(code="depistage-cancer-sein")
    assert breast.registry_code == "prevention.rate.depistage-cancer-sein"
    assert [(t.threshold, t.amount) for t in breast.years.get(year=3).tiers.all()] == [
        (Decimal(55), Decimal(2500)),
        (Decimal(58), Decimal(5000)),
        (Decimal(62), Decimal(7500)),
    ]
    crisis = contract.missions.get(code="crise").indicators.get(code="crise-reconnue-ars")
    rule = crisis.years.get(year=1)
    assert (crisis.source, rule.target, rule.amount, rule.pro_rata) == (
        "manual",
        Decimal(1),
        Decimal(67500),
        False,
    )


def test_proofs_are_asked_as_in_the_annexes(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator)
    proofs = {p.label: p for p in ProofRequirement.objects.filter(mission__contract=contract)}
    meetings = proofs["Feuilles de présence des réunions de concertation"]
    assert (meetings.kind, meetings.registry_code, meetings.expected) == (
        "attendance",
        "meeting",
        3,
    )
    plan = proofs["Plan de crise remis"]
    assert (plan.kind, plan.registry_code, plan.indicator.code) == (
        "indicator",
        "crisis.plan_delivered",
        "plan-de-crise-remis",
    )
    assert proofs["Supports et émargements des actions"].kind == "file"


def test_computed_indicators_name_registry_codes_of_their_mission():
    from maillage.reporting.missions import REGISTRY_MISSIONS

    for code in services.TEMPLATES:
        for mission in services.load_template(code)["missions"]:
            for action in mission["actions"]:
                for ind in action["indicators"]:
                    if ind["source"] == "computed":
                        prefix = ind["registry_code"].split(".")[0]
                        assert REGISTRY_MISSIONS[prefix] == mission["code"], ind["code"]


def test_the_signature_date_is_kept_in_step_with_the_territory(home_cpts, coordinator):
    _apply(home_cpts, coordinator, signed_on=datetime.date(2023, 1, 15))
    home_cpts.refresh_from_db()
    assert home_cpts.aci_signed_on == datetime.date(2023, 1, 15)


def test_a_second_contract_or_an_unknown_template_is_refused(home_cpts, coordinator):
    with pytest.raises(ValidationError) as unknown:
        _apply(home_cpts, coordinator, "inconnu")
    assert "template" in unknown.value.message_dict
    _apply(home_cpts, coordinator)
    with pytest.raises(ValidationError, match="déjà un contrat"):
        _apply(home_cpts, coordinator, "standard")
    assert Contract.objects.filter(cpts=home_cpts).count() == 1


def test_creating_the_contract_is_audited(home_cpts, coordinator):
    contract = _apply(home_cpts, coordinator)
    assert AuditEvent.objects.filter(action="reporting.contract_create", actor=coordinator,
                                     object_id=contract.public_id).exists()  # fmt: skip
