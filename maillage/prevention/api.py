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
