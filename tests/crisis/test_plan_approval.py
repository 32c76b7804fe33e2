"""The board approves a version of the plan; nobody else can, twice changes nothing, and
an approved version is never changed. The coordinator records its delivery to the ARS and
the CPAM."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.crisis import plan
from maillage.crisis.models import PlanVersion

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


@pytest.fixture
def version(home_cpts, coordinator):
    plan.save_section(cpts=home_cpts, section="referent", body="Dr Martin", author=coordinator)
    return plan.create_version(cpts=home_cpts, actor=coordinator, note="Première version")


def _url(name, version):
    return reverse(f"crisis:{name}", args=[HOME, version.public_id])


def test_a_board_member_approves_a_version(version, board_member, client_for):
    response = client_for(board_member).post(_url("plan_approve", version))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.approved_by == board_member and version.approved_at is not None
    assert AuditEvent.objects.filter(action="crisis.plan_approve", actor=board_member,
                                     object_id=version.public_id).exists()  # fmt: skip


@pytest.mark.parametrize("role", ["coordinator", "gp", "nurse", "regulator", "partner"])
def test_anyone_but_the_board_gets_404_on_approval(role, request, version, client_for):
    response = client_for(request.getfixturevalue(role)).post(_url("plan_approve", version))
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.approved_at is None


def test_the_service_refuses_an_approver_outside_the_board(version, coordinator, outsider):
    for actor in (coordinator, outsider):
        with pytest.raises(ValidationError) as caught:
            plan.approve_version(version=version, actor=actor)
        assert caught.value.messages == [
            "Seul un membre du bureau ou du CA peut approuver le plan."]
    version.refresh_from_db()
    assert version.approved_at is None


def test_approving_twice_changes_nothing(version, board_member, client_for):
    assert plan.approve_version(version=version, actor=board_member) is True
    version.refresh_from_db()
    first = (version.approved_at, version.approved_by_id)
    response = client_for(board_member).post(_url("plan_approve", version), follow=True)
    assert "était déjà approuvée" in response.content.decode()
    assert plan.approve_version(version=version, actor=board_member) is False
    version.refresh_from_db()
    assert (version.approved_at, version.approved_by_id) == first
    assert AuditEvent.objects.filter(action="crisis.plan_approve").count() == 1


def test_an_approved_version_keeps_its_text_when_the_draft_moves_on(
    version, board_member, coordinator, home_cpts
):
    plan.approve_version(version=version, actor=board_member)
    before = PlanVersion.objects.get(pk=version.pk).sections
    plan.save_section(cpts=home_cpts, section="referent", body="Dr Roux", author=coordinator)
    plan.create_version(cpts=home_cpts, actor=coordinator)
    assert PlanVersion.objects.get(pk=version.pk).sections == before
    assert plan.newest_approved(home_cpts) == version


def test_an_older_version_cannot_be_approved_after_a_newer_one(
    version, board_member, coordinator, home_cpts
):
    plan.save_section(cpts=home_cpts, section="referent", body="Dr Roux", author=coordinator)
    newer = plan.create_version(cpts=home_cpts, actor=coordinator)
    plan.approve_version(version=newer, actor=board_member)
    with pytest.raises(ValidationError, match="plus récente, est déjà approuvée"):
        plan.approve_version(version=version, actor=board_member)


def test_the_coordinator_records_the_delivery_of_an_approved_version(
    version, board_member, coordinator, client_for
):
    plan.approve_version(version=version, actor=board_member)
    today = timezone.localdate()
    response = client_for(coordinator).post(_url("plan_delivered", version),
                                            {"delivered_on": today.isoformat()})  # fmt: skip
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.delivered_on == today
    assert AuditEvent.objects.filter(action="crisis.plan_delivered").exists()


def test_delivery_is_refused_before_approval_or_in_the_future(
    version, board_member, coordinator, client_for
):
    client = client_for(coordinator)
    today = timezone.localdate()
    response = client.post(_url("plan_delivered", version), {"delivered_on": today.isoformat()})
    assert response.status_code == 400
    assert "Seule une version approuvée" in response.content.decode()
    plan.approve_version(version=version, actor=board_member)
    tomorrow = today + datetime.timedelta(days=1)
    response = client.post(_url("plan_delivered", version),
                           {"delivered_on": tomorrow.isoformat()})  # fmt: skip
    assert response.status_code == 400
    assert "ne peut pas être future" in response.content.decode()
    version.refresh_from_db()
    assert version.delivered_on is None


def test_the_board_cannot_record_a_delivery(version, board_member, client_for):
    plan.approve_version(version=version, actor=board_member)
    response = client_for(board_member).post(
        _url("plan_delivered", version), {"delivered_on": timezone.localdate().isoformat()})
    assert response.status_code == 404
