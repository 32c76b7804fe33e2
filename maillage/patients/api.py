"""Patients API: creation with field-level errors, and need-to-know reads (audited)."""

import datetime

from ninja import Router, Schema, Status

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    BirthDate,
    CptsSlug,
    Email,
    ErrorOut,
    choice,
    model_text,
    text,
)
from maillage.territory.communes import INSEE_CODE_LENGTH

from .access import get_patient
from .duplicates import DuplicateUnderReview, create_patient_as_member
from .forms import PatientForm
from .models import Consent, Patient, Sex
from .services import DuplicateSuspected

router = Router(tags=["patients"])


def _text(field: str):
    return model_text(Patient, field)


class PatientIn(Schema):
    birth_name: _text("birth_name")
    used_name: _text("used_name") = ""
    first_names: _text("first_names")
    birth_date: BirthDate
    sex: choice(Sex.values)
    birth_place_code: _text("birth_place_code") = ""
    # Typed with spaces or dots, as the form allows them: stored compact (15 and 12
    # characters at most).
    nir: text(PatientForm.base_fields["nir"].max_length) = ""
    phone: text(PatientForm.base_fields["phone"].max_length) = ""
    email: Email = ""
    address: _text("address") = ""
    commune: text(INSEE_CODE_LENGTH) = ""
    ald: bool = False
    ald_detail: _text("ald_detail") = ""
    c2s: bool = False
    ame: bool = False
    isolated: bool = False
    disability: bool = False
    pregnant: bool = False
    chronic_treatment: bool = False
    needs_home_visits: bool = False
    consent_method: choice(Consent.Method.values) = Consent.Method.ORAL.value
    confirm_not_duplicate: bool = False
    cpts: CptsSlug | None = None


class PatientOut(Schema):
    id: str
    birth_name: str
    used_name: str
    first_names: str
    birth_date: datetime.date
    sex: choice(Sex.values)
    birth_place_code: str
    nir: str
    phone: str
    email: str
    commune: str | None
    ald: bool
    c2s: bool
    ame: bool

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_commune(obj):
        return obj.commune.code if obj.commune_id else None


class Created(Schema):
    id: str


@router.post("/patients", response={201: Created, 409: ErrorOut, **WRITE_ERRORS},
             summary="Créer un patient")  # fmt: skip
@api_permission(permissions.refer_patient)
def create_patient(request, payload: PatientIn):
    membership = api_membership(request, payload.cpts)
    data = payload.dict(exclude={"consent_method", "confirm_not_duplicate", "cpts"})
    try:
        patient = create_patient_as_member(
            membership=membership, data=data, consent_method=payload.consent_method,
            confirm_not_duplicate=payload.confirm_not_duplicate, request=request,
        )  # fmt: skip
    except DuplicateUnderReview as exc:
        # Nothing about the recorded patient: the coordination checks (a review is open).
        return Status(409, {"detail": exc.messages[0],
                            "errors": [{"field": "patient", "message": exc.messages[0]}]})
    except DuplicateSuspected as exc:
        return Status(
            409,
            {
                "detail": exc.messages[0],
                "errors": [{"field": "confirm_not_duplicate", "message": exc.messages[0]}],
            },
        )
    return Status(201, {"id": str(patient.public_id)})


@router.get("/patients/{patient_id}", response={200: PatientOut, **ERRORS},
            summary="Lire un patient")  # fmt: skip
@api_permission(permissions.see_patients)
def read_patient(request, patient_id: str, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    return get_patient(membership, patient_id, request=request)
