"""From a request to an assigned GP: public form, queue, batch of proposals, the GP's
answer, capacity, indicators, API, CLI; and who sees what."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.gp_access.forms import PublicRequestForm
from maillage.gp_access.models import GpCapacity, GpRequest, Proposal, ProposalBatch, Status
from maillage.gp_access.services import (
    batch_send,
    proposal_respond,
    propose_batch,
    transition,
)
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
QUEUE = reverse("gp_access:queue", args=[HOME])
PUBLIC = reverse("gp_access:public", args=[HOME])


def public_data(**extra):
    import time

    from django.core import signing

    data = {
        "birth_name": "Rivière",
        "first_names": "Agathe",
        "birth_date": "1950-02-03",
        "sex": "F",
        "commune": "38193",
        "phone": "06 11 22 33 44",
        "ald": "on",
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 30, salt="gp-public-form"),
    }
    data.update(extra)
    return data


@pytest.fixture
def qualified(make_request, coordinator):
    def make(**patient):
        return transition(
            gp_request=make_request(**patient), to_status=Status.QUALIFIED, actor=coordinator
        )

    return make


def test_resident_public_form_creates_a_request(client):
    response = client.post(PUBLIC, public_data())
    assert response.status_code == 200
    assert "Votre demande est enregistrée" in text(response)
    gp_request = GpRequest.objects.get(patient__birth_name="Rivière")
    assert gp_request.origin == "public_form" and gp_request.status == Status.NEW
    assert gp_request.priority_reasons.startswith("ALD")
    assert gp_request.patient.consents.get().method == "online"


def test_public_form_refuses_bots_and_hasty_posts(client):
    assert client.post(PUBLIC, public_data(website="http://spam")).status_code == 400
    fast = public_data(started=PublicRequestForm.stamp())
    response = client.post(PUBLIC, fast)
    assert response.status_code == 400 and "trop vite" in text(response)
    assert not GpRequest.objects.filter(patient__birth_name="Rivière").exists()


def test_public_form_bad_input_is_explained(client):
    response = client.post(
        PUBLIC, public_data(birth_date="2999-01-01", commune="38999", consent="")
    )
    body = text(response)
    assert response.status_code == 400
    assert "Votre accord est nécessaire" in body


def test_public_form_is_rate_limited(client, settings):
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.post(PUBLIC, public_data(birth_name=f"Nom{i}")).status_code for i in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    cache.clear()


def test_carer_can_ask_for_a_relative(client):
    client.post(
        PUBLIC,
        public_data(
            for_someone_else="on",
            carer_name="Paul Rivière",
            carer_relation="fils",
            phone="",
            carer_phone="0622334455",
        ),
    )
    gp_request = GpRequest.objects.get(patient__birth_name="Rivière")
    assert gp_request.origin == "carer" and gp_request.carer_name == "Paul Rivière"


def test_full_path_batch_then_gp_accepts_then_assigned(
    qualified, coordinator, gp, home_cpts, client_for, run_jobs
):
    ald = qualified(ald=True)
    other = qualified()
    GpCapacity.objects.filter(gp=gp).update(monthly_new_patients=1)
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    proposals = list(batch.proposals.all())
    assert [p.request_id for p in proposals] == [ald.pk]  # the priority patient first
    assert batch_send(batch=batch, actor=coordinator) == 1
    run_jobs()
    assert "1 patient(s) vous sont proposés" in mail.outbox[-1].subject
    from maillage.notifications.models import Notification

    bell = Notification.objects.in_app_for(gp).unread().get(kind="gp_access.proposals")
    assert "Odette" not in bell.body and bell.link.endswith("/mes-propositions/")
    assert "Odette" not in mail.outbox[-1].body  # no health data by e-mail
    ald.refresh_from_db()
    assert ald.status == Status.PROPOSED
    gp_client = client_for(gp)
    page = text(gp_client.get(reverse("gp_access:my_proposals", args=[HOME])))
    assert ald.patient.display_name in page and other.patient.display_name not in page
    gp_client.post(
        reverse("gp_access:my_proposals", args=[HOME]),
        {"proposal": proposals[0].public_id, "answer": "accept"},
    )
    ald.refresh_from_db()
    assert ald.status == Status.ACCEPTED
    coord = client_for(coordinator)
    coord.post(reverse("gp_access:request", args=[HOME, ald.public_id]), {"to_status": "assigned"})
    ald.refresh_from_db()
    assert ald.status == Status.ASSIGNED and ald.assigned_gp == gp
    data = text(coord.get(reverse("gp_access:indicators", args=[HOME])))
    assert "ont trouvé un médecin traitant" in data


def test_declined_patient_returns_to_the_pool_and_gp_loses_access(
    qualified, coordinator, gp, home_cpts, client_for
):
    gp_request = qualified()
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    batch_send(batch=batch, actor=coordinator)
    proposal = Proposal.objects.get(request=gp_request)
    url = reverse("gp_access:request", args=[HOME, gp_request.public_id])
    assert client_for(gp).get(url).status_code == 200
    response = client_for(gp).post(
        reverse("gp_access:my_proposals", args=[HOME]),
        {"proposal": proposal.public_id, "answer": "decline"},
        follow=True,
    )
    assert "motif" in text(response)
    proposal_respond(proposal=proposal, gp=gp, accept=False, reason="patientèle complète")
    gp_request.refresh_from_db()
    assert gp_request.status == Status.QUALIFIED
    assert client_for(gp).get(url).status_code == 404
    assert [t.to_status for t in gp_request.transitions.all()][-2:] == ["declined", "qualified"]


def test_no_gp_is_proposed_more_than_their_capacity(qualified, coordinator, gp, home_cpts):
    for _ in range(6):
        qualified()
    GpCapacity.objects.filter(gp=gp).update(monthly_new_patients=2)
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    assert batch.proposals.count() == 2
    batch_send(batch=batch, actor=coordinator)
    again = propose_batch(cpts=home_cpts, actor=coordinator)
    assert again.proposals.count() == 0  # this month's capacity is used up


def test_paused_gp_gets_no_proposal(qualified, coordinator, gp, home_cpts, client_for):
    qualified()
    client_for(gp).post(reverse("gp_access:capacity", args=[HOME]), {"quick": "pause"})
    assert propose_batch(cpts=home_cpts, actor=coordinator).proposals.count() == 0
    client_for(gp).post(reverse("gp_access:capacity", args=[HOME]), {"quick": "resume"})
    client_for(gp).post(reverse("gp_access:capacity", args=[HOME]), {"quick": "more"})
    capacity = GpCapacity.objects.get(gp=gp)
    assert capacity.paused_until is None and capacity.monthly_new_patients == 5


def test_batch_page_compute_send_and_discard(qualified, client_for, coordinator, home_cpts):
    qualified()
    client = client_for(coordinator)
    url = reverse("gp_access:batch", args=[HOME])
    client.post(url, {"action": "compute"})
    batch = ProposalBatch.objects.get(cpts=home_cpts, state="draft")
    assert "Lot à valider (1 proposition(s))" in text(client.get(url))
    client.post(url, {"action": "discard", "batch": batch.public_id})
    batch.refresh_from_db()
    assert batch.state == "discarded"
    client.post(url, {"action": "send", "batch": batch.public_id}, follow=True)
    assert Proposal.objects.filter(state="pending").count() == 0


def test_who_sees_what(make_request, client_for, coordinator, gp, partner, board_member, outsider):
    own = make_request(origin="partner", actor=partner)
    other = make_request()
    detail = reverse("gp_access:request", args=[HOME, other.public_id])
    assert client_for(coordinator).get(detail).status_code == 200
    assert client_for(partner).get(detail).status_code == 404
    assert (
        client_for(partner)
        .get(reverse("gp_access:request", args=[HOME, own.public_id]))
        .status_code
        == 200
    )
    assert client_for(gp).get(detail).status_code == 404
    assert client_for(outsider).get(detail).status_code == 404
    board = client_for(board_member)
    assert board.get(QUEUE).status_code == 404
    assert board.get(detail).status_code == 404
    assert board.get(reverse("gp_access:indicators", args=[HOME])).status_code == 200
    queue = text(client_for(partner).get(QUEUE + "?statut=new"))
    assert own.patient.display_name in queue and other.patient.display_name not in queue
    assert AuditEvent.objects.filter(
        action="patient.read", actor=coordinator, object_id=other.patient.public_id
    ).exists()


def test_coordinator_creates_a_request_and_duplicate_is_flagged(
    client_for, coordinator, make_request
):
    existing = make_request(birth_name="Duval", first_names="Marc", birth_date="1970-01-01")
    form = {
        "birth_name": "DUVAL",
        "first_names": "marc",
        "birth_date": "1970-01-01",
        "sex": "M",
        "commune": "38053",
        "phone": "0611111111",
        "origin": "coordination",
        "consent_method": "oral",
    }
    client = client_for(coordinator)
    response = client.post(reverse("gp_access:create", args=[HOME]), form)
    assert response.status_code == 400 and "probablement déjà enregistré" in text(response)
    response = client.post(
        reverse("gp_access:create", args=[HOME]), {**form, "confirm_duplicate": "on"}
    )
    assert response.status_code == 302  # confirmed: another person with the same traits
    from maillage.patients.models import Patient

    assert Patient.objects.filter(match_key=existing.patient.match_key).count() == 2


def test_indicators_csv(client_for, coordinator):
    response = client_for(coordinator).get(
        reverse("gp_access:indicators", args=[HOME]), {"format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "Patients en attente" in response.content.decode("utf-8-sig")


def test_api_requests_and_transition(client, coordinator, make_patient):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    patient = make_patient()
    created = client.post(
        "/api/v1/gp-requests",
        {"patient": str(patient.public_id)},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    listed = client.get("/api/v1/gp-requests?status=new", **auth).json()
    assert request_id in [r["id"] for r in listed["results"]]
    moved = client.post(
        f"/api/v1/gp-requests/{request_id}/transition",
        {"to_status": "qualified"},
        content_type="application/json",
        **auth,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "qualified"
    refused = client.post(
        f"/api/v1/gp-requests/{request_id}/transition",
        {"to_status": "closed"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "to_status"
    duplicate = client.post(
        "/api/v1/gp-requests",
        {"patient": str(patient.public_id)},
        content_type="application/json",
        **auth,
    )
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "patient"
    unknown = client.get("/api/v1/gp-requests?status=nimporte", **auth)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "status"


def test_gp_propose_command(qualified, home_cpts):
    qualified()
    out = io.StringIO()
    call_command("gp_propose", "--cpts", HOME, "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["proposed"] == 1 and summary["waiting"] == 1
