"""The `maillage` command: a thin wrapper over the management commands.

`maillage load-geography` runs `manage.py load_geography`, and so on: hyphens are
accepted for readability.

A configuration error is one French line on stderr and exit status 1, never a traceback:
a bad environment variable (settings.py), a folder that cannot be created, a database that
cannot be reached or has no tables yet, a missing database driver. Errors of the commands
themselves keep their traceback: they are bugs to report.
"""

import os
import sys


def load_settings() -> None:
    """Read the configuration first (settings.py raises ImproperlyConfigured with a
    message that names the variable)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (evaluating it imports and checks the settings)
    except ImproperlyConfigured as exc:
        fail(f"Configuration invalide : {exc}")
    except OSError as exc:  # the var directory or the SQLite folder cannot be created
        fail(
            f"Configuration invalide : le dossier {exc.filename} ne peut pas être créé "
            f"({exc.strerror}) ; vérifiez MAILLAGE_VAR_DIR et DATABASE_URL."
        )


def fail(message: str) -> None:
    sys.stderr.write(message.replace("\n", " ") + "\n")
    raise SystemExit(1) from None


def _database() -> str:
    """The database in use, without its password."""
    from django.conf import settings

    from maillage.demo.marker import database_identity

    return database_identity(settings.DATABASE_URL) or "DATABASE_URL"


def _while_connecting(exc: BaseException) -> bool:
    """Whether the error was raised while opening the connection (not by a query)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in ("ensure_connection", "get_new_connection"):
            return True
        tb = tb.tb_next
    return False


def configuration_error(exc: BaseException) -> str | None:
    """The French line for an error that comes from the configuration, else None."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import InterfaceError, OperationalError, ProgrammingError

    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, ImproperlyConfigured):
        if first_line.startswith("Error loading"):
            return (f"Configuration invalide : le pilote de la base de données désignée par "
                    f"DATABASE_URL n'est pas installé ({first_line})")  # fmt: skip
        return f"Configuration invalide : {first_line}"
    if isinstance(exc, OperationalError | InterfaceError) and _while_connecting(exc):
        database = _database()
        check = ("les droits sur ce fichier" if database.startswith("sqlite")
                 else "que le serveur est démarré")  # fmt: skip
        return (f"Base de données injoignable ({database}) : {first_line} ; vérifiez "
                f"DATABASE_URL et {check}.")  # fmt: skip
    lowered = first_line.lower()
    if isinstance(exc, OperationalError | ProgrammingError) and (
        lowered.startswith("no such table") or ("relation" in lowered and "does not exist"
                                                 in lowered)
    ):  # fmt: skip
        return (f"La base de données ({_database()}) n'a pas les tables de Maillage : "
                f"lancez d'abord `maillage migrate` ({first_line}).")  # fmt: skip
    if isinstance(exc, OSError) and exc.filename:
        from django.conf import settings

        hint = ""
        if str(exc.filename).startswith((str(settings.VAR_DIR), str(settings.STATIC_ROOT))):
            hint = " ; vérifiez MAILLAGE_VAR_DIR et STATIC_ROOT"
        return f"Fichier ou dossier inaccessible : {exc.filename} ({exc.strerror}){hint}."
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    load_settings()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except Exception as exc:
        message = configuration_error(exc)
        if message is None:
            raise
        fail(message)


if __name__ == "__main__":
    main()
