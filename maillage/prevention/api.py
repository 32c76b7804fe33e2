"""API of the prevention mission: /api/v1/prevention/..."""

from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja import Status as Response
from pydantic import StringConstraints

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import WRITE_ERRORS, CptsSlug, ErrorOut, choice
from maillage.territory.communes import resolve_commune

from . import participants, scoring
from .models import Action, Sex

router = Router(tags=["prévention"])

# Each area adds its operations in its own block (programme, screening, indicators).

# -- programme --

# -- screening --
# A participant is entered as on the phone form: the service checks every answer and
# names the field (422); a second entry of the same person is a 409 unless confirmed.


class ParticipantIn(Schema):
    sex: choice(Sex.values)
    age: Annotated[int, Field(ge=scoring.AGE_RANGE[0], le=scoring.AGE_RANGE[1])]
    commune: Annotated[str, StringConstraints(max_length=100)] = ""
    questionnaire: Annotated[str, StringConstraints(max_length=60)] = "findrisc"
    # FINDRISC: height_cm, weight_kg, waist_cm (numbers), daily_activity,
    # daily_vegetables, bp_medication, high_glucose_history (booleans), family_history
    # ("none", "second_degree", "first_degree"). glycemie: glucose_g_l, fasting.
    # tension: systolic, diastolic. A CPTS's own: {item code: answer code}.
    answers: Annotated[dict[Annotated[str, StringConstraints(max_length=60)],
                            bool | int | float | Annotated[str, StringConstraints(
                                max_length=200)] | None],
                       Field(max_length=60)] = {}
    confirm_duplicate: bool = False
    cpts: CptsSlug | None = None


class ParticipantCreated(Schema):
    id: str
    score: int | None
    risk: str
    next_step: choice(scoring.NextStep.values)


def _screening_unprocessable(exc: ValidationError, status=422):
    """The service's refusals are input errors: 422 naming the field, as the schema's."""
    pairs = ([(f, " ".join(m)) for f, m in exc.message_dict.items()]
             if hasattr(exc, "error_dict") else [(None, " ".join(exc.messages))])  # fmt: skip
    errors = [{"field": _answer_field(f), "message": m} for f, m in pairs]
    first = errors[0]
    detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return Response(status, {"detail": detail, "errors": errors})


def _answer_field(name):
    # The service names the answers by their key; the body has them under `answers`.
    if name in (None, "sex", "age", "commune", "questionnaire", "action"):
        return name
    return f"answers.{name}"


@router.post("/prevention/actions/{action_id}/participants",
             response={201: ParticipantCreated, 409: ErrorOut, **WRITE_ERRORS},
             summary="Saisir un participant d'un dépistage (anonyme) et obtenir son score")
@api_permission(permissions.screen_participants)
def create_participant(request, action_id: str, payload: ParticipantIn):
    membership = api_membership(request, payload.cpts)
    action = get_by_public_id(Action.objects.for_cpts(membership.cpts), action_id)
    commune = None
    if payload.commune.strip():
        try:
            commune = resolve_commune(payload.commune.strip(), insee_first=True)
        except ValidationError as exc:
            return _screening_unprocessable(ValidationError({"commune": exc.messages}))
    try:
        participant = participants.enter(
            action=action, actor=request.auth, sex=payload.sex, age=payload.age,
            commune=commune, questionnaire=payload.questionnaire, answers=payload.answers,
            confirm_duplicate=payload.confirm_duplicate, request=request)  # fmt: skip
    except participants.DuplicateSuspected:
        return Response(409, {"detail": participants.DUPLICATE_MESSAGE + " Renvoyez avec "
                              "\"confirm_duplicate\": true si c'est une autre personne.",
                              "errors": [{"field": "confirm_duplicate",
                                          "message": participants.DUPLICATE_MESSAGE}]})
    except ValidationError as exc:
        return _screening_unprocessable(exc)
    return Response(201, {"id": str(participant.public_id), "score": participant.score,
                          "risk": participant.risk, "next_step": participant.next_step})


# -- indicators --
