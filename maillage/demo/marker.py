"""The demo marker: `maillage demo` records, in the var directory, which database it built
(and the site address `make run` serves it on). Settings read it, so the commands the
README shows work in another terminal without MAILLAGE_DEMO=1, on that database only: with
another DATABASE_URL (production) the marker is ignored and the configuration stays
strict (SECRET_KEY required).

No Django import: settings.py reads it before Django is configured.
"""

from pathlib import Path

MARKER_NAME = "demo.env"
HEADER = (
    "# Écrit par `maillage demo` (make run) : la base ci-dessous est une démonstration.\n"
    "# Les commandes `maillage` qui l'utilisent passent en mode démonstration sans\n"
    "# MAILLAGE_DEMO=1. Supprimez ce fichier pour en sortir.\n"
)


def database_identity(database_url: str) -> str:
    """Where the data are, without the password: `sqlite:/absolute/path` or
    `engine://user@host:port/name`. '' for an address that cannot be read."""
    import dj_database_url

    try:
        config = dj_database_url.parse(database_url)
    except Exception:  # settings.py reports a malformed address itself
        return ""
    engine = str(config.get("ENGINE", "")).rsplit(".", 1)[-1]
    name = str(config.get("NAME") or "")
    if engine == "sqlite3":
        if name in ("", ":memory:") or name.startswith("file:"):
            return ""  # nothing on disk to recognise again
        return f"sqlite:{Path(name).resolve()}"
    return (
        f"{engine}://{config.get('USER') or ''}@{config.get('HOST') or ''}:"
        f"{config.get('PORT') or ''}/{name}"
    )


def read(var_dir, database_url: str) -> dict[str, str]:
    """The recorded settings when the marker names this database, else {}."""
    try:
        text = (Path(var_dir) / MARKER_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    identity = database_identity(database_url)
    if not identity or values.pop("DATABASE", None) != identity:
        return {}
    return values


def write(var_dir, database_url: str, *, site_url: str) -> Path | None:
    """Record that this database is a demo one; None when it cannot be recognised later
    (an in-memory database)."""
    identity = database_identity(database_url)
    if not identity:
        return None
    path = Path(var_dir) / MARKER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{HEADER}DATABASE={identity}\nSITE_URL={site_url}\n", encoding="utf-8")
    return path
