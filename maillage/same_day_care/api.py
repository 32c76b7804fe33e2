"""Same-day care API: slots, requests, ranked suggestions, booking (409 when taken) and
appointment outcomes."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema
from ninja import Status as Response

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership
from maillage.directory.models import PROFESSIONS
from maillage.territory.models import Commune

from . import services
from .access import appointments_visible_to, get_request
from .models import Mode, SameDayRequest, Slot

router = Router(tags=["soins non programmés"])


class SlotOut(Schema):
    id: str
    start: datetime.datetime
    end: datetime.datetime
    profession_code: str
    kind: str
    mode: str
    commune: str
    site: str
    professional: str

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_commune(obj):
        return obj.commune.code

    @staticmethod
    def resolve_professional(obj):
        return obj.professional.get_full_name()


class SlotQuery(Schema):
    profession_code: str = ""
    mode: str = ""
    commune: str = ""
    to: datetime.datetime | None = None
    cpts: str | None = None


@router.get("/same-day/slots", response=list[SlotOut], summary="Créneaux libres")
def list_slots(request, q: Query[SlotQuery]):
    membership = api_membership(request, q.cpts)
    if q.profession_code and q.profession_code not in PROFESSIONS:
        raise ValidationError(
            {"profession_code": f"Code profession inconnu : {q.profession_code}."}
        )
    if q.mode and q.mode not in Mode.values:
        raise ValidationError({"mode": "Modalité : practice, home ou tele."})
    slots = (
        Slot.objects.for_cpts(membership.cpts).available().select_related("commune", "professional")
    )
    # `from` is a Python keyword: read it from the query string directly.
    start = request.GET.get("from")
    if start:
        try:
            start = datetime.datetime.fromisoformat(start)
        except ValueError as exc:
            raise ValidationError({"from": "Date et heure ISO 8601 attendues."}) from exc
    if start:
        slots = slots.filter(start__gte=start)
    if q.to:
        slots = slots.filter(start__lte=q.to)
    if q.profession_code:
        slots = slots.filter(profession_code=q.profession_code)
    if q.mode:
        slots = slots.filter(mode=q.mode)
    if q.commune:
        slots = slots.filter(commune__code=q.commune.upper())
    return list(slots.order_by("start")[:200])


class RequestIn(Schema):
    last_name: str
    first_name: str
    birth_date: datetime.date
    phone: str
    commune: str
    reason: str = "other"
    profession_code: str = "10"
    mode: str = Mode.PRACTICE
    urgency: str = "same_day"
    home_visit: bool = False
    cpts: str | None = None


class RequestOut(Schema):
    id: str
    status: str

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)


@router.post("/same-day/requests", response={201: RequestOut}, summary="Nouvelle demande")
def create_request(request, payload: RequestIn):
    membership = api_membership(request, payload.cpts)
    if not permissions.record_same_day_request(membership):
        raise Http404
    commune = Commune.objects.current().filter(code=payload.commune.upper()).first()
    if commune is None:
        raise ValidationError({"commune": f"Commune inconnue : {payload.commune}."})
    data = payload.dict(exclude={"cpts"})
    data["commune"] = commune
    for field, choices in (("reason", None), ("mode", Mode.values), ("urgency", None)):
        model_field = SameDayRequest._meta.get_field(field)
        allowed = choices or [c for c, _ in model_field.choices]
        if data[field] not in allowed:
            raise ValidationError({field: f"Valeur inconnue : {data[field]}."})
    snp_request = services.request_create(
        cpts=membership.cpts, actor=request.auth, origin=membership.role, data=data, request=request
    )
    return Response(201, snp_request)


class SuggestionOut(Schema):
    slot: SlotOut
    distance_km: float | None
    wait_minutes: int


@router.get("/same-day/requests/{request_id}/suggestions", response=list[SuggestionOut],
            summary="Créneaux classés pour une demande")  # fmt: skip
def request_suggestions(request, request_id: str, cpts: str | None = None):
    membership = api_membership(request, cpts)
    snp_request = get_request(membership, request_id, request=request)
    return services.suggestions(snp_request, role=membership.role)


class BookIn(Schema):
    request: str
    cpts: str | None = None


class AppointmentOut(Schema):
    id: str
    status: str
    slot: SlotOut
    request: str

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_request(obj):
        return str(obj.request.public_id)


class TakenOut(Schema):
    detail: str
    suggestions: list[SuggestionOut]


@router.post("/same-day/slots/{slot_id}/book", response={201: AppointmentOut, 409: TakenOut},
             summary="Réserver un créneau")  # fmt: skip
def book_slot(request, slot_id: str, payload: BookIn):
    membership = api_membership(request, payload.cpts)
    if not permissions.record_same_day_request(membership):
        raise Http404
    snp_request = get_request(membership, payload.request, request=request)
    slot = get_by_public_id(Slot.objects.for_cpts(membership.cpts), slot_id)
    try:
        appointment = services.book(slot=slot, snp_request=snp_request, actor=request.auth,
                                    request=request)  # fmt: skip
    except services.AlreadyBooked as exc:  # cancel or move the request's appointment first
        return Response(409, {"detail": str(exc), "suggestions": []})
    except services.SlotTaken as exc:
        return Response(
            409,
            {
                "detail": f"{exc} Choisissez un autre créneau.",
                "suggestions": services.suggestions(snp_request, role=membership.role),
            },
        )
    return Response(201, appointment)


class StatusIn(Schema):
    status: str
    note: str = ""
    cpts: str | None = None


@router.post("/same-day/appointments/{appointment_id}/status", response=AppointmentOut,
             summary="Issue d'un rendez-vous")  # fmt: skip
def appointment_status(request, appointment_id: str, payload: StatusIn):
    membership = api_membership(request, payload.cpts)
    appointment = get_by_public_id(
        appointments_visible_to(membership).select_related("slot", "request"), appointment_id
    )
    return services.set_status(
        appointment=appointment,
        status=payload.status,
        actor=request.auth,
        note=payload.note,
        request=request,
    )
