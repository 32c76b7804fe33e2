"""French slips: "de la CPTS des…" (not "de CPTS des…"), elision, and 0 or 1 singular."""

import pytest
from django.template import Context, Template

from maillage.core.text import of, plural_s, with_article
from tests.utils import text


@pytest.mark.parametrize(("name", "phrase"), [
    ("CPTS des Pays Berjalliens", "de la CPTS des Pays Berjalliens"),
    ("CPTS Vals du Dauphiné", "de la CPTS Vals du Dauphiné"),
    ("Isère", "d'Isère"), ("Bourgoin-Jallieu", "de Bourgoin-Jallieu"),
    ("Hauts-de-Seine", "de Hauts-de-Seine"),
])  # fmt: skip
def test_de_takes_the_article_and_elides(name, phrase):
    assert of(name) == phrase


def test_a_cpts_named_with_its_noun_gets_la():
    assert with_article("CPTS des Pays Berjalliens") == "la CPTS des Pays Berjalliens"
    assert with_article("CPTSud") == "CPTSud"


@pytest.mark.parametrize(("count", "mark"), [(0, ""), (1, ""), (1.5, ""), (2, "s"),
                                             (22000, "s")])  # fmt: skip
def test_zero_and_one_are_singular(count, mark):
    assert plural_s(count) == mark


def test_the_template_filters():
    rendered = Template("{% load french %}{{ n }} habitant{{ n|plural_fr }}, "
                        "{{ name|de }}").render(Context({"n": 0, "name": "CPTS des Pays"}))
    assert rendered == "0 habitant, de la CPTS des Pays"


@pytest.mark.django_db
def test_the_public_thanks_page_says_de_la_cpts(client):
    from django.urls import reverse

    from tests.gp_access.test_workflow import public_data

    response = client.post(reverse("gp_access:public", args=["pays-berjalliens"]), public_data())
    body = text(response)
    assert response.status_code == 200
    assert "coordination de la CPTS des Pays Berjalliens" in body
    assert "de CPTS" not in body
