"""Entering the participants of a screening day: the service (score, positive, duplicate
warning, refused actions, audit, the follow-up opened by a positive result), the phone
pages and the API operation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.prevention import followup, participants
from maillage.prevention.models import Action, Participant, Theme
from maillage.territory.models import Commune
from tests.conftest import HOME
from tests.utils import text

pytestmark = pytest.mark.django_db

# Score 15: 55-64 (3), BMI 25-30 (1), waist > 88 for a woman (4), no activity (2),
# vegetables (0), no blood-pressure treatment (0), no high glucose (0), a parent (5).
SCORE_15 = {"height_cm": 165, "weight_kg": 75, "waist_cm": 95, "daily_activity": False,
            "daily_vegetables": True, "bp_medication": False, "high_glucose_history": False,
            "family_history": "first_degree"}  # fmt: skip
LOW = {**SCORE_15, "waist_cm": 70, "family_history": "none", "daily_activity": True}


def screening_day(cpts, actor, **extra):
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=6),
        commune=Commune.objects.get(code="38053"),
        created_by=actor, **{"questionnaire": "findrisc", **extra})  # fmt: skip


@pytest.fixture
def opened(monkeypatch):
    """followup.open_for belongs to the follow-up area: record its calls."""
    calls = []
    monkeypatch.setattr(followup, "open_for", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def action(home_cpts, coordinator):
    return screening_day(home_cpts, coordinator)


def enter(action, actor, answers=SCORE_15, **extra):
    args = {"sex": "F", "age": 60, "commune": action.commune, "questionnaire": "findrisc",
            "answers": answers, **extra}
    return participants.enter(action=action, actor=actor, **args)


def test_a_findrisc_of_15_is_stored_with_its_decision_and_audited(action, pharmacist, opened):
    participant = enter(action, pharmacist)
    assert (participant.score, participant.risk, participant.next_step) == (15, "high",
                                                                            "glucose")
    assert participant.positive is False and opened == []
    event = AuditEvent.objects.get(action="prevention.participant_enter",
                                   object_id=participant.public_id)
    assert event.actor == pharmacist and event.patient is None
    assert event.detail["score"] == 15


def test_a_high_glucose_refers_and_opens_the_follow_up(action, pharmacist, opened):
    participant = enter(action, pharmacist)
    participant = participants.add_measure(participant=participant, actor=pharmacist,
                                           kind="glucose", value="2.3", fasting=False)
    assert participant.next_step == "refer" and participant.positive
    assert participant.score == 15
    assert [c["participant"].pk for c in opened] == [participant.pk]
    assert AuditEvent.objects.filter(action="prevention.participant_measure",
                                     object_id=participant.public_id).count() == 1


def test_a_normal_glucose_gives_advice_and_no_follow_up(action, pharmacist, opened):
    participant = participants.add_measure(participant=enter(action, pharmacist),
                                           actor=pharmacist, kind="glucose", value="1.02",
                                           fasting=True)  # fmt: skip
    assert participant.next_step == "advice" and not participant.positive and opened == []


def test_a_second_entry_of_the_same_person_warns_unless_confirmed(action, pharmacist, nurse,
                                                                 opened):  # fmt: skip
    first = enter(action, pharmacist)
    with pytest.raises(participants.DuplicateSuspected) as caught:
        enter(action, nurse, answers={**SCORE_15, "weight_kg": "75,0"})
    assert caught.value.existing == first
    second = enter(action, nurse, confirm_duplicate=True)
    assert second.duplicate_confirmed
    assert Participant.objects.filter(action=action).count() == 2


def test_same_person_at_another_action_is_not_a_duplicate(action, home_cpts, coordinator,
                                                          pharmacist, opened):  # fmt: skip
    enter(action, pharmacist)
    enter(screening_day(home_cpts, coordinator), pharmacist)


def test_bad_answers_store_nothing_and_name_every_field(action, pharmacist, opened):
    with pytest.raises(ValidationError) as caught:
        enter(action, pharmacist, answers={**SCORE_15, "waist_cm": 20, "height_cm": 300},
              age=150, sex="X")
    errors = caught.value.message_dict
    assert {"waist_cm", "height_cm", "age", "sex"} <= set(errors)
    assert not Participant.objects.exists()
    assert not AuditEvent.objects.filter(action="prevention.participant_enter").exists()


def test_a_cancelled_action_or_another_kind_refuses_participants(action, pharmacist, opened):
    action.status = "cancelled"
    action.save()
    with pytest.raises(ValidationError) as caught:
        enter(action, pharmacist)
    assert "annulée" in caught.value.message_dict["action"][0]
    action.status, action.kind = "planned", "awareness"
    action.save()
    with pytest.raises(ValidationError):
        enter(action, pharmacist)


def test_blood_pressure_measures_are_repeated_until_decided(home_cpts, coordinator, nurse,
                                                           opened):  # fmt: skip
    action = screening_day(home_cpts, coordinator, questionnaire="tension")
    participant = enter(action, nurse, questionnaire="tension",
                        answers={"systolic": 165, "diastolic": 95})
    assert participant.next_step == "repeat" and not participant.positive
    participant = participants.add_measure(participant=participant, actor=nurse, kind="bp",
                                           value=(160, 96))
    assert participant.next_step == "refer" and participant.positive and len(opened) == 1
    with pytest.raises(ValidationError) as caught:
        participants.add_measure(participant=participant, actor=nurse, kind="bp",
                                 value=(80, 120))
    assert "diastolic" in caught.value.message_dict


# Pages -----------------------------------------------------------------------------------


def screen_url(action):
    return reverse("prevention:screen", args=[HOME, action.public_id])


FORM = {"sex": "F", "age": "60", "commune": "38053", "height_cm": "165", "weight_kg": "75",
        "waist_cm": "95", "daily_activity": "no", "daily_vegetables": "yes",
        "bp_medication": "no", "high_glucose_history": "no", "family_history": "first_degree"}


def test_the_entry_page_prefills_the_commune_and_lists_the_team_entries(action, pharmacist,
                                                                       client_for, opened):
    enter(action, pharmacist)
    response = client_for(pharmacist).get(screen_url(action))
    assert response.status_code == 200
    page = text(response)
    assert "Bourgoin-Jallieu" in page and 'inputmode="decimal"' in page
    assert "Participants saisis (1)" in page
    assert response["Cache-Control"] == "no-store"


def test_entering_on_the_page_shows_the_score_and_the_glucose_form(action, pharmacist,
                                                                   client_for, opened):
    client = client_for(pharmacist)
    response = client.post(screen_url(action), FORM)
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("prevention:participant",
                                           args=[HOME, participant.public_id])
    page = text(client.get(response["Location"]))
    assert "Score 15 : risque élevé — glycémie capillaire à faire" in page
    assert "Glycémie capillaire (g/L)" in page and "autofocus" in page
    measure = reverse("prevention:participant_measure", args=[HOME, participant.public_id])
    bad = client.post(measure, {"kind": "glucose", "glucose_g_l": "9", "fasting": "no"})
    assert bad.status_code == 400
    assert "hors des valeurs plausibles" in text(bad)
    client.post(measure, {"kind": "glucose", "glucose_g_l": "2,3", "fasting": "no"})
    page = text(client.get(response["Location"]))
    assert "À adresser au médecin traitant" in page and "Participant suivant" in page


def test_bad_input_on_the_page_is_a_400_with_messages_next_to_the_fields(action, pharmacist,
                                                                         client_for, opened):
    response = client_for(pharmacist).post(screen_url(action), {
        **FORM, "waist_cm": "20", "age": "150", "bp_medication": ""})
    assert response.status_code == 400
    page = text(response)
    assert "Rien n'est enregistré" in page
    assert "Le tour de taille (20 cm) est hors des valeurs plausibles" in page
    assert "L'âge (150 ans)" in page and "Réponse obligatoire" in page
    assert not Participant.objects.exists()


def test_the_page_warns_of_a_duplicate_and_records_it_once_confirmed(action, pharmacist,
                                                                     client_for, opened):
    client = client_for(pharmacist)
    client.post(screen_url(action), FORM)
    warned = client.post(screen_url(action), FORM)
    assert warned.status_code == 409
    assert "C'est une autre personne, enregistrer" in text(warned)
    assert Participant.objects.count() == 1
    confirmed = client.post(screen_url(action), {**FORM, "confirm_duplicate": "1"})
    assert confirmed.status_code == 302 and Participant.objects.count() == 2


def test_outsider_gets_404_on_the_pages(action, pharmacist, outsider, client_for, opened):
    participant = enter(action, pharmacist)
    client = client_for(outsider)
    assert client.get(reverse("prevention:screen", args=[HOME, action.public_id])
                      ).status_code == 404
    other = client.get(reverse("prevention:participant", args=["vals-du-dauphine",
                                                               participant.public_id]))
    assert other.status_code == 404


def test_board_member_cannot_screen(action, board_member, client_for):
    assert client_for(board_member).get(screen_url(action)).status_code == 404


# API -------------------------------------------------------------------------------------


def api_url(action):
    return f"/api/v1/prevention/actions/{action.public_id}/participants"


def post(client, user, url, body):
    return client.post(url, body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")


BODY = {"sex": "F", "age": 60, "commune": "38053", "questionnaire": "findrisc",
        "answers": SCORE_15}


def test_api_creates_a_participant_and_answers_the_score(client, action, pharmacist, opened):
    response = post(client, pharmacist, api_url(action), BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["score"], body["risk"], body["next_step"]) == (15, "high", "glucose")
    assert Participant.objects.get().public_id.hex == body["id"].replace("-", "")


def test_api_names_the_field_of_an_implausible_answer(client, action, pharmacist, opened):
    response = post(client, pharmacist, api_url(action),
                    {**BODY, "answers": {**SCORE_15, "waist_cm": 20}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "answers.waist_cm"
    assert "tour de taille" in response.json()["detail"]
    response = post(client, pharmacist, api_url(action), {**BODY, "age": 150})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "age"
    assert not Participant.objects.exists()


def test_api_duplicate_is_a_409_unless_confirmed(client, action, pharmacist, opened):
    assert post(client, pharmacist, api_url(action), BODY).status_code == 201
    again = post(client, pharmacist, api_url(action), BODY)
    assert again.status_code == 409 and "confirm_duplicate" in again.json()["detail"]
    confirmed = post(client, pharmacist, api_url(action), {**BODY, "confirm_duplicate": True})
    assert confirmed.status_code == 201


def test_api_another_cpts_action_is_a_404(client, action, outsider, opened):
    assert post(client, outsider, api_url(action), BODY).status_code == 404
    assert not Participant.objects.exists()


def test_api_unknown_commune_is_a_422(client, action, pharmacist, opened):
    response = post(client, pharmacist, api_url(action), {**BODY, "commune": "Atlantide"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "commune"


def test_a_coordinator_questionnaire_is_entered_on_the_page(home_cpts, coordinator, nurse,
                                                            client_for, opened):
    from maillage.prevention import questionnaires
    from maillage.prevention.models import Questionnaire

    definition = questionnaires.build(
        items_text_value="Âge ? | Moins de 60 ans = 0 | 60 ans et plus = 2\n"
                         "Chute cette année ? | Oui = 3 | Non = 0",
        bands=[{"from": 0, "label": "Risque faible", "next_step": "advice"},
               {"from": 3, "label": "Risque de chute", "next_step": "refer"}])
    Questionnaire.objects.create(cpts=home_cpts, code="chutes", label="Risque de chute",
                                 definition=definition, created_by=coordinator)
    action = screening_day(home_cpts, coordinator, questionnaire="chutes")
    client = client_for(nurse)
    page = text(client.get(screen_url(action)))
    assert "Chute cette année ?" in page
    missing = client.post(screen_url(action), {"sex": "M", "age": "70", "q_age": "60-ans-et-plus"})
    assert missing.status_code == 400
    assert "Réponse obligatoire : Chute cette année ?" in text(missing)
    done = client.post(screen_url(action), {"sex": "M", "age": "70", "q_age": "60-ans-et-plus",
                                            "q_chute-cette-annee": "oui"})
    assert done.status_code == 302
    participant = Participant.objects.get(action=action)
    assert (participant.score, participant.risk, participant.positive) == (5, "risque-de-chute",
                                                                           True)
    assert "Score 5 : Risque de chute — à adresser au médecin traitant" in text(
        client.get(done["Location"]))


def test_a_glucose_day_enters_the_glucose_directly(home_cpts, coordinator, pharmacist,
                                                   client_for, opened):
    action = screening_day(home_cpts, coordinator, questionnaire="glycemie")
    response = client_for(pharmacist).post(screen_url(action), {
        "sex": "M", "age": "52", "glucose_g_l": "1,30", "fasting": "yes"})
    assert response.status_code == 302
    participant = Participant.objects.get(action=action)
    assert (participant.risk, participant.next_step, participant.positive) == (
        "diabetes", "refer", True)
    assert len(opened) == 1
