"""FHIR R4 resources for the SAS (Service d'accès aux soins, the national same-day care
platform), following the ANS guide "service-acces-aux-soins" (../shared/domain/sas-fhir.md).

We are the server of the slot search (INT_R04: the professionals of a CPTS; INT_R01: the
same search without the CPTS includes) and the client of the appointment notifications
(INT_R03, see sas_outbox.py). Every resource is built through the fhir.resources models,
so a wrong shape fails here and not at the SAS. The R4B models are used: R4 4.0.1 has no
pydantic-2 release, and the R4B shapes of the resources below are those of R4.

A Slot's professional is a Maillage account; the SAS knows professionals by their
national identifier (idNat_PS: "8" + RPPS, "0" + ADELI). The link is the CPTS's directory
entry: `DirectoryEntry(cpts, account=user).professional.national_id`.
"""

import datetime
import functools
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from maillage.core.validators import validate_phone_fr
from maillage.directory.models import DirectoryEntry, PracticeSite

from .models import Mode, Slot, SlotKind

log = logging.getLogger(__name__)

# Identifier systems and code systems of the guide.
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"  # idNat_PS: "8" + RPPS, "0" + ADELI
IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"  # idNat_Struct: "1" + FINESS, "3" + SIRET...
SAS_TECHNICAL_ID_SYSTEM = "urn:oid:1.2.250.1.213.3.6"  # regulators without a national id
FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
FR_CORE_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
CATEGORIE_ETABLISSEMENT = (
    "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/"
    "TRE-R66-CategorieEtablissement"
)
CPTS_CATEGORY = "604"  # catégorie d'établissement FINESS of a CPTS
SPECIALITE_ORDINALE = (
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
)
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
APPOINTMENT_REASON = "http://terminology.hl7.org/CodeSystem/v2-0276"
SERVICE_TYPE_EXTENSION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
OPERATOR_EXTENSION = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator"

_SAS = "http://sas.fr/fhir/StructureDefinition/"
_IG = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/"
PROFILES = {
    "bundle_cpts": _IG + "sas-cpts-bundle-aggregator",
    "bundle": _SAS + "BundleAgregateur",
    "slot_cpts": _IG + "sas-cpts-slot-aggregator",
    "slot": _SAS + "FrSlotAgregateur",
    "schedule": _SAS + "FrScheduleAgregateur",
    "practitioner": _SAS + "FrPractitionerAgregateur",
    "practitioner_role": _SAS + "FrPractitionerRoleExerciceAgregateur",
    "location": _SAS + "FrLocationAgregateur",
    "healthcare_service": _IG + "sas-cpts-healthcareservice-aggregator",
    "organization": _IG + "sas-cpts-organization-aggregator",
    "appointment": _SAS + "FrAppointmentSAS",
}

MODE_CODES = {  # consultation mode -> v3-ActCode
    Mode.PRACTICE: ("AMB", "ambulatory"),
    Mode.HOME: ("HH", "home health"),
    Mode.TELE: ("VR", "virtual"),
}

# Who a slot is for, as TRE_R314 codes (combinable). The SAS regulates same-day care
# (SNP): every kind of our slots may be booked by a regulator in Maillage
# (services.KINDS_FOR_ROLE), so every kind is answered, labelled with its audience:
# - CPTS (pooled among the CPTS members for same-day care) -> SNP
# - SAS (reserved to the SAS regulation)                   -> SNP
# - PRO (reserved to health professionals)                  -> PRO
# - PUBLIC (open to the public)                             -> PUBLIC
# In the CPTS flow (INT_R04) every slot also carries CPTS: it is published in the CPTS's
# pooled agenda, hence the 604 serviceType pointing to the CPTS's HealthcareService. The
# individual flow (INT_R01, profile FrSlotAgregateur) binds meta.security to PUBLIC/PRO/SNP
# only, so CPTS and its 604 link are left out there.
AUDIENCE_CODES = {
    SlotKind.CPTS: ("SNP",),
    SlotKind.SAS: ("SNP",),
    SlotKind.PRO: ("PRO",),
    SlotKind.PUBLIC: ("PUBLIC",),
}
EXPOSED_KINDS = tuple(AUDIENCE_CODES)

