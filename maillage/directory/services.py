"""Directory search, curation by the coordinator, and local entries."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from maillage.core import audit
from maillage.territory.models import Commune, search_key
from maillage.territory.services import territory_communes

from .models import (
    GP_PROFESSION,
    GP_SAVOIR_FAIRE,
    DirectoryEntry,
    ImportRun,
    PracticeSite,
    Professional,
    Source,
    Structure,
    StructureEntry,
    profession_label,
)


def record_import_run(*, kind, cpts, file_name, report) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        cpts=cpts,
        file_name=file_name,
        finished_at=timezone.now(),
        complete=report.complete,
        summary={k: v for k, v in report.as_dict().items() if k not in ("errors", "warnings")}
        | {"errors": report.errors[:100]},
    )


def territory_codes(cpts) -> list[str]:
    return list(territory_communes(cpts).values_list("code", flat=True))


@dataclass(frozen=True)
class ProfessionalFilters:
    q: str = ""
    profession_code: str = ""
    skill: str = ""
    commune: str = ""
    accepts_new_patients: bool | None = None
    membership_status: str = ""


def _terms(text: str) -> list[str]:
    return search_key(text).split()


def professionals_for(cpts, *, include_inactive=False, national_only=False):
    """Professionals of a CPTS's directory: active national ones practising in its
    territory, and the local ones it created (left out of the public directory: what a
    coordinator typed is not published)."""
    codes = territory_codes(cpts)
    in_territory = PracticeSite.objects.filter(professional=OuterRef("pk"), commune_code__in=codes)
    national = Q(owner__isnull=True, source=Source.NATIONAL) & Exists(in_territory)
    queryset = Professional.objects.filter(national if national_only else national | Q(owner=cpts))
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return queryset


def search_professionals(cpts, filters: ProfessionalFilters, *, with_entries=True,
                         national_only=False):  # fmt: skip
    queryset = professionals_for(cpts, national_only=national_only)
    for term in _terms(filters.q):
        queryset = queryset.filter(search_name__contains=term)
    if filters.profession_code:
        queryset = queryset.filter(profession_code=filters.profession_code)
    if filters.commune:
        code = filters.commune.strip().upper()
        queryset = queryset.filter(
            Exists(PracticeSite.objects.filter(professional=OuterRef("pk"), commune_code=code))
        )
    entries = DirectoryEntry.objects.filter(cpts=cpts, professional=OuterRef("pk"))
    for term in _terms(filters.skill):
        queryset = queryset.filter(Exists(entries.filter(search_skills__contains=term)))
    if filters.accepts_new_patients is not None:
        accepting = Exists(entries.filter(accepts_new_patients=True))
        queryset = queryset.filter(accepting if filters.accepts_new_patients else ~accepting)
    if filters.membership_status:
        queryset = queryset.filter(
            Exists(entries.filter(membership_status=filters.membership_status))
        )
    queryset = queryset.order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("sites", queryset=PracticeSite.objects.select_related("commune").order_by("pk"))
    )
    if with_entries:
        queryset = queryset.prefetch_related(
            Prefetch("entries", queryset=DirectoryEntry.objects.filter(cpts=cpts),
                     to_attr="cpts_entries")
        )  # fmt: skip
    return queryset


def structures_for(cpts, *, q="", category_code="", commune=""):
    codes = territory_codes(cpts)
    queryset = Structure.objects.filter(
        Q(owner__isnull=True, source=Source.NATIONAL, commune_code__in=codes) | Q(owner=cpts),
        active=True,
    )
    for term in _terms(q):
        queryset = queryset.filter(search_name__contains=term)
    if category_code:
        queryset = queryset.filter(category_code=category_code)
    if commune:
        queryset = queryset.filter(commune_code=commune.strip().upper())
    return queryset.select_related("commune").order_by("name", "pk")


def entry_for(cpts, professional) -> DirectoryEntry:
    """The CPTS's entry for a professional (an unsaved default when none yet)."""
    entry = DirectoryEntry.objects.filter(cpts=cpts, professional=professional).first()
    return entry or DirectoryEntry(cpts=cpts, professional=professional)


