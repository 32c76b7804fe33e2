"""Import of the FINESS etalab extraction (`;`-separated; `structureet` and
`geolocalisation` lines; projected coordinates converted to WGS84).

The file lists all establishments first, then their coordinates. It is read twice,
streaming both times: the first pass keeps only the coordinates (small), the second writes
establishments in batches, each batch in its own transaction.
"""

import re
from functools import cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer

from maillage.core.validators import validate_finess
from maillage.territory.models import search_key

from .importing import (
    BaseImporter,
    FileKindError,
    ImportReport,
    field_too_long,
    fingerprint,
    oversized_field,
    read_lines,
)
from .models import Source, Structure
from .rpps import safety_stop

STRUCTURE_FIELDS = (
    "structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib",
    "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement",
    "libdepartement", "ligneacheminement", "telephone", "telecopie", "categetab",
    "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft",
    "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj", "numuai",
)  # fmt: skip
GEO_FIELDS = ("geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")
BATCH = 2000

# Projection named at the end of `sourcecoordet` -> EPSG code. Overseas files use UTM
# zones on RGAF09/RGFG95/RGR92/RGM04, which match WGS84 UTM to within centimetres.
PROJECTIONS = {
    "LAMBERT_93": 2154,
    "UTM_N20": 32620,
    "UTM_N21": 32621,
    "UTM_N22": 32622,
    "UTM_S38": 32738,
    "UTM_S40": 32740,
}
# When the source does not name it: by département code of the FINESS number.
PROJECTION_BY_DEPARTEMENT = {"9A": 32620, "9B": 32620, "9C": 32622, "9D": 32740,
                             "9E": 32621, "9F": 32738}  # fmt: skip
FIELD_LIMITS = {"nofinessej": 9, "rs": 200, "rslongue": 300, "categetab": 6,
                "libcategetab": 200, "telephone": 30, "siret": 14}  # fmt: skip
HASHED_FIELDS = (
    "finess_ej", "name", "long_name", "category_code", "category", "address", "postal_code",
    "commune_code", "phone", "siret", "latitude", "longitude", "warnings",
)  # fmt: skip
UPDATED_FIELDS = [
    "finess_ej", "name", "long_name", "category_code", "category", "address", "postal_code",
    "commune_code", "commune", "phone", "siret", "latitude", "longitude", "search_name",
    "warnings", "content_hash", "import_run", "active", "deactivated_at", "updated_at",
]  # fmt: skip


@cache
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def projection_for(source: str, departement: str) -> int:
    tail = (source or "").rsplit(",", 1)[-1].strip().upper()
    if tail in PROJECTIONS:
        return PROJECTIONS[tail]
    return PROJECTION_BY_DEPARTEMENT.get(departement.upper(), 2154)


def to_wgs84(x: float, y: float, epsg: int) -> tuple[float, float]:
    """(latitude, longitude) in WGS84 of projected coordinates."""
    lon, lat = _transformer(epsg).transform(x, y)
    return round(lat, 6), round(lon, 6)


def insee_code(departement: str, commune: str) -> str:
    """INSEE commune code from FINESS's département + 3-digit commune code.
    Overseas départements are written 9A..9F in FINESS and 971..976 by INSEE."""
    departement, commune = departement.strip().upper(), commune.strip()
    if not commune:
        return ""
    if re.fullmatch(r"9[A-F]", departement):
        return "97" + commune.zfill(3)
    return departement.zfill(2) + commune.zfill(3)


def _fields(text: str) -> list[str]:
    return [f.strip() for f in text.split(";")]


def check_header(text: str) -> None:
    fields = _fields(text)
    if fields[0].lower() != "finess" and fields[0] != "structureet":
        if "|" in text:
            raise FileKindError(
                "Ligne 1 : séparateur « ; » attendu, ce fichier utilise « | » "
                "(extraction RPPS ? utilisez import-rpps)."
            )
        raise FileKindError(
            "Ligne 1 : ce fichier n'est pas une extraction FINESS etalab "
            "(première ligne attendue : « finess;etalab;… »)."
        )


