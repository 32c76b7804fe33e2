"""The request state machine, exhaustively: every allowed transition works and is recorded,
every other one is refused in French and changes nothing."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AuditEvent
from maillage.gp_access.models import TRANSITIONS, GpRequest, Status, Transition
from maillage.gp_access.services import transition

pytestmark = pytest.mark.django_db

# A path from "new" to each status, through allowed transitions.
PATHS = {
    Status.NEW: [],
    Status.QUALIFIED: [Status.QUALIFIED],
    Status.PROPOSED: [Status.QUALIFIED, Status.PROPOSED],
    Status.ACCEPTED: [Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED],
    Status.DECLINED: [Status.QUALIFIED, Status.PROPOSED, Status.DECLINED],
    Status.ASSIGNED: [Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED, Status.ASSIGNED],
    Status.CLOSED: [
        Status.QUALIFIED,
        Status.PROPOSED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.CLOSED,
    ],
    Status.CANCELLED: [Status.CANCELLED],
    Status.REDIRECTED: [Status.REDIRECTED],
}


def walk(gp_request, path, actor):
    for status in path:
        gp_request = transition(
            gp_request=gp_request, to_status=status, actor=actor, reason="motif"
        )
    return gp_request


@pytest.mark.parametrize(("start", "target"), list(itertools.product(Status, Status)))
def test_every_transition(make_request, coordinator, start, target):
    gp_request = walk(make_request(), PATHS[start], coordinator)
    assert gp_request.status == start
    before = Transition.objects.filter(request=gp_request).count()
    if target in TRANSITIONS[start]:
        moved = transition(
            gp_request=gp_request, to_status=target, actor=coordinator, reason="motif"
        )
        assert moved.status == target
        last = Transition.objects.filter(request=gp_request).last()
        assert (last.from_status, last.to_status, last.actor) == (start, target, coordinator)
        assert AuditEvent.objects.filter(
            action="gp_request.transition", object_id=gp_request.public_id
        ).exists()
    else:
        with pytest.raises(ValidationError) as excinfo:
            transition(gp_request=gp_request, to_status=target, actor=coordinator, reason="motif")
        assert "Transition impossible" in excinfo.value.message_dict["status"][0]
        assert GpRequest.objects.get(pk=gp_request.pk).status == start
        assert Transition.objects.filter(request=gp_request).count() == before


def test_qualification_needs_a_complete_file(make_request, coordinator):
    gp_request = make_request(phone="", commune="")
    with pytest.raises(ValidationError) as excinfo:
        transition(gp_request=gp_request, to_status=Status.QUALIFIED, actor=coordinator)
    message = excinfo.value.message_dict["status"][0]
    assert "la commune du patient" in message and "un moyen de contact" in message


@pytest.mark.parametrize("target", [Status.CANCELLED, Status.REDIRECTED])
def test_ending_a_request_needs_a_reason(make_request, coordinator, target):
    with pytest.raises(ValidationError) as excinfo:
        transition(gp_request=make_request(), to_status=target, actor=coordinator, reason=" ")
    assert "motif" in excinfo.value.message_dict["reason"][0]


def test_unknown_status_is_refused(make_request, coordinator):
    with pytest.raises(ValidationError, match="Statut inconnu"):
        transition(gp_request=make_request(), to_status="volatilisée", actor=coordinator)


def test_one_open_request_per_patient(make_request, home_cpts, coordinator):
    from maillage.gp_access.services import request_create

    gp_request = make_request()
    with pytest.raises(ValidationError) as excinfo:
        request_create(
            cpts=home_cpts, actor=coordinator, patient=gp_request.patient, origin="coordination"
        )
    assert "déjà en cours" in excinfo.value.message_dict["patient"][0]
    transition(
        gp_request=gp_request, to_status=Status.CANCELLED, actor=coordinator, reason="déménagement"
    )
    request_create(
        cpts=home_cpts, actor=coordinator, patient=gp_request.patient, origin="coordination"
    )
