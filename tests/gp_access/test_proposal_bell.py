"""Answering clears it: the GP's in-app message about a batch of proposals is marked read
once no proposal of that batch still waits for their answer (accepted, declined,
expired or withdrawn)."""

import datetime

import pytest
from django.utils import timezone

from maillage.gp_access.models import GpCapacity, Proposal, Status
from maillage.gp_access.services import (
    batch_send,
    expire_overdue_proposals,
    proposal_respond,
    propose_batch,
    transition,
)
from maillage.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_batch(make_request, coordinator, gp, home_cpts):
    """A batch of two proposals sent to the GP (and to nobody else)."""

    def make(count=2):
        for _ in range(count):
            transition(gp_request=make_request(), to_status=Status.QUALIFIED, actor=coordinator)
        GpCapacity.objects.exclude(gp=gp).update(monthly_new_patients=0)
        GpCapacity.objects.filter(gp=gp).update(monthly_new_patients=10, paused_until=None)
        batch = propose_batch(cpts=home_cpts, actor=coordinator)
        assert batch_send(batch=batch, actor=coordinator) == count
        return batch

    return make


def _bell(gp):
    return Notification.objects.in_app_for(gp).filter(kind="gp_access.proposals")


def test_the_message_stays_unread_while_a_proposal_of_the_batch_still_waits(sent_batch, gp):
    batch = sent_batch(2)
    first, second = batch.proposals.filter(gp=gp)
    proposal_respond(proposal=first, gp=gp, accept=True)
    assert _bell(gp).unread().count() == 1
    proposal_respond(proposal=second, gp=gp, accept=False, reason="patientèle complète")
    assert _bell(gp).unread().count() == 0
    assert _bell(gp).get().read_at is not None  # still in their list, read


def test_expired_proposals_clear_the_message(sent_batch, gp, home_cpts):
    batch = sent_batch(1)
    later = timezone.now() + datetime.timedelta(days=60)
    assert expire_overdue_proposals(cpts=home_cpts, now=later) == 1
    assert batch.proposals.get().state == Proposal.State.EXPIRED
    assert _bell(gp).unread().count() == 0


def test_a_withdrawn_proposal_clears_the_message(sent_batch, gp, coordinator):
    batch = sent_batch(1)
    gp_request = batch.proposals.get().request
    transition(gp_request=gp_request, to_status=Status.QUALIFIED, actor=coordinator,
               reason="Retour en liste d'attente")  # fmt: skip
    assert batch.proposals.get().state == Proposal.State.WITHDRAWN
    assert _bell(gp).unread().count() == 0


def test_answering_one_batch_leaves_the_message_of_another_batch_unread(sent_batch, gp):
    first = sent_batch(1)
    second = sent_batch(1)
    proposal_respond(proposal=first.proposals.get(), gp=gp, accept=True)
    [still] = _bell(gp).unread()
    assert still.ref == f"gp_batch:{second.public_id}"