# Sent as the CPTS's FINESS while its coordination has not entered it (Cpts.finess);
# logged, as the SAS would not recognise the CPTS.
FINESS_PLACEHOLDER = "000000000"

MAX_PRACTITIONERS = 25
IDENTIFIER_PARAM = "schedule.actor:Practitioner.identifier"
_NATIONAL_ID = re.compile(r"^(8\d{11}|0(\d{2}|2[AB])\d{7})$")
_SPECIALTY = re.compile(r"^SM\d{2,3}$")
# Fixed namespace: the ids of Schedule and PractitionerRole are derived from stable data,
# so the SAS sees the same id from one search to the next.
_ID_NAMESPACE = uuid.UUID("6f1f7f3e-3b0a-4d55-9a55-2f0f8a8f5c21")


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True)


# Validated resources, memoised by content. A resource's JSON is a function of the data
# given to its model and of nothing else, so the key is that data itself (canonical JSON):
# any change of a professional, a site, the CPTS or the caller's booking URL gives another
# key, hence a fresh validation, and there is nothing to invalidate. Every distinct content
# is validated by its fhir.resources model once per process; the SAS repeats the same
# searches all day long, where validating the 25 Practitioners, PractitionerRoles and
# Schedules of an INT_R04 answer would cost tens of milliseconds each time.
VALIDATED_CACHE_SIZE = 4096
_MODELS = {model.__name__: model for model in (
    Practitioner, PractitionerRole, Schedule, Organization, HealthcareService, FhirSlot,
)}  # fmt: skip


