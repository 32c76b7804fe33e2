"""Importing the FINESS etalab extraction, coordinates converted to WGS84."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.directory.finess import import_finess, insee_code, projection_for, to_wgs84
from maillage.directory.importing import FileKindError
from maillage.directory.models import Structure
from maillage.directory.rpps import COLUMNS
from tests.directory.builders import finess_file, finess_geo, finess_structure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_directory")]

# Lambert-93 of a point in Bourgoin-Jallieu (about 45.586 N, 5.274 E).
BOURGOIN_X, BOURGOIN_Y = 877_000, 6_501_000


def _file(tmp_path, name="f.csv", **kwargs):
    return finess_file(
        tmp_path / name,
        [
            finess_structure("380000018", "PHARMACIE DU CENTRE"),
            finess_structure(
                "380000026",
                "CH PIERRE OUDOT",
                category="355",
                category_label="Centre Hospitalier (C.H.)",
            ),
            finess_structure(
                "380000034",
                "EHPAD LES TILLEULS",
                commune="193",
                category="500",
                category_label="EHPAD",
            ),
        ],
        [
            finess_geo("380000018", BOURGOIN_X, BOURGOIN_Y),
            finess_geo("380000026", BOURGOIN_X + 500, BOURGOIN_Y + 500),
        ],
        **kwargs,
    )


def test_structures_are_created_with_wgs84_coordinates(tmp_path):
    report = import_finess(_file(tmp_path))
    assert (report.created, report.rejected) == (3, 0)
    pharmacy = Structure.objects.get(finess="380000018")
    assert pharmacy.commune_code == "38053" and pharmacy.commune.name == "Bourgoin-Jallieu"
    assert 45.55 < pharmacy.latitude < 45.62 and 5.22 < pharmacy.longitude < 5.32
    hospital = Structure.objects.get(finess="380000026")
    assert hospital.category_code == "355"
    # No geolocalisation line: the commune's centroid.
    ehpad = Structure.objects.get(finess="380000034")
    assert (ehpad.latitude, ehpad.longitude) == (ehpad.commune.latitude, ehpad.commune.longitude)


def test_second_run_changes_nothing_and_missing_ones_are_deactivated(tmp_path):
    path = _file(tmp_path)
    import_finess(path)
    report = import_finess(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    smaller = finess_file(
        tmp_path / "g.csv",
        [finess_structure("380000018", "PHARMACIE DU CENTRE")],
        [finess_geo("380000018", BOURGOIN_X, BOURGOIN_Y)],
    )
    report = import_finess(smaller)
    assert report.deactivated == 2
    assert Structure.objects.filter(active=False).count() == 2


def test_overseas_utm_coordinates_are_converted(tmp_path):
    # Basse-Terre, Guadeloupe: UTM 20N.
    lat, lon = to_wgs84(642_000, 1_768_000, projection_for("1,ATLASANTE,UTM_N20", "9A"))
    assert 15.9 < lat < 16.1 and -61.8 < lon < -61.6
    assert insee_code("9A", "105") == "97105"
    assert insee_code("2A", "004") == "2A004"
    assert projection_for("", "9D") == 32740  # Réunion, by département


def test_wrong_kind_and_wrong_separator_are_refused(tmp_path):
    path = tmp_path / "rpps.txt"
    path.write_text("|".join(COLUMNS) + "|\n")
    with pytest.raises(FileKindError, match="« | »"):
        import_finess(path)
    path.write_text("nom,prenom\n")
    with pytest.raises(FileKindError, match="n'est pas une extraction FINESS"):
        import_finess(path)


def test_bad_lines_are_reported_and_good_ones_load(tmp_path):
    path = finess_file(
        tmp_path / "bad.csv",
        [
            finess_structure("380000018", "PHARMACIE DU CENTRE"),  # line 2
            finess_structure("38000", "TROP COURT"),  # line 3
            finess_structure("380000018", "DOUBLON"),  # line 4
            finess_structure("380000042", ""),  # line 5
            "structureet;380000059;incomplète",  # line 6
            "autrechose;1;2",  # line 7
        ],
        ["geolocalisation;380000018;abc;def;LAMBERT_93;2026-05-12"],  # line 8
    )
    report = import_finess(path)
    reasons = {e["line"]: e["reason"] for e in report.errors}
    assert "numéro FINESS invalide" in reasons[3]
    assert "en double" in reasons[4] and "ligne 2" in reasons[4]
    assert reasons[5] == "raison sociale manquante"
    assert "ligne incomplète" in reasons[6]
    assert "type de ligne inconnu" in reasons[7]
    assert "coordonnées illisibles" in reasons[8]
    assert report.created == 1


def test_truncated_file_deactivates_nothing(tmp_path):
    import_finess(_file(tmp_path))
    path = finess_file(
        tmp_path / "cut.csv",
        [finess_structure("380000018", "PHARMACIE")[:60]],
        trailing_newline=False,
    )
    report = import_finess(path)
    assert not report.complete and report.deactivated == 0


def test_latin1_names_are_read(tmp_path):
    path = finess_file(
        tmp_path / "l1.csv",
        [finess_structure("380000018", "PHARMACIE DE L'ÉGLISE")],
        encoding="latin-1",
    )
    import_finess(path)
    assert Structure.objects.get().name == "PHARMACIE DE L'ÉGLISE"


def test_cpts_scope(tmp_path, home_cpts):
    path = finess_file(
        tmp_path / "s.csv",
        [
            finess_structure("380000018", "DEDANS"),
            finess_structure("380000026", "DEHORS", commune="185"),
        ],
    )
    report = import_finess(path, cpts=home_cpts)
    assert report.created == 1 and report.skipped == 1


@given(
    st.sampled_from(["01", "38", "2A", "2B", "75", "9A", "9B", "9C", "9D", "9F"]),
    st.integers(1, 999),
)
def test_insee_code_from_finess_is_always_five_characters(dep, commune):
    code = insee_code(dep, f"{commune:03d}")
    assert len(code) == 5
    assert code.endswith(f"{commune:03d}"[-3:])


def test_finess_file_without_structures_deactivates_nothing(tmp_path):
    import_finess(_file(tmp_path))
    path = tmp_path / "ej.csv"
    path.write_text("finess;etalab;111;2026-05-12\nstructureej;380000000;CH\n")
    report = import_finess(path)
    assert report.deactivated == 0
    assert Structure.objects.filter(active=True).count() == 3


def test_overseas_structure_through_the_whole_import(tmp_path):
    from maillage.territory.geography import load_geography

    load_geography(departements=["971"])
    path = finess_file(
        tmp_path / "gp.csv",
        [finess_structure("9A0000017", "PHARMACIE DE BASSE-TERRE", dep="9A", commune="105")],
        [finess_geo("9A0000017", 642_000, 1_768_000, "1,ATLASANTE,100,IGN,BD,V2,UTM_N20")],
    )
    import_finess(path)
    pharmacy = Structure.objects.get(finess="9A0000017")
    assert pharmacy.commune_code == "97105"
    assert 15.9 < pharmacy.latitude < 16.1 and -61.8 < pharmacy.longitude < -61.6


def test_four_digit_commune_is_rejected(tmp_path):
    path = finess_file(tmp_path / "c.csv", [finess_structure("380000018", "P", commune="1234")])
    report = import_finess(path)
    assert report.rejected == 1 and "code commune" in report.errors[0]["reason"]


def test_a_field_over_the_csv_limit_rejects_its_line_and_the_others_load(tmp_path):
    from maillage.directory.importing import MAX_LINE_BYTES

    path = finess_file(
        tmp_path / "long.csv",
        [
            finess_structure("380000018", "PHARMACIE DU CENTRE"),  # line 2
            finess_structure("380000026", "CH", libmft="x" * 131_073),  # line 3, unused column
            "structureet;" + "z" * (MAX_LINE_BYTES + 1),  # line 4
            finess_structure("380000034", "EHPAD LES TILLEULS"),  # line 5
        ],
    )
    report = import_finess(path)
    reasons = {e["line"]: e["reason"] for e in report.errors}
    assert reasons[3] == "un champ dépasse 131\u202f072 caractères (« libmft »)"
    assert reasons[4].startswith("ligne trop longue (plus de 1 Mio)")
    assert set(reasons) == {3, 4}
    assert sorted(Structure.objects.values_list("finess", flat=True)) == ["380000018",
                                                                          "380000034"]
