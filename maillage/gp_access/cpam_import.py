"""Import of a CPAM list of patients without a médecin traitant (CSV).

The coordinator uploads the file, maps its columns to our fields (guessed from the
header), previews the result with every problem listed by line, then imports: all the
lines or none (one transaction). A patient already known is not created twice; one whose
request is already open is reported, not duplicated.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from maillage.core import audit, jobs
from maillage.core.text import echo
from maillage.directory.importing import FIELD_LIMIT, field_too_long
from maillage.patients.forms import PatientForm
from maillage.patients.models import Patient
from maillage.patients.services import clean_patient_data, find_duplicates, patient_create
from maillage.territory.communes import INSEE_CODE_LENGTH
from maillage.territory.models import search_key

from .models import GpRequest, Origin
from .services import request_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# Our fields, their label, whether required, and header words that suggest them.
FIELDS = {
    "birth_name": ("Nom de naissance", True, ("nom naissance", "nom de naissance", "nom")),
    "used_name": ("Nom d'usage", False, ("nom usage", "nom d usage", "nom marital")),
    "first_names": ("Prénoms", True, ("prenoms", "prenom")),
    "birth_date": ("Date de naissance", True, ("date naissance", "date de naissance", "ddn",
                                               "naissance")),
    "sex": ("Sexe", True, ("sexe", "genre", "civilite")),
    "nir": ("NIR", False, ("nir", "numero securite sociale", "nss", "matricule")),
    "phone": ("Téléphone", False, ("telephone", "tel", "portable", "mobile")),
    "email": ("E-mail", False, ("email", "mail", "courriel")),
    "address": ("Adresse", False, ("adresse",)),
    "commune": ("Commune (code INSEE)", True, ("code insee", "insee", "code commune",
                                               "commune")),
    "ald": ("ALD", False, ("ald", "affection longue duree")),
    "c2s": ("C2S", False, ("c2s", "css", "complementaire sante solidaire", "cmu")),
    "ame": ("AME", False, ("ame", "aide medicale")),
}  # fmt: skip
# The patient form's limits (what the model holds; NIR and phone as typed, with spaces).
CELL_LIMITS = {
    **{name: Patient._meta.get_field(name).max_length
       for name in ("birth_name", "used_name", "first_names", "address", "email")},
    **{name: PatientForm.base_fields[name].max_length for name in ("nir", "phone")},
    "commune": INSEE_CODE_LENGTH,
}  # fmt: skip
TRUE_WORDS = {"oui", "o", "1", "x", "vrai", "true", "yes", "y"}
FALSE_WORDS = {"non", "n", "0", "", "faux", "false", "no"}
SEX_WORDS = {"f": "F", "femme": "F", "feminin": "F", "2": "F", "mme": "F", "madame": "F",
             "m": "M", "h": "M", "homme": "M", "masculin": "M", "1": "M", "m.": "M",
             "monsieur": "M"}  # fmt: skip


class CsvFileError(Exception):
    """The file cannot be read as a CSV list."""


@dataclass
class Parsed:
    header: list[str]
    rows: list[list[str]]
    delimiter: str
    encoding: str


def read_csv(raw: bytes) -> Parsed:
    if len(raw) > MAX_BYTES:
        raise CsvFileError(f"Fichier trop volumineux (maximum {MAX_BYTES // 1024 // 1024} Mo).")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "windows-1252"
    if "\x00" in text:
        raise CsvFileError("Ce fichier n'est pas un fichier texte CSV (contenu binaire).")
    sample = text[:10_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ";"
    rows = _rows(text, delimiter)
    if len(rows) < 2:
        raise CsvFileError("Le fichier doit contenir une ligne d'en-tête et au moins une ligne.")
    if len(rows) - 1 > MAX_ROWS:
        raise CsvFileError(f"Trop de lignes ({len(rows) - 1}) : {MAX_ROWS} au maximum par import.")
    header = [h.strip() for h in rows[0]]
    return Parsed(header, rows[1:], delimiter, encoding)


def _rows(text: str, delimiter: str) -> list[list[str]]:
    """The non-empty rows; a field longer than FIELD_LIMIT stops the whole file with its
    line number, whatever the csv module's process-wide limit is (the geography loader
    lifts it)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise CsvFileError(_too_long(reader.line_num)) from exc
            raise CsvFileError(
                f"Ligne {reader.line_num} : ligne CSV illisible (guillemet non fermé ?)."
            ) from exc
        if any(len(cell) > FIELD_LIMIT for cell in row):
            raise CsvFileError(_too_long(reader.line_num))
        if any(c.strip() for c in row):
            rows.append(row)


def _too_long(line: int) -> str:
    return f"Ligne {line} : {field_too_long()}."


