"""What the RPPS and FINESS importers share: reading lines in either encoding, the
report, batching, and the scope (all of France or one CPTS's communes)."""

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.db import connection

from maillage.territory.models import Commune

MAX_LISTED_ERRORS = 1000
# The csv module's default limit on one field (131 072 characters): every importer of the
# platform refuses a longer field with its line number, csv module or not.
FIELD_LIMIT = 131_072
# A line of a national file is a few kilobytes: a longer one is read in pieces and
# rejected, never held in memory whole (a file without a newline would be, otherwise).
MAX_LINE_BYTES = 8 * FIELD_LIMIT


def field_too_long(column: str | None = None) -> str:
    """The reason given for a field over FIELD_LIMIT (French, thousands separated)."""
    where = f" (« {column} »)" if column else ""
    return f"un champ dépasse {FIELD_LIMIT:,} caractères{where}".replace(",", "\u202f")


def oversized_field(text: str, fields: list[str]) -> int | None:
    """Index of the first field of `fields` (split from `text`) over FIELD_LIMIT, or None.
    Only a line longer than the limit can hold one: most lines cost a single len()."""
    if len(text) <= FIELD_LIMIT:
        return None
    return next((i for i, value in enumerate(fields) if len(value) > FIELD_LIMIT), None)


class FileKindError(Exception):
    """The file is not what the importer expects: nothing is imported."""


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected: int = 0
    skipped: int = 0  # valid lines outside the CPTS's territory (with --cpts)
    complete: bool = True
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})

    def reject_too_long(self, line: int, ended: bool) -> None:
        """A line over MAX_LINE_BYTES (read_lines' `too_long`)."""
        self.read += 1
        if not ended:
            self.complete = False
        self.reject(line, f"ligne trop longue (plus de {MAX_LINE_BYTES // 1024 // 1024} Mio) : "
                          "ce n'est pas une ligne d'extraction nationale")  # fmt: skip

    def warn(self, line: int, reason: str) -> None:
        if len(self.warnings) < MAX_LISTED_ERRORS:
            self.warnings.append({"line": line, "reason": reason})

    def as_dict(self) -> dict:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def decode(raw: bytes) -> str:
    """UTF-8 when it decodes, else Windows-1252 (older national files are Latin-1).

    Decided line by line, so a file that mixes both (it happens after manual edits) still
    reads correctly, and nothing needs the whole file in memory to guess."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_lines(path, *, too_long=None) -> Iterator[tuple[int, str, bool]]:
    """(line number, text without end of line, ended with a newline) for each line.

    A line over MAX_LINE_BYTES is skipped, read in pieces; `too_long(number, ended)` is
    told about it (the pass that reports errors says so, the others skip it quietly)."""
    with open(path, "rb") as handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                ended = _skip_rest_of_line(handle)
                if too_long is not None:
                    too_long(number, ended)
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            ended = raw.endswith(b"\n")
            yield number, decode(raw.rstrip(b"\r\n")), ended


def _skip_rest_of_line(handle) -> bool:
    """Read up to the end of the current line; False if the file ends first."""
    while piece := handle.readline(MAX_LINE_BYTES):
        if piece.endswith(b"\n"):
            return True
    return False


def fingerprint(*parts) -> str:
    return hashlib.md5(  # noqa: S324 (change detection, not security)
        json.dumps(parts, ensure_ascii=False, default=str).encode()
    ).hexdigest()


@dataclass(frozen=True)
class CommuneInfo:
    pk: int
    latitude: float | None
    longitude: float | None


def commune_index() -> dict[str, CommuneInfo]:
    """Every commune by INSEE code, loaded once per import (35 000 small tuples)."""
    return {
        code: CommuneInfo(pk, lat, lon)
        for code, pk, lat, lon in Commune.objects.values_list("code", "pk", "latitude", "longitude")
    }


class BaseImporter:
    """State shared by the importers: the report, the run's identifier (stamped on every
    row seen, so rows absent from the file can be found), communes, and the scope."""

    def __init__(self, *, cpts=None, progress=None, force: bool = False):
        self.cpts = cpts
        self.progress = progress
        self.force = force
        self.report = ImportReport()
        self.run_id = uuid.uuid4().hex
        self.communes = commune_index()
        self.scope = territory_codes(cpts) if cpts is not None else None


def territory_codes(cpts) -> set[str]:
    from maillage.territory.services import territory_communes

    return set(territory_communes(cpts).values_list("code", flat=True))


# Page cache of the importer's SQLite connection, in KiB. The default (2 MiB) is far
# smaller than the indexes a national import writes into at random places (names, public
# identifiers): pages would be evicted and read again for every batch.
SQLITE_IMPORT_CACHE_KIB = 128 * 1024


@contextmanager
def import_cache():
    """A larger SQLite page cache for the duration of an import (restored afterwards);
    nothing to do on PostgreSQL, whose cache is the server's."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


# Values per `IN (...)` list: within SQLite's limit on parameters (32 766 since 3.32).
IN_CHUNK = 5000


class RowWriter:
    """INSERT and UPDATE statements of one model written once, for `cursor.executemany`.

    Django's `bulk_create` prepares every value through its field and splits a batch into
    many small INSERTs (SQLite's parameter limit): on a national file that was most of the
    import's time. Here the importer gives rows as tuples of database values (in the order
    of `insert`, or of `update` followed by the primary key) and one statement runs for all
    rows of a batch, inside the batch's transaction. Table and column names come from the
    model, quoted by the backend: the same code runs on SQLite and PostgreSQL. Values other
    than text, numbers, booleans and None go through `prepare` (the field's own conversion
    for the connection)."""

    def __init__(self, model, *, insert: tuple[str, ...], update: tuple[str, ...] = ()):
        qn = connection.ops.quote_name
        self.model = model
        self.native_uuid = connection.features.has_native_uuid_field
        table = qn(model._meta.db_table)
        columns = ", ".join(qn(model._meta.get_field(n).column) for n in insert)
        placeholders = ", ".join(["%s"] * len(insert))
        assignments = ", ".join(f"{qn(model._meta.get_field(n).column)} = %s" for n in update)
        key = qn(model._meta.pk.column)
        # Names come from the model, every value is a parameter.
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.update_sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608

    def prepare(self, name: str, value):
        return self.model._meta.get_field(name).get_db_prep_save(value, connection)

    def new_uuid(self):
        """A new uuid4 as the database stores it (what UUIDField would prepare)."""
        value = uuid.uuid4()
        return value if self.native_uuid else value.hex

    def select(self, columns: tuple[str, ...], key: str, values: list) -> list[tuple]:
        """Rows (`columns`) whose `key` is one of `values`, in chunks of IN_CHUNK."""
        qn = connection.ops.quote_name
        fields = ", ".join(qn(self.model._meta.get_field(n).column) for n in columns)
        table, column = qn(self.model._meta.db_table), qn(self.model._meta.get_field(key).column)
        sql = f"SELECT {fields} FROM {table} WHERE {column} IN "  # noqa: S608
        rows = []
        with connection.cursor() as cursor:
            for start in range(0, len(values), IN_CHUNK):
                chunk = values[start : start + IN_CHUNK]
                cursor.execute(sql + f"({', '.join(['%s'] * len(chunk))})", chunk)
                rows.extend(cursor.fetchall())
        return rows

    def insert(self, rows: list[tuple]) -> None:
        self._run(self.insert_sql, rows)

    def update(self, rows: list[tuple]) -> None:
        self._run(self.update_sql, rows)

    @staticmethod
    def _run(sql: str, rows: list[tuple]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
