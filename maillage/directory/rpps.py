"""Import of the Annuaire Santé extraction `PS_LibreAcces_Personne_activite*.txt`.

One line per activity, `|`-separated with a trailing `|`, 56 columns (domain/formats.md).
The file is streamed: lines of one professional (consecutive in the national file) are
grouped, groups are written in batches, each batch in its own transaction. A batch is
never half-written; an interrupted import leaves whole professionals and can be run
again. Professionals absent from a complete file are deactivated, never deleted.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.validators import validate_adeli, validate_rpps
from maillage.territory.models import search_key

from .importing import (
    BaseImporter,
    FileKindError,
    ImportReport,
    fingerprint,
    read_lines,
)
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
BATCH_PROFESSIONALS = 2000
UPDATED_FIELDS = [
    "id_type", "civility", "last_name", "first_name", "profession_code", "profession",
    "category", "specialty_code", "specialty", "search_name", "warnings", "content_hash",
    "import_run", "active", "deactivated_at", "updated_at",
]  # fmt: skip

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


@dataclass
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


@dataclass
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
    if len(fields) == N_COLUMNS + 1 and fields[-1] == "":
        return [f.strip() for f in fields[:-1]]
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
    for position, limit in FIELD_LIMITS.items():
        if len(f[position]) > limit:
            raise LineError(f"« {COLUMNS[position]} » trop long ({len(f[position])} caractères, "
                            f"{limit} au plus)")  # fmt: skip
    if any("\x00" in value for value in f):
        raise LineError("caractère nul dans la ligne")
    id_type, identifier = f[ID_TYPE], f[ID_PP]
    if id_type not in ID_TYPES:
        raise LineError(f"type d'identifiant inconnu « {id_type} » (8 = RPPS, 0 = ADELI)")
    warnings = []
    try:
        checked = (validate_rpps if id_type == "8" else validate_adeli)(identifier)
    except ValidationError as exc:
        raise LineError(f"identifiant {ID_TYPES[id_type]} invalide : {exc.messages[0]}") from exc
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
    # Reading -----------------------------------------------------------------------
    def groups(self, path):
        """Yield one Person per professional, merging their consecutive activity lines."""
        lines = read_lines(path)
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
                yield current
            current = person
            current.site_lines = {text: number}
        if current is not None:
            yield current

    # Writing -----------------------------------------------------------------------
    def run(self, path) -> ImportReport:
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
        now = timezone.now()
        merged: dict[str, Person] = {}
        for person in batch:  # a professional split over two groups of the same batch
            if person.national_id in merged:
                merged[person.national_id].sites.extend(person.sites)
            else:
                merged[person.national_id] = person
        existing = {
            row["national_id"]: row
            for row in Professional.objects.filter(national_id__in=list(merged)).values(
                "pk", "national_id", "content_hash", "active", "import_run"
            )
        }
        to_create, to_update, unchanged = [], [], []
        replace_sites, append_sites = [], []
        for national_id, person in merged.items():
            row = existing.get(national_id)
            if row is not None and row["import_run"] == self.run_id:
                # Lines of one professional split across batches: add the new sites.
                append_sites.append((row["pk"], person))
                continue
            digest = person.fingerprint()
            fields = dict(
                id_type=person.id_type, civility=person.civility, last_name=person.last_name,
                first_name=person.first_name, profession_code=person.profession_code,
                profession=person.profession, category=person.category,
                specialty_code=person.specialty_code, specialty=person.specialty,
                search_name=search_key(f"{person.last_name} {person.first_name}"),
                warnings=person.warnings, content_hash=digest, import_run=self.run_id,
                active=True, deactivated_at=None, updated_at=now,
            )  # fmt: skip
            if row is None:
                obj = Professional(national_id=national_id, **fields)
                to_create.append(obj)
                replace_sites.append((obj, person))
            elif row["content_hash"] == digest and row["active"]:
                unchanged.append(row["pk"])
            else:
                obj = Professional(pk=row["pk"], **fields)
                to_update.append(obj)
                replace_sites.append((obj, person))
        Professional.objects.bulk_create(to_create, batch_size=500)
        Professional.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=500)
        if unchanged:
            Professional.objects.filter(pk__in=unchanged).update(import_run=self.run_id)
        # With --cpts only the sites inside the territory are this import's to replace:
        # the professional's other sites belong to the rest of the national data.
        replaced = PracticeSite.objects.filter(professional_id__in=[o.pk for o in to_update])
        if self.scope is not None:
            replaced = replaced.filter(commune_code__in=self.scope)
        replaced.delete()
        existing_keys = {
            (site.professional_id, self.site_key(site))
            for site in PracticeSite.objects.filter(
                professional_id__in=[pk for pk, _ in append_sites]
            )
        }
        append_sites = [
            (pk, Person(**{**person.__dict__, "sites": [
                s for s in person.sites if (pk, s.key()) not in existing_keys]}))
            for pk, person in append_sites
        ]  # fmt: skip
        sites = [
            self.site_row(obj.pk, site) for obj, person in replace_sites for site in person.sites
        ]
        sites += [self.site_row(pk, site) for pk, person in append_sites for site in person.sites]
        PracticeSite.objects.bulk_create(sites, batch_size=1000)
        self.report.created += len(to_create)
        self.report.updated += len(to_update)
        self.report.unchanged += len(unchanged)

    @staticmethod
    def site_key(row: PracticeSite) -> tuple:
        return (row.siret, row.finess, row.name, row.address, row.commune_code,
                row.practice_mode, row.specialty_code)  # fmt: skip

    def site_row(self, professional_pk, site: Site) -> PracticeSite:
        commune = self.communes.get(site.commune_code)
        return PracticeSite(
            professional_id=professional_pk, name=site.name, siret=site.siret,
            finess=site.finess, address=site.address, postal_code=site.postal_code,
            commune_code=site.commune_code, commune_id=commune.pk if commune else None,
            phone=site.phone, email=site.email, practice_mode=site.practice_mode,
            specialty_code=site.specialty_code, specialty=site.specialty,
            latitude=commune.latitude if commune else None,
            longitude=commune.longitude if commune else None,
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
