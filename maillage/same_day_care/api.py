"""Same-day care API: slots, requests, ranked suggestions, booking (409 when taken) and
appointment outcomes."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema
from ninja import Status as Response
from pydantic import Field

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    BirthDate,
    CptsSlug,
    DateTime,
    FieldError,
    choice,
    model_text,
    text,
)
from maillage.core.text import echo
from maillage.directory.models import PROFESSIONS
from maillage.territory.models import Commune

from . import services
from .access import appointments_visible_to, get_request
from .models import Appointment, Mode, ReasonCategory, SameDayRequest, Slot, SlotKind, Urgency

router = Router(tags=["soins non programmés"])


# The longest window of one slot search.
MAX_WINDOW = datetime.timedelta(days=31)
Profession = choice(PROFESSIONS)
PublicId = text(36)  # a UUID; anything else is a 404


class SlotOut(Schema):
    id: str
    start: datetime.datetime
    end: datetime.datetime
    profession_code: str
    kind: choice(SlotKind.values)
    mode: choice(Mode.values)
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
    profession_code: choice(["", *PROFESSIONS]) = ""
    mode: choice(["", *Mode.values]) = ""
    commune: model_text(Commune, "code") = ""
    # `from` is a Python keyword: the field is `start`, the parameter `from`.
    start: DateTime | None = Field(None, alias="from")
    to: DateTime | None = None
    cpts: CptsSlug | None = None


@router.get("/same-day/slots", response={200: list[SlotOut], **ERRORS},
            summary="Créneaux libres (200 au plus, sur 31 jours au plus)")  # fmt: skip
@api_permission(permissions.record_same_day_request)
def list_slots(request, q: Query[SlotQuery]):
    membership = api_membership(request, q.cpts)
    if q.start and q.to:
        if q.to <= q.start:
            raise ValidationError({"to": "La fin de la période (to) doit suivre son début (from)."})
        if q.to - q.start > MAX_WINDOW:
            raise ValidationError(
                {"to": f"La période demandée dépasse {MAX_WINDOW.days} jours : réduisez-la."}
            )
    slots = (
        Slot.objects.for_cpts(membership.cpts).available().select_related("commune", "professional")
    )
    if q.start:
        slots = slots.filter(start__gte=q.start)
    if q.to:
        slots = slots.filter(start__lte=q.to)
    if q.profession_code:
        slots = slots.filter(profession_code=q.profession_code)
    if q.mode:
        slots = slots.filter(mode=q.mode)
    if q.commune:
        slots = slots.filter(commune__code=q.commune.upper())
    return list(slots.order_by("start")[:200])


def _text(field: str):
    return model_text(SameDayRequest, field)


class SameDayRequestIn(Schema):
    last_name: _text("last_name")
    first_name: _text("first_name")
    birth_date: BirthDate
    phone: _text("phone")  # checked and stored in E.164 by the service
    commune: model_text(Commune, "code")
    reason: choice(ReasonCategory.values) = ReasonCategory.OTHER.value
    profession_code: Profession = "10"
    mode: choice(Mode.values) = Mode.PRACTICE.value
    urgency: choice(Urgency.values) = Urgency.SAME_DAY.value
    home_visit: bool = False
    cpts: CptsSlug | None = None


class SameDayRequestOut(Schema):
    id: str
    status: choice(SameDayRequest.Status.values)

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)


@router.post("/same-day/requests", response={201: SameDayRequestOut, **WRITE_ERRORS},
             summary="Nouvelle demande")  # fmt: skip
@api_permission(permissions.record_same_day_request)
def create_request(request, payload: SameDayRequestIn):
    membership = api_membership(request, payload.cpts)
    commune = Commune.objects.current().filter(code=payload.commune.upper()).first()
    if commune is None:
        raise ValidationError({"commune": f"Commune inconnue : {echo(payload.commune)}."})
    data = payload.dict(exclude={"cpts"})
    data["commune"] = commune
    snp_request = services.request_create(
        cpts=membership.cpts, actor=request.auth, origin=membership.role, data=data, request=request
    )
    return Response(201, snp_request)


class SuggestionOut(Schema):
    slot: SlotOut
    distance_km: float | None
    wait_minutes: int


@router.get("/same-day/requests/{request_id}/suggestions",
            response={200: list[SuggestionOut], **ERRORS},
            summary="Créneaux classés pour une demande")  # fmt: skip
@api_permission(permissions.record_same_day_request)
def request_suggestions(request, request_id: str, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    snp_request = get_request(membership, request_id, request=request)
    return services.suggestions(snp_request, role=membership.role)


class BookIn(Schema):
    request: PublicId
    cpts: CptsSlug | None = None


class AppointmentOut(Schema):
    id: str
    status: choice(Appointment.Status.values)
    slot: SlotOut
    request: str

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_request(obj):
        return str(obj.request.public_id)


class TakenOut(Schema):
    """409: the slot is taken (with the next ones to offer instead), or the request
    already has an appointment."""

    detail: str
    errors: list[FieldError] = []
    suggestions: list[SuggestionOut] = []


@router.post("/same-day/slots/{slot_id}/book",
             response={201: AppointmentOut, 409: TakenOut, **WRITE_ERRORS},
             summary="Réserver un créneau")  # fmt: skip
@api_permission(permissions.record_same_day_request)
def book_slot(request, slot_id: str, payload: BookIn):
    membership = api_membership(request, payload.cpts)
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
    # "redirected": sent to the emergency department instead (the appointment is cancelled).
    status: choice([*(s for s in Appointment.Status.values if s != Appointment.Status.BOOKED),
                    "redirected"])  # fmt: skip
    note: model_text(Appointment, "note") = ""
    cpts: CptsSlug | None = None


@router.post("/same-day/appointments/{appointment_id}/status",
             response={200: AppointmentOut, **WRITE_ERRORS},
             summary="Issue d'un rendez-vous")  # fmt: skip
@api_permission(permissions.see_appointments)
def appointment_status(request, appointment_id: str, payload: StatusIn):
    membership = api_membership(request, payload.cpts)
    appointment = get_by_public_id(
        appointments_visible_to(membership).select_related("slot", "request"), appointment_id
    )
    # As on the page: the professional records the outcome of their own appointments.
    if appointment.slot.professional_id != request.auth.pk and not (
        permissions.follow_appointments(membership)
    ):
        raise Http404
    return services.set_status(
        appointment=appointment,
        status=payload.status,
        actor=request.auth,
        note=payload.note,
        request=request,
    )
