"""The shipped catalogue of prevention themes (prevention/data/themes.json): the seed
themes, the national cancer screening months and vaccination. Loaded by a data
migration; `install_catalogue` brings an existing database up to a changed file.

Area: programme.
"""

import json
from pathlib import Path

CATALOGUE = Path(__file__).parent / "data" / "themes.json"
FIELDS = ("label", "description", "default_kind", "questionnaire", "month")


def catalogue() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def install_catalogue(theme_model=None) -> int:
    """Create or update the shipped themes (no CPTS); returns how many were created."""
    if theme_model is None:
        from .models import Theme as theme_model
    created = 0
    for entry in catalogue():
        _, was_created = theme_model.objects.update_or_create(
            cpts=None, code=entry["code"], defaults={f: entry.get(f, "") for f in FIELDS}
        )
        created += was_created
    return created
