"""The demo builds the first CPTS's contract from the year-5 example, once."""

import datetime
from decimal import Decimal

import pytest

from maillage.reporting.demo import build_demo_reporting
from maillage.reporting.models import Contract, SuppliedFigure

pytestmark = pytest.mark.django_db


def test_the_demo_contract_is_built_once(home_cpts, other_cpts):
    build_demo_reporting()
    contract = Contract.objects.get(cpts=home_cpts)
    assert contract.template == "exemple-annee-5"
    assert contract.signed_on == home_cpts.aci_signed_on
    missions = {m.code: m for m in contract.missions.all()}
    assert missions["acces"].years.get(year=5).fixed == Decimal(90000)
    # The 6-month missions started soon after the signature, the 12-month ones later.
    assert missions["acces"].started_on < missions["parcours"].started_on
    assert missions["crise"].started_on < missions["prevention"].started_on
    assert all(m.status != "not_started" for m in missions.values())
    assert SuppliedFigure.objects.filter(indicator__mission__contract=contract).count() >= 2
    build_demo_reporting()
    assert Contract.objects.filter(cpts=home_cpts).count() == 1
    assert not Contract.objects.filter(cpts=other_cpts).exists()


def test_the_demo_missions_start_within_their_deadlines(home_cpts):
    from maillage.reporting import status

    build_demo_reporting()
    contract = Contract.objects.get(cpts=home_cpts)
    assert home_cpts.aci_signed_on == datetime.date(2022, 6, 30)
    assert status.warnings(contract) == []


def test_the_demo_payments_match_the_schedule_and_leave_the_recent_lines_due(home_cpts):
    from maillage.reporting import payments

    today = datetime.date(2026, 12, 7)
    build_demo_reporting(today=today)
    contract = Contract.objects.get(cpts=home_cpts)
    rows = payments.statuses(contract, today=today)
    paid = [r for r in rows if r.line.date <= today - datetime.timedelta(days=60)]
    assert paid and all(r.status == "paid" for r in paid if r.line.amount > 0)
    recent = [r for r in rows if today - datetime.timedelta(days=60) < r.line.date <= today]
    assert all(r.status != "paid" for r in recent)
