"""GET /api/v1/communes: public (no token), rate-limited per address, the documented shape,
names found as people type them; bad input is a clean 422 or an empty list."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from maillage.territory.api import COMMUNE_SEARCH_RATE

pytestmark = pytest.mark.django_db
URL = "/api/v1/communes"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_window(monkeypatch):
    """The limit's requests all fall in one rate-limit window however slow the machine:
    a minute window's edge can otherwise pass in the middle and reset the count."""
    from django_ratelimit import core

    start = int(time.time())
    monkeypatch.setattr(core, "_get_window", lambda value, period: start + period)


def test_anyone_searches_without_a_token(client):
    response = client.get(URL, {"q": "bourg"})
    assert response.status_code == 200
    found = response.json()
    assert found[0] == {"code": "38053", "name": "Bourgoin-Jallieu", "postal_codes": ["38300"],
                        "departement": "38"}  # fmt: skip
    assert all(set(item) == {"code", "name", "postal_codes", "departement"} for item in found)


def test_names_match_without_case_accents_or_saint(client):
    for typed in ("st egreve", "SAINT-ÉGRÈVE", "saint egr"):
        assert client.get(URL, {"q": typed}).json()[0]["code"] == "38382", typed


def test_codes_and_postal_codes_match_by_their_beginning(client):
    assert [c["code"] for c in client.get(URL, {"q": "38053"}).json()] == ["38053"]
    by_postal = client.get(URL, {"q": "38000"}).json()
    assert by_postal[0]["name"] == "Grenoble" and "38000" in by_postal[0]["postal_codes"]


def test_ranked_exact_then_prefix_then_population_and_at_most_twenty(client):
    found = client.get(URL, {"q": "four"}).json()
    assert found[0]["name"] == "Four"
    assert len(client.get(URL, {"q": "saint"}).json()) == 20


def test_empty_short_or_markup_query_is_an_empty_list(client):
    for q in ("", " ", "a", "<script>", "%%", "\\"):
        response = client.get(URL, {"q": q})
        assert response.status_code == 200 and response.json() == [], q
    assert client.get(URL).json() == []


def test_too_long_query_is_a_422_naming_the_field(client):
    response = client.get(URL, {"q": "x" * 5000})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "q"
    assert "x" * 50 not in response.content.decode()


def test_nul_is_refused_cleanly(client):
    response = client.get(URL, {"q": "bo\x00urg"})
    assert 400 <= response.status_code < 500


def test_the_search_is_rate_limited_per_address(client, one_window):
    limit = int(COMMUNE_SEARCH_RATE.split("/")[0])
    statuses = [client.get(URL, {"q": "bo"}, REMOTE_ADDR="10.1.1.1").status_code
                for _ in range(limit + 1)]  # fmt: skip
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    assert "Trop de recherches" in client.get(URL, {"q": "bo"},
                                              REMOTE_ADDR="10.1.1.1").json()["detail"]
    # Another address is not affected.
    assert client.get(URL, {"q": "bo"}, REMOTE_ADDR="10.1.1.2").status_code == 200


def test_the_suggestions_list_is_public_and_rate_limited_too(client, one_window):
    url = reverse("territory:commune_suggestions")
    response = client.get(url, {"field": "commune", "commune": "st egreve"})
    assert response.status_code == 200
    assert 'role="option"' in response.content.decode()
    assert 'data-value="Saint-Égrève (38)"' in response.content.decode()
    limit = int(COMMUNE_SEARCH_RATE.split("/")[0])
    for _ in range(limit):
        client.get(url, {"q": "bo"}, REMOTE_ADDR="10.2.2.2")
    assert client.get(url, {"q": "bo"}, REMOTE_ADDR="10.2.2.2").status_code == 429


def test_the_operation_is_in_the_schema_without_authentication(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/communes"]["get"]
    assert operation.get("security") in (None, [])
    assert {"200", "400", "422", "429"} <= set(operation["responses"])
