"""Sites: the form (commune typed by name, both coordinates or none, capacity bounds), the
map with its markers (the site's point, or its commune's centre) and the list beside it,
confirmation, archiving, permissions and tenant isolation."""

import json
import re

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.crisis import resources
from maillage.crisis.models import Site, Stock
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
SLUG = "pays-berjalliens"


@pytest.fixture(autouse=True)
def _no_resources(db):
    Stock.objects.all().delete()
    Site.objects.all().delete()


def _url(name, *args):
    return reverse(f"crisis:{name}", args=[SLUG, *args])


VALID = {"name": "Gymnase Pierre de Coubertin", "kind": "gymnase",
         "address": "12 rue du Stade", "commune": "Bourgoin-Jallieu", "latitude": "",
         "longitude": "", "capacity": "200", "contact": "Gardien 06 00 00 00 00",
         "notes": ""}  # fmt: skip


def _markers(body):
    found = re.search(r'<script type="application/json" id="site-markers">(.*?)</script>', body,
                      re.S)  # fmt: skip
    return json.loads(found.group(1))


def test_the_coordinator_adds_a_site_placed_at_its_commune_centre(client_for, coordinator,
                                                                  home_cpts):  # fmt: skip
    client = client_for(coordinator)
    response = client.post(_url("site_new"), VALID)
    assert response.status_code == 302
    site = Site.objects.get(cpts=home_cpts)
    assert site.commune.code == "38053" and site.capacity == 200
    assert AuditEvent.objects.filter(action="crisis.site_create", object_id=site.public_id).exists()
    body = text(client.get(_url("sites")))
    [marker] = _markers(body)
    assert (marker["lat"], marker["lon"]) == (site.commune.latitude, site.commune.longitude)
    assert marker["url"] == str(site.public_id) and "Gymnase" in marker["label"]
    # The list beside the map names it too, for screen readers.
    assert f'id="lieu-{site.public_id}/"' in body and "200 personnes" in body
    assert 'data-map="markers"' in body


def test_a_site_with_coordinates_is_placed_there(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    client.post(_url("site_new"), {**VALID, "latitude": "45.59", "longitude": "5.27"})
    [marker] = _markers(text(client.get(_url("sites"))))
    assert (marker["lat"], marker["lon"]) == (45.59, 5.27)


@pytest.mark.parametrize("changes, message", [
    ({"latitude": "45.5"}, "la latitude et la longitude, ou aucune"),
    ({"latitude": "95", "longitude": "5"}, "Latitude entre -90 et 90"),
    ({"latitude": "nord", "longitude": "5"}, "Latitude invalide"),
    ({"capacity": "-5"}, "Un nombre négatif"),
    ({"capacity": "99999999999"}, "Nombre trop grand"),
    ({"commune": ""}, "Indiquez la commune"),
    ({"commune": "Atlantide"}, "commune"),
    ({"name": "<script>x</script>" * 30}, "200 caractères"),
])  # fmt: skip
def test_bad_input_is_refused_next_to_its_field(client_for, coordinator, home_cpts, changes,
                                                message):  # fmt: skip
    response = client_for(coordinator).post(_url("site_new"), {**VALID, **changes})
    assert response.status_code == 400
    assert message in text(response)
    assert "<script>x" not in response.content.decode()
    assert not Site.objects.filter(cpts=home_cpts).exists()


def test_confirming_a_site_keeps_its_figures(client_for, coordinator, home_cpts):
    site = resources.site_save(cpts=home_cpts, actor=coordinator,
                               data={"name": "Salle des fêtes", "capacity": 80,
                                     "commune": Commune.objects.get(code="38053")})  # fmt: skip
    Site.objects.filter(pk=site.pk).update(confirmed_at="2020-01-01T10:00Z")
    client = client_for(coordinator)
    assert "À vérifier" in text(client.get(_url("sites")))
    client.post(_url("site_confirm", site.public_id))
    site.refresh_from_db()
    assert site.capacity == 80 and site.confirmed_at.year > 2020
    assert "À vérifier" not in text(client.get(_url("sites")))


def test_editing_and_archiving_a_site(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    client.post(_url("site_new"), VALID)
    site = Site.objects.get(cpts=home_cpts)
    assert "Gymnase Pierre de Coubertin" in text(client.get(_url("site", site.public_id)))
    client.post(_url("site", site.public_id), {**VALID, "capacity": "150"})
    site.refresh_from_db()
    assert site.capacity == 150
    client.post(_url("site_archive", site.public_id))
    assert _markers(text(client.get(_url("sites")))) == []


def test_permissions_and_tenant_isolation(client_for, coordinator, board_member, nurse,
                                          outsider, home_cpts, other_cpts):  # fmt: skip
    bourgoin = Commune.objects.get(code="38053")
    ours = Site.objects.create(cpts=home_cpts, name="Notre gymnase", commune=bourgoin)
    theirs = Site.objects.create(cpts=other_cpts, name="Leur gymnase", commune=bourgoin)
    client = client_for(coordinator)
    assert "Leur gymnase" not in text(client.get(_url("sites")))
    for name in ("site", "site_confirm", "site_archive"):
        assert client.post(_url(name, theirs.public_id), VALID).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None and theirs.name == "Leur gymnase"
    board = client_for(board_member)
    body = text(board.get(_url("sites")))
    assert "Notre gymnase" in body and _url("site", ours.public_id) not in body
    assert board.get(_url("site_new")).status_code == 404
    assert client_for(nurse).get(_url("sites")).status_code == 404
    assert client_for(outsider).get(_url("sites")).status_code == 404
