"""Import of the Annuaire Santé extraction `PS_LibreAcces_Personne_activite*.txt`.

One line per activity, `|`-separated with a trailing `|`, 56 columns (domain/formats.md).
The file is streamed: lines of one professional (consecutive in the national file) are
grouped, groups are written in batches, each batch in its own transaction. A batch is
never half-written; an interrupted import leaves whole professionals and can be run
again. Professionals absent from a complete file are deactivated, never deleted.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from maillage.core.validators import RPPS_LUHN_WARNING, validate_adeli, validate_rpps
from maillage.territory.models import search_key

from .importing import (
    BaseImporter,
    FileKindError,
    ImportReport,
    RowWriter,
    field_too_long,
    fingerprint,
    import_cache,
    oversized_field,
    read_lines,
)
from .index import refresh_directory_index
from .models import PracticeSite, Professional, Source, profession_label

COLUMNS = (
    "Type d'identifiant PP", "Identifiant PP", "Identification nationale PP",
    "Code civilité d'exercice", "Libellé civilité d'exercice", "Code civilité",
    "Libellé civilité", "Nom d'exercice", "Prénom d'exercice", "Code profession",
    "Libellé profession", "Code catégorie professionnelle",
    "Libellé catégorie professionnelle", "Code type savoir-faire",
    "Libellé type savoir-faire", "Code savoir-faire", "Libellé savoir-faire",
    "Code mode exercice", "Libellé mode exercice", "Numéro SIRET site", "Numéro SIREN site",
    "Numéro FINESS site", "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure", "Raison sociale site",
    "Enseigne commerciale site", "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)", "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)", "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)", "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)", "Code commune (coord. structure)",
    "Libellé commune (coord. structure)", "Code pays (coord. structure)",
    "Libellé pays (coord. structure)", "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)", "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)", "Code Département (structure)",
    "Libellé Département (structure)", "Ancien identifiant de la structure",
    "Autorité d'enregistrement", "Code secteur d'activité", "Libellé secteur d'activité",
    "Code section tableau pharmaciens", "Libellé section tableau pharmaciens", "Code rôle",
    "Libellé rôle", "Code genre activité", "Libellé genre activité",
)  # fmt: skip
N_COLUMNS = len(COLUMNS)
ID_TYPES = {"8": "RPPS", "0": "ADELI"}
BATCH_PROFESSIONALS = 25_000
UPDATED_FIELDS = (
    "id_type", "civility", "last_name", "first_name", "profession_code", "profession",
    "category", "specialty_code", "specialty", "search_name", "warnings", "content_hash",
    "import_run", "active", "deactivated_at", "updated_at",
)  # fmt: skip
SITE_FIELDS = (
    "professional", "name", "siret", "finess", "address", "postal_code", "commune_code",
    "commune", "phone", "email", "practice_mode", "specialty_code", "specialty",
    "latitude", "longitude",
)  # fmt: skip
# What tells two sites of one professional apart (Site.key(), same order).
SITE_KEY = ("siret", "finess", "name", "address", "commune_code", "practice_mode",
            "specialty_code")  # fmt: skip

# Column positions used below.
(ID_TYPE, ID_PP, ID_NAT, CIV_EX_CODE, CIV_EX, CIV_CODE, CIV, LAST, FIRST, PROF_CODE,
 PROF_LABEL, CAT_CODE, CAT, SF_TYPE_CODE, SF_TYPE, SF_CODE, SF, MODE_CODE, MODE, SIRET,
 SIREN, FINESS, FINESS_EJ, STRUCT_ID, SITE_NAME, SITE_SIGN, ADDR_EXTRA, ADDR_POINT,
 STREET_NO, STREET_REP, STREET_TYPE_CODE, STREET_TYPE, STREET, DISTRIB, CEDEX, POSTAL,
 COMMUNE, COMMUNE_NAME, COUNTRY_CODE, COUNTRY, PHONE, PHONE2, FAX, EMAIL) = range(44)  # fmt: skip


class LineError(ValueError):
    pass


# Longest value kept per column (the database columns' sizes); longer is rejected.
FIELD_LIMITS = {
    CIV_EX: 20, CIV: 20, LAST: 120, FIRST: 120, PROF_CODE: 10, PROF_LABEL: 100, CAT: 80,
    SF_CODE: 10, SF: 160, MODE: 60, SIRET: 14, FINESS: 9, SITE_NAME: 200, SITE_SIGN: 200,
    POSTAL: 10, COMMUNE: 5, PHONE: 30, PHONE2: 30, EMAIL: 254,
}  # fmt: skip
LIMITS = tuple(FIELD_LIMITS.items())
# Luhn: the digits in even positions from the right are doubled (9 subtracted past 9).
_DOUBLED = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}


def luhn_ok(digits: str) -> bool:
    """Luhn check of a string of ASCII digits (its last digit is the check digit)."""
    reverse = digits[::-1]
    return (sum(map(int, reverse[0::2])) + sum(map(_DOUBLED.__getitem__, reverse[1::2]))) % 10 == 0


def name_key(text: str) -> str:
    """search_key() of a name, with a shortcut for plain ASCII (most names): same result."""
    if text.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    return search_key(text)


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(slots=True)
class Site:
    name: str
    siret: str
    finess: str
    address: str
    postal_code: str
    commune_code: str
    phone: str
    email: str
    practice_mode: str
    specialty_code: str
    specialty: str

    def key(self) -> tuple:
        return (self.siret, self.finess, self.name, self.address, self.commune_code,
                self.practice_mode, self.specialty_code)  # fmt: skip


@dataclass(slots=True)
class Person:
    """A professional with the activity lines read for them."""

    national_id: str
    id_type: str
    civility: str
    last_name: str
    first_name: str
    profession_code: str
    profession: str
    category: str
    specialty_code: str
    specialty: str
    warnings: list[str] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    site_lines: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        return fingerprint(
            self.id_type, self.civility, self.last_name, self.first_name,
            self.profession_code, self.profession, self.category, self.specialty_code,
            self.specialty, self.warnings, sorted(s.key() + (s.postal_code, s.phone, s.email)
                                                  for s in self.sites),
        )  # fmt: skip


def check_header(text: str) -> None:
    if "|" not in text:
        for sep in (";", "\t", ","):
            if sep in text:
                shown = "tabulation" if sep == "\t" else sep
                raise FileKindError(
                    f"Ligne 1 : séparateur « | » attendu, ce fichier utilise « {shown} ». "
                    "Est-ce bien l'extraction PS_LibreAcces_Personne_activite ?"
                )
        raise FileKindError("Ligne 1 : en-tête d'extraction RPPS attendu, séparateur « | ».")
    fields = text.split("|")
    if fields and fields[-1] == "":
        fields = fields[:-1]
    if "Identifiant PP" not in fields or "Code profession" not in fields:
        raise FileKindError(
            "Ligne 1 : ce fichier n'est pas une extraction PS_LibreAcces_Personne_activite "
            "(colonnes « Identifiant PP » et « Code profession » absentes de l'en-tête)."
        )
    if len(fields) != N_COLUMNS:
        raise FileKindError(
            f"Ligne 1 : {len(fields)} colonnes dans l'en-tête, {N_COLUMNS} attendues."
        )
    # Columns are read by position: the ones we use must be where we expect them.
    for position in (ID_TYPE, ID_PP, LAST, FIRST, PROF_CODE, SF_CODE, POSTAL, COMMUNE):
        expected, found = COLUMNS[position], fields[position].strip()
        if search_key(found) != search_key(expected):
            raise FileKindError(
                f"Ligne 1 : colonne {position + 1} « {found} » au lieu de « {expected} » : "
                "format d'extraction inattendu."
            )


def split_line(text: str, ended: bool) -> list[str]:
    fields = text.split("|")
    oversized = oversized_field(text, fields)
    if oversized is not None:
        raise LineError(field_too_long(COLUMNS[oversized] if oversized < N_COLUMNS else None))
    if len(fields) == N_COLUMNS + 1 and fields[-1] == "":
        del fields[-1]
        return list(map(str.strip, fields))
    if len(fields) < N_COLUMNS + 1:
        hint = " (fichier tronqué ?)" if not ended else ""
        raise LineError(
            f"ligne incomplète : {len(fields) - 1} colonnes au lieu de {N_COLUMNS}{hint}"
        )
    raise LineError(f"{len(fields) - 1} colonnes au lieu de {N_COLUMNS} (un « | » en trop ?)")


def _address(f: list[str]) -> str:
    street = " ".join(
        p for p in (f[STREET_NO], f[STREET_REP], f[STREET_TYPE] or f[STREET_TYPE_CODE],
                    f[STREET]) if p
    )  # fmt: skip
    return ", ".join(p for p in (f[ADDR_EXTRA], f[ADDR_POINT], street, f[DISTRIB]) if p)[:300]


def parse_fields(f: list[str]) -> Person:
    """One activity line -> a Person with one Site. Raises LineError for a line that
    cannot be kept; keeps (with a warning) what is doubtful but usable."""
    for position, limit in LIMITS:
        if len(f[position]) > limit:
            raise LineError(f"« {COLUMNS[position]} » trop long ({len(f[position])} caractères, "
                            f"{limit} au plus)")  # fmt: skip
    if "\x00" in "".join(f):
        raise LineError("caractère nul dans la ligne")
    id_type, identifier = f[ID_TYPE], f[ID_PP]
    if id_type not in ID_TYPES:
        raise LineError(f"type d'identifiant inconnu « {id_type} » (8 = RPPS, 0 = ADELI)")
    warnings = []
    if id_type == "8" and len(identifier) == 11 and identifier.isascii() and identifier.isdigit():
        # The common case, checked here without validate_rpps's general path (same result).
        if not luhn_ok(identifier):
            warnings.append(RPPS_LUHN_WARNING)
        national_id = id_type + identifier
    else:
        try:
            checked = (validate_rpps if id_type == "8" else validate_adeli)(identifier)
        except ValidationError as exc:
            raise LineError(
                f"identifiant {ID_TYPES[id_type]} invalide : {exc.messages[0]}"
            ) from exc
        warnings.extend(checked.warnings)
        national_id = id_type + checked.value
    if f[ID_NAT] and f[ID_NAT] != national_id:
        warnings.append(
            f"identification nationale « {f[ID_NAT]} » différente de {national_id} (type + "
            "identifiant) : cette dernière est retenue"
        )
    if not f[LAST]:
        raise LineError("nom d'exercice manquant")
    code = f[PROF_CODE]
    profession = profession_label(code)
    if profession.startswith("Profession inconnue"):
        detail = f" « {f[PROF_LABEL]} »" if f[PROF_LABEL] else ""
        warnings.append(f"code profession inconnu {code or '(vide)'}{detail} : conservé")
        if f[PROF_LABEL]:
            profession = f"{f[PROF_LABEL]} (code {code} inconnu)"
    site = Site(
        name=f[SITE_NAME] or f[SITE_SIGN],
        siret=f[SIRET],
        finess=f[FINESS],
        address=_address(f),
        postal_code=f[POSTAL],
        commune_code=f[COMMUNE].upper(),
        phone=f[PHONE] or f[PHONE2],
        email=f[EMAIL].lower(),
        practice_mode=f[MODE],
        specialty_code=f[SF_CODE],
        specialty=f[SF],
    )
    return Person(
        national_id=national_id,
        id_type=id_type,
        civility=f[CIV_EX] or f[CIV],
        last_name=f[LAST],
        first_name=f[FIRST],
        profession_code=code,
        profession=profession,
        category=f[CAT],
        specialty_code=f[SF_CODE],
        specialty=f[SF],
        warnings=warnings,
        sites=[site],
    )


class RppsImporter(BaseImporter):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.professionals = RowWriter(
            Professional,
            insert=("public_id", "national_id", "source", "created_at", *UPDATED_FIELDS),
            update=UPDATED_FIELDS,
        )
        self.no_warnings = self.professionals.prepare("warnings", [])
        self.sites = RowWriter(PracticeSite, insert=SITE_FIELDS)
        self.written = False

    # Reading -----------------------------------------------------------------------
    def groups(self, path):
        """Yield one Person per professional, merging their consecutive activity lines."""
        lines = read_lines(path, too_long=self.report.reject_too_long)
        try:
            _, header, _ = next(lines)
        except StopIteration:
            raise FileKindError("Le fichier est vide.") from None
        check_header(header)
        current = None
        for number, text, ended in lines:
            if not text.strip():
                continue
            self.report.read += 1
            if self.progress and self.report.read % 10_000 == 0:
                self.progress(10_000)
            try:
                person = parse_fields(split_line(text, ended))
            except LineError as exc:
                if not ended:
                    self.report.complete = False
                self.report.reject(number, str(exc))
                continue
            for warning in person.warnings:
                self.report.warn(number, warning)
            site = person.sites[0]
            if not site.commune_code:
                self.report.warn(number, "code commune manquant : activité gardée sans lieu")
            elif site.commune_code not in self.communes:
                self.report.warn(number, f"commune {site.commune_code} inconnue de l'INSEE")
            if self.scope is not None and site.commune_code not in self.scope:
                self.report.skipped += 1
                continue
            if current is not None and current.national_id == person.national_id:
                if text in current.site_lines:
                    self.report.reject(
                        number, f"ligne en double (identique à la ligne "
                        f"{current.site_lines[text]})"
                    )  # fmt: skip
                    continue
                current.site_lines[text] = number
                if site.key() not in {s.key() for s in current.sites}:
                    current.sites.append(site)
                current.warnings.extend(w for w in person.warnings if w not in current.warnings)
                continue
            if current is not None:
                current.site_lines = {}  # only needed while reading their lines
                yield current
            current = person
            current.site_lines = {text: number}
        if current is not None:
            current.site_lines = {}
            yield current

    # Writing -----------------------------------------------------------------------
    def run(self, path) -> ImportReport:
        database_failed = False
        with import_cache():
            try:
                return self._run(path)
            except DatabaseError:
                database_failed = True  # the connection may be unusable: no refresh
                raise
            finally:
                # Every CPTS, even after a scoped import: the national rows it rewrote
                # may be listed by other CPTS too. Also after a failure reading the file:
                # the batches written before it are in the tables.
                if self.written and not database_failed:
                    refresh_directory_index()

    def _run(self, path) -> ImportReport:
        batch = []
        for person in self.groups(path):
            batch.append(person)
            if len(batch) >= BATCH_PROFESSIONALS:
                self.write(batch)
                batch = []
        if batch:
            self.write(batch)
        if self.progress:
            self.progress(self.report.read % 10_000)
        self.deactivate_missing(path)
        return self.report

    @transaction.atomic
    def write(self, batch: list[Person]) -> None:
        """Write one batch: new professionals inserted, changed ones updated (their sites
        replaced), unchanged ones only stamped with this run. Rows go as tuples through
        `executemany` (see RowWriter), one statement per kind of write."""
        self.written = True
        now = self.professionals.prepare("updated_at", timezone.now())
        merged: dict[str, Person] = {}
        for person in batch:  # a professional split over two groups of the same batch
            if person.national_id in merged:
                merged[person.national_id].sites.extend(person.sites)
            else:
                merged[person.national_id] = person
        existing = {
            row[0]: row[1:]
            for row in self.professionals.select(
                ("national_id", "id", "content_hash", "active", "import_run"),
                "national_id",
                list(merged),
            )
        }
        created, to_create, to_update, unchanged = [], [], [], []
        replace_sites, append_sites = [], []  # (professional pk, sites to insert)
        for national_id, person in merged.items():
            row = existing.get(national_id)
            if row is not None and row[3] == self.run_id:
                # Lines of one professional split across batches: add the new sites.
                append_sites.append((row[0], person))
                continue
            digest = person.fingerprint()
            if row is not None and row[1] == digest and row[2]:
                unchanged.append(row[0])
                continue
            warnings = (
                self.professionals.prepare("warnings", person.warnings)
                if person.warnings
                else self.no_warnings
            )
            # In the order of UPDATED_FIELDS.
            values = (
                person.id_type, person.civility, person.last_name, person.first_name,
                person.profession_code, person.profession, person.category,
                person.specialty_code, person.specialty,
                name_key(f"{person.last_name} {person.first_name}"), warnings, digest,
                self.run_id, True, None, now,
            )  # fmt: skip
            if row is None:
                public_id = self.professionals.new_uuid()
                to_create.append((public_id, national_id, Source.NATIONAL.value, now, *values))
                created.append(person)
            else:
                to_update.append((*values, row[0]))
                replace_sites.append((row[0], person.sites))
        self.professionals.insert(to_create)
        self.professionals.update(to_update)
        if unchanged:
            Professional.objects.filter(pk__in=unchanged).update(import_run=self.run_id)
        # With --cpts only the sites inside the territory are this import's to replace:
        # the professional's other sites belong to the rest of the national data.
        if to_update:
            replaced = PracticeSite.objects.filter(professional_id__in=[r[-1] for r in to_update])
            if self.scope is not None:
                replaced = replaced.filter(commune_code__in=self.scope)
            replaced.delete()
        if created:
            # executemany gives no primary keys back: one query per batch reads them.
            pks = dict(
                self.professionals.select(
                    ("national_id", "id"), "national_id", [p.national_id for p in created]
                )
            )
            replace_sites.extend((pks[p.national_id], p.sites) for p in created)
        if append_sites:
            existing_keys = {
                (row[0], tuple(row[1:]))
                for row in PracticeSite.objects.filter(
                    professional_id__in=[pk for pk, _ in append_sites]
                ).values_list("professional_id", *SITE_KEY)
            }
            replace_sites.extend(
                (pk, [s for s in person.sites if (pk, s.key()) not in existing_keys])
                for pk, person in append_sites
            )
        self.sites.insert(
            [self.site_row(pk, site) for pk, sites in replace_sites for site in sites]
        )
        self.report.created += len(to_create)
        self.report.updated += len(to_update)
        self.report.unchanged += len(unchanged)

    def site_row(self, professional_pk, site: Site) -> tuple:
        commune = self.communes.get(site.commune_code)
        if commune is None:
            commune_pk = latitude = longitude = None
        else:
            commune_pk, latitude, longitude = commune.pk, commune.latitude, commune.longitude
        return (
            professional_pk, site.name, site.siret, site.finess, site.address,
            site.postal_code, site.commune_code, commune_pk, site.phone, site.email,
            site.practice_mode, site.specialty_code, site.specialty, latitude, longitude,
        )  # fmt: skip

    def deactivate_missing(self, path) -> None:
        """Deactivate professionals absent from a complete, credible file; say why not
        otherwise. With --cpts, a professional still in the file but now practising only
        outside the territory loses their sites inside it, and stays active."""
        report = self.report
        kept = report.created + report.updated + report.unchanged
        reason = safety_stop(report, kept)
        if reason:
            report.errors.append({"line": None, "reason": reason})
            return
        stale = Professional.objects.filter(source=Source.NATIONAL, active=True).exclude(
            import_run=self.run_id
        )
        if self.scope is not None:
            stale = stale.filter(sites__commune_code__in=self.scope).distinct()
        stale_ids = dict(stale.values_list("national_id", "pk"))
        if self.scope is not None and stale_ids:
            moved = identifiers_in_file(path, set(stale_ids))
            PracticeSite.objects.filter(
                professional_id__in=[stale_ids[i] for i in moved], commune_code__in=self.scope
            ).delete()
            for national_id in moved:
                stale_ids.pop(national_id)
        active_in_scope = kept + len(stale_ids)
        if len(stale_ids) > max(10, 0.2 * active_in_scope) and not self.force:
            report.errors.append({"line": None, "reason": (
                f"{len(stale_ids)} professionnels absents du fichier sur {active_in_scope} : "
                "trop pour un fichier complet, aucune désactivation (relancez avec --force "
                "si c'est voulu)."
            )})  # fmt: skip
            return
        report.deactivated = Professional.objects.filter(pk__in=list(stale_ids.values())).update(
            active=False, deactivated_at=timezone.now()
        )


def safety_stop(report, kept: int) -> str:
    """Why missing rows must not be deactivated after this file, or ''."""
    if not report.complete:
        return "fichier incomplet (tronqué) : aucune désactivation"
    if kept == 0:
        return "aucune ligne valide dans le fichier : aucune désactivation"
    if report.rejected > report.read / 2:
        return "plus de la moitié des lignes rejetées : aucune désactivation"
    return ""


def identifiers_in_file(path, wanted: set[str]) -> set[str]:
    """Which of `wanted` (idNat_PS) appear anywhere in the file: a second, cheap pass."""
    found = set()
    for number, text, _ in read_lines(path):
        if number == 1:
            continue
        fields = text.split("|", 3)
        if len(fields) > 2 and fields[0] + fields[1] in wanted:
            found.add(fields[0] + fields[1])
    return found


def import_rpps(path, *, cpts=None, progress=None, force=False) -> ImportReport:
    return RppsImporter(cpts=cpts, progress=progress, force=force).run(path)
