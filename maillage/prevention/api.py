"""API of the prevention mission: /api/v1/prevention/..."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja import Status as Response
from pydantic import StringConstraints

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    DateTime,
    ErrorOut,
    choice,
    model_text,
    text,
    unprocessable,
)
from maillage.territory.communes import INSEE_CODE_LENGTH, resolve_commune
from maillage.territory.models import Commune

from . import actions as action_services
from . import indicators as indicator_services
from . import participants, scoring
from . import programme as programme_services
from .models import Action, ActionKind, Sex, Theme

router = Router(tags=["prévention"])

# Each area adds its operations in its own block (programme, screening, indicators).

# -- programme --
# The body's fields are optional in the schema: `api_membership` refuses a caller without
# manage_prevention (404) before any field is read, and the service then names each
# missing or refused field (422).


class ThemeOut(Schema):
    code: str
    label: str


@router.get("/prevention/themes", response={200: list[ThemeOut], **ERRORS},
            summary="Thèmes de prévention : le catalogue livré et ceux de la CPTS")  # fmt: skip
@api_permission(permissions.see_prevention)
def prevention_themes(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    return list(programme_services.themes_for(membership.cpts).order_by("code")
                .values("code", "label"))  # fmt: skip


class ActionIn(Schema):
    kind: choice(ActionKind.values) | None = None
    theme: model_text(Theme, "code") | None = None
    title: model_text(Action, "title") | None = None
    start: DateTime | None = None
    end: DateTime | None = None
    commune: text(INSEE_CODE_LENGTH) | None = None
    public: bool = False
    capacity: Annotated[int, Field(ge=1, le=action_services.CAPACITY_MAX)] | None = None
    cpts: CptsSlug | None = None


class ActionCreated(Schema):
    id: str


REQUIRED = {"kind": "Indiquez le type d'action (vaccination, screening, awareness).",
            "theme": "Indiquez le code du thème.", "title": "Indiquez l'intitulé.",
            "start": "Indiquez le début.", "end": "Indiquez la fin."}  # fmt: skip



@router.post("/prevention/actions", response={201: ActionCreated, **WRITE_ERRORS},
             summary="Créer une action de prévention (campagne, dépistage, sensibilisation)")
@api_permission(permissions.manage_prevention)
def create_prevention_action(request, payload: ActionIn):
    membership = api_membership(request, payload.cpts)
    cpts = membership.cpts
    errors = {f: m for f, m in REQUIRED.items()
              if getattr(payload, f) in (None, "") or (f == "title" and not payload.title.strip())}
    data = {"kind": payload.kind, "title": (payload.title or "").strip(),
            "start": payload.start, "end": payload.end, "public": payload.public,
            "capacity": payload.capacity, "commune": None}  # fmt: skip
    if payload.theme:
        data["theme"] = programme_services.themes_for(cpts).filter(code=payload.theme).first()
        if data["theme"] is None:
            errors["theme"] = f"Thème inconnu : {payload.theme[:60]}."
    if payload.commune:
        data["commune"] = Commune.objects.filter(code=payload.commune.strip().upper()).first()
        if data["commune"] is None:
            errors["commune"] = "Code INSEE de commune inconnu."
    if errors:
        return unprocessable(ValidationError(errors))
    try:
        action = action_services.action_save(cpts=cpts, actor=request.auth, data=data,
                                             request=request)  # fmt: skip
    except ValidationError as exc:
        return unprocessable(exc)
    return Response(201, {"id": str(action.public_id)})


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
# The figures of one action; for a vaccination campaign also its doses and coverage
# (doses, not people: a first dose is not told apart). Counts only, no patient data.



class DosesByOut(Schema):
    label: str
    doses: int


class DosesByWeekOut(Schema):
    week: datetime.date
    doses: int


class CampaignOut(Schema):
    doses: int
    by_vaccine: list[DosesByOut]
    by_age_band: list[DosesByOut]
    by_week: list[DosesByWeekOut]
    by_site: list[DosesByOut]
    target_size: int | None
    target_note: str
    objective_rate: float | None
    coverage: float | None
    objective_reached: bool


class ActionIndicatorsOut(Schema):
    id: str
    kind: str
    title: str
    informed: int | None
    screened: int
    positive: int
    referred: int
    seen: int
    lost: int
    campaign: CampaignOut | None


def _pairs(rows):
    return [{"label": str(label), "doses": n or 0} for label, n in rows]


@router.get("/prevention/actions/{action_id}/indicators",
            response={200: ActionIndicatorsOut, **ERRORS},
            summary="Les chiffres d'une action : informés, dépistés, positifs, orientés, vus, "
                    "perdus de vue ; pour une campagne, les doses et la couverture")  # fmt: skip
@api_permission(permissions.see_prevention_indicators)
def action_indicators(request, action_id: str, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    action = get_by_public_id(Action.objects.for_cpts(membership.cpts)
                               .select_related("programme_theme"), action_id)  # fmt: skip
    data = indicator_services.action_indicators(action)
    campaign = data["campaign"]
    if campaign is not None:
        campaign = {
            **campaign,
            "by_vaccine": _pairs(campaign["by_vaccine"]),
            "by_age_band": _pairs(campaign["by_age_band"]),
            "by_site": _pairs(campaign["by_site"]),
            "by_week": [{"week": w, "doses": n} for w, n in campaign["by_week"]],
            "objective_rate": (float(campaign["objective_rate"])
                               if campaign["objective_rate"] is not None else None),
            "coverage": float(campaign["coverage"]) if campaign["coverage"] is not None
            else None,
        }  # fmt: skip
    return {"id": str(action.public_id), "kind": action.kind, "title": action.title,
            **data["figures"], "campaign": campaign}  # fmt: skip
