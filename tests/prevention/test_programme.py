"""The yearly programme: themes from the catalogue or the CPTS's own, objectives, target
population and its size (computed only for all ages and both sexes)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.prevention import programme
from maillage.prevention.models import Programme, ProgrammeTheme, TargetSource, Theme
from maillage.territory.services import territory_communes
from tests.utils import text

pytestmark = pytest.mark.django_db


def _url(cpts, **params):
    url = reverse("prevention:programme", args=[cpts.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_a_computed_target_is_the_communes_municipal_population(home_cpts, coordinator):
    communes = list(territory_communes(home_cpts).order_by("code")[:2])
    assert communes, "the demo CPTS has a territory"
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    row = programme.programme_theme_save(
        programme=year, theme=Theme.objects.get(cpts=None, code="canicule"),
        actor=coordinator, data={"communes": communes, "objectives": "Informer"}, compute=True)
    assert row.target_size == sum(c.population for c in communes) > 0
    assert row.target_source == TargetSource.COMPUTED
    assert "INSEE" in row.target_note
    assert AuditEvent.objects.filter(action="prevention.programme_theme_save").exists()


def test_the_whole_territory_is_computed_when_no_commune_is_chosen(home_cpts, coordinator):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    row = programme.programme_theme_save(
        programme=year, theme=Theme.objects.get(cpts=None, code="chutes"),
        actor=coordinator, data={}, compute=True)
    assert row.target_size == sum(c.population for c in territory_communes(home_cpts))


def test_an_age_band_cannot_be_computed_it_is_entered_with_its_source(home_cpts, coordinator):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    theme = Theme.objects.get(cpts=None, code="depistage-cancer-sein")
    data = {"target_sex": "F", "age_min": 50, "age_max": 74}
    with pytest.raises(ValidationError) as refused:
        programme.programme_theme_save(programme=year, theme=theme, actor=coordinator,
                                       data=data, compute=True)  # fmt: skip
    assert "target_size" in refused.value.message_dict
    with pytest.raises(ValidationError) as no_source:
        programme.programme_theme_save(programme=year, theme=theme, actor=coordinator,
                                       data={**data, "target_size": 4200})  # fmt: skip
    assert "target_note" in no_source.value.message_dict
    row = programme.programme_theme_save(
        programme=year, theme=theme, actor=coordinator,
        data={**data, "target_size": 4200, "target_note": "ORS 2024", "objective_rate": 75})
    assert (row.target_size, row.target_source, row.target_note) == (4200, "entered", "ORS 2024")
    assert ProgrammeTheme.objects.filter(programme=year).count() == 1


def test_an_inverted_age_band_is_refused(home_cpts, coordinator):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    with pytest.raises(ValidationError) as refused:
        programme.programme_theme_save(
            programme=year, theme=Theme.objects.get(cpts=None, code="chutes"),
            actor=coordinator, data={"age_min": 80, "age_max": 65})
    assert "age_max" in refused.value.message_dict
    assert not ProgrammeTheme.objects.filter(programme=year).exists()


def test_an_own_theme_code_clashing_with_the_catalogue_or_the_cpts_is_refused(
    home_cpts, other_cpts, coordinator, outsider
):
    with pytest.raises(ValidationError) as shipped:
        programme.theme_create(cpts=home_cpts, actor=coordinator, label="Diabète", code="diabete")
    assert "code" in shipped.value.message_dict
    own = programme.theme_create(cpts=home_cpts, actor=coordinator, label="Écrans et enfants")
    assert own.code == "ecrans-et-enfants" and own.cpts == home_cpts
    with pytest.raises(ValidationError):
        programme.theme_create(cpts=home_cpts, actor=coordinator, label="Autre",
                               code="ecrans-et-enfants")  # fmt: skip
    # Another CPTS may use the same code for its own theme.
    theirs = programme.theme_create(cpts=other_cpts, actor=outsider, label="Écrans et enfants")
    assert theirs.code == own.code
    assert Theme.objects.for_cpts(home_cpts).filter(code=own.code).count() == 1


def test_every_member_reads_the_programme_and_only_the_coordinator_edits(
    home_cpts, coordinator, nurse, client_for
):
    response = client_for(nurse).get(_url(home_cpts))
    assert response.status_code == 200
    assert "Ajouter un thème" not in response.content.decode()
    refused = client_for(nurse).post(_url(home_cpts, annee=2027), {"theme": "diabete",
                                                                    "size_mode": "entered"})
    assert refused.status_code == 404
    client = client_for(coordinator)
    page = client.get(_url(home_cpts))
    assert "Ajouter un thème" in page.content.decode()
    response = client.post(_url(home_cpts, annee=2027), {
        "theme": "diabete", "objectives": "Dépister 800 personnes", "size_mode": "entered",
        "target_size": "12000", "target_note": "ORS 2024", "age_min": "45",
        "objective_count": "800"})
    assert response.status_code == 302
    row = ProgrammeTheme.objects.get(cpts=home_cpts, programme__year=2027)
    assert (row.theme.code, row.target_size, row.objective_count) == ("diabete", 12000, 800)
    shown = client_for(nurse).get(_url(home_cpts, annee=2027)).content.decode()
    assert "Dépister 800 personnes" in shown and "ORS 2024" in shown


def test_a_page_form_with_bad_input_answers_400_with_the_message(home_cpts, coordinator,
                                                                  client_for):
    client = client_for(coordinator)
    response = client.post(_url(home_cpts, annee=2027), {
        "theme": "diabete", "size_mode": "computed", "age_min": "45"})
    assert response.status_code == 400
    assert "La population par âge ou par sexe n'est pas connue" in text(response)
    assert not ProgrammeTheme.objects.filter(cpts=home_cpts).exists()
    assert not Programme.objects.filter(cpts=home_cpts).exists()


def test_a_programme_theme_is_edited_and_removed(home_cpts, coordinator, client_for):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    row = programme.programme_theme_save(
        programme=year, theme=Theme.objects.get(cpts=None, code="chutes"), actor=coordinator,
        data={})
    client = client_for(coordinator)
    url = reverse("prevention:programme_theme", args=[home_cpts.slug, row.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"size_mode": "computed", "objective_rate": "40"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.target_source == "computed" and row.target_size > 0
    assert client.post(url, {"remove": "1"}).status_code == 302
    assert not ProgrammeTheme.objects.filter(pk=row.pk).exists()


def test_the_theme_page_creates_an_own_theme(home_cpts, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("prevention:theme_new", args=[home_cpts.slug])
    clash = client.post(url, {"label": "Diabète bis", "code": "diabete"})
    assert clash.status_code == 400 and "déjà pris" in text(clash)
    assert client.post(url, {"label": "Santé orale des enfants"}).status_code == 302
    assert Theme.objects.filter(cpts=home_cpts, code="sante-orale-des-enfants").exists()


def test_an_outsider_gets_404_on_a_programme_theme(home_cpts, coordinator, outsider,
                                                    client_for):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    row = programme.programme_theme_save(
        programme=year, theme=Theme.objects.get(cpts=None, code="chutes"), actor=coordinator,
        data={})
    url = reverse("prevention:programme_theme", args=["vals-du-dauphine", row.public_id])
    assert client_for(outsider).get(url).status_code == 404
