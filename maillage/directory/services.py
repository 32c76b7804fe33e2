"""Directory search, curation by the coordinator, and local entries."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from maillage.core import audit
from maillage.core.text import echo
from maillage.territory.models import Commune, search_key
from maillage.territory.services import territory_communes

from .index import refresh_directory_index
from .models import (
    GP_PROFESSION,
    GP_SAVOIR_FAIRE,
    DirectoryEntry,
    DirectoryIndex,
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


class SearchResults:
    """The professionals a search finds, in name order, read from the directory index.

    What Paginator and the API's pagination use of a queryset: `count()` counts index rows
    only, a slice reads that page's ids from the index and then only those professionals
    (their sites and, for members, the CPTS's entries prefetched), and iterating (exports)
    does the same chunk by chunk."""

    ordered = True  # for Paginator: the index query is ordered
    CHUNK = 1000

    def __init__(self, ids, *, cpts, with_entries: bool):
        self._ids = ids  # ordered DirectoryIndex query of professional ids
        self._cpts = cpts
        self._with_entries = with_entries
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._ids.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def all(self):
        # django-ninja's paginator counts with `.all().count()`.
        return self

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._load(list(self._ids[key]))
        if isinstance(key, int) and key >= 0:
            found = self._load(list(self._ids[key : key + 1]))
            if not found:
                raise IndexError(key)
            return found[0]
        raise TypeError("SearchResults takes a slice or a non-negative index")

    def __iter__(self):
        ids = list(self._ids)
        for start in range(0, len(ids), self.CHUNK):
            yield from self._load(ids[start : start + self.CHUNK])

    def _load(self, ids: list[int]) -> list[Professional]:
        if not ids:
            return []
        # The communes' boundaries (GeoJSON) are not shown in a list: left in the database.
        sites = PracticeSite.objects.select_related("commune").defer("commune__geometry")
        queryset = Professional.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("sites", queryset=sites.order_by("pk"))
        )
        if self._with_entries:
            queryset = queryset.prefetch_related(
                Prefetch("entries", queryset=DirectoryEntry.objects.filter(cpts=self._cpts),
                         to_attr="cpts_entries")
            )  # fmt: skip
        by_pk = {p.pk: p for p in queryset}
        return [by_pk[pk] for pk in ids if pk in by_pk]


def search_professionals(cpts, filters: ProfessionalFilters, *, with_entries=True,
                         national_only=False) -> SearchResults:  # fmt: skip
    """The CPTS's directory (professionals_for()), filtered, as SearchResults. Reads the
    directory index; what the CPTS records (skills, new patients, status) is read from its
    entries."""
    where = {"cpts": cpts}
    if filters.commune:
        where["commune_code"] = filters.commune.strip().upper()
    else:
        where["rank"] = 0  # one row per professional
    if national_only:
        where["national"] = True
    if filters.profession_code:
        where["profession_code"] = filters.profession_code
    rows = DirectoryIndex.objects.filter(**where)
    for term in _terms(filters.q):
        # `search_name` contains the term: both are search_key()s (lower case, no accents,
        # no punctuation), so a plain substring test is exact, and SQLite runs INSTR
        # faster than the LIKE that `__contains` writes.
        rows = rows.filter(GreaterThan(StrIndex("search_name", Value(term)), 0))
    entries = DirectoryEntry.objects.filter(cpts=cpts)
    for term in _terms(filters.skill):
        rows = rows.filter(
            professional_id__in=entries.filter(search_skills__contains=term).values(
                "professional_id"
            )
        )
    if filters.accepts_new_patients is not None:
        accepting = entries.filter(accepts_new_patients=True).values("professional_id")
        rows = (
            rows.filter(professional_id__in=accepting)
            if filters.accepts_new_patients
            else rows.exclude(professional_id__in=accepting)
        )
    if filters.membership_status:
        rows = rows.filter(
            professional_id__in=entries.filter(membership_status=filters.membership_status).values(
                "professional_id"
            )
        )
    ids = rows.order_by("last_name", "first_name", "professional_id").values_list(
        "professional_id", flat=True
    )
    return SearchResults(ids, cpts=cpts, with_entries=with_entries)


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
        raise ValidationError({"commune": f"Code INSEE inconnu : {echo(code)}."})
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
    refresh_directory_index(cpts, professional_ids=[professional.pk])
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


@transaction.atomic
def link_account(*, cpts, professional, account, actor, request=None) -> DirectoryEntry:
    """Link a member's account to their directory entry in this CPTS: what a pathway gives
    to "the nurse" or "the GP" goes by the profession of that entry. One entry per account
    and one account per entry: a link already made elsewhere is refused, not moved."""
    taken = DirectoryEntry.objects.filter(cpts=cpts, account=account).exclude(
        professional=professional).select_related("professional").first()  # fmt: skip
    if taken is not None:
        raise ValidationError({"professional": (
            f"Ce compte est déjà relié à la fiche de {taken.professional} : "
            "un compte, une fiche."
        )})  # fmt: skip
    entry = entry_for(cpts, professional)
    if entry.account_id and entry.account_id != account.pk:
        raise ValidationError({"professional": "Cette fiche est déjà reliée au compte d'un "
                                               "autre membre."})  # fmt: skip
    entry.account = account
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.save()
    audit.record(action="directory.account_link", actor=actor, cpts=cpts, obj=professional,
                 request=request, detail={"account": account.email})  # fmt: skip
    return entry


def link_candidates(cpts, account, limit: int = 10) -> list:
    """Directory entries of the CPTS that may be this account's: the same last name, not
    linked to another account."""
    if not (account.last_name or "").strip():
        return []
    linked = set(DirectoryEntry.objects.filter(cpts=cpts, account__isnull=False)
                 .exclude(account=account).values_list("professional_id", flat=True))  # fmt: skip
    found = []
    # The full name first; the last name alone when nobody of that full name is listed.
    for query in (f"{account.last_name} {account.first_name}", account.last_name):
        for professional in search_professionals(cpts, ProfessionalFilters(q=query),
                                                 with_entries=False)[: limit * 3]:  # fmt: skip
            if professional.pk not in linked:
                found.append(professional)
            if len(found) >= limit:
                break
        if found:
            break
    return found
