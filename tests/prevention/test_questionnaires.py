"""Questionnaires a coordinator defines as data: the editor's line format, the validator
(any JSON is accepted or refused with French messages, never anything else), their
scoring, and the editor page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maillage.prevention import questionnaires, scoring
from maillage.prevention.models import Questionnaire
from tests.conftest import HOME
from tests.utils import text

# What a coordinator types: letters (accents too), digits, spaces, punctuation other than
# the format's own separators.
labels = st.text(alphabet="abcdeéèàçôùxyzABCÉ0129 ?'-,.()/", min_size=1, max_size=30).map(
    str.strip).filter(lambda s: s and any(c.isalnum() for c in s))


@st.composite
def definitions(draw):
    items, codes = [], set()
    for _ in range(draw(st.integers(1, 5))):
        label = draw(labels)
        option_codes, options = set(), []
        for _ in range(draw(st.integers(2, 4))):
            option = draw(labels)
            options.append({"code": questionnaires._code(option, option_codes),
                            "label": option, "points": draw(st.integers(0, 10))})
        items.append({"code": questionnaires._code(label, codes), "label": label,
                      "options": options})
    return items


@given(definitions())
def test_the_editor_lines_give_the_same_items_back(items):
    assert questionnaires.parse_items(questionnaires.items_text(items)) == items


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["items", "bands", "code", "label", "options",
                                       "points", "from", "risk", "next_step"]), children,
                      max_size=5),
    max_leaves=20)


@given(json_values)
def test_any_json_is_accepted_or_refused_with_french_messages(value):
    try:
        questionnaires.validate(value)
    except ValidationError as exc:
        assert exc.message_dict
        assert all(isinstance(m, str) and m for ms in exc.message_dict.values() for m in ms)


@given(st.text(max_size=300))
def test_any_typed_text_is_parsed_or_refused_naming_the_items(value):
    try:
        items = questionnaires.parse_items(value)
    except ValidationError as exc:
        assert set(exc.message_dict) == {"items"}
    else:
        assert all(len(item["options"]) >= 2 for item in items)


SLEEP = "Dormez-vous moins de 6 h ? | Oui = 3 | Non = 0\nÉcrans après 22 h ? | Oui = 2 | Non = 0"
BANDS = [{"from": 0, "label": "Risque faible", "next_step": "none"},
         {"from": 3, "label": "Risque élevé", "next_step": "refer"}]


def test_a_built_definition_scores_the_answers():
    definition = questionnaires.build(items_text_value=SLEEP, bands=BANDS)
    first, second = (item["code"] for item in definition["items"])
    low = questionnaires.score(definition, {first: "non", second: "oui"})
    assert (low.score, low.risk_label, low.next_step) == (2, "Risque faible", "none")
    high = questionnaires.score(definition, {first: "oui", second: "oui"})
    assert (high.score, high.next_step, high.positive) == (5, "refer", True)
    with pytest.raises(ValidationError) as caught:
        questionnaires.score(definition, {first: "oui"})
    assert caught.value.message_dict[second] == ["Réponse obligatoire : Écrans après 22 h ?"]


@pytest.mark.parametrize(("items", "bands", "field", "words"), [
    ("", BANDS, "items", "au moins une question"),
    ("Fumez-vous ? | Oui = 2", BANDS, "items", "Ligne 1 : donnez au moins deux réponses"),
    ("Fumez-vous ? | Oui = deux | Non = 0", BANDS, "items", "nombre entier"),
    ("Fumez-vous ? | Oui | Non = 0", BANDS, "items", "« Réponse = points »"),
    ("Fumez-vous ? | Oui = 200 | Non = 0", BANDS, "items", "de 0 à 100"),
    (SLEEP, [{"from": 2, "label": "Faible", "next_step": "none"}], "bands", "commence à 0"),
    (SLEEP, [BANDS[0], {"from": 40, "label": "Élevé", "next_step": "refer"}], "bands",
     "ne peut pas être atteint"),
    (SLEEP, [BANDS[0], {"from": 3, "label": "Élevé", "next_step": ""}], "bands",
     "suite à donner"),
    (SLEEP, [BANDS[1], BANDS[0]], "bands", "commence à 0"),
])
def test_mistakes_in_a_definition_are_explained(items, bands, field, words):
    with pytest.raises(ValidationError) as caught:
        questionnaires.build(items_text_value=items, bands=bands)
    assert words in " ".join(caught.value.message_dict[field])


@pytest.mark.django_db
def test_the_coordinator_defines_a_questionnaire_on_the_page_and_it_can_be_chosen(
        coordinator, client_for, home_cpts):  # fmt: skip
    client = client_for(coordinator)
    url = reverse("prevention:questionnaires", args=[HOME])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "label": "Sommeil des lycéens", "items": SLEEP,
        "band_0_from": "0", "band_0_label": "Risque faible", "band_0_next_step": "advice",
        "band_1_from": "3", "band_1_label": "Risque élevé", "band_1_next_step": "refer"})
    row = Questionnaire.objects.get(cpts=home_cpts)
    assert response.status_code == 302
    assert ("sommeil-des-lyceens", "Sommeil des lycéens") in scoring.choices(home_cpts)
    page = text(client.get(response["Location"]))
    assert "Dormez-vous moins de 6 h ?" in page and "Oui = 3" in page
    assert row.definition["bands"][1]["next_step"] == "refer"


@pytest.mark.django_db
def test_a_wrong_definition_on_the_page_is_a_400_and_saves_nothing(coordinator, client_for):
    response = client_for(coordinator).post(
        reverse("prevention:questionnaires", args=[HOME]),
        {"label": "Sommeil", "items": "Dormez-vous bien ? | Oui = 0", "band_0_from": "0",
         "band_0_label": "Faible", "band_0_next_step": "none"})
    assert response.status_code == 400
    assert "Ligne 1 : donnez au moins deux réponses" in text(response)
    assert not Questionnaire.objects.exists()


@pytest.mark.django_db
def test_only_the_coordination_edits_questionnaires(pharmacist, outsider, client_for):
    url = reverse("prevention:questionnaires", args=[HOME])
    assert client_for(pharmacist).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