def _validated(model, data: dict) -> dict:
    """`data` validated by `model`, dumped as JSON. The dict returned is shared between
    the callers that asked for the same content: read it, never change it."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _validate_canonical(model.__name__, canonical)


@functools.lru_cache(maxsize=VALIDATED_CACHE_SIZE)
def _validate_canonical(model_name: str, canonical: str) -> dict:
    # What is validated is exactly what the key says: the text parsed back.
    return _dump(_MODELS[model_name].model_validate(json.loads(canonical)))


def fhir_instant(moment: datetime.datetime, zone=None) -> str:
    """Local time with its offset, as in the guide: 2024-06-12T16:40:00+02:00. `zone`:
    the current time zone, when the caller writes many instants."""
    zone = zone or timezone.get_current_timezone()
    return moment.astimezone(zone).isoformat(timespec="seconds")


def is_national_id(value: str) -> bool:
    return bool(value) and _NATIONAL_ID.match(value) is not None


def e164_phone(value: str) -> str | None:
    """+33... as the SAS expects, or None for an empty or unusable number."""
    if not value:
        return None
    try:
        return validate_phone_fr(value).value
    except ValidationError:
        return None


# ------------------------------------------------------------------ OperationOutcome


def operation_outcome(issues: list[tuple[str, str]]) -> dict:
    """issues: (code, French diagnostics). Codes: required, invalid, login, forbidden..."""
    outcome = OperationOutcome(
        issue=[{"severity": "error", "code": code, "diagnostics": text} for code, text in issues]
    )
    return _dump(outcome)


# ------------------------------------------------------------------ search parameters


class SearchError(Exception):
    """A search the SAS must correct: 400 with one OperationOutcome issue per problem."""

    def __init__(self, issues: list[tuple[str, str]]):
        super().__init__("; ".join(text for _, text in issues))
        self.issues = issues


@dataclass(frozen=True)
class SlotSearch:
    start_ge: datetime.datetime
    start_le: datetime.datetime
    identifiers: tuple[str, ...]  # national ids, without the system
    include_schedule: bool
    include_actors: bool
    include_services: bool
    include_organizations: bool

    @property
    def cpts_flow(self) -> bool:
        """INT_R04 (CPTS) asks for the HealthcareService; INT_R01 does not."""
        return self.include_services


def _parse_moment(text: str, *, end_of_day: bool) -> datetime.datetime | None:
    # A client that did not percent-encode the offset's "+" sends it as a space.
    text = text.strip().replace(" ", "+")
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.datetime.combine(
                day, datetime.time.max if end_of_day else datetime.time.min
            )
    except ValueError:
        return None
    try:
        if timezone.is_naive(moment):  # FHIR: no offset means the server's time zone
            moment = timezone.make_aware(moment)
        # The database compares in UTC: a bound that UTC cannot hold (year 1 at +14:00,
        # year 9999 at -14:00) is an invalid date, not a server error.
        moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        return None
    return moment


def parse_slot_search(params) -> SlotSearch:
    """Read the INT_R01/INT_R04 parameters from a QueryDict; all problems at once."""
    issues: list[tuple[str, str]] = []
    bounds: dict[str, datetime.datetime | None] = {}
    for raw in params.getlist("start"):
        prefix, value = raw[:2], raw[2:]
        if prefix not in ("ge", "le"):
            issues.append(("invalid", f"Paramètre « start » invalide : « {raw} ». Seuls les "
                                      "préfixes ge et le sont acceptés "
                                      "(ex. start=ge2024-06-12T16:20:00+02:00)."))  # fmt: skip
            continue
        if prefix in bounds:
            issues.append(("invalid", f"Paramètre « start={prefix}… » donné deux fois."))
            continue
        moment = _parse_moment(value, end_of_day=prefix == "le")
        if moment is None:
            issues.append(("invalid", f"Paramètre « start={prefix}… » : date invalide "
                                      f"« {value} » (format attendu "
                                      "2024-06-12T16:20:00+02:00)."))  # fmt: skip
        bounds[prefix] = moment
    for prefix, meaning in (("ge", "début"), ("le", "fin")):
        if prefix not in bounds:
            issues.append(("required", f"Paramètre obligatoire manquant : « start={prefix}… » "
                                       f"({meaning} de la période recherchée)."))  # fmt: skip
    if bounds.get("ge") and bounds.get("le") and bounds["ge"] > bounds["le"]:
        issues.append(("invalid", "Paramètre « start » : la borne ge est postérieure à la "
                                  "borne le."))  # fmt: skip

    statuses = params.getlist("status")
    if not statuses:
        issues.append(("required", "Paramètre obligatoire manquant : « status » (status=free)."))
    elif any(value != "free" for value in statuses):
        issues.append(("invalid", "Paramètre « status » : seule la valeur « free » est "
                                  "acceptée."))  # fmt: skip

    identifiers: list[str] = []
    raw_identifiers = [
        part.strip()
        for value in params.getlist(IDENTIFIER_PARAM)
        for part in value.split(",")
    ]  # fmt: skip
    if not any(raw_identifiers):
        issues.append(("required", f"Paramètre obligatoire manquant : « {IDENTIFIER_PARAM} » "
                                   f"(1 à {MAX_PRACTITIONERS} identifiants "
                                   f"{IDNPS_SYSTEM}|8XXXXXXXXXXX)."))  # fmt: skip
    else:
        for token in raw_identifiers:
            system, bar, value = token.partition("|")
            if not bar or system != IDNPS_SYSTEM:
                issues.append(("invalid", f"Paramètre « {IDENTIFIER_PARAM} » : « {token} » "
                                          f"n'a pas le système {IDNPS_SYSTEM} (forme attendue "
                                          f"{IDNPS_SYSTEM}|8XXXXXXXXXXX)."))  # fmt: skip
            elif not is_national_id(value):
                issues.append(("invalid", f"Paramètre « {IDENTIFIER_PARAM} » : « {value} » "
                                          "n'est pas un identifiant national de professionnel "
                                          "(8 + RPPS ou 0 + ADELI)."))  # fmt: skip
            elif value not in identifiers:
                identifiers.append(value)
        if len(identifiers) > MAX_PRACTITIONERS:
            issues.append(("invalid", f"Paramètre « {IDENTIFIER_PARAM} » : "
                                      f"{len(identifiers)} identifiants, "
                                      f"{MAX_PRACTITIONERS} au plus."))  # fmt: skip
    if issues:
        raise SearchError(issues)

    includes = set(params.getlist("_include"))
    iterated = set(params.getlist("_include:iterate")) | set(params.getlist("_include:recurse"))
    return SlotSearch(
        start_ge=bounds["ge"],
        start_le=bounds["le"],
        identifiers=tuple(identifiers),
        include_schedule="Slot:schedule" in includes,
        include_actors="Schedule:actor" in iterated,
        include_services="Slot:service-type-reference" in includes,
        include_organizations="HealthcareService:organization" in iterated,
    )


# ------------------------------------------------------------------ the search


@dataclass(frozen=True)
class Place:
    """Where a professional consults: one PractitionerRole and one Schedule each."""

    key: str
    line: str
    city: str
    postal_code: str
    phone: str | None
    organization_id: str  # idNat_Struct with its prefix, or ""


class SlotCommune(NamedTuple):
    code: str
    name: str


class SlotRow(NamedTuple):
    """The fields of a Slot the search writes; plain rows, not model instances, as an
    INT_R04 answer holds hundreds of slots."""

    public_id: uuid.UUID
    cpts_id: int
    professional_id: int
    kind: str
    mode: str
    site: str
    start: datetime.datetime
    end: datetime.datetime
    commune: SlotCommune


@dataclass(frozen=True)
class SlotMatch:
    slot: SlotRow
    entry: DirectoryEntry  # the CPTS's directory entry of the slot's professional
    place: Place


def search_slots(search: SlotSearch, *, cpts_ids, now=None) -> list[SlotMatch]:
    """Free future slots, of the caller's CPTS only, of the professionals named by their
    national identifier. Every exposed kind is answered (AUDIENCE_CODES)."""
    now = now or timezone.now()
    entries = {
        (entry.cpts_id, entry.account_id): entry
        for entry in DirectoryEntry.objects.filter(
            cpts_id__in=cpts_ids, account__isnull=False,
            professional__national_id__in=search.identifiers,
        ).select_related("professional", "cpts")
    }  # fmt: skip
    if not entries:
        return []
    rows = (
        Slot.objects.filter(
            cpts_id__in={cpts for cpts, _ in entries},
            professional_id__in={account for _, account in entries},
            status=Slot.Status.FREE, kind__in=EXPOSED_KINDS, start__gt=now,
            start__gte=search.start_ge, start__lte=search.start_le,
        )
        # Only the fields written (not the commune's boundary, a large text).
        .values_list(*_SLOT_FIELDS).order_by("start", "pk")
    )  # fmt: skip
    communes: dict[tuple, SlotCommune] = {}
    slots = []
    for *fields, commune_code, commune_name in rows:
        commune = communes.get((commune_code, commune_name))
        if commune is None:
            commune = communes[commune_code, commune_name] = SlotCommune(commune_code, commune_name)
        slots.append(SlotRow(*fields, commune))
    matched = [(slot, entries.get((slot.cpts_id, slot.professional_id))) for slot in slots]
    matched = [(slot, entry) for slot, entry in matched if entry is not None]
    sites: dict[int, list[PracticeSite]] = {}
    for site in (
        PracticeSite.objects.filter(
            professional_id__in={entry.professional_id for _, entry in matched}
        )
        .select_related("commune")
        .defer("commune__geometry")
        .order_by("pk")
    ):
        sites.setdefault(site.professional_id, []).append(site)
    postal_codes = _postal_codes({slot.commune.code for slot, _ in matched})
    places: dict[tuple, Place] = {}
    result = []
    for slot, entry in matched:
        key = (entry.pk, slot.commune.code, slot.site)
        if key not in places:
            places[key] = _place(slot, entry, sites.get(entry.professional_id, []), postal_codes)
        result.append(SlotMatch(slot, entry, places[key]))
    return result


_SLOT_FIELDS = ("public_id", "cpts_id", "professional_id", "kind", "mode", "site", "start",
                "end", "commune__code", "commune__name")  # fmt: skip


def _postal_codes(commune_codes) -> dict[str, str]:
    """A postal code per commune, from the RPPS practice sites (the INSEE geography has
    none): used for a slot whose place is not one of the professional's known sites."""
    codes: dict[str, str] = {}
    rows = (
        PracticeSite.objects.filter(commune_code__in=commune_codes)
        .exclude(postal_code="")
        .values_list("commune_code", "postal_code")
        .order_by("commune_code", "postal_code")
    )
    for commune, postal in rows:
        codes.setdefault(commune, postal)
    return codes


