"""API of the prevention mission: /api/v1/prevention/..."""

from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja import Status as Response

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    DateTime,
    choice,
    model_text,
    text,
)
from maillage.territory.communes import INSEE_CODE_LENGTH
from maillage.territory.models import Commune

from . import actions as action_services
from . import programme as programme_services
from .models import Action, ActionKind, Theme

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


def _unprocessable(exc: ValidationError):
    pairs = ([(f, " ".join(m)) for f, m in exc.message_dict.items()]
             if hasattr(exc, "error_dict") else [(None, " ".join(exc.messages))])  # fmt: skip
    errors = [{"field": f, "message": m} for f, m in pairs]
    first = errors[0]
    detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return Response(422, {"detail": detail, "errors": errors})


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
        return _unprocessable(ValidationError(errors))
    try:
        action = action_services.action_save(cpts=cpts, actor=request.auth, data=data,
                                             request=request)  # fmt: skip
    except ValidationError as exc:
        return _unprocessable(exc)
    return Response(201, {"id": str(action.public_id)})


# -- screening --

# -- indicators --
# The figures of one action; for a vaccination campaign also its doses and coverage
# (doses, not people: a first dose is not told apart). Counts only, no patient data.

import datetime as _dt  # noqa: E402

from ninja import Schema as _Schema  # noqa: E402

from maillage.core import permissions as _permissions  # noqa: E402
from maillage.core.access import get_by_public_id as _get_by_public_id  # noqa: E402
from maillage.core.api import api_membership as _api_membership  # noqa: E402
from maillage.core.api import api_permission as _api_permission  # noqa: E402
from maillage.core.api_types import ERRORS as _ERRORS  # noqa: E402
from maillage.core.api_types import CptsSlug as _CptsSlug  # noqa: E402


class DosesByOut(_Schema):
    label: str
    doses: int


class DosesByWeekOut(_Schema):
    week: _dt.date
    doses: int


class CampaignOut(_Schema):
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


class ActionIndicatorsOut(_Schema):
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
            response={200: ActionIndicatorsOut, **_ERRORS},
            summary="Les chiffres d'une action : informés, dépistés, positifs, orientés, vus, "
                    "perdus de vue ; pour une campagne, les doses et la couverture")  # fmt: skip
@_api_permission(_permissions.see_prevention_indicators)
def action_indicators(request, action_id: str, cpts: _CptsSlug | None = None):
    from . import indicators as _indicators
    from .models import Action as _Action

    membership = _api_membership(request, cpts)
    action = _get_by_public_id(_Action.objects.for_cpts(membership.cpts)
                               .select_related("programme_theme"), action_id)  # fmt: skip
    data = _indicators.action_indicators(action)
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
