"""The `maillage` command: a thin wrapper over the management commands.

`maillage load-geography` runs `manage.py load_geography`, and so on: hyphens are
accepted for readability.
"""

import os
import sys


def load_settings() -> None:
    """Read the configuration first: a bad environment variable is one French line on
    stderr and exit status 1, not a traceback (settings.py raises ImproperlyConfigured
    with a message that names the variable)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (evaluating it imports and checks the settings)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration invalide : {exc}\n")
        raise SystemExit(1) from None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    load_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