def _place(slot, entry, sites, postal_codes) -> Place:
    """The professional's practice site in the slot's commune (the one named by the slot's
    place text when several), else a place made from the slot itself."""
    national_id = entry.professional.national_id
    here = [site for site in sites if site.commune_code == slot.commune.code]
    wanted = slot.site.casefold().strip()
    if wanted:
        named = [s for s in here if wanted in (s.name.casefold(), s.address.casefold())]
        here = named or here
    if here:
        site = here[0]
        line = site.address or site.name or slot.site or slot.commune.name
        if site.finess:
            organization = "1" + site.finess
        elif site.siret:
            organization = "3" + site.siret
        else:
            organization = ""
        return Place(
            key=f"{national_id}|{site.commune_code}|{line}",
            line=line,
            city=site.commune.name if site.commune else slot.commune.name,
            postal_code=site.postal_code or postal_codes.get(slot.commune.code, ""),
            phone=e164_phone(entry.phone) or e164_phone(site.phone),
            organization_id=organization,
        )
    line = slot.site or slot.commune.name
    return Place(
        key=f"{national_id}|{slot.commune.code}|{line}",
        line=line,
        city=slot.commune.name,
        postal_code=postal_codes.get(slot.commune.code, ""),
        phone=e164_phone(entry.phone),
        organization_id="",
    )


