"""Writes on patients: creation with duplicate detection, update, consent, merge."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.text import echo
from maillage.core.validators import validate_insee_commune, validate_nir, validate_phone_fr
from maillage.territory.models import Commune

from .models import Consent, Patient, PatientAccess, Sex, match_key

IDENTITY_FIELDS = ("birth_name", "used_name", "first_names", "birth_date", "sex",
                   "birth_place_code", "nir")  # fmt: skip
CONTACT_FIELDS = ("phone", "email", "address", "commune")
SITUATION_FIELDS = ("ald", "ald_detail", "c2s", "ame", "isolated", "disability", "pregnant",
                    "chronic_treatment", "needs_home_visits")  # fmt: skip
PATIENT_FIELDS = IDENTITY_FIELDS + CONTACT_FIELDS + SITUATION_FIELDS


class DuplicateSuspected(ValidationError):
    """Same birth name, first first name and birth date as existing patients."""

    def __init__(self, candidates):
        self.candidates = list(candidates)
        names = ", ".join(str(p) for p in self.candidates)
        super().__init__(
            f"Patient probablement déjà enregistré : {names}. Ouvrez sa fiche, ou confirmez "
            "qu'il s'agit d'une autre personne.",
            code="duplicate",
        )


def clean_patient_data(data: dict) -> dict:
    """Check and normalise identity and contact data; every problem is reported at once,
    on its field, in French."""
    errors = {}
    data = dict(data)
    for name in ("birth_name", "first_names"):
        data[name] = " ".join((data.get(name) or "").split())
        if not data[name]:
            errors[name] = "Champ obligatoire."
    birth_date = data.get("birth_date")
    if isinstance(birth_date, str):
        try:
            birth_date = datetime.date.fromisoformat(birth_date)
        except ValueError:
            errors["birth_date"] = "Date invalide (format attendu : AAAA-MM-JJ)."
            birth_date = None
    if birth_date is None and "birth_date" not in errors:
        errors["birth_date"] = "Champ obligatoire."
    elif birth_date is not None:
        if birth_date > timezone.localdate():
            errors["birth_date"] = "La date de naissance est dans le futur."
        elif birth_date.year < 1900:
            errors["birth_date"] = "Date de naissance antérieure à 1900 : vérifiez l'année."
    data["birth_date"] = birth_date
    if data.get("sex") not in Sex.values:
        errors["sex"] = "Sexe : F, M ou I (indéterminé)."
    if data.get("birth_place_code"):
        code = data["birth_place_code"].strip().upper()
        if code.startswith("99") and len(code) == 5 and code.isdigit():
            data["birth_place_code"] = code  # foreign country (INSEE code 99xxx)
        else:
            try:
                data["birth_place_code"] = validate_insee_commune(code).value
            except ValidationError as exc:
                errors["birth_place_code"] = exc.messages[0]
    if data.get("nir"):
        try:
            data["nir"] = validate_nir(data["nir"]).value
        except ValidationError as exc:
            errors["nir"] = exc.messages[0]
        else:
            problem = _nir_mismatch(data["nir"], data.get("sex"), birth_date)
            if problem:
                errors["nir"] = problem
    if data.get("phone"):
        try:
            data["phone"] = validate_phone_fr(data["phone"]).value
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    commune = data.get("commune")
    if isinstance(commune, str):
        found = (
            Commune.objects.current().filter(code=commune.strip().upper()).first()
            if (commune.strip())
            else None
        )
        if commune.strip() and found is None:
            errors["commune"] = f"Commune inconnue : {echo(commune)}."
        data["commune"] = found
    if errors:
        raise ValidationError(errors)
    return data


def _nir_mismatch(nir: str, sex: str | None, birth_date) -> str:
    if sex in ("F", "M") and nir[0] in "12" and nir[0] != ("1" if sex == "M" else "2"):
        return "Le NIR ne correspond pas au sexe (1 = masculin, 2 = féminin)."
    if birth_date is not None and nir[1:3] != f"{birth_date.year % 100:02d}":
        return "Le NIR ne correspond pas à l'année de naissance."
    return ""


def find_duplicates(cpts, data: dict, exclude=None):
    key = match_key(data["birth_name"], data["first_names"], data["birth_date"])
    queryset = Patient.objects.for_cpts(cpts).current().filter(match_key=key)
    if data.get("nir"):
        queryset = queryset | Patient.objects.for_cpts(cpts).current().filter(nir=data["nir"])
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.distinct()


@transaction.atomic
def patient_create(
    *,
    cpts,
    actor,
    data: dict,
    consent_method: str | None,
    request=None,
    allow_duplicate=False,
) -> Patient:
    """`consent_method` None is for lists received from the Assurance Maladie: the
    coordination records the consent at the first contact."""
    if consent_method is not None and consent_method not in Consent.Method.values:
        raise ValidationError({"consent": "Indiquez comment le consentement a été recueilli."})
    data = clean_patient_data(data)
    if not allow_duplicate:
        duplicates = list(find_duplicates(cpts, data)[:5])
        if duplicates:
            raise DuplicateSuspected(duplicates)
    patient = Patient(
        cpts=cpts,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        match_key=match_key(data["birth_name"], data["first_names"], data["birth_date"]),
        **{f: data[f] for f in PATIENT_FIELDS if f in data},
    )
    patient.save()
    if consent_method is not None:
        consent_record(patient=patient, method=consent_method, actor=actor)
    audit.record(action="patient.create", actor=actor, cpts=cpts, obj=patient, request=request,
                 detail={"duplicate_confirmed": allow_duplicate})  # fmt: skip
    return patient


def consent_record(*, patient, method, actor, request=None) -> Consent:
    if method not in Consent.Method.values:
        raise ValidationError({"consent": "Indiquez comment le consentement a été recueilli."})
    consent = Consent.objects.create(
        patient=patient, method=method,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    audit.record(action="patient.consent", actor=actor, cpts=patient.cpts, obj=patient,
                 request=request, detail={"method": method})  # fmt: skip
    return consent


@transaction.atomic
def patient_update(*, patient: Patient, actor, data: dict, request=None) -> Patient:
    current = {f: getattr(patient, f) for f in PATIENT_FIELDS}
    merged = clean_patient_data({**current, **data})
    changed = sorted(f for f in PATIENT_FIELDS if merged.get(f) != current[f])
    for field in PATIENT_FIELDS:
        setattr(patient, field, merged.get(field, getattr(patient, field)))
    patient.match_key = match_key(patient.birth_name, patient.first_names, patient.birth_date)
    patient.updated_at = timezone.now()
    patient.save()
    audit.record(action="patient.update", actor=actor, cpts=patient.cpts, obj=patient,
                 request=request, detail={"changed": changed})  # fmt: skip
    return patient


@transaction.atomic
def patient_merge(*, keep: Patient, duplicate: Patient, actor, request=None) -> Patient:
    """Merge a duplicate into the patient kept: everything that points at the duplicate
    (consents, grants, requests of every mission) is moved, the duplicate is kept,
    archived and marked as merged, so no history is lost."""
    if keep.cpts_id != duplicate.cpts_id or keep.pk == duplicate.pk:
        raise ValidationError("Seules deux fiches distinctes de la même CPTS se fusionnent.")
    if duplicate.merged_into_id:
        raise ValidationError("Cette fiche a déjà été fusionnée.")
    moved = {}
    # Grants the kept patient already has would collide: drop their copies first.
    kept_grants = (
        PatientAccess.objects.active().filter(patient=keep).values_list("user_id", "reason")
    )
    for user_id, reason in kept_grants:
        PatientAccess.objects.filter(patient=duplicate, user_id=user_id, reason=reason).delete()
    try:
        with transaction.atomic():
            for relation in Patient._meta.related_objects:
                if relation.related_model is Patient or not relation.one_to_many:
                    continue
                field = relation.field.name
                count = relation.related_model._default_manager.filter(**{field: duplicate}).update(
                    **{field: keep}
                )
                if count:
                    moved[relation.related_model._meta.label] = count
    except IntegrityError as exc:
        raise ValidationError(
            "Les deux fiches ont chacune un dossier en cours (par exemple une demande de "
            "médecin traitant) : clôturez-en un avant de fusionner."
        ) from exc
    for field in SITUATION_FIELDS:
        value = getattr(duplicate, field)
        if isinstance(value, bool) and value and not getattr(keep, field):
            setattr(keep, field, True)
    for field in ("nir", "phone", "email", "address", "commune", "birth_place_code"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.updated_at = timezone.now()
    keep.save()
    duplicate.merged_into = keep
    duplicate.archived_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "archived_at"])
    audit.record(action="patient.merge", actor=actor, cpts=keep.cpts, obj=keep, request=request,
                 detail={"merged": str(duplicate.public_id), "moved": moved})  # fmt: skip
    return keep


@transaction.atomic
def set_attending_gp(*, patient: Patient, gp, actor, request=None) -> Patient:
    """Record the patient's declared médecin traitant, a professional member of the CPTS
    (None when they have none, or one outside the CPTS)."""
    from maillage.core.models import Membership

    if gp is not None and not Membership.objects.active().filter(
        cpts_id=patient.cpts_id, user=gp
    ).professionals().exists():
        raise ValidationError({"attending_gp": "Choisissez un professionnel membre de la CPTS."})
    previous = patient.attending_gp.email if patient.attending_gp_id else None
    patient.attending_gp = gp
    patient.updated_at = timezone.now()
    patient.save(update_fields=["attending_gp", "updated_at"])
    audit.record(
        action="patient.attending_gp",
        actor=actor,
        cpts=patient.cpts,
        obj=patient,
        request=request,
        detail={"from": previous, "to": gp.email if gp else None},
    )
    return patient
