"""Benchmark 2: the territory page of a CPTS of 22 communes, and the territory API.

What is measured, in this process, with Django's test client on a temporary SQLite
database holding the Isère geography and the demo (the same data as the test suite):

- the server time of `GET /c/pays-berjalliens/` for the logged-in coordinator (both
  factors done): every middleware (session, authentication, OTP, tenant access),
  the queries and the template, i.e. what the server spends before the first byte.
  The test client skips the network and keeps the database connection open between
  requests, so this is the application's own time, not a browser's;
- the weight of that HTML, GeoJSON of the map included (the boundaries are embedded
  in the page, so they are its main weight); the static files it references
  (Leaflet, htmx, CSS, map script) are listed apart: they are cached by the browser
  and served by WhiteNoise, not rendered per request;
- `GET /api/v1/territory` with a bearer token, as a script or a regional tool calls it.

The baseline is the least a territory page could do: one raw SQL query fetching the
same communes (code, name, population, geometry) through `connection.cursor()` and
the same GeoJSON string built by hand. The ratio page / raw says what the framework,
the access checks and the rest of the page cost on top of the data itself; the
embedded GeoJSON is checked to be identical to the baseline's string.
"""

import gzip
import io
import json
import re
import time
from html.parser import HTMLParser

import common
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maillage.core.models import User
from maillage.core.services import api_token_create
from maillage.demo.builder import build_demo

CPTS_SLUG = "pays-berjalliens"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
PAGE_URL = f"/c/{CPTS_SLUG}/"
API_URL = "/api/v1/territory"
EXPECTED_COMMUNES = 22
WARMUPS = 5
REPEATS = 50
TIME_TARGET_MS = 100.0
WEIGHT_TARGET_KB = 300.0

RAW_QUERY = """
SELECT c.code, c.name, c.population, c.geometry
FROM territory_commune c
JOIN territory_territorycommune t ON t.commune_id = c.id
JOIN core_cpts p ON p.id = t.cpts_id
WHERE p.slug = %s
ORDER BY c.name
"""
GEOJSON_SCRIPT = re.compile(
    r'<script type="application/json" id="territory-geojson">(.*?)</script>', re.S
)


class StaticRefs(HTMLParser):
    """Collects the /static/ URLs a page references (scripts, stylesheets, images)."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix, self.paths = prefix, []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and value.startswith(self.prefix):
                self.paths.append(value[len(self.prefix) :].split("?")[0])


def setup_data() -> None:
    """Schema, Isère (38) communes and the demo CPTS, as the test suite has them."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_geography", departements="38", no_progress=True, stdout=io.StringIO())
    build_demo()


verified_client = common.verified_client


def timed(call, repeats: int = REPEATS, warmups: int = WARMUPS) -> list[float]:
    """Milliseconds per call, after warm-ups (template loading, caches, first queries)."""
    for _ in range(warmups):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


summary = common.summary


def raw_geojson(slug: str) -> str:
    """The baseline: one SQL query and the GeoJSON text, nothing else."""
    with connection.cursor() as cursor:
        cursor.execute(RAW_QUERY, [slug])
        rows = cursor.fetchall()
    features = []
    for code, name, population, geometry in rows:
        properties = json.dumps({"code": code, "name": name, "population": population})
        features.append(
            f'{{"type":"Feature","properties":{properties},"geometry":{geometry or "null"}}}'
        )
    text = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return text.replace("<", "\\u003c")


def static_assets(html: str) -> list[dict]:
    refs = StaticRefs(settings.STATIC_URL)
    refs.feed(html)
    assets = []
    for path in dict.fromkeys(refs.paths):
        found = finders.find(path)
        if found:
            with open(found, "rb") as fh:
                data = fh.read()
            assets.append(
                {"path": path, "kb": len(data) / 1024, "gzip_kb": len(gzip.compress(data)) / 1024}
            )
    return assets


def run() -> dict:
    setup_data()
    user = User.objects.get(email=COORDINATOR)
    browser = verified_client(user)

    def get_page():
        response = browser.get(PAGE_URL)
        assert response.status_code == 200, response.status_code
        return response

    html = get_page().content.decode()
    embedded = GEOJSON_SCRIPT.search(html)
    assert embedded, "the page no longer embeds the territory GeoJSON"
    geojson = embedded.group(1)
    communes = len(json.loads(geojson)["features"])
    with CaptureQueriesContext(connection) as queries:
        get_page()
    # Read now: the next request resets the connection's query log.
    query_count = len(queries.captured_queries)

    page = summary(timed(get_page))
    raw = summary(timed(lambda: raw_geojson(CPTS_SLUG)))

    api_client = Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})

    def get_api():
        response = api_client.get(API_URL)
        assert response.status_code == 200, response.status_code
        return response

    api_body = get_api().json()
    api = summary(timed(get_api))

    def reconnect():
        connection.close()
        connection.ensure_connection()

    # The test client keeps the connection open; a server on SQLite opens one per
    # request (CONN_MAX_AGE is 0 there), which this adds.
    connect = summary(timed(reconnect))

    html_bytes = len(html.encode())
    return {
        "cpts": CPTS_SLUG,
        "communes": communes,
        "expected_communes": EXPECTED_COMMUNES,
        "api_communes": len(api_body["communes"]),
        "population": api_body["population"],
        "targets": {"p95_ms": TIME_TARGET_MS, "html_kb": WEIGHT_TARGET_KB},
        "page": page,
        "queries": query_count,
        "raw": raw,
        "time_ratio": page["median_ms"] / raw["median_ms"],
        "geojson_identical": geojson == raw_geojson(CPTS_SLUG),
        "html_kb": html_bytes / 1024,
        "html_gzip_kb": len(gzip.compress(html.encode())) / 1024,
        "geojson_kb": len(geojson.encode()) / 1024,
        "static_assets": static_assets(html),
        "api": api,
        "connect": connect,
        # Judged on the 95th percentile, not the median: nearly every visit must be fast.
        "time_pass": page["p95_ms"] < TIME_TARGET_MS,
        "weight_pass": html_bytes / 1024 < WEIGHT_TARGET_KB,
    }