# ------------------------------------------------------------------ the CPTS


def cpts_finess(cpts) -> str:
    """The CPTS's FINESS, entered by its coordination on the territory page; until then a
    placeholder (the search still answers, the SAS will not recognise the CPTS, and the
    territory page warns the coordination)."""
    if cpts.finess:
        return cpts.finess
    log.warning("CPTS %s: no FINESS entered, placeholder sent to the SAS", cpts.slug)
    return FINESS_PLACEHOLDER


def cpts_phone(cpts) -> str | None:
    return e164_phone(cpts.phone)


# ------------------------------------------------------------------ resources


def _stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}|{key}"))


def healthcare_service_id(cpts) -> str:
    return _stable_id("HealthcareService", str(cpts.public_id))


def practitioner_resource(professional) -> dict:
    name = {"family": professional.last_name}
    if professional.first_name:
        name["given"] = [professional.first_name]
    return _validated(Practitioner, {
        "id": str(professional.public_id),
        "meta": {"profile": [PROFILES["practitioner"]]},
        "identifier": [{
            "type": {"coding": [_coding(FR_V2_0203, "IDNPS")]},
            "system": IDNPS_SYSTEM,
            "value": professional.national_id,
        }],
        "name": [name],
    })  # fmt: skip


def practitioner_role_resource(place: Place, professional) -> dict:
    address = {"line": [place.line], "city": place.city}
    if place.postal_code:
        address["postalCode"] = place.postal_code
    role = {
        "id": _stable_id("PractitionerRole", place.key),
        "meta": {"profile": [PROFILES["practitioner_role"]]},
        "contained": [{
            "resourceType": "Location",
            "id": "lieu",
            "meta": {"profile": [PROFILES["location"]]},
            "address": address,
        }],
        "practitioner": {"reference": f"Practitioner/{professional.public_id}"},
        "location": [{"reference": "#lieu"}],
    }  # fmt: skip
    if place.organization_id:
        role["organization"] = {"identifier": {
            "type": {"coding": [_coding(FR_V2_0203, "IDNST")]},
            "system": IDNST_SYSTEM,
            "value": place.organization_id,
        }}  # fmt: skip
    if place.phone:
        role["telecom"] = [{"system": "phone", "value": place.phone}]
    return _validated(PractitionerRole, role)


