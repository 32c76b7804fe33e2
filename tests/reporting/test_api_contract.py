"""GET and PUT /api/v1/aci/contract: the round trip, 422 naming the field, the funder
reads (audited) but may not write, an outsider sees nothing."""

import pytest

from maillage.core.models import AuditEvent, Membership, Role, User
from maillage.core.services import api_token_create
from maillage.reporting import contract as services
from maillage.reporting.models import Contract

pytestmark = pytest.mark.django_db
URL = "/api/v1/aci/contract"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def _body():
    return {"signed_on": "2022-06-30", "size_class": 3, "operating_grant": 75000,
            "missions": [
                {"code": "acces", "started_on": "2022-09-01",
                 "years": [{"year": 1, "fixed": 90000, "variable": "35000.00"},
                           {"year": 2, "fixed": "90000", "variable": 35000}]},
                {"code": "parcours", "started_on": None,
                 "years": [{"year": 1, "fixed": 45000, "variable": 45000}]},
                {"code": "prevention", "years": []},
                {"code": "crise", "started_on": "2022-10-03",
                 "years": [{"year": 1, "fixed": 22500, "variable": 67500}]},
                {"code": "qualite", "years": [{"year": 1, "fixed": 15000.5, "variable": 0}]},
            ]}  # fmt: skip


def _put(client, user, body, **extra):
    return client.put(URL, body, content_type="application/json", **_auth(user), **extra)


@pytest.fixture
def funder(home_cpts):
    user = User.objects.create_user(email="financeur@cpam-isere.example", password="x" * 20)
    Membership.objects.create(user=user, cpts=home_cpts, role=Role.FUNDER, title="CPAM de l'Isère")
    return user


def test_put_creates_the_contract_and_get_reads_it_back(client, home_cpts, coordinator):
    response = _put(client, coordinator, _body())
    assert response.status_code == 200, response.content
    got = client.get(URL, **_auth(coordinator)).json()
    assert got["signed_on"] == "2022-06-30" and got["size_class"] == 3
    assert got["operating_grant"] == "75000.00"
    missions = {m["code"]: m for m in got["missions"]}
    assert set(missions) == {"acces", "parcours", "prevention", "crise", "qualite"}
    assert missions["acces"]["started_on"] == "2022-09-01"
    assert missions["acces"]["years"] == [{"year": 1, "fixed": "90000.00", "variable": "35000.00"},
                                          {"year": 2, "fixed": "90000.00",
                                           "variable": "35000.00"}]  # fmt: skip
    assert missions["qualite"]["years"][0]["fixed"] == "15000.50"
    assert AuditEvent.objects.filter(action="reporting.contract_save", actor=coordinator).exists()


def test_put_replaces_amounts_and_keeps_the_indicators(client, home_cpts, coordinator):
    contract = services.apply_template(cpts=home_cpts, template="exemple-annee-5",
                                       signed_on="2022-06-30", actor=coordinator)  # fmt: skip
    indicators = contract.missions.get(code="acces").indicators.count()
    assert _put(client, coordinator, _body()).status_code == 200
    contract.refresh_from_db()
    acces = contract.missions.get(code="acces")
    assert acces.indicators.count() == indicators
    assert acces.years.count() == 2
    # Left out of the body: the optional mission is no longer part of the contract.
    assert not contract.missions.get(code="accompagnement").included
    assert (
        home_cpts.__class__.objects.get(pk=home_cpts.pk).aci_signed_on.isoformat() == "2022-06-30"
    )


@pytest.mark.parametrize("change, field", [
    (lambda b: b["missions"][0]["years"][0].update(fixed=-1), "missions[0].years[0].fixed"),
    (lambda b: b["missions"][1].update(code="inconnue"), "missions[1].code"),
    (lambda b: b["missions"][0]["years"][1].update(year=7), "missions[0].years[1].year"),
    (lambda b: b.update(size_class=0), "size_class"),
    (lambda b: b.update(signed_on="2022-02-30"), "signed_on"),
    (lambda b: b.update(operating_grant="beaucoup"), "operating_grant"),
    (lambda b: b["missions"].pop(3), "missions"),
    (lambda b: b["missions"][0]["years"][0].update(fixed=10 ** 30), "missions[0].years[0].fixed"),
])  # fmt: skip
def test_bad_input_is_422_naming_the_field(client, home_cpts, coordinator, change, field):
    body = _body()
    change(body)
    response = _put(client, coordinator, body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Contract.objects.filter(cpts=home_cpts).exists()


def test_a_body_that_is_not_an_object_is_422(client, coordinator):
    response = client.put(URL, [1, 2], content_type="application/json", **_auth(coordinator))
    assert response.status_code == 422


def test_get_without_a_contract_is_404(client, coordinator):
    assert client.get(URL, **_auth(coordinator)).status_code == 404


def test_the_funder_reads_and_the_read_is_audited(client, home_cpts, coordinator, funder):
    _put(client, coordinator, _body())
    response = client.get(URL, **_auth(funder))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="reporting.funder_read", actor=funder,
                                     detail__where="reporting.api_contract").exists()  # fmt: skip


def test_the_funder_may_not_write(client, home_cpts, funder):
    assert _put(client, funder, _body()).status_code == 404
    assert not Contract.objects.filter(cpts=home_cpts).exists()


def test_an_outsider_sees_nothing_of_another_cptss_contract(client, home_cpts, coordinator,
                                                             outsider):  # fmt: skip
    _put(client, coordinator, _body())
    assert client.get(URL, **_auth(outsider)).status_code == 404  # their own CPTS has none
    assert client.get(f"{URL}?cpts={home_cpts.slug}", **_auth(outsider)).status_code == 404
    assert _put(client, outsider, _body(), QUERY_STRING=f"cpts={home_cpts.slug}").status_code == 404


def test_a_gp_may_not_read_the_contract(client, coordinator, gp):
    _put(client, coordinator, _body())
    assert client.get(URL, **_auth(gp)).status_code == 404
