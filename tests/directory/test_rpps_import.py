"""Importing the Annuaire Santé extraction: every case of the issue, on a small file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.validators import RPPS_LUHN_WARNING, validate_rpps
from maillage.directory.importing import FileKindError
from maillage.directory.models import DirectoryEntry, Professional
from maillage.directory.rpps import (
    COLUMNS,
    LineError,
    import_rpps,
    luhn_ok,
    name_key,
    parse_fields,
    split_line,
)
from maillage.territory.models import search_key
from tests.directory.builders import rpps_file, rpps_id, rpps_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_directory")]


def _lines():
    return [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", first_name="Béatrice"),
        rpps_line(
            identifier=rpps_id(2),
            last_name="DURAND",
            first_name="Paul",
            profession_code="60",
            specialty_code="",
            specialty="",
            commune="38193",
        ),
        rpps_line(
            identifier=rpps_id(2),
            last_name="DURAND",
            first_name="Paul",
            profession_code="60",
            specialty_code="",
            specialty="",
            commune="38053",
            site_name="Cabinet infirmier du centre",
        ),
    ]


def test_good_file_creates_professionals_with_their_sites(tmp_path):
    report = import_rpps(rpps_file(tmp_path / "rpps.txt", _lines()))
    assert (report.read, report.created, report.rejected) == (3, 2, 0)
    martin = Professional.objects.get(national_id="8" + rpps_id(1))
    assert martin.first_name == "Béatrice" and martin.is_gp
    assert martin.search_name == "martin beatrice"
    durand = Professional.objects.get(national_id="8" + rpps_id(2))
    assert durand.profession == "Infirmier"
    assert sorted(durand.sites.values_list("commune_code", flat=True)) == ["38053", "38193"]
    site = durand.sites.get(commune_code="38193")
    assert site.latitude is not None and site.commune.name == "L'Isle-d'Abeau"


def test_second_run_changes_nothing(tmp_path):
    path = rpps_file(tmp_path / "rpps.txt", _lines())
    import_rpps(path)
    before = list(Professional.objects.values_list("pk", "updated_at", "content_hash"))
    sites_before = sorted(Professional.objects.values_list("sites__pk", flat=True))
    report = import_rpps(path)
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (0, 0, 2, 0)
    assert list(Professional.objects.values_list("pk", "updated_at", "content_hash")) == before
    assert sorted(Professional.objects.values_list("sites__pk", flat=True)) == sites_before


def test_changed_line_updates_and_missing_professional_is_deactivated(tmp_path):
    import_rpps(rpps_file(tmp_path / "v1.txt", _lines()))
    newer = [
        rpps_line(
            identifier=rpps_id(1), last_name="MARTIN", first_name="Béatrice", phone="0474000001"
        )
    ]
    report = import_rpps(rpps_file(tmp_path / "v2.txt", newer))
    assert (report.updated, report.deactivated) == (1, 1)
    durand = Professional.objects.get(national_id="8" + rpps_id(2))
    assert not durand.active and durand.deactivated_at is not None  # kept, not deleted
    assert Professional.objects.get(national_id="8" + rpps_id(1)).sites.get().phone == "0474000001"
    # Back in a later file: active again.
    report = import_rpps(rpps_file(tmp_path / "v3.txt", _lines()))
    durand.refresh_from_db()
    assert durand.active and report.deactivated == 0


def test_latin1_file_is_detected(tmp_path):
    path = rpps_file(tmp_path / "old.txt", _lines(), encoding="latin-1")
    import_rpps(path)
    assert Professional.objects.filter(first_name="Béatrice").exists()


def test_wrong_separator_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "semi.txt"
    path.write_text(";".join(COLUMNS) + "\n" + _lines()[0].replace("|", ";"))
    with pytest.raises(FileKindError, match="séparateur « | » attendu, ce fichier utilise « ; »"):
        import_rpps(path)
    assert not Professional.objects.exists()


def test_file_of_the_wrong_kind_is_refused(tmp_path):
    path = tmp_path / "finess.csv"
    path.write_text("finess;etalab;111;2026-05-12\nstructureet;380000000;...\n")
    with pytest.raises(FileKindError):
        import_rpps(path)
    path.write_text("nom|prenom|\nDupont|Jean|\n")
    with pytest.raises(FileKindError, match="n'est pas une extraction"):
        import_rpps(path)


def test_truncated_file_keeps_good_lines_and_deactivates_nobody(tmp_path):
    import_rpps(rpps_file(tmp_path / "v1.txt", _lines()))
    lines = _lines()[:1] + [_lines()[1][:200]]  # cut in the middle of a line
    report = import_rpps(rpps_file(tmp_path / "cut.txt", lines, trailing_newline=False))
    assert not report.complete
    assert report.rejected == 1
    assert report.errors[0]["line"] == 3 and "tronqué" in report.errors[0]["reason"]
    assert report.deactivated == 0
    assert Professional.objects.filter(active=True).count() == 2


def test_bad_lines_are_reported_with_line_numbers_and_good_lines_still_load(tmp_path):
    lines = [
        rpps_line(identifier="123", last_name="COURT"),  # line 2
        rpps_line(identifier=rpps_id(3), last_name=""),  # line 3
        rpps_line(identifier=rpps_id(4), last_name="BON"),  # line 4
        rpps_line(identifier=rpps_id(4), last_name="BON"),  # line 5 duplicate
        rpps_line(id_type="5", identifier=rpps_id(5), last_name="TYPE"),  # line 6
        rpps_line(identifier=rpps_id(6), last_name="EN|TROP"),  # line 7
    ]
    report = import_rpps(rpps_file(tmp_path / "bad.txt", lines))
    reasons = {e["line"]: e["reason"] for e in report.errors}
    assert set(reasons) == {2, 3, 5, 6, 7, None}
    assert "plus de la moitié des lignes rejetées" in reasons[None]
    assert "identifiant RPPS invalide" in reasons[2]
    assert reasons[3] == "nom d'exercice manquant"
    assert "ligne en double" in reasons[5] and "ligne 4" in reasons[5]
    assert "type d'identifiant inconnu" in reasons[6]
    assert "57 colonnes au lieu de 56" in reasons[7]
    assert report.created == 1 and Professional.objects.get().last_name == "BON"


def test_doubtful_values_are_kept_with_a_warning(tmp_path):
    bad_luhn = rpps_id(7)[:-1] + str((int(rpps_id(7)[-1]) + 1) % 10)
    lines = [
        rpps_line(identifier=bad_luhn, last_name="LUHN"),
        rpps_line(
            identifier=rpps_id(8),
            last_name="INCONNU",
            profession_code="77",
            profession_label="Nouvelle profession",
        ),
        rpps_line(identifier=rpps_id(9), last_name="SANSCOMMUNE", commune=""),
    ]
    report = import_rpps(rpps_file(tmp_path / "doubt.txt", lines))
    assert report.created == 3 and report.rejected == 0
    warnings = {w["line"]: w["reason"] for w in report.warnings}
    assert "Luhn" in warnings[2]
    assert "code profession inconnu 77" in warnings[3]
    assert "code commune manquant" in warnings[4]
    unknown = Professional.objects.get(last_name="INCONNU")
    assert unknown.profession == "Nouvelle profession (code 77 inconnu)"
    assert Professional.objects.get(last_name="LUHN").warnings


def test_cpts_scope_skips_lines_outside_and_deactivates_only_inside(tmp_path, home_cpts):
    outside = rpps_line(identifier=rpps_id(10), last_name="AILLEURS", commune="38185")
    report = import_rpps(rpps_file(tmp_path / "a.txt", [*_lines(), outside]), cpts=home_cpts)
    assert report.skipped == 1 and report.created == 2
    import_rpps(rpps_file(tmp_path / "b.txt", [*_lines(), outside]))  # all of France
    report = import_rpps(rpps_file(tmp_path / "c.txt", _lines()[:1]), cpts=home_cpts)
    assert report.deactivated == 1  # Durand, inside the territory
    assert Professional.objects.get(last_name="AILLEURS").active  # outside: untouched


def test_local_corrections_survive_the_next_import(tmp_path, home_cpts, coordinator):
    path = rpps_file(tmp_path / "rpps.txt", _lines())
    import_rpps(path)
    martin = Professional.objects.get(national_id="8" + rpps_id(1))
    DirectoryEntry.objects.create(
        cpts=home_cpts,
        professional=martin,
        accepts_new_patients=True,
        skills="ETP diabète",
        phone="0600000000",
    )
    changed = [rpps_line(identifier=rpps_id(1), last_name="MARTIN-DUPONT", first_name="Béatrice")]
    import_rpps(rpps_file(tmp_path / "v2.txt", changed))
    entry = DirectoryEntry.objects.get(professional=martin)
    assert entry.accepts_new_patients and entry.skills == "ETP diabète"
    assert entry.phone == "0600000000"
    martin.refresh_from_db()
    assert martin.last_name == "MARTIN-DUPONT"


def test_command_prints_one_json_summary_line(tmp_path):
    out = io.StringIO()
    call_command("import_rpps", str(rpps_file(tmp_path / "r.txt", _lines())), "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert {"read", "created", "updated", "unchanged", "deactivated", "rejected", "errors"} <= set(
        summary
    )
    assert summary["created"] == 2


def test_command_errors_are_clear(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_rpps", str(tmp_path / "absent.txt"))
    with pytest.raises(CommandError, match="CPTS inconnue"):
        call_command(
            "import_rpps", str(rpps_file(tmp_path / "r.txt", _lines())), "--cpts", "nulle-part"
        )
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(CommandError, match="vide"):
        call_command("import_rpps", str(tmp_path / "empty.txt"))


field_text = st.text(alphabet=st.characters(blacklist_characters="|\n\r"), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(field_text, min_size=56, max_size=56))
def test_parser_keeps_or_rejects_any_line_but_never_crashes(values):
    text = "|".join(values) + "|"
    fields = split_line(text, True)
    assert len(fields) == 56
    try:
        person = parse_fields(fields)
    except LineError as exc:
        assert str(exc)
    else:
        assert person.national_id[0] in "80" and person.last_name


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 120))
def test_split_line_rejects_every_wrong_field_count(count):
    text = "|".join(["x"] * count) + "|"
    if count == 56:
        assert len(split_line(text, True)) == 56
    else:
        with pytest.raises(LineError):
            split_line(text, True)


def test_header_only_or_all_rejected_file_deactivates_nobody(tmp_path):
    import_rpps(rpps_file(tmp_path / "v1.txt", _lines()))
    report = import_rpps(rpps_file(tmp_path / "empty.txt", []))
    assert report.deactivated == 0
    assert "aucune ligne valide" in report.errors[-1]["reason"]
    no_trailing_bar = [line[:-1] for line in _lines()]
    report = import_rpps(rpps_file(tmp_path / "bad.txt", no_trailing_bar))
    assert report.rejected == 3 and report.deactivated == 0
    assert Professional.objects.filter(active=True).count() == 2


def test_mass_deactivation_needs_force(tmp_path):
    many = [rpps_line(identifier=rpps_id(100 + n), last_name=f"NOM{n}") for n in range(30)]
    import_rpps(rpps_file(tmp_path / "v1.txt", many))
    report = import_rpps(rpps_file(tmp_path / "v2.txt", many[:5]))
    assert report.deactivated == 0 and "--force" in report.errors[-1]["reason"]
    report = import_rpps(rpps_file(tmp_path / "v2.txt", many[:5]), force=True)
    assert report.deactivated == 25


def test_lines_of_one_professional_far_apart_are_imported_idempotently(tmp_path, monkeypatch):
    from maillage.directory import rpps

    monkeypatch.setattr(rpps, "BATCH_PROFESSIONALS", 1)
    lines = [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38053"),
        rpps_line(identifier=rpps_id(2), last_name="DURAND"),
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38193"),
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38053"),  # duplicate
    ]
    path = rpps_file(tmp_path / "split.txt", lines)
    for _ in range(3):
        import_rpps(path)
        martin = Professional.objects.get(last_name="MARTIN")
        assert sorted(martin.sites.values_list("commune_code", flat=True)) == ["38053", "38193"]


def test_exact_duplicate_is_rejected_but_two_roles_at_one_site_are_kept(tmp_path):
    from maillage.directory.rpps import COLUMNS

    base = rpps_line(identifier=rpps_id(1), last_name="MARTIN")
    fields = base.split("|")
    fields[COLUMNS.index("Code rôle")] = "FON-02"
    other_role = "|".join(fields)
    report = import_rpps(rpps_file(tmp_path / "roles.txt", [base, other_role, base]))
    assert report.rejected == 1 and "identique à la ligne 2" in report.errors[0]["reason"]
    assert Professional.objects.get().sites.count() == 1


def test_scoped_import_keeps_sites_outside_and_people_who_moved_out(tmp_path, home_cpts):
    both = [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38053"),
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38185"),  # Grenoble
        rpps_line(identifier=rpps_id(2), last_name="DURAND", commune="38053"),
    ]
    import_rpps(rpps_file(tmp_path / "national.txt", both))
    changed = [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38053", phone="0474000009"),
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune="38185"),
        rpps_line(identifier=rpps_id(2), last_name="DURAND", commune="38185"),  # moved out
    ]
    report = import_rpps(rpps_file(tmp_path / "newer.txt", changed), cpts=home_cpts)
    martin = Professional.objects.get(last_name="MARTIN")
    assert sorted(martin.sites.values_list("commune_code", flat=True)) == ["38053", "38185"]
    durand = Professional.objects.get(last_name="DURAND")
    assert durand.active and report.deactivated == 0
    assert not durand.sites.filter(commune_code="38053").exists()


def test_too_long_value_is_rejected_not_a_crash(tmp_path):
    lines = [rpps_line(identifier=rpps_id(1), last_name="X" * 300), _lines()[0]]
    report = import_rpps(rpps_file(tmp_path / "long.txt", lines))
    assert report.rejected == 1 and "trop long" in report.errors[0]["reason"]
    assert report.created == 1


def test_reordered_header_is_refused(tmp_path):
    columns = list(COLUMNS)
    columns[7], columns[8] = columns[8], columns[7]
    path = tmp_path / "reordered.txt"
    path.write_text("|".join(columns) + "|\n" + _lines()[0] + "\n")
    with pytest.raises(FileKindError, match="colonne 8"):
        import_rpps(path)


def test_crlf_and_bom_are_read(tmp_path):
    path = tmp_path / "windows.txt"
    text = "\r\n".join(["|".join(COLUMNS) + "|", *_lines()]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert import_rpps(path).created == 2


@given(st.text(max_size=40))
def test_name_key_is_search_key(text):
    assert name_key(text) == search_key(text)


@given(st.from_regex(r"[0-9]{11}", fullmatch=True))
def test_fast_luhn_agrees_with_the_rpps_validator(identifier):
    assert luhn_ok(identifier) == (RPPS_LUHN_WARNING not in validate_rpps(identifier).warnings)


@pytest.mark.parametrize("column", ["last_name", "street"])
def test_a_field_over_the_csv_limit_rejects_its_line_and_the_others_load(tmp_path, column):
    # "street" is a column the import reads into the address: cut to 300 otherwise.
    lines = [rpps_line(identifier=rpps_id(1), last_name="MARTIN"),  # line 2
             rpps_line(identifier=rpps_id(2), **{column: "x" * 131_073}),  # line 3
             rpps_line(identifier=rpps_id(3), last_name="BON")]  # fmt: skip
    report = import_rpps(rpps_file(tmp_path / "long.txt", lines))
    column_name = {"last_name": "Nom d'exercice", "street": "Libellé Voie (coord. structure)"}
    assert report.errors == [{"line": 3, "reason": "un champ dépasse 131\u202f072 caractères "
                                                   f"(« {column_name[column]} »)"}]  # fmt: skip
    assert sorted(Professional.objects.values_list("last_name", flat=True)) == ["BON", "MARTIN"]


def test_a_line_over_a_mebibyte_is_rejected_without_being_read_whole(tmp_path):
    from maillage.directory.importing import MAX_LINE_BYTES

    lines = [rpps_line(identifier=rpps_id(1), last_name="MARTIN"),
             "x" * (3 * MAX_LINE_BYTES),  # line 3
             rpps_line(identifier=rpps_id(3), last_name="BON")]  # fmt: skip
    report = import_rpps(rpps_file(tmp_path / "huge.txt", lines))
    assert [e["line"] for e in report.errors] == [3]
    assert "ligne trop longue (plus de 1 Mio)" in report.errors[0]["reason"]
    assert report.read == 3 and report.created == 2 and report.complete


def test_an_endless_last_line_is_a_truncated_file(tmp_path):
    from maillage.directory.importing import MAX_LINE_BYTES

    import_rpps(rpps_file(tmp_path / "v1.txt", _lines()))
    lines = [_lines()[0], "y" * (MAX_LINE_BYTES + 10)]
    report = import_rpps(rpps_file(tmp_path / "cut.txt", lines, trailing_newline=False))
    assert report.errors[0]["line"] == 3 and not report.complete
    assert report.deactivated == 0