def guess_mapping(header: list[str]) -> dict[str, int | None]:
    """Our field -> index of the column whose header matches best (or None)."""
    keys = [search_key(h) for h in header]
    mapping, used = {}, set()
    for name, (_label, _required, words) in FIELDS.items():
        mapping[name] = None
        for word in words:  # most specific words first
            for index, key in enumerate(keys):
                if index not in used and key == word:
                    mapping[name] = index
                    break
            if mapping[name] is not None:
                break
        if mapping[name] is None:
            for word in words:
                for index, key in enumerate(keys):
                    if index not in used and word in key:
                        mapping[name] = index
                        break
                if mapping[name] is not None:
                    break
        if mapping[name] is not None:
            used.add(mapping[name])
    return mapping


def check_mapping(mapping: dict[str, int | None], width: int) -> list[str]:
    errors = []
    for name, (label, required, _words) in FIELDS.items():
        index = mapping.get(name)
        if required and index is None:
            errors.append(f"Choisissez la colonne « {label} ».")
        if index is not None and not 0 <= index < width:
            errors.append(f"Colonne inexistante pour « {label} ».")
    chosen = [i for i in mapping.values() if i is not None]
    if len(chosen) != len(set(chosen)):
        errors.append("Une même colonne est choisie pour deux champs.")
    return errors


def _date(value: str) -> datetime.date:
    value = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(f"date de naissance illisible « {echo(value)} » (attendu JJ/MM/AAAA)")


