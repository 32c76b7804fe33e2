"""What the RPPS and FINESS importers share: reading lines in either encoding, the
report, batching, and the scope (all of France or one CPTS's communes)."""

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from maillage.territory.models import Commune

MAX_LISTED_ERRORS = 1000


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


def read_lines(path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text without end of line, ended with a newline) for each line."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            ended = raw.endswith(b"\n")
            yield number, decode(raw.rstrip(b"\r\n")), ended


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
