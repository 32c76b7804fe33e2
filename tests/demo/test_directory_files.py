"""The synthetic RPPS and FINESS files of the demo: exact formats, realistic densities,
byte-for-byte determinism. No database: the communes are plain objects."""

import collections
import math
from types import SimpleNamespace

import pytest
from pyproj import Transformer

from maillage.core.validators import luhn_check_digit, validate_finess, validate_rpps
from maillage.demo.directory_files import write_finess_file, write_rpps_file
from maillage.directory.rpps import COLUMNS, check_header, parse_fields, split_line

# The 22 communes of the CAPI (approximate populations and centroids).
COMMUNES = [
    SimpleNamespace(code=code, name=name, population=population, postal_code=postal,
                    departement_code="38", latitude=lat, longitude=lon)
    for code, name, population, postal, lat, lon in (
        ("38053", "Bourgoin-Jallieu", 28387, "38300", 45.5862, 5.2736),
        ("38553", "Villefontaine", 19000, "38090", 45.6136, 5.1497),
        ("38193", "L'Isle-d'Abeau", 16800, "38080", 45.6197, 5.2283),
        ("38537", "La Verpillière", 7300, "38290", 45.6322, 5.1450),
        ("38449", "Saint-Quentin-Fallavier", 6200, "38070", 45.6436, 5.1119),
        ("38348", "Ruy-Montceau", 4700, "38300", 45.5894, 5.3275),
        ("38468", "Saint-Savin", 4200, "38300", 45.6264, 5.3089),
        ("38525", "Vaulx-Milieu", 2900, "38090", 45.6139, 5.1836),
        ("38276", "Nivolas-Vermelle", 2700, "38300", 45.5592, 5.3039),
        ("38475", "Satolas-et-Bonce", 2600, "38290", 45.6936, 5.1297),
        ("38350", "Saint-Alban-de-Roche", 1950, "38080", 45.5997, 5.2269),
        ("38223", "Maubec", 1900, "38300", 45.5669, 5.2664),
        ("38149", "Domarin", 1700, "38300", 45.5856, 5.2478),
        ("38170", "Four", 1500, "38080", 45.5822, 5.1900),
        ("38152", "Eclose-Badinières", 1250, "38300", 45.5036, 5.2994),
        ("38232", "Meyrié", 1100, "38300", 45.5633, 5.2844),
        ("38156", "Les Éparres", 1050, "", 45.5419, 5.2933),
        ("38485", "Sérézin-de-la-Tour", 1000, "38300", 45.5600, 5.3478),
        ("38498", "Succieu", 800, "38300", 45.5269, 5.3386),
        ("38086", "Châteauvilain", 730, "38300", 45.5153, 5.3317),
        ("38100", "Chèzeneuve", 600, "38300", 45.5608, 5.2164),
        ("38136", "Crachier", 520, "38300", 45.5511, 5.2289),
    )
]  # fmt: skip
POPULATION = sum(c.population for c in COMMUNES)
BY_CODE = {c.code: c for c in COMMUNES}

# National densities per 10 000 inhabitants the file must approach (± 25 %).
DENSITIES = {
    "gp": 8.5, "specialist": 9.0, "60": 18.0, "21": 10.0, "70": 13.0, "40": 6.5, "50": 3.5,
    "91": 3.8, "80": 2.0, "92": 0.9, "95": 1.0,
}  # fmt: skip


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("directory-files")
    rpps, finess = folder / "PS_LibreAcces_Personne_activite.txt", folder / "finess.csv"
    rpps_lines = write_rpps_file(rpps, COMMUNES)
    structures = write_finess_file(finess, COMMUNES)
    return SimpleNamespace(
        folder=folder, rpps=rpps, finess=finess, rpps_lines=rpps_lines, structures=structures
    )


@pytest.fixture(scope="module")
def activities(files):
    """(raw fields, parsed Person) for each data line of the RPPS file."""
    text = files.rpps.read_bytes().decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == ""
    rows = []
    for line in lines[1:-1]:
        fields = split_line(line, True)
        rows.append((fields, parse_fields(fields)))
    return rows