ENTRY_FIELDS = (
    "membership_status", "accepts_new_patients", "takes_part_snp", "home_visits",
    "languages", "skills", "phone", "email", "notes",
)  # fmt: skip


@transaction.atomic
def directory_entry_update(*, cpts, professional, actor, data: dict, request=None):
    entry = entry_for(cpts, professional)
    before = {f: getattr(entry, f) for f in ENTRY_FIELDS}
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    entry.search_skills = search_key(entry.skills)
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.full_clean()
    entry.save()
    changed = {f: getattr(entry, f) for f in ENTRY_FIELDS if getattr(entry, f) != before[f]}
    audit.record(
        action="directory.entry_update", actor=actor, cpts=cpts, obj=professional,
        request=request, detail={"changed": sorted(changed)},
    )  # fmt: skip
    return entry


@transaction.atomic
def structure_entry_update(*, cpts, structure, actor, data: dict, request=None):
    entry = StructureEntry.objects.filter(cpts=cpts, structure=structure).first() or (
        StructureEntry(cpts=cpts, structure=structure)
    )
    for name in ("membership_status", "phone", "notes"):
        if name in data:
            setattr(entry, name, data[name])
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.full_clean()
    entry.save()
    audit.record(action="directory.structure_entry_update", actor=actor, cpts=cpts,
                 obj=structure, request=request)  # fmt: skip
    return entry


def _commune(code: str) -> Commune:
    commune = Commune.objects.current().filter(code=(code or "").strip().upper()).first()
    if commune is None:
        raise ValidationError({"commune": f"Code INSEE inconnu : {code}."})
    return commune


@transaction.atomic
def local_professional_create(
    *, cpts, actor, last_name, first_name, profession, commune_code, address="",
    phone="", email="", request=None,
) -> Professional:  # fmt: skip
    """A professional missing from the national files, visible to this CPTS only.
    `profession` is a profession code, or "10-MG" for a GP (médecin généraliste)."""
    from .diagnostic import GP_GROUP

    if profession == GP_GROUP:
        profession_code, specialty_code, specialty = (
            GP_PROFESSION,
            GP_SAVOIR_FAIRE,
            ("Médecine générale"),
        )
    else:
        profession_code, specialty_code, specialty = profession, "", ""
    if not last_name.strip():
        raise ValidationError({"last_name": "Indiquez le nom."})
    commune = _commune(commune_code)
    professional = Professional.objects.create(
        national_id="L" + uuid.uuid4().hex[:16],
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        profession_code=profession_code,
        profession=profession_label(profession_code),
        specialty_code=specialty_code,
        specialty=specialty,
        search_name=search_key(f"{last_name} {first_name}"),
        source=Source.LOCAL,
        owner=cpts,
    )
    PracticeSite.objects.create(
        professional=professional, address=address, commune_code=commune.code,
        commune=commune, phone=phone, email=email, latitude=commune.latitude,
        longitude=commune.longitude,
    )  # fmt: skip
    audit.record(action="directory.local_create", actor=actor, cpts=cpts, obj=professional,
                 request=request)  # fmt: skip
    return professional


@transaction.atomic
def local_structure_create(
    *, cpts, actor, name, category, commune_code, address="", phone="", request=None
) -> Structure:
    if not name.strip():
        raise ValidationError({"name": "Indiquez le nom de la structure."})
    commune = _commune(commune_code)
    structure = Structure.objects.create(
        finess="L" + uuid.uuid4().hex[:11],
        name=name.strip(),
        category=category,
        address=address,
        commune_code=commune.code,
        commune=commune,
        phone=phone,
        latitude=commune.latitude,
        longitude=commune.longitude,
        search_name=search_key(name),
        source=Source.LOCAL,
        owner=cpts,
    )
    audit.record(action="directory.local_structure_create", actor=actor, cpts=cpts,
                 obj=structure, request=request)  # fmt: skip
    return structure