def schedule_resource(place: Place, professional) -> dict:
    return _validated(Schedule, {
        "id": _stable_id("Schedule", place.key),
        "meta": {"profile": [PROFILES["schedule"]]},
        "actor": [
            {"reference": f"Practitioner/{professional.public_id}"},
            {"reference": f"PractitionerRole/{_stable_id('PractitionerRole', place.key)}"},
        ],
    })  # fmt: skip


def organization_resource(cpts) -> dict:
    organization = {
        "id": str(cpts.public_id),
        "meta": {"profile": [PROFILES["organization"]]},
        "identifier": [{
            "type": {"coding": [_coding(FR_CORE_V2_0203, "IDNST")]},
            "system": IDNST_SYSTEM,
            "value": "1" + cpts_finess(cpts),
        }],
        "name": cpts.name,
    }  # fmt: skip
    phone = cpts_phone(cpts)
    if phone:
        organization["telecom"] = [{"system": "phone", "value": phone}]
    return _validated(Organization, organization)


def healthcare_service_resource(cpts) -> dict:
    return _validated(HealthcareService, {
        "id": healthcare_service_id(cpts),
        "meta": {"profile": [PROFILES["healthcare_service"]]},
        "active": True,
        "providedBy": {"reference": f"Organization/{cpts.public_id}"},
        "name": f"Soins non programmés - {cpts.name}",
    })  # fmt: skip


def _slot_shared(match: SlotMatch, *, cpts_flow: bool, booking_url: str | None) -> dict:
    """Everything of a Slot but its id, status, start, end and schedule."""
    slot, professional = match.slot, match.entry.professional
    codes = list(AUDIENCE_CODES[slot.kind]) + (["CPTS"] if cpts_flow else [])
    code, display = MODE_CODES[slot.mode]
    service_types = [{"coding": [_coding(ACT_CODE, code, display)]}]
    if cpts_flow:
        service_types.append({
            "extension": [{
                "url": SERVICE_TYPE_EXTENSION,
                "valueReference": {
                    "reference": f"HealthcareService/{healthcare_service_id(match.entry.cpts)}"
                },
            }],
            "coding": [_coding(CATEGORIE_ETABLISSEMENT, CPTS_CATEGORY)],
        })  # fmt: skip
    shared = {
        "meta": {
            "profile": [PROFILES["slot_cpts" if cpts_flow else "slot"]],
            "security": [_coding(TYPE_CRENEAU, c) for c in codes],
        },
        "serviceType": service_types,
        "appointmentType": {"coding": [_coding(APPOINTMENT_REASON, "ROUTINE")]},
    }
    if _SPECIALTY.match(professional.specialty_code or ""):
        shared["specialty"] = [
            {"coding": [_coding(SPECIALITE_ORDINALE, professional.specialty_code)]}
        ]
    if booking_url:
        shared["comment"] = booking_url
    return shared


# What each Slot has of its own, in a sample written as `_SlotRenderer.render` writes it:
# validated with each shape, so that a shape is only accepted next to such fields.
_SAMPLE_SLOT_OWN = {
    "id": "00000000-0000-4000-8000-000000000000",
    "status": "free",
    "start": "2024-06-12T16:20:00+02:00",
    "end": "2024-06-12T16:40:00+02:00",
    "schedule": {"reference": "Schedule/00000000-0000-5000-8000-000000000000"},
}


