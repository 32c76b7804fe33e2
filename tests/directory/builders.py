"""Small files in the exact national formats, for importer tests."""

from maillage.core.validators import luhn_check_digit
from maillage.directory.finess import STRUCTURE_FIELDS
from maillage.directory.rpps import COLUMNS


def rpps_id(n: int) -> str:
    body = f"1000000{n:03d}"
    return body + luhn_check_digit(body)


def rpps_line(**values) -> str:
    """One activity line; keyword names are simplified column names (see FIELD)."""
    row = dict.fromkeys(COLUMNS, "")
    defaults = {
        "Type d'identifiant PP": "8",
        "Code profession": "10",
        "Libellé profession": "Médecin",
        "Code catégorie professionnelle": "C",
        "Libellé catégorie professionnelle": "Civil",
        "Code savoir-faire": "SM53",
        "Libellé savoir-faire": "Médecine Générale",
        "Libellé mode exercice": "Libéral, indépendant, artisan, commerçant",
        "Code commune (coord. structure)": "38053",
        "Libellé commune (coord. structure)": "BOURGOIN JALLIEU",
        "Code postal (coord. structure)": "38300",
        "Libellé Voie (coord. structure)": "Rue de la République",
        "Raison sociale site": "Cabinet médical",
    }
    row.update(defaults)
    for key, value in values.items():
        row[FIELD[key]] = value
    if not values.get("national_id_override"):
        row["Identification nationale PP"] = row["Type d'identifiant PP"] + row["Identifiant PP"]
    return "|".join(row[c] for c in COLUMNS) + "|"


FIELD = {
    "id_type": "Type d'identifiant PP",
    "identifier": "Identifiant PP",
    "national_id_override": "Identification nationale PP",
    "last_name": "Nom d'exercice",
    "first_name": "Prénom d'exercice",
    "profession_code": "Code profession",
    "profession_label": "Libellé profession",
    "specialty_code": "Code savoir-faire",
    "specialty": "Libellé savoir-faire",
    "commune": "Code commune (coord. structure)",
    "site_name": "Raison sociale site",
    "phone": "Téléphone (coord. structure)",
    "email": "Adresse e-mail (coord. structure)",
    "street": "Libellé Voie (coord. structure)",
}


def rpps_file(path, lines, *, encoding="utf-8", trailing_newline=True):
    header = "|".join(COLUMNS) + "|"
    text = "\n".join([header, *lines]) + ("\n" if trailing_newline else "")
    path.write_bytes(text.encode(encoding))
    return path


def finess_structure(
    finess,
    name,
    *,
    dep="38",
    commune="053",
    category="620",
    category_label="Pharmacie d'Officine",
    **extra,
) -> str:
    row = dict.fromkeys(STRUCTURE_FIELDS, "")
    row.update(
        structureet="structureet",
        nofinesset=finess,
        nofinessej="",
        rs=name,
        rslongue=name.upper(),
        commune=commune,
        departement=dep,
        ligneacheminement="38300 BOURGOIN JALLIEU",
        categetab=category,
        libcategetab=category_label,
        telephone="0474000000",
    )
    row.update(extra)
    return ";".join(row[f] for f in STRUCTURE_FIELDS)


def finess_geo(finess, x, y, source="1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93") -> str:
    return f"geolocalisation;{finess};{x};{y};{source};2026-05-12"


def finess_file(path, structures, geos=(), *, encoding="utf-8", trailing_newline=True):
    text = "\n".join(["finess;etalab;111;2026-05-12", *structures, *geos])
    path.write_bytes((text + ("\n" if trailing_newline else "")).encode(encoding))
    return path