class FinessImporter(BaseImporter):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: dict[str, int] = {}  # FINESS -> line: ~100 000 establishments at most

    def coordinates(self, path) -> dict[str, tuple[float, float, str]]:
        """First pass: finess -> (x, y, source) of the geolocalisation lines."""
        coords = {}
        for number, text, _ended in read_lines(path):
            if number == 1:
                check_header(text)
            if not text.startswith("geolocalisation;"):
                continue
            fields = _fields(text)
            if len(fields) < len(GEO_FIELDS):
                self.report.reject(number, "ligne geolocalisation incomplète")
                continue
            try:
                coords[fields[1]] = (float(fields[2]), float(fields[3]), fields[4])
            except ValueError:
                self.report.reject(
                    number, f"coordonnées illisibles pour {fields[1]} : « {fields[2]} ; "
                    f"{fields[3]} »"
                )  # fmt: skip
        return coords

    def parse(self, number: int, fields: list[str], coords) -> Structure | None:
        row = dict(zip(STRUCTURE_FIELDS, fields, strict=False))
        try:
            finess = validate_finess(row["nofinesset"])
        except ValidationError as exc:
            self.report.reject(number, f"numéro FINESS invalide : {exc.messages[0]}")
            return None
        warnings = list(finess.warnings)
        if finess.value in self.seen:
            self.report.reject(
                number, f"établissement {finess.value} en double (déjà ligne "
                f"{self.seen[finess.value]})"
            )  # fmt: skip
            return None
        self.seen[finess.value] = number
        if not row["rs"]:
            self.report.reject(number, "raison sociale manquante")
            return None
        for name, limit in FIELD_LIMITS.items():
            if len(row.get(name, "")) > limit:
                self.report.reject(number, f"« {name} » trop long ({len(row[name])} caractères, "
                                           f"{limit} au plus)")  # fmt: skip
                return None
        if any("\x00" in value for value in fields):
            self.report.reject(number, "caractère nul dans la ligne")
            return None
        code = insee_code(row["departement"], row["commune"])
        if len(code) > 5:
            self.report.reject(number, f"code commune « {row['commune']} » invalide (3 chiffres)")
            return None
        commune = self.communes.get(code)
        if not code:
            warnings.append("code commune manquant")
        elif commune is None:
            warnings.append(f"commune {code} inconnue de l'INSEE")
        if self.scope is not None and code not in self.scope:
            self.report.skipped += 1
            return None
        latitude = longitude = None
        if finess.value in coords:
            x, y, source = coords[finess.value]
            latitude, longitude = to_wgs84(x, y, projection_for(source, row["departement"]))
            if not (-25 < latitude < 52 and -65 < longitude < 60):
                warnings.append(f"coordonnées hors de France ({x}, {y}) : ignorées")
                latitude = longitude = None
        if latitude is None and commune is not None:
            latitude, longitude = commune.latitude, commune.longitude
        for warning in warnings:
            self.report.warn(number, warning)
        street = " ".join(p for p in (row["numvoie"], row["typvoie"], row["voie"]) if p)
        address = ", ".join(p for p in (row["complrs"], row["compldistrib"], street,
                                        row["lieuditbp"]) if p)  # fmt: skip
        postal = row["ligneacheminement"].split(" ", 1)[0] if row["ligneacheminement"] else ""
        return Structure(
            finess=finess.value, finess_ej=row["nofinessej"], name=row["rs"],
            long_name=row["rslongue"], category_code=row["categetab"],
            category=row["libcategetab"], address=address, postal_code=postal,
            commune_code=code, commune_id=commune.pk if commune else None,
            phone=row["telephone"], siret=row["siret"], latitude=latitude,
            longitude=longitude, search_name=search_key(f"{row['rs']} {row['rslongue']}"),
            warnings=warnings,
        )  # fmt: skip

    def run(self, path) -> ImportReport:
        coords = self.coordinates(path)
        batch = []
        for number, text, ended in read_lines(path, too_long=self.report.reject_too_long):
            if not text.startswith("structureet;"):
                if number > 1 and text.strip() and not text.startswith("geolocalisation;"):
                    self.report.read += 1
                    kind = text.split(";", 1)[0][:30]
                    self.report.reject(number, f"type de ligne inconnu « {kind} »")
                continue
            self.report.read += 1
            fields = _fields(text)
            if len(fields) < len(STRUCTURE_FIELDS):
                if not ended:
                    self.report.complete = False
                self.report.reject(
                    number, f"ligne incomplète : {len(fields)} champs au lieu de "
                    f"{len(STRUCTURE_FIELDS)}" + ("" if ended else " (fichier tronqué ?)")
                )  # fmt: skip
                continue
            oversized = oversized_field(text, fields)
            if oversized is not None:
                column = STRUCTURE_FIELDS[oversized] if oversized < len(STRUCTURE_FIELDS) else None
                self.report.reject(number, field_too_long(column))
                continue
            structure = self.parse(number, fields, coords)
            if structure is not None:
                batch.append(structure)
            if len(batch) >= BATCH:
                self.write(batch)
                batch = []
            if self.progress and self.report.read % 1000 == 0:
                self.progress(1000)
        if batch:
            self.write(batch)
        self.deactivate_missing(path)
        return self.report

    @transaction.atomic
    def write(self, batch: list[Structure]) -> None:
        now = timezone.now()
        existing = {
            row["finess"]: row
            for row in Structure.objects.filter(finess__in=[s.finess for s in batch]).values(
                "pk", "finess", "content_hash", "active"
            )
        }
        to_create, to_update, unchanged = [], [], []
        for structure in batch:
            structure.content_hash = fingerprint(*(getattr(structure, f) for f in HASHED_FIELDS))
            structure.import_run, structure.updated_at = self.run_id, now
            structure.active, structure.deactivated_at = True, None
            row = existing.get(structure.finess)
            if row is None:
                to_create.append(structure)
            elif row["content_hash"] == structure.content_hash and row["active"]:
                unchanged.append(row["pk"])
            else:
                structure.pk = row["pk"]
                to_update.append(structure)
        Structure.objects.bulk_create(to_create, batch_size=500)
        Structure.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=500)
        if unchanged:
            Structure.objects.filter(pk__in=unchanged).update(import_run=self.run_id)
        self.report.created += len(to_create)
        self.report.updated += len(to_update)
        self.report.unchanged += len(unchanged)

    def deactivate_missing(self, path) -> None:
        """Same safety rules as the RPPS import: only after a complete, credible file."""
        report = self.report
        kept = report.created + report.updated + report.unchanged
        reason = safety_stop(report, kept)
        if reason:
            report.errors.append(
                {"line": None, "reason": reason.replace("professionnel", "établissement")}
            )
            return
        stale = Structure.objects.filter(source=Source.NATIONAL, active=True).exclude(
            import_run=self.run_id
        )
        if self.scope is not None:
            # Still in the file but now outside the territory: not this import's business.
            stale = stale.filter(commune_code__in=self.scope).exclude(finess__in=list(self.seen))
        stale_ids = list(stale.values_list("pk", flat=True))
        if len(stale_ids) > max(10, 0.2 * (kept + len(stale_ids))) and not self.force:
            report.errors.append({"line": None, "reason": (
                f"{len(stale_ids)} établissements absents du fichier sur "
                f"{kept + len(stale_ids)} : trop pour un fichier complet, aucune désactivation "
                "(relancez avec --force si c'est voulu)."
            )})  # fmt: skip
            return
        report.deactivated = Structure.objects.filter(pk__in=stale_ids).update(
            active=False, deactivated_at=timezone.now()
        )


def import_finess(path, *, cpts=None, progress=None, force=False) -> ImportReport:
    return FinessImporter(cpts=cpts, progress=progress, force=force).run(path)