def _bool(value: str, label: str) -> bool:
    word = search_key(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{label} : « {echo(value)} » n'est ni oui ni non")


@dataclass
class RowResult:
    line: int
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_row(line: int, row: list[str], mapping: dict[str, int | None]) -> RowResult:
    result = RowResult(line)

    def cell(name):
        index = mapping.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    data = {name: cell(name) for name in FIELDS}
    for name, value in data.items():
        limit = CELL_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            result.errors.append(f"{FIELDS[name][0]} : {limit} caractères au plus "
                                 f"({len(value)} dans le fichier)")  # fmt: skip
            data[name] = ""
    try:
        data["birth_date"] = _date(data["birth_date"]) if data["birth_date"] else None
    except ValueError as exc:
        result.errors.append(str(exc))
        data["birth_date"] = None
    sex = SEX_WORDS.get(search_key(data["sex"]) or data["sex"].lower())
    if sex is None:
        result.errors.append(f"sexe illisible « {echo(data['sex'])} » (F ou M)")
    data["sex"] = sex or ""
    for name in ("ald", "c2s", "ame"):
        try:
            data[name] = _bool(data[name], FIELDS[name][0])
        except ValueError as exc:
            result.errors.append(str(exc))
            data[name] = False
    if not result.errors:
        try:
            data = clean_patient_data(data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = FIELDS.get(name, (name,))[0]
                result.errors.extend(f"{label} : {m}" for m in messages)
    result.data = data
    return result


def known_patients(cpts, rows: list[RowResult]) -> list:
    """The recorded patients that lines of the list match (as the import would)."""
    found = []
    for row in rows:
        if not row.errors:
            known = find_duplicates(cpts, row.data).first()
            if known is not None:
                found.append(known)
    return found


def preview(parsed: Parsed, mapping) -> list[RowResult]:
    return [parse_row(number, row, mapping) for number, row in enumerate(parsed.rows, start=2)]


@dataclass
class ImportSummary:
    lines: int
    patients_created: int = 0
    patients_known: int = 0
    requests_created: int = 0
    already_open: list[int] = field(default_factory=list)


@transaction.atomic
def import_rows(*, cpts, actor, parsed: Parsed, mapping, file_name: str, request=None):
    """All or nothing: any line in error stops the import before anything is written."""
    results = preview(parsed, mapping)
    errors = [r for r in results if r.errors]
    if errors:
        raise ValidationError([f"Ligne {r.line} : {'; '.join(r.errors)}" for r in errors[:50]])
    summary = ImportSummary(lines=len(results))
    matched = []
    for result in results:
        known = find_duplicates(cpts, result.data).first()
        if known is not None:
            patient = known
            matched.append(known)
            summary.patients_known += 1
        else:
            # No consent yet: the coordination records it at the first contact.
            patient = patient_create(cpts=cpts, actor=actor, data=result.data,
                                     consent_method=None, request=request,
                                     allow_duplicate=True)  # fmt: skip
            summary.patients_created += 1
        if GpRequest.objects.open().filter(patient=patient).exists():
            summary.already_open.append(result.line)
            continue
        request_create(cpts=cpts, actor=actor, patient=patient, origin=Origin.CPAM,
                       request=request)  # fmt: skip
        summary.requests_created += 1
    audit.record(action="gp_request.cpam_import", actor=actor, cpts=cpts, request=request,
                 detail={"file": file_name, **summary.__dict__})  # fmt: skip
    # A line of the list matched these recorded patients: their trail says so.
    audit.record_each(action="patient.cpam_match", subjects=matched, actor=actor, cpts=cpts,
                      request=request, detail={"file": file_name})  # fmt: skip
    return summary


# ------------------------------------------------------------------ as a background job

PROGRESS_EVERY = 200  # lines checked between two progress writes
# The job as the page of failed jobs names it (this module is loaded with the views).
jobs.register_label("maillage.gp_access.cpam_import.run_import", "Import d'une liste de la CPAM")
UNEXPECTED = "Erreur inattendue pendant l'import : rien n'a été enregistré. Réessayez ; " \
             "si l'erreur persiste, prévenez l'administrateur de la plateforme."


def start_import(*, cpts, actor, upload, mapping, total: int):
    """Queue the import of a stored list (the caller checked the mapping and the preview).
    The progress row and the job are written in the caller's transaction; a list already
    being imported is not queued twice (its import in progress is returned)."""
    from .models import CpamImport, CsvUpload, ImportState

    with transaction.atomic():
        # The lock makes two clicks at once wait for each other: the second finds the first.
        CsvUpload.objects.select_for_update().filter(pk=upload.pk).first()
        live = CpamImport.objects.filter(
            upload=upload, state__in=[ImportState.QUEUED, ImportState.RUNNING]
        ).first()
        if live is not None:
            return live
        try:
            with transaction.atomic():
                run = CpamImport.objects.create(
                    cpts=cpts, upload=upload, file_name=upload.file_name, mapping=mapping,
                    total=total, created_by=actor,
                )  # fmt: skip
        except IntegrityError:
            # Where the lock is a no-op (SQLite), the unique constraint catches the race.
            return CpamImport.objects.get(
                upload=upload, state__in=[ImportState.QUEUED, ImportState.RUNNING])
        jobs.enqueue("maillage.gp_access.cpam_import.run_import", run.pk, cpts=cpts)
    return run


def run_import(run_id: int) -> None:
    """The job: check every line (progress shown as it goes), then import all the lines
    or none. Idempotent: an import already finished is left alone."""
    from django.utils import timezone

    from .models import CpamImport, ImportState

    run = CpamImport.objects.filter(pk=run_id).select_related("cpts", "created_by").first()
    if run is None or run.finished:
        return
    CpamImport.objects.filter(pk=run.pk, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=timezone.now())  # fmt: skip
    try:
        _run(run)
    except Exception:
        _fail(run.pk, [UNEXPECTED])
        raise


def _fail(run_id: int, errors: list[str]) -> None:
    from django.utils import timezone

    from .models import CpamImport, ImportState

    CpamImport.objects.filter(pk=run_id).exclude(state=ImportState.DONE).update(
        state=ImportState.FAILED, errors=errors[:100], finished_at=timezone.now())  # fmt: skip


def _run(run) -> None:
    from django.utils import timezone

    from .models import CpamImport, CsvUpload, ImportState

    upload = CsvUpload.objects.filter(pk=run.upload_id).first() if run.upload_id else None
    if upload is None:
        _fail(run.pk, ["Le fichier n'est plus disponible (supprimé ou abandonné) : "
                       "déposez la liste à nouveau."])  # fmt: skip
        return
    try:
        parsed = read_csv(bytes(upload.content))
    except CsvFileError as exc:
        _fail(run.pk, [str(exc)])
        return
    mapping = {name: run.mapping.get(name) for name in FIELDS}
    problems = check_mapping(mapping, len(parsed.header))
    if problems:
        _fail(run.pk, problems)
        return
    # First pass, outside the import's transaction so that the page sees it advance.
    total = len(parsed.rows)
    bad = []
    for number, row in enumerate(parsed.rows, start=2):
        result = parse_row(number, row, mapping)
        if result.errors:
            bad.append(f"Ligne {result.line} : {'; '.join(result.errors)}")
        done = number - 1
        if done % PROGRESS_EVERY == 0 or done == total:
            CpamImport.objects.filter(pk=run.pk).update(processed=done, total=total)
    if bad:
        _fail(run.pk, bad[:50])
        return
    with transaction.atomic():
        # Under the lock, the state decides: a run another worker finished is not redone.
        locked = CpamImport.objects.select_for_update().get(pk=run.pk)
        if locked.state == ImportState.DONE:
            return
        try:
            with transaction.atomic():
                summary = import_rows(cpts=run.cpts, actor=run.created_by, parsed=parsed,
                                      mapping=mapping, file_name=run.file_name)  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        else:
            CpamImport.objects.filter(pk=run.pk).update(
                state=ImportState.DONE, processed=total, total=total, errors=[],
                summary=summary.__dict__, finished_at=timezone.now(), upload=None,
            )  # fmt: skip
            # Patient data is not kept once imported.
            CsvUpload.objects.filter(pk=upload.pk).delete()
            return
    _fail(run.pk, errors)


def summary_text(summary: dict) -> str:
    """The French sentence the page showed after an import (kept word for word)."""
    already = summary.get("already_open") or []
    note = (f" {len(already)} patient(s) avaient déjà une demande en cours "
            f"(lignes {', '.join(map(str, already[:20]))})." if already else "")  # fmt: skip
    return (
        f"{summary.get('lines', 0)} ligne(s) importée(s) : {summary.get('requests_created', 0)} "
        f"demande(s) créée(s), {summary.get('patients_created', 0)} patient(s) nouveaux, "
        f"{summary.get('patients_known', 0)} déjà connus.{note}"
    )