def _encode(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _template(shape: dict, fields) -> list[str]:
    """The JSON text of `shape` cut around the values of `fields`: [text, field, text,
    field, ..., text], to be joined with each resource's own values (JSON-encoded)."""
    token = uuid.uuid4().hex  # appears nowhere else in the text
    text = _encode({**shape, **{field: f"{token}{field}" for field in fields}})
    return re.split(f'"{token}(\\w+)"', text)


class _SlotRenderer:
    """Slots of the same CPTS, kind, mode and specialty differ only by id, start, end and
    schedule.

    Each shape (all the rest) is validated through the FhirSlot model with a sample of
    those fields (memoised by content, as the other resources: `_validated`); each Slot
    then reuses its JSON text with its own id (a UUID), status, start and end (instants
    written by `fhir_instant`) and schedule reference (to the Schedule of its place, a
    UUID), which are well-formed by construction, as in the sample, and need no escaping.
    Validating every Slot through the library would cost about 0.3 ms per slot, and the
    SAS asks for 25 professionals over several days at once (bench: under 100 ms)."""

    def __init__(self, *, cpts_flow: bool, booking_urls: dict):
        self.cpts_flow = cpts_flow
        self.booking_urls = booking_urls
        self.templates: dict[tuple, list[str]] = {}
        self.schedules: dict[str, str] = {}  # place key -> reference to its Schedule (JSON)
        self.zone = timezone.get_current_timezone()

    def render(self, match: SlotMatch) -> str:
        """The Slot's JSON text."""
        slot = match.slot
        schedule = self.schedules.get(match.place.key)
        if schedule is None:
            schedule_id = _stable_id("Schedule", match.place.key)
            schedule = self.schedules[match.place.key] = f'{{"reference":"Schedule/{schedule_id}"}}'
        key = (slot.cpts_id, slot.kind, slot.mode, match.entry.professional.specialty_code)
        parts = self.templates.get(key)
        if parts is None:
            shared = _slot_shared(match, cpts_flow=self.cpts_flow,
                                  booking_url=self.booking_urls.get(slot.cpts_id))  # fmt: skip
            shape = _validated(FhirSlot, {**shared, **_SAMPLE_SLOT_OWN})
            parts = self.templates[key] = _template(shape, _SAMPLE_SLOT_OWN)
        own = {
            "id": f'"{slot.public_id}"',
            "status": '"free"',
            "start": f'"{slot.start.astimezone(self.zone).isoformat(timespec="seconds")}"',
            "end": f'"{slot.end.astimezone(self.zone).isoformat(timespec="seconds")}"',
            "schedule": schedule,
        }
        pieces = parts.copy()
        pieces[1::2] = [own[field] for field in parts[1::2]]
        return "".join(pieces)


def slot_bundle(search: SlotSearch, matches: list[SlotMatch], *, self_url: str,
                base_url: str, booking_urls: dict | None = None) -> str:  # fmt: skip
    """The searchset, as JSON text: the Slots (mode match), then what the search asked to
    include (mode include): Schedules, Practitioners, PractitionerRoles, and for INT_R04
    the HealthcareService and Organization of each CPTS. An empty searchset (total 0) when
    nothing matches, although the CPTS bundle profile asks for one Slot: the guide's FAQ
    expects the empty Bundle.

    Each Practitioner, PractitionerRole, Schedule, HealthcareService and Organization is
    built once per answer and validated once per content (`_validated`); the text is
    written directly, hundreds of Slots being the same JSON but for a few values."""
    cpts_flow = search.cpts_flow
    renderer = _SlotRenderer(cpts_flow=cpts_flow, booking_urls=booking_urls or {})
    slot_url = _encode(f"{base_url}Slot/")[:-1]  # '"http://…/Slot/' (the id follows)
    entries = [
        f'{{"fullUrl":{slot_url}{match.slot.public_id}","resource":{renderer.render(match)},'
        '"search":{"mode":"match"}}'
        for match in matches
    ]
    places, professionals, cptses = {}, {}, {}
    for match in matches:
        professional = match.entry.professional
        places.setdefault(match.place.key, (match.place, professional))
        professionals.setdefault(professional.pk, professional)
        cptses.setdefault(match.slot.cpts_id, match.entry.cpts)
    if search.include_schedule:
        for place, professional in places.values():
            entries.append(_entry(base_url, "Schedule", schedule_resource(place, professional)))
        if search.include_actors:
            for professional in professionals.values():
                entries.append(
                    _entry(base_url, "Practitioner", practitioner_resource(professional))
                )
            for place, professional in places.values():
                entries.append(
                    _entry(
                        base_url,
                        "PractitionerRole",
                        practitioner_role_resource(place, professional),
                    )
                )
    if cpts_flow:
        for cpts in cptses.values():
            entries.append(_entry(base_url, "HealthcareService", healthcare_service_resource(cpts)))
        if search.include_organizations:
            for cpts in cptses.values():
                entries.append(_entry(base_url, "Organization", organization_resource(cpts)))
    envelope = _encode(_dump(Bundle(
        id=str(uuid.uuid4()),
        meta={"profile": [PROFILES["bundle_cpts" if cpts_flow else "bundle"]]},
        type="searchset",
        total=len(matches),
        link=[{"relation": "self", "url": self_url}],
    )))  # fmt: skip
    if not entries:
        return envelope
    return envelope[:-1] + ',"entry":[' + ",".join(entries) + "]}"


def _entry(base_url: str, kind: str, resource: dict, mode: str = "include") -> str:
    return _encode({"fullUrl": f"{base_url}{kind}/{resource['id']}", "resource": resource,
                    "search": {"mode": mode}})  # fmt: skip


# ------------------------------------------------------------------ INT_R03 Appointment


def national_id_of(cpts_id, user_id) -> str | None:
    """The national identifier of a Maillage account, through the CPTS's directory."""
    if user_id is None:
        return None
    national_id = (
        DirectoryEntry.objects.filter(cpts_id=cpts_id, account_id=user_id)
        .values_list("professional__national_id", flat=True)
        .first()
    )
    return national_id if is_national_id(national_id or "") else None


def appointment_identifier_system() -> str:
    """Our assigning authority for appointment ids (the guide: an OID of ours, else a URL
    of our own). Kept in the first message so that updates always match."""
    return settings.SAS_APPOINTMENT_SYSTEM or (
        settings.SITE_URL.rstrip("/") + "/fhir/sid/rendez-vous-snp"
    )


def operator_identifier(appointment) -> dict:
    """The regulator who booked: IDNPS when the directory knows their national id. The
    SAS technical id of regulators without one comes from its regulator accounts
    interface (INT_R02), which Maillage does not implement yet: until then such a
    regulator is sent with type INTRN and our own account id."""
    national_id = national_id_of(appointment.cpts_id, appointment.booked_by_id)
    if national_id:
        return {"type": {"coding": [_coding(FR_V2_0203, "IDNPS")]},
                "system": IDNPS_SYSTEM, "value": national_id}  # fmt: skip
    booked_by = appointment.booked_by
    return {
        "type": {"coding": [_coding(FR_V2_0203, "INTRN")]},
        "system": settings.SITE_URL.rstrip("/") + "/fhir/sid/compte",
        "value": str(booked_by.public_id) if booked_by else "inconnu",
    }


def appointment_resource(appointment, *, practitioner_id: str) -> dict:
    """FrAppointmentSAS: our identifier, start, end, created, the operator, the
    professional (IDNPS) who accepted it (the SAS only takes tacitly accepted ones)."""
    slot = appointment.slot
    resource = {
        "meta": {"profile": [PROFILES["appointment"]]},
        "extension": [{
            "url": OPERATOR_EXTENSION,
            "valueReference": {"identifier": operator_identifier(appointment)},
        }],
        "identifier": [{"system": appointment_identifier_system(),
                        "value": str(appointment.public_id)}],
        "status": appointment.status,
        "start": fhir_instant(slot.start),
        "end": fhir_instant(slot.end),
        "created": fhir_instant(appointment.booked_at),
        "participant": [{
            "actor": {"identifier": {
                "type": {"coding": [_coding(FR_V2_0203, "IDNPS")]},
                "system": IDNPS_SYSTEM,
                "value": practitioner_id,
            }},
            "status": "accepted",
        }],
    }  # fmt: skip
    return _dump(FhirAppointment.model_validate(resource))


def appointment_with_status(resource: dict, status: str) -> dict:
    """The same appointment with another status (a PUT replaces the whole resource)."""
    return _dump(FhirAppointment.model_validate({**resource, "status": status}))