def finess_rows(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    return lines[0], [line.split(";") for line in lines[1:-1]]


# RPPS ------------------------------------------------------------------------------------


def test_population_is_that_of_the_capi():
    assert len(COMMUNES) == 22
    assert 100_000 <= POPULATION <= 115_000


def test_rpps_is_byte_identical_for_a_seed_and_differs_for_another(files, tmp_path):
    again, other, shuffled = tmp_path / "again.txt", tmp_path / "other.txt", tmp_path / "r.txt"
    assert write_rpps_file(again, COMMUNES) == files.rpps_lines
    assert again.read_bytes() == files.rpps.read_bytes()
    write_rpps_file(other, COMMUNES, seed="another-seed")
    assert other.read_bytes() != files.rpps.read_bytes()
    write_rpps_file(shuffled, list(reversed(COMMUNES)))  # the callers' order does not matter
    assert shuffled.read_bytes() == files.rpps.read_bytes()


def test_rpps_header_and_lines_have_the_exact_layout(files, activities):
    raw = files.rpps.read_bytes()
    assert b"\r" not in raw
    lines = raw.decode("utf-8").split("\n")
    header = lines[0]
    check_header(header)
    assert header == "|".join(COLUMNS) + "|"
    assert len(COLUMNS) == 56
    data = lines[1:-1]
    assert len(data) == files.rpps_lines == len(activities)
    for line in data:
        assert line.endswith("|")
        assert line.count("|") == 56
        assert len(line.split("|")) == 57


def test_every_line_parses_without_warning(activities):
    for fields, person in activities:
        assert person.warnings == [], fields
        assert fields[0] == "8"
        assert fields[2] == "8" + fields[1]
        assert person.national_id == "8" + fields[1]
        assert fields[11:13] == ["C", "Civil"]
        assert fields[17] in ("L", "S")
        assert fields[36] in BY_CODE
        assert fields[37] == BY_CODE[fields[36]].name.upper()
        assert fields[44:46] == ["38", "Isère"]
        assert len(fields[40]) == 10 and fields[40].startswith("04"), fields[40]
        if fields[19]:
            assert len(fields[19]) == 14 and fields[19].isdigit()
            assert fields[20] == fields[19][:9]
        if fields[3] == "DR":
            assert fields[9] in ("10", "40")


def test_rpps_identifiers_are_valid_unique_sorted_and_grouped(activities):
    identifiers = [fields[1] for fields, _ in activities]
    assert identifiers == sorted(identifiers)
    runs = [identifiers[0]] + [
        b for a, b in zip(identifiers, identifiers[1:], strict=False) if a != b
    ]
    assert len(runs) == len(set(runs))  # a professional's lines are consecutive
    for identifier in set(identifiers):
        assert len(identifier) == 11 and identifier.startswith("10")
        assert luhn_check_digit(identifier[:-1]) == identifier[-1]
        assert validate_rpps(identifier).warnings == ()


def professionals(activities):
    """identifier -> list of field lists."""
    people = collections.defaultdict(list)
    for fields, _ in activities:
        people[fields[1]].append(fields)
    return people


def group_of(fields):
    if fields[9] == "10":
        return "gp" if fields[15] == "SM53" else "specialist"
    return fields[9]


def test_densities_are_close_to_the_national_ones(activities):
    counts = collections.Counter(group_of(lines[0]) for lines in professionals(activities).values())
    assert set(counts) == set(DENSITIES)
    for group, density in DENSITIES.items():
        expected = density * POPULATION / 10_000
        assert abs(counts[group] - expected) <= 0.25 * expected, (group, counts[group], expected)


def test_gps_are_general_practice_and_some_communes_have_none(activities):
    gp_communes = set()
    for fields, _ in activities:
        if fields[15] == "SM53":
            assert fields[9] == "10" and fields[13:17] == [
                "S", "Spécialité ordinale", "SM53", "Médecine Générale"
            ]  # fmt: skip
            gp_communes.add(fields[36])
        elif fields[9] == "10":
            assert fields[15].startswith("SM") and fields[15] not in ("SM53", "SM54", "SM26")
    without = set(BY_CODE) - gp_communes
    assert without, "at least one commune without a GP"
    assert all(BY_CODE[code].population < 2500 for code in without)
    assert "38053" in gp_communes


def test_the_demo_gp_beatrice_practises_in_bourgoin_jallieu(activities):
    beatrices = [fields for fields, _ in activities if fields[8] == "Béatrice"]
    assert len(beatrices) == 1
    fields = beatrices[0]
    assert fields[5:7] == ["MME", "Madame"]
    assert fields[3:5] == ["DR", "Docteur"]
    assert (fields[9], fields[15], fields[36]) == ("10", "SM53", "38053")


def test_names_come_from_varied_french_lists(activities):
    people = professionals(activities)
    first = {lines[0][8] for lines in people.values()}
    last = {lines[0][7] for lines in people.values()}
    assert len(first) >= 50 and len(last) >= 50
    assert any(ch in "".join(first) for ch in "éèëï")
    for lines in people.values():
        civility = lines[0][5]
        assert civility in ("M", "MME")
        assert lines[0][6] == {"M": "Monsieur", "MME": "Madame"}[civility]


def test_about_one_professional_in_ten_has_a_second_site_nearby(activities):
    people = professionals(activities)
    two = [lines for lines in people.values() if len(lines) == 2]
    assert all(len(lines) <= 2 for lines in people.values())
    assert 0.05 <= len(two) / len(people) <= 0.15
    for first, second in two:
        assert first[36] != second[36]
        assert first[9] == second[9] and first[15] == second[15]


def test_modes_sites_and_pharmacist_sections(activities):
    modes = collections.Counter(fields[17] for fields, _ in activities)
    assert modes["L"] > 3 * modes["S"] > 0
    names = {fields[24] for fields, _ in activities}
    assert any(n.startswith("Cabinet médical ") for n in names)
    assert any(n.startswith(("MSP de ", "MSP d'", "MSP du ", "MSP des ")) for n in names)
    assert any(n.startswith("Pharmacie ") or n == "Grande Pharmacie" for n in names)
    sections = collections.Counter(fields[50] for fields, _ in activities if fields[9] == "21")
    assert sections["A"] >= 25 and sections["D"] > 0 and sections["H"] > 0
    assert all(fields[50] == "" for fields, _ in activities if fields[9] != "21")
    emails = [fields[43] for fields, _ in activities]
    assert any(emails) and not all(emails)
    assert all(e.endswith(".test") for e in emails if e)


def test_latin1_output_decodes_as_cp1252(files, tmp_path):
    path = tmp_path / "latin1.txt"
    assert write_rpps_file(path, COMMUNES, encoding="latin-1") == files.rpps_lines
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Béatrice" in text
    assert text == files.rpps.read_text(encoding="utf-8")


# FINESS ----------------------------------------------------------------------------------


def test_finess_is_deterministic(files, tmp_path):
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    assert write_finess_file(again, COMMUNES) == files.structures
    assert again.read_bytes() == files.finess.read_bytes()
    write_finess_file(other, COMMUNES, seed="another-seed")
    assert other.read_bytes() != files.finess.read_bytes()


def test_finess_layout(files):
    raw = files.finess.read_bytes()
    assert b"\r" not in raw
    metadata, rows = finess_rows(files.finess)
    assert metadata == "finess;etalab;111;2026-05-12"
    kinds = [row[0] for row in rows]
    structures = [row for row in rows if row[0] == "structureet"]
    geolocations = [row for row in rows if row[0] == "geolocalisation"]
    # All establishments first, then their coordinates.
    assert kinds == ["structureet"] * len(structures) + ["geolocalisation"] * len(geolocations)
    assert len(structures) == files.structures == len(geolocations)
    # structureet + nofinesset ... numuai: 32 fields, 31 separators.
    assert all(len(row) == 32 for row in structures)
    assert all(len(row) == 6 for row in geolocations)
    numbers = [row[1] for row in structures]
    assert len(set(numbers)) == len(numbers)
    assert [row[1] for row in geolocations] == numbers
    for row in structures:
        for number in (row[1], row[2]):
            assert len(number) == 9 and number.startswith("38") and number.isdigit()
            assert luhn_check_digit(number[:-1]) == number[-1]
            assert validate_finess(number).warnings == ()
        code = "38" + row[12]
        assert len(row[12]) == 3 and code in BY_CODE
        assert (row[13], row[14]) == ("38", "ISERE")
        postal = BY_CODE[code].postal_code or "38300"
        assert row[15].startswith(postal + " ")
        assert len(row[22]) == 14 and row[22].isdigit()
        for date in row[28:31]:
            assert len(date) == 10 and date[4] == date[7] == "-"


def test_finess_categories(files):
    _, rows = finess_rows(files.finess)
    structures = [row for row in rows if row[0] == "structureet"]
    categories = collections.Counter(row[18] for row in structures)
    hospital = [row for row in structures if row[18] == "355"]
    assert len(hospital) == 1
    assert hospital[0][4] == "CENTRE HOSPITALIER PIERRE OUDOT"
    assert (hospital[0][12], hospital[0][13], hospital[0][19]) == (
        "053", "38", "Centre Hospitalier (C.H.)"
    )  # fmt: skip
    assert hospital[0][15] == "38300 BOURGOIN JALLIEU"
    assert 2 <= categories["500"] <= 4
    assert 3 <= categories["603"] <= 5
    assert 1 <= categories["124"] <= 2
    assert abs(categories["620"] - POPULATION / 3500) <= 1
    assert set(categories) == {"355", "500", "603", "124", "620"}
    labels = {row[18]: row[19] for row in structures}
    assert labels["500"] == "Etablissement d'hébergement pour personnes âgées dépendantes"
    assert labels["603"] == "Maison de santé (L.6223-3)"
    assert labels["124"] == "Centre de Santé"
    assert labels["620"] == "Pharmacie d'Officine"
    # Pharmacies follow the population: the biggest commune has the most.
    per_commune = collections.Counter("38" + row[12] for row in structures if row[18] == "620")
    assert per_commune.most_common(1)[0][0] == "38053"


def test_finess_coordinates_are_lambert93_near_the_commune(files):
    _, rows = finess_rows(files.finess)
    commune_of = {row[1]: "38" + row[12] for row in rows if row[0] == "structureet"}
    back = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    for row in rows:
        if row[0] != "geolocalisation":
            continue
        assert row[4] == "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93"
        longitude, latitude = back.transform(float(row[2]), float(row[3]))
        commune = BY_CODE[commune_of[row[1]]]
        dy = math.radians(latitude - commune.latitude)
        dx = math.radians(longitude - commune.longitude) * math.cos(math.radians(latitude))
        assert 6_371_000 * math.hypot(dx, dy) < 3000, row


def test_rpps_structures_are_those_of_the_finess_file(files, activities):
    _, rows = finess_rows(files.finess)
    finess = {row[1]: row for row in rows if row[0] == "structureet"}
    for fields, _ in activities:
        if fields[21]:
            row = finess[fields[21]]
            assert fields[22] == row[2]
            assert fields[36] == "38" + row[12]
            assert fields[19] == row[22] or fields[19][:9] != row[22][:9]
    pharmacists = [fields for fields, _ in activities if fields[50] in ("A", "D")]
    assert all(finess[fields[21]][18] == "620" for fields in pharmacists)
    hospital_staff = [fields for fields, _ in activities if fields[48] == "SA01"]
    assert hospital_staff and all(fields[36] == "38053" for fields in hospital_staff)


def test_commune_without_coordinates_or_postal_code(tmp_path):
    communes = [
        ("38053", "Bourgoin-Jallieu", 28387, "", "38"),
        ("38193", "L'Isle-d'Abeau", 16800, "38080", "38"),
    ]
    rpps, finess = tmp_path / "rpps.txt", tmp_path / "finess.csv"
    assert write_rpps_file(rpps, communes) > 0
    assert write_finess_file(finess, communes) > 0
    assert "|38300|38053|BOURGOIN-JALLIEU|" in rpps.read_text(encoding="utf-8")
    _, rows = finess_rows(finess)
    assert rows and all(row[0] == "structureet" for row in rows)


def test_no_communes_gives_headers_only(tmp_path):
    rpps, finess = tmp_path / "rpps.txt", tmp_path / "finess.csv"
    assert write_rpps_file(rpps, []) == 0
    assert rpps.read_text(encoding="utf-8") == "|".join(COLUMNS) + "|\n"
    assert write_finess_file(finess, []) == 0
    assert finess.read_text(encoding="utf-8") == "finess;etalab;111;2026-05-12\n"
