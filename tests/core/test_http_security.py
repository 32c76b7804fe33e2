"""HTTP security: the Content-Security-Policy and pages that need no inline script or
style to work under it, HSTS and the HTTPS redirect, and the client address."""

from html.parser import HTMLParser

import pytest
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given
from hypothesis import strategies as st

from maillage.core import audit
from maillage.core.http import client_ip

HOME = "pays-berjalliens"
PERSONAS = ["coordinator", "gp", "nurse", "pharmacist", "regulator", "partner", "board_member"]


# Content-Security-Policy -----------------------------------------------------------------


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/connexion/", f"/medecin-traitant/{HOME}/",
                                  f"/annuaire/{HOME}/", "/api/v1/docs"])  # fmt: skip
def test_every_page_carries_a_policy_without_inline_script_or_style(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["img-src"] == {"'self'", "data:"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert policy["form-action"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_logged_in_pages_carry_the_policy_too(client_for, coordinator):
    response = client_for(coordinator).get(f"/c/{HOME}/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == {"'self'"}


class InlineCode(HTMLParser):
    """What a strict policy would refuse: <script> without src (except JSON data),
    <style>, style= and on*= attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if attributes.get("type") != "application/json":
                self.found.append(self.get_starttag_text())
        if tag == "style":
            self.found.append(self.get_starttag_text())
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(self.get_starttag_text())
            if name in ("href", "src", "action", "formaction") and (value or "").strip(
            ).lower().startswith("javascript:"):
                self.found.append(self.get_starttag_text())


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_inline_code_finder_finds_what_the_policy_refuses():
    page = """<script>alert(1)</script><script type="application/json">{}</script>
    <script src="/static/x.js"></script><a href="#" onclick="x()">a</a>
    <span style="color:red"></span><style>p{}</style><a href="javascript:x()">b</a>"""
    assert len(inline_code(page)) == 5


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _detail_pages(cpts) -> list[str]:
    """Pages of one object: one of each kind the demo has."""
    from maillage.directory.models import DirectoryEntry, StructureEntry
    from maillage.gp_access.models import GpRequest
    from maillage.pathways.models import Enrolment, Meeting, PathwayTemplate
    from maillage.same_day_care.models import SameDayRequest

    base = f"/c/{cpts.slug}"
    pages = []
    entry = DirectoryEntry.objects.filter(cpts=cpts).select_related("professional").first()
    if entry:
        pages.append(f"{base}/annuaire/pro/{entry.professional.public_id}/")
        pages.append(f"/annuaire/{cpts.slug}/pro/{entry.professional.public_id}/")
    structure = StructureEntry.objects.filter(cpts=cpts).select_related("structure").first()
    if structure:
        pages.append(f"{base}/annuaire/structures/{structure.structure.public_id}/")
    for gp_request in GpRequest.objects.filter(cpts=cpts)[:2]:
        pages.append(f"{base}/medecin-traitant/demande/{gp_request.public_id}/")
    snp = SameDayRequest.objects.filter(cpts=cpts).first()
    if snp:
        pages.append(f"{base}/snp/demande/{snp.public_id}/")
    for enrolment in Enrolment.objects.filter(cpts=cpts).select_related("patient")[:2]:
        pages.append(f"{base}/parcours/inclusion/{enrolment.public_id}/")
        pages.append(f"{base}/parcours/patient/{enrolment.patient.public_id}/pps/")
    meeting = Meeting.objects.filter(cpts=cpts).first()
    if meeting:
        pages.append(f"{base}/parcours/concertation/{meeting.public_id}/")
    template = PathwayTemplate.objects.first()
    if template:
        pages.append(f"{base}/parcours/modeles/{template.public_id}/")
    return pages


def main_pages(cpts) -> list[str]:
    """Every page of a CPTS reached with its slug alone (from the URL resolver, so a new
    page is checked without being listed here), the public pages, and object pages."""
    pages = ["/connexion/", "/"]
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/", "fhir/")) or route == "deconnexion/":
            continue
        rest = route.replace("<slug:cpts_slug>", cpts.slug)
        if "<" not in rest and rest:
            pages.append("/" + rest)
    return sorted(set(pages)) + _detail_pages(cpts)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_no_rendered_page_has_inline_script_style_or_event_handler(
    request, client, client_for, home_cpts, persona
):
    browser = client_for(request.getfixturevalue(persona)) if persona else client
    pages, problems = 0, {}
    for path in main_pages(home_cpts):
        response = browser.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        assert "Content-Security-Policy" in response, path
        found = inline_code(response.content.decode())
        if found:
            problems[path] = found
    assert pages >= (15 if persona else 3)
    assert problems == {}


@pytest.mark.django_db
def test_the_api_docs_page_works_under_the_site_policy(client):
    """django-ninja's Swagger page loads its settings from JSON and its code from files of
    the wheel: no policy of its own is needed."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_code(html) == []
    assert 'id="swagger-settings"' in html and "swagger-ui-init.js" in html
    assert directives(response)["script-src"] == {"'self'"}


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_code(client, db):
    html = client.get("/connexion/").content.decode()
    assert '"includeIndicatorStyles":false' in html
    assert '"allowEval":false' in html
    assert '"attributesToSettle":["class","width","height"]' in html


# HTTPS --------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_except_the_health_probe(client):
    response = client.get("/connexion/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/connexion/"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_responses_carry_hsts_with_subdomains_and_without_preload(client):
    response = client.get("/connexion/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Browsers ignore HSTS over plain HTTP; Django sends it only over HTTPS.
    assert "Strict-Transport-Security" not in client.get("/connexion/")


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))  # fmt: skip
def test_behind_a_tls_proxy_its_header_says_the_request_was_https(client):
    assert client.get("/connexion/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/connexion/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


# Client address ---------------------------------------------------------------------------


def _request(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_declared_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(_request(forwarded="203.0.113.5")) == "192.0.2.1"


def test_behind_one_proxy_the_address_is_the_right_most_entry(settings):
    settings.TRUST_X_FORWARDED_FOR, settings.TRUSTED_PROXY_COUNT = True, 1
    # The client forged the first entry; the proxy appended the address it saw.
    assert client_ip(_request("10.0.0.1", "203.0.113.5, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.1", "198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_address_is_the_second_from_the_right(settings):
    settings.TRUST_X_FORWARDED_FOR, settings.TRUSTED_PROXY_COUNT = True, 2
    forwarded = "203.0.113.5, 198.51.100.7, 10.0.0.9"
    assert client_ip(_request("10.0.0.1", forwarded)) == "198.51.100.7"


def test_a_header_shorter_than_the_proxy_chain_is_not_believed(settings):
    settings.TRUST_X_FORWARDED_FOR, settings.TRUSTED_PROXY_COUNT = True, 2
    assert client_ip(_request("10.0.0.1", "198.51.100.7")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"


def test_an_entry_that_is_not_an_ip_address_is_not_believed(settings):
    settings.TRUST_X_FORWARDED_FOR, settings.TRUSTED_PROXY_COUNT = True, 1
    assert client_ip(_request("10.0.0.1", "198.51.100.7, unknown")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "<script>")) == "10.0.0.1"


def test_addresses_are_normalised_and_ipv6_works(settings):
    settings.TRUST_X_FORWARDED_FOR, settings.TRUSTED_PROXY_COUNT = True, 1
    assert client_ip(_request("10.0.0.1", "2001:DB8:0:0::1")) == "2001:db8::1"
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(_request("::ffff:192.0.2.1")) == "::ffff:c000:201"
    assert client_ip(_request("")) is None
    assert client_ip(None) is None


@given(
    remote=st.one_of(st.ip_addresses().map(str), st.text(max_size=20)),
    forwarded=st.text(max_size=80),
    trusted=st.booleans(),
    proxies=st.integers(min_value=1, max_value=4),
)
def test_the_client_address_is_always_a_valid_ip_or_none(remote, forwarded, trusted, proxies):
    import ipaddress

    with override_settings(TRUST_X_FORWARDED_FOR=trusted, TRUSTED_PROXY_COUNT=proxies):
        request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        ip = client_ip(request)
    if ip is not None:
        ipaddress.ip_address(ip)
    if not trusted:
        try:
            assert ip == str(ipaddress.ip_address(remote.strip()))
        except ValueError:
            assert ip is None


def test_the_audit_trail_and_the_lockouts_read_the_same_address(settings):
    assert audit.client_ip is client_ip
    assert settings.AXES_CLIENT_IP_CALLABLE == "maillage.core.http.client_ip"
