"""The plan's cards on the home page, and its indicators for the contract."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import home, indicators
from maillage.core.models import Membership
from maillage.crisis import plan
from maillage.crisis.models import PlanVersion

pytestmark = pytest.mark.django_db


def _cards(user, cpts):
    membership = Membership.objects.get(user=user, cpts=cpts)
    return {c.name: c for c in home.cards_for(membership)}


def _version(cpts, coordinator, text="Dr Martin"):
    plan.save_section(cpts=cpts, section="referent", body=text, author=coordinator)
    return plan.create_version(cpts=cpts, actor=coordinator)


def test_the_coordinator_is_told_no_version_is_approved(home_cpts, coordinator):
    card = _cards(coordinator, home_cpts)["crisis.plan_update"]
    assert card.items[0].label == "Aucune version approuvée"


def test_the_coordinator_sees_the_yearly_update_only_when_due_within_30_days(
    home_cpts, coordinator, board_member
):
    version = _version(home_cpts, coordinator)
    plan.approve_version(version=version, actor=board_member)
    assert "crisis.plan_update" not in _cards(coordinator, home_cpts)
    PlanVersion.objects.filter(pk=version.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=340))
    card = _cards(coordinator, home_cpts)["crisis.plan_update"]
    due = timezone.localdate() + datetime.timedelta(days=25)
    assert card.items[0].label == f"Plan de crise : mise à jour annuelle due le {due:%d/%m/%Y}"
    assert not card.items[0].late
    PlanVersion.objects.filter(pk=version.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=400))
    assert _cards(coordinator, home_cpts)["crisis.plan_update"].items[0].late


def test_the_board_sees_versions_waiting_for_its_approval(
    home_cpts, coordinator, board_member, gp
):
    assert "crisis.plan_approval" not in _cards(board_member, home_cpts)
    version = _version(home_cpts, coordinator)
    card = _cards(board_member, home_cpts)["crisis.plan_approval"]
    assert card.count == 1 and card.items[0].url == reverse(
        "crisis:plan_version", args=[home_cpts.slug, version.public_id])
    assert "crisis.plan_approval" not in _cards(gp, home_cpts)
    plan.approve_version(version=version, actor=board_member)
    assert "crisis.plan_approval" not in _cards(board_member, home_cpts)


def test_the_indicators_count_delivery_and_approvals_in_the_period(
    home_cpts, other_cpts, coordinator, board_member
):
    today = timezone.localdate()
    year = (today - datetime.timedelta(days=364), today)
    version = _version(home_cpts, coordinator)
    assert indicators.compute("crisis.plan_delivered", home_cpts, year).value == 0
    plan.approve_version(version=version, actor=board_member)
    plan.record_delivery(version=version, delivered_on=today, actor=coordinator)
    delivered = indicators.compute("crisis.plan_delivered", home_cpts, year)
    assert delivered.value == 1 and delivered.note == f"version 1 remise le {today:%d/%m/%Y}"
    assert indicators.compute("crisis.plan_updated", home_cpts, year).value == 1
    last_year = (today - datetime.timedelta(days=800), today - datetime.timedelta(days=400))
    assert indicators.compute("crisis.plan_updated", home_cpts, last_year).value == 0
    assert indicators.compute("crisis.plan_delivered", other_cpts, year).value == 0
    assert indicators.REGISTRY["crisis.plan_updated"].mission == "crisis"
