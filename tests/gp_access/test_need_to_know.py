"""Need-to-know inside a CPTS: who learns that a patient is registered, what a GP sees of
the patients proposed to them, and one audit row per patient shown on list pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.core.validators import nir_key
from maillage.gp_access.models import GpRequest, Proposal, Status
from maillage.gp_access.services import (
    batch_send,
    expire_overdue_proposals,
    proposal_respond,
    propose_batch,
    transition,
)
from maillage.patients.duplicates import review_resolve
from maillage.patients.models import DuplicateReview, Patient
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
NIR_BODY = "2510238053042"
NIR = NIR_BODY + nir_key(NIR_BODY)


def headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def registered(make_patient):
    return make_patient(birth_name="Faure", first_names="Henriette", birth_date="1951-02-03",
                        sex="F", nir=NIR)  # fmt: skip


def same_person(**extra):
    body = {"birth_name": "FAURE", "first_names": "Henriette", "birth_date": "1951-02-03",
            "sex": "F", "commune": "38053", "phone": "0611111111"}  # fmt: skip
    body.update(extra)
    return body


# Duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["partner", "nurse", "pharmacist", "gp"])
@pytest.mark.parametrize("match", [{"nir": NIR, "birth_name": "Autre"}, {}])
def test_a_member_who_may_not_see_the_match_learns_nothing_about_it(
    client, persona, match, request, registered, home_cpts
):
    user = request.getfixturevalue(persona)
    response = client.post("/api/v1/patients", same_person(**match),
                           content_type="application/json", **headers(user))  # fmt: skip
    assert response.status_code == 409
    body = response.content.decode()
    assert "FAURE" not in body.upper() and "Henriette" not in body
    assert "03/02/1951" not in body and "1951" not in body
    assert "la coordination va vérifier" in response.json()["detail"]
    review = DuplicateReview.objects.get(submitted_by=user, status="open")
    assert list(review.candidates.all()) == [registered]
    # The candidate's trail says someone matched it; nothing was shown.
    assert AuditEvent.objects.filter(action="patient.duplicate_match", actor=user,
                                     patient=registered.public_id).count() == 1
    assert not AuditEvent.objects.filter(action="patient.duplicate_shown", actor=user).exists()
    # Confirming "another person" without seeing the match does not create a duplicate.
    again = client.post("/api/v1/patients", {**same_person(**match), "confirm_not_duplicate": True},
                        content_type="application/json", **headers(user))  # fmt: skip
    assert again.status_code == 409
    assert DuplicateReview.objects.filter(submitted_by=user).count() == 1  # reused
    assert Patient.objects.filter(cpts=home_cpts, nir=NIR).count() == 1


def test_the_coordination_sees_the_candidates_and_that_is_audited(client, coordinator,
                                                                  registered):  # fmt: skip
    response = client.post("/api/v1/patients", same_person(), content_type="application/json",
                           **headers(coordinator))  # fmt: skip
    assert response.status_code == 409
    assert "FAURE Henriette (03/02/1951)" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="patient.duplicate_shown", actor=coordinator,
                                     patient=registered.public_id).exists()
    assert not DuplicateReview.objects.exists()


def test_a_gp_who_already_follows_the_patient_sees_the_match(client, gp, registered):
    from maillage.patients.access import grant_access

    grant_access(patient=registered, user=gp, reason="test")
    response = client.post("/api/v1/patients", same_person(), content_type="application/json",
                           **headers(gp))  # fmt: skip
    assert response.status_code == 409 and "FAURE Henriette" in response.json()["detail"]


def test_a_referral_held_by_a_duplicate_goes_on_once_the_coordination_decides(
    client_for, partner, coordinator, registered
):
    form = {**same_person(), "origin": "partner", "consent_method": "oral",
            "message": "Sortie d'hospitalisation, cherche un médecin."}  # fmt: skip
    response = client_for(partner).post(reverse("gp_access:create", args=[HOME]), form,
                                        follow=True)  # fmt: skip
    page = text(response)
    assert "la coordination va vérifier" in page
    assert "FAURE" not in page.upper().replace("FAURE HENRIETTE", "")  # only what they typed
    assert "Henriette (03/02/1951)" not in page
    assert not GpRequest.objects.filter(patient=registered).exists()
    assert "1 de vos demandes attendent" in page
    review = DuplicateReview.objects.get(submitted_by=partner)
    coord = client_for(coordinator)
    listing = text(coord.get(reverse("patients:reviews", args=[HOME])))
    assert "FAURE Henriette" in listing
    detail = coord.get(reverse("patients:review", args=[HOME, review.public_id]))
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(action="patient.duplicate_compare", actor=coordinator,
                                     patient=registered.public_id).exists()
    bad = coord.post(reverse("patients:review", args=[HOME, review.public_id]),
                     {"decision": "same"})  # fmt: skip
    assert bad.status_code == 400 and "Choisissez le patient enregistré" in text(bad)
    done = coord.post(reverse("patients:review", args=[HOME, review.public_id]),
                      {"decision": "same", "patient": str(registered.public_id)})  # fmt: skip
    assert done.status_code == 302
    gp_request = GpRequest.objects.get(patient=registered)
    assert gp_request.created_by == partner
    assert gp_request.message.startswith("Sortie d'hospitalisation")
    # The partner now follows the patient they referred.
    assert client_for(partner).get(
        reverse("gp_access:request", args=[HOME, gp_request.public_id])).status_code == 200
    assert DuplicateReview.objects.get(pk=review.pk).status == "same"
    again = coord.post(reverse("patients:review", args=[HOME, review.public_id]),
                       {"decision": "different"})  # fmt: skip
    assert again.status_code == 400 and "déjà été traité" in text(again)


def test_another_person_is_created_as_submitted(partner, coordinator, registered, client,
                                                home_cpts):  # fmt: skip
    client.post("/api/v1/patients", same_person(first_names="Henriette Marie"),
                content_type="application/json", **headers(partner))  # fmt: skip
    review = DuplicateReview.objects.get(submitted_by=partner)
    created = review_resolve(review=review, actor=coordinator, decision="different")
    assert created.pk != registered.pk and created.first_names == "Henriette Marie"
    assert created.created_by == partner
    assert Patient.objects.filter(cpts=home_cpts, match_key=registered.match_key).count() == 2


def test_rejecting_needs_a_reason(partner, coordinator, registered, client):
    client.post("/api/v1/patients", same_person(), content_type="application/json",
                **headers(partner))  # fmt: skip
    review = DuplicateReview.objects.get(submitted_by=partner)
    with pytest.raises(Exception, match="pourquoi"):
        review_resolve(review=review, actor=coordinator, decision="rejected")
    assert review_resolve(review=review, actor=coordinator, decision="rejected",
                          note="Saisie de test") is None  # fmt: skip


@pytest.mark.parametrize("persona", ["gp", "partner", "regulator", "board_member", "outsider"])
def test_only_the_coordination_checks_duplicates(client_for, persona, request, partner, client,
                                                 registered):  # fmt: skip
    client.post("/api/v1/patients", same_person(), content_type="application/json",
                **headers(partner))  # fmt: skip
    review = DuplicateReview.objects.get(submitted_by=partner)
    user = client_for(request.getfixturevalue(persona))
    assert user.get(reverse("patients:reviews", args=[HOME])).status_code == 404
    assert user.get(reverse("patients:review", args=[HOME, review.public_id])).status_code == 404


# What a GP sees of the patients proposed to them --------------------------------------


@pytest.fixture
def qualified(make_request, coordinator):
    def make(**patient):
        return transition(gp_request=make_request(**patient), to_status=Status.QUALIFIED,
                          actor=coordinator)  # fmt: skip

    return make


MINE = reverse("gp_access:my_proposals", args=[HOME])


def test_a_gp_sees_no_patient_of_a_batch_still_in_draft(qualified, coordinator, gp, home_cpts,
                                                        client_for):  # fmt: skip
    gp_request = qualified(birth_name="Brouillon", first_names="Zoé")
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    assert batch.proposals.filter(gp=gp).exists()
    page = text(client_for(gp).get(MINE))
    assert "BROUILLON" not in page and "Aucun patient ne vous a été proposé" in page
    assert client_for(gp).get(
        reverse("gp_access:request", args=[HOME, gp_request.public_id])).status_code == 404
    batch_send(batch=batch, actor=coordinator)
    assert "BROUILLON Zoé" in text(client_for(gp).get(MINE))


def test_after_a_decline_the_patient_is_gone_from_every_page_of_the_gp(
    qualified, coordinator, gp, home_cpts, client_for
):
    gp_request = qualified(birth_name="Refus", first_names="Yann")
    batch_send(batch=propose_batch(cpts=home_cpts, actor=coordinator), actor=coordinator)
    proposal = Proposal.objects.get(request=gp_request)
    client = client_for(gp)
    response = client.post(MINE, {"proposal": proposal.public_id, "answer": "decline",
                                  "reason": "Patientèle complète"})  # fmt: skip
    assert response.status_code == 302
    for url in (MINE, reverse("gp_access:queue", args=[HOME])):
        page = text(client.get(url))
        assert "REFUS" not in page and "Yann" not in page, url
    assert "Ce patient ne vous est plus proposé" in text(client.get(MINE))
    assert client.get(
        reverse("gp_access:request", args=[HOME, gp_request.public_id])).status_code == 404


def test_after_an_expiry_the_patient_is_gone_and_back_in_the_waiting_list(
    qualified, coordinator, gp, home_cpts, client_for
):
    gp_request = qualified(birth_name="Silence", first_names="Inès")
    batch_send(batch=propose_batch(cpts=home_cpts, actor=coordinator), actor=coordinator)
    proposal = Proposal.objects.get(request=gp_request)
    assert proposal.respond_by > timezone.now() + datetime.timedelta(days=13)
    later = proposal.respond_by + datetime.timedelta(minutes=1)
    assert expire_overdue_proposals(cpts=home_cpts, now=later) == 1
    proposal.refresh_from_db()
    gp_request.refresh_from_db()
    assert proposal.state == Proposal.State.EXPIRED
    assert gp_request.status == Status.QUALIFIED
    page = text(client_for(gp).get(MINE))
    assert "SILENCE" not in page and "Expirée sans réponse" in page
    assert AuditEvent.objects.filter(action="gp_proposal.expire",
                                     patient=gp_request.patient.public_id).exists()
    with pytest.raises(Exception, match="déjà répondu"):
        proposal_respond(proposal=proposal, gp=gp, accept=True)


def test_an_overdue_proposal_expires_when_the_gp_opens_their_page(
    qualified, coordinator, gp, home_cpts, client_for
):
    gp_request = qualified(birth_name="Retard", first_names="Léa")
    batch_send(batch=propose_batch(cpts=home_cpts, actor=coordinator), actor=coordinator)
    Proposal.objects.filter(request=gp_request).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1))
    assert "RETARD" not in text(client_for(gp).get(MINE))
    assert Proposal.objects.get(request=gp_request).state == Proposal.State.EXPIRED


def test_a_cancelled_request_leaves_the_gps_sight(qualified, coordinator, gp, home_cpts,
                                                  client_for):  # fmt: skip
    gp_request = qualified(birth_name="Annule", first_names="Jo")
    batch_send(batch=propose_batch(cpts=home_cpts, actor=coordinator), actor=coordinator)
    transition(gp_request=gp_request, to_status=Status.CANCELLED, actor=coordinator,
               reason="A trouvé un médecin")  # fmt: skip
    assert Proposal.objects.get(request=gp_request).state == Proposal.State.WITHDRAWN
    assert "ANNULE" not in text(client_for(gp).get(MINE))


def test_answering_with_a_bogus_answer_or_no_reason_is_a_400_next_to_the_field(
    qualified, coordinator, gp, home_cpts, client_for
):
    gp_request = qualified()
    batch_send(batch=propose_batch(cpts=home_cpts, actor=coordinator), actor=coordinator)
    proposal = Proposal.objects.get(request=gp_request)
    client = client_for(gp)
    no_reason = client.post(MINE, {"proposal": proposal.public_id, "answer": "decline"})
    assert no_reason.status_code == 400 and "Indiquez le motif du refus." in text(no_reason)
    bogus = client.post(MINE, {"proposal": proposal.public_id, "answer": "peut-être"})
    assert bogus.status_code == 400 and "Réponse inconnue" in text(bogus)
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.PENDING


# One audit row per patient shown --------------------------------------------------------


def _shown(actor, where):
    return set(AuditEvent.objects.filter(actor=actor, action="patient.list",
                                         detail__via=where).values_list("patient", flat=True))


def test_list_pages_write_one_row_per_patient_shown(qualified, coordinator, gp, home_cpts,
                                                    client_for, client):  # fmt: skip
    requests = [qualified() for _ in range(3)]
    patients = {r.patient.public_id for r in requests}
    coord = client_for(coordinator)
    coord.get(reverse("gp_access:queue", args=[HOME]))
    assert _shown(coordinator, "gp_access.queue") == patients
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    drafted = {p.request.patient.public_id for p in batch.proposals.all()}
    coord.get(reverse("gp_access:batch", args=[HOME]))
    assert _shown(coordinator, "gp_access.batch") == drafted
    batch_send(batch=batch, actor=coordinator)
    client_for(gp).get(MINE)
    assert _shown(gp, "gp_access.my_proposals") == drafted
    api = client.get("/api/v1/gp-requests", **headers(coordinator))
    assert api.status_code == 200
    assert _shown(coordinator, "api.gp_requests") == {
        p for p in patients if p in {r["patient"] for r in api.json()["results"]}
        or str(p) in {r["patient"] for r in api.json()["results"]}}


def test_the_cpam_preview_audits_the_patients_it_shows(client_for, coordinator, make_patient):
    from django.core.files.uploadedfile import SimpleUploadedFile

    known = make_patient(birth_name="Liste", first_names="Paul", birth_date="1960-05-05",
                         sex="M")  # fmt: skip
    content = ("nom;prenom;date_naissance;sexe;commune\n"
               "Liste;Paul;05/05/1960;M;38053\nNouveau;Jean;06/06/1961;M;38053\n")  # fmt: skip
    client = client_for(coordinator)
    upload = client.post(reverse("gp_access:cpam_upload", args=[HOME]),
                         {"file": SimpleUploadedFile("cpam.csv", content.encode())})  # fmt: skip
    assert upload.status_code == 302
    client.get(upload["Location"])
    assert _shown(coordinator, "gp_access.cpam_preview") == {known.public_id}
    preview = AuditEvent.objects.get(action="gp_request.cpam_preview", actor=coordinator)
    assert preview.detail == {"lines": [2, 3]}


def test_the_coordinations_duplicate_warning_on_the_form_is_audited(client_for, coordinator,
                                                                    registered):  # fmt: skip
    form = {**same_person(), "origin": "coordination", "consent_method": "oral"}
    response = client_for(coordinator).post(reverse("gp_access:create", args=[HOME]), form)
    assert response.status_code == 400 and "FAURE Henriette" in text(response)
    assert AuditEvent.objects.filter(action="patient.duplicate_shown", actor=coordinator,
                                     patient=registered.public_id).exists()


@pytest.mark.parametrize("phone", ["0" * 25, "pas un numéro", "+33 6 12"])
def test_a_bad_carer_phone_is_refused_on_its_field_and_nothing_is_written(
    client_for, coordinator, client, phone, home_cpts
):
    from tests.gp_access.test_workflow import public_data

    before = (Patient.objects.count(), GpRequest.objects.count())
    public = client.post(reverse("gp_access:public", args=[HOME]),
                         public_data(for_someone_else="on", carer_name="Marie",
                                     carer_phone=phone))  # fmt: skip
    assert public.status_code == 400
    assert 'id="id_carer_phone_error"' in public.content.decode()
    staff = client_for(coordinator).post(reverse("gp_access:create", args=[HOME]), {
        **same_person(birth_name="Unique"), "origin": "carer", "consent_method": "oral",
        "carer_name": "Marie", "carer_phone": phone})  # fmt: skip
    assert staff.status_code == 400
    assert 'id="id_carer_phone_error"' in staff.content.decode()
    assert (Patient.objects.count(), GpRequest.objects.count()) == before


def test_a_referral_matched_to_a_request_in_progress_is_followed_by_the_partner(
    client_for, partner, coordinator, make_request
):
    waiting = make_request(birth_name="Faure", first_names="Henriette", birth_date="1951-02-03",
                           sex="F")  # fmt: skip
    form = {**same_person(), "origin": "partner", "consent_method": "oral",
            "message": "Vue en visite à domicile."}  # fmt: skip
    client_for(partner).post(reverse("gp_access:create", args=[HOME]), form)
    review = DuplicateReview.objects.get(submitted_by=partner)
    review_resolve(review=review, actor=coordinator, decision="same", patient=waiting.patient)
    assert GpRequest.objects.filter(patient=waiting.patient).count() == 1
    page = client_for(partner).get(reverse("gp_access:request", args=[HOME, waiting.public_id]))
    assert page.status_code == 200
    assert "Vue en visite à domicile." in text(page)  # the note of the referral
    assert "FAURE Henriette" in text(client_for(partner).get(reverse("gp_access:queue",
                                                                     args=[HOME])))
