"""From a positive screening to care: the follow-up opened once per positive participant,
identity only with consent, a referral letter for the médecin traitant or a request in
the médecin-traitant queue (origin screening, priority rules applied), then seen or lost,
and the diabetes pathway proposed once confirmed."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent, Membership
from maillage.gp_access.models import GpRequest, Origin
from maillage.notifications.models import Notification
from maillage.patients.models import Patient
from maillage.prevention import followup
from maillage.prevention.models import (
    Action,
    ActionKind,
    FollowUp,
    FollowUpStatus,
    Participant,
    Theme,
)
from maillage.territory.models import Commune
from tests.conftest import HOME

pytestmark = pytest.mark.django_db

REASON = "FINDRISC 15 (risque élevé) ; glycémie capillaire 2,30 g/L non à jeun"


@pytest.fixture
def action(home_cpts, coordinator):
    start = timezone.now().replace(hour=9, minute=0) - datetime.timedelta(days=1)
    return Action.objects.create(
        cpts=home_cpts, kind=ActionKind.SCREENING, theme=Theme.objects.get(code="diabete",
                                                                           cpts=None),
        title="Journée diabète à la pharmacie", start=start,
        end=start + datetime.timedelta(hours=8), questionnaire="findrisc",
        commune=Commune.objects.get(code="38053"), place="Pharmacie du centre",
        created_by=coordinator)  # fmt: skip


def make_positive(action, entered_by, **extra):
    fields = dict(
        cpts=action.cpts, action=action, sex="F", age=74, questionnaire="findrisc",
        answers={"height_cm": 165, "weight_kg": 88, "waist_cm": 95, "daily_activity": False,
                 "daily_vegetables": True, "bp_medication": True,
                 "high_glucose_history": False, "family_history": "first_degree"},
        measures=[{"kind": "glucose", "value": "2.3", "fasting": False}],
        score=15, risk="high", next_step="refer", positive=True, fingerprint="x",
        entered_by=entered_by,
    )  # fmt: skip
    fields.update(extra)
    return Participant.objects.create(**fields)


@pytest.fixture
def positive(action, pharmacist):
    participant = make_positive(action, pharmacist)
    return followup.open_for(participant=participant, actor=pharmacist)


def page(follow_up):
    return reverse("prevention:followup", args=[HOME, follow_up.public_id])


IDENTITY = {"step": "identity", "birth_name": "Marguerite", "first_names": "Rose Alice",
            "sex": "F", "phone": "0612345678", "commune": "38053", "ald": "on",
            "consent_method": "oral"}  # fmt: skip


def identity(**extra):
    born = timezone.localdate().replace(year=timezone.localdate().year - 74) - datetime.timedelta(
        days=10)
    return {**IDENTITY, "birth_date": born.isoformat(), **extra}


# -- open_for -----------------------------------------------------------------------------


def test_open_for_is_idempotent_and_states_the_reason_in_french(action, pharmacist, coordinator):
    participant = make_positive(action, pharmacist)
    first = followup.open_for(participant=participant, actor=pharmacist)
    again = followup.open_for(participant=participant, actor=pharmacist)
    assert first.pk == again.pk
    assert FollowUp.objects.filter(participant=participant).count() == 1
    assert first.status == FollowUpStatus.TO_REFER
    assert first.reason == REASON
    assert AuditEvent.objects.filter(action="prevention.followup_open",
                                     object_id=first.public_id).count() == 1  # fmt: skip


def test_the_coordination_is_told_without_health_data(positive, coordinator):
    notice = Notification.objects.get(kind="prevention.positive", recipient=coordinator)
    assert "FINDRISC" not in notice.body and "glycémie" not in notice.body
    assert notice.link == page(positive)
    assert not notice.deliveries.exclude(channel="in_app").exists()


# -- the loop without médecin traitant ------------------------------------------------------


def test_a_positive_without_gp_lands_in_the_queue_with_origin_screening_and_priority(
    positive, client_for, coordinator
):
    client = client_for(coordinator)
    response = client.post(page(positive), identity())
    assert response.status_code == 302, response.content.decode()[:2000]
    positive.refresh_from_db()
    patient = positive.participant.patient
    assert patient is not None and patient.ald
    assert patient.consents.filter(method="oral").exists()
    response = client.post(page(positive), {"step": "gp", "choice": "none"})
    assert response.status_code == 302
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.REFERRED and positive.has_gp is False
    gp_request = GpRequest.objects.get(public_id=positive.gp_request_id)
    assert gp_request.patient == patient and gp_request.origin == Origin.SCREENING
    assert gp_request.priority_score == 64 + 32  # ALD + 70 years and more
    assert "ALD" in gp_request.priority_reasons and "74 ans" in gp_request.priority_reasons
    assert REASON in gp_request.message
    queue = client.get(reverse("gp_access:queue", args=[HOME]))
    assert patient.display_name in queue.content.decode()


def test_a_person_already_in_the_queue_gets_a_clear_message_and_nothing_changes(
    positive, client_for, coordinator
):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    positive.refresh_from_db()
    from maillage.gp_access.services import request_create

    request_create(cpts=positive.cpts, actor=coordinator, patient=positive.participant.patient,
                   origin=Origin.COORDINATION)  # fmt: skip
    response = client.post(page(positive), {"step": "gp", "choice": "none"})
    assert response.status_code == 400
    assert "déjà en cours" in response.content.decode()
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.TO_REFER and positive.gp_request_id is None


# -- with a member GP ---------------------------------------------------------------------


def test_with_a_member_gp_the_letter_downloads_and_the_gp_confirms(
    positive, client_for, pharmacist, gp, home_cpts
):
    from pypdf import PdfReader

    client = client_for(pharmacist)
    assert client.post(page(positive), identity()).status_code == 302
    member = Membership.objects.get(user=gp, cpts=home_cpts)
    response = client.post(page(positive), {"step": "gp", "choice": "member",
                                            "member": str(member.public_id)})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.REFERRED and positive.gp == gp
    notice = Notification.objects.get(kind="prevention.referral", recipient=gp)
    assert "FINDRISC" not in notice.body and "MARGUERITE" not in notice.body.upper()
    assert not notice.deliveries.exclude(channel="in_app").exists()

    letter = client.get(reverse("prevention:followup_letter", args=[HOME, positive.public_id]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "no-store" in letter["Cache-Control"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    text = " ".join(text.split())
    assert "MARGUERITE Rose" in text
    assert "Glycémie veineuse à jeun" in text
    assert "Score : 15 (risque élevé)" in text
    assert "glycémie capillaire 2,30 g/L non à jeun" in text
    assert "Pharmacie du centre" in text

    gp_client = client_for(gp)
    assert gp_client.get(page(positive)).status_code == 200
    today = timezone.localdate().isoformat()
    response = gp_client.post(page(positive), {"step": "seen", "seen_on": today,
                                               "outcome": "confirmed"})  # fmt: skip
    assert response.status_code == 302
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.SEEN and positive.confirmed_by == gp
    assert positive.outcome == "confirmed"
    body = gp_client.get(page(positive)).content.decode()
    assert "Proposer l&#x27;inclusion dans le parcours diabète" in body or \
        "Proposer l'inclusion dans le parcours diabète" in body
    response = gp_client.post(page(positive), {"step": "pathway"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("pathways:enrol", args=[HOME]))
    assert f"patient={positive.participant.patient.public_id}" in response["Location"]
    assert "parcours=diabete-type-2" in response["Location"]
    positive.refresh_from_db()
    assert positive.pathway_proposed_at is not None
    # The pathways page opens with the patient chosen.
    enrol = gp_client.get(response["Location"])
    assert enrol.context["selected"] == positive.participant.patient
    assert enrol.context["wanted_template"] == "diabete-type-2"


def test_the_pathways_enrol_page_opens_with_the_diabetes_template_chosen(
    positive, client_for, coordinator
):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    FollowUp.objects.filter(pk=positive.pk).update(status=FollowUpStatus.SEEN,
                                                   outcome="confirmed")
    positive.refresh_from_db()
    url = followup.propose_pathway(follow_up=positive, actor=coordinator)
    enrol = client.get(url)
    assert enrol.status_code == 200
    chosen = enrol.context["form"].initial["template"]
    assert chosen is not None and chosen in enrol.content.decode()


def test_a_gp_typed_by_hand_gets_a_letter_and_no_queue_request(positive, client_for,
                                                                  coordinator):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    response = client.post(page(positive), {"step": "gp", "choice": "name",
                                            "gp_name": "Jeanne Martin"})  # fmt: skip
    assert response.status_code == 302
    positive.refresh_from_db()
    assert positive.has_gp and positive.gp_name == "Jeanne Martin"
    assert positive.gp_request_id is None and positive.letter_at is not None
    assert not GpRequest.objects.filter(origin=Origin.SCREENING).exists()


@pytest.mark.parametrize("typed", ["Dr Jeanne Martin", "dr. Jeanne Martin",
                                   "Docteure  Jeanne Martin", " Jeanne   Martin "])
def test_a_gp_typed_with_their_title_is_named_once(positive, client_for, coordinator, typed):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    client.post(page(positive), {"step": "gp", "choice": "name", "gp_name": typed})
    positive.refresh_from_db()
    assert positive.gp_name == "Jeanne Martin"
    assert "Dr Dr" not in client.get(page(positive)).content.decode()


def test_the_known_attending_gp_is_proposed_first(positive, client_for, coordinator, gp):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    positive.refresh_from_db()
    Patient.objects.filter(pk=positive.participant.patient_id).update(attending_gp=gp)
    body = client.get(page(positive)).content.decode()
    assert "son médecin traitant connu" in body
    assert body.index("son médecin traitant connu") < body.index("un médecin membre")
    assert client.post(page(positive), {"step": "gp", "choice": "attending"}).status_code == 302
    positive.refresh_from_db()
    assert positive.gp == gp


# -- declined, lost -----------------------------------------------------------------------


def test_the_person_declines(positive, client_for, coordinator):
    assert client_for(coordinator).post(page(positive), {"step": "decline"}).status_code == 302
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.DECLINED


def test_only_the_coordination_marks_lost(positive, client_for, coordinator, pharmacist):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    client.post(page(positive), {"step": "gp", "choice": "name", "gp_name": "Dr Untel"})
    assert client_for(pharmacist).post(page(positive), {"step": "lost"}).status_code == 404
    assert client.post(page(positive), {"step": "lost"}).status_code == 302
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.LOST


# -- bad input ----------------------------------------------------------------------------


def test_identity_without_names_is_refused_next_to_the_field_and_nothing_is_written(
    positive, client_for, coordinator
):
    before = Patient.objects.count()
    response = client_for(coordinator).post(page(positive), identity(birth_name=""))
    assert response.status_code == 400
    assert "Nom de naissance" in response.content.decode()
    assert Patient.objects.count() == before
    positive.refresh_from_db()
    assert positive.participant.patient is None


def test_a_duplicate_identity_offers_the_existing_patient(positive, client_for, coordinator):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    positive.refresh_from_db()
    existing = positive.participant.patient
    other = followup.open_for(participant=make_positive(positive.participant.action,
                                                        coordinator), actor=coordinator)
    response = client.post(page(other), identity())
    assert response.status_code == 400
    assert "C&#x27;est cette personne" in response.content.decode() or \
        "C'est cette personne" in response.content.decode()
    response = client.post(page(other), {"step": "pick", "candidate": str(existing.public_id)})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.participant.patient == existing


def test_member_chosen_without_a_member_is_refused(positive, client_for, coordinator):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    response = client.post(page(positive), {"step": "gp", "choice": "member"})
    assert response.status_code == 400
    assert "Choisissez le médecin" in response.content.decode()
    positive.refresh_from_db()
    assert positive.status == FollowUpStatus.TO_REFER


def test_referring_before_the_identity_is_refused(positive, client_for, coordinator):
    response = client_for(coordinator).post(page(positive), {"step": "gp", "choice": "none"})
    assert response.status_code == 400
    assert "identité" in response.content.decode()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.integers(min_value=1, max_value=4000))
def test_a_consultation_in_the_future_is_refused(positive, coordinator, days):
    # The follow-up is referred once, outside the examples: each example only reads it.
    if positive.status != FollowUpStatus.REFERRED:
        FollowUp.objects.filter(pk=positive.pk).update(status=FollowUpStatus.REFERRED,
                                                       referred_at=timezone.now())
        positive.refresh_from_db()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        followup.record_seen(follow_up=positive, actor=coordinator, outcome="confirmed",
                             seen_on=timezone.localdate() + datetime.timedelta(days=days))
    assert "seen_on" in caught.value.message_dict
    assert FollowUp.objects.get(pk=positive.pk).status == FollowUpStatus.REFERRED


# -- visibility and audit -----------------------------------------------------------------


def test_a_nurse_who_did_not_enter_it_gets_404(positive, client_for, nurse):
    client = client_for(nurse)
    assert client.get(page(positive)).status_code == 404
    assert client.get(reverse("prevention:followup_letter",
                              args=[HOME, positive.public_id])).status_code == 404
    listing = client.get(reverse("prevention:followups", args=[HOME]))
    assert listing.status_code == 200 and str(positive.public_id) not in listing.content.decode()


def test_an_outsider_gets_404(positive, client_for, outsider):
    client = client_for(outsider)
    assert client.get(reverse("prevention:followups", args=[HOME])).status_code == 404
    assert client.get(page(positive)).status_code == 404


def test_the_board_gets_404(positive, client_for, board_member):
    assert client_for(board_member).get(page(positive)).status_code == 404


def test_the_pharmacist_who_entered_it_sees_it(positive, client_for, pharmacist):
    response = client_for(pharmacist).get(reverse("prevention:followups", args=[HOME]))
    assert str(positive.public_id) in response.content.decode()


def test_each_patient_shown_leaves_an_audit_row(positive, client_for, coordinator):
    client = client_for(coordinator)
    client.post(page(positive), identity())
    positive.refresh_from_db()
    patient = positive.participant.patient
    response = client.get(page(positive))
    assert "no-store" in response["Cache-Control"]
    assert patient.display_name in response.content.decode()
    assert AuditEvent.objects.filter(action="prevention.followup_read", actor=coordinator,
                                     patient=patient.public_id).count() == 1  # fmt: skip
    response = client.get(reverse("prevention:followups", args=[HOME]))
    assert patient.display_name in response.content.decode()
    assert AuditEvent.objects.filter(action="patient.list", actor=coordinator,
                                     patient=patient.public_id,
                                     detail__via="prevention.followups").count() == 1


def test_the_list_counts_and_filters(action, client_for, coordinator, pharmacist):
    fresh = followup.open_for(participant=make_positive(action, pharmacist), actor=pharmacist)
    old = followup.open_for(participant=make_positive(action, pharmacist), actor=pharmacist)
    FollowUp.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=31))
    FollowUp.objects.filter(pk=fresh.pk).update(status=FollowUpStatus.SEEN)
    client = client_for(coordinator)
    response = client.get(reverse("prevention:followups", args=[HOME]),
                          {"action": str(action.public_id)})
    assert response.context["counts"]["to_refer"] == 1
    assert response.context["counts"]["seen"] == 1
    stale = client.get(reverse("prevention:followups", args=[HOME]), {"sans_nouvelles": "1"})
    assert [r.pk for r in stale.context["rows"]] == [old.pk]


# -- home cards ---------------------------------------------------------------------------


def test_home_cards_for_the_coordinator_and_the_gp(positive, client_for, coordinator, gp):
    today = reverse("core:today", args=[HOME])
    names = [c.name for c in client_for(coordinator).get(today).context["cards"]]
    assert "prevention.followups_to_refer" in names
    assert "prevention.followups_to_confirm" not in [
        c.name for c in client_for(gp).get(today).context["cards"]]
    FollowUp.objects.filter(pk=positive.pk).update(status=FollowUpStatus.REFERRED, gp=gp)
    names = [c.name for c in client_for(gp).get(today).context["cards"]]
    assert "prevention.followups_to_confirm" in names


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seen_on=st.text(max_size=20), outcome=st.text(max_size=20))
def test_junk_in_the_consultation_form_is_a_400_never_a_500(positive, client_for, coordinator,
                                                            seen_on, outcome):
    FollowUp.objects.filter(pk=positive.pk).update(status=FollowUpStatus.REFERRED)
    response = client_for(coordinator).post(page(positive), {
        "step": "seen", "seen_on": seen_on.replace("\x00", ""),
        "outcome": outcome.replace("\x00", "")})  # fmt: skip
    assert response.status_code == 400
    assert FollowUp.objects.get(pk=positive.pk).status == FollowUpStatus.REFERRED
