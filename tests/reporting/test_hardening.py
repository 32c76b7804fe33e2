"""Hardening of the ACI contract pages: every page of the contract, fed hostile input in
every field it shows (markup, spreadsheet formulas, NUL, huge and negative numbers, very
long text, wrong types, empty) and in its query string, answers with a page or a clear
refusal, never a server error, and a refused form writes nothing; another CPTS's objects
stay a 404; two payments for one line never pay it twice; two generations give two
numbered versions."""

import datetime
import json
import re
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.services import api_token_create
from maillage.reporting import budget, payments, proofs, report
from maillage.reporting import contract as contract_services
from maillage.reporting.contract import apply_template
from maillage.reporting.models import (
    Contract,
    ContractIndicator,
    Payment,
    ProofRequirement,
    Report,
    Spending,
)
from maillage.reporting.urls import urlpatterns
from tests.conftest import HOME, OTHER
from tests.reporting.test_api_contract import _body as contract_api_body

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# Signed 400 days ago: year 1 has ended, year 2 runs; the schedule has lines due and past.
SIGNED = TODAY - datetime.timedelta(days=400)
HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "a\x00b", "1e308",
           "99999999999999999999", "-1", "x" * 100_000, "", "31/02/2026", "NaN",
           "../../etc/passwd"]  # fmt: skip
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CONTRACT = f"/c/{HOME}/contrat/"
PDF = b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF"


def _world(cpts, actor) -> dict:
    """A contract from the year-5 template, with a payment, a filed proof and a generated
    report, so that every <uuid> page names a real object."""
    contract = apply_template(cpts=cpts, template="exemple-annee-5", signed_on=SIGNED,
                              actor=actor)  # fmt: skip
    indicator = ContractIndicator.objects.filter(mission__contract=contract).first()
    requirement = ProofRequirement.objects.filter(mission__contract=contract).first()
    line = payments.statuses(contract)[0].line
    payment = payments.record_payment(
        contract=contract, received_on=line.date, amount=line.amount, reference="VIR-1",
        line=line.line, due_on=line.date, kind=line.kind, actor=actor)  # fmt: skip
    proof = proofs.file_proof(requirement=requirement, year=1, actor=actor,
                              upload=SimpleUploadedFile("cr.pdf", PDF))  # fmt: skip
    version = report.generate(contract=contract, year=1, actor=actor)
    return {"contract": contract, "indicator": indicator, "requirement": requirement,
            "payment": payment, "proof": proof, "report": version}  # fmt: skip


@pytest.fixture
def home(home_cpts, coordinator):
    return _world(home_cpts, coordinator)


@pytest.fixture
def theirs(other_cpts, outsider):
    return _world(other_cpts, outsider)


def _urls(objects, slug=HOME) -> list[str]:
    """Every contract URL of `slug`, naming the objects given."""
    by_kind = {"indicator_edit": "indicator", "indicator_figure": "indicator",
               "proof_upload": "requirement", "proof_file": "proof",
               "proof_file_delete": "proof", "report_send": "report",
               "report_delete": "report", "report_version": "report"}  # fmt: skip
    urls = []
    for pattern in urlpatterns:
        route, name, kwargs = str(pattern.pattern), pattern.name, {"cpts_slug": slug}
        if "<uuid:public_id>" in route:
            kwargs["public_id"] = objects[by_kind[name]].public_id
        if "<int:year>" in route:
            kwargs["year"] = 1
        if "<str:section>" in route:
            kwargs["section"] = "acces"
        if "<str:code>" in route:
            kwargs["code"] = "acces"
        if "<str:fmt>" in route:
            kwargs["fmt"] = "pdf"
        urls.append(reverse(f"reporting:{name}", kwargs=kwargs))
    return urls


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in apps.get_app_config("reporting").get_models()}


def _fields(page) -> set:
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        return set()
    return set(NAME.findall(page.content.decode(errors="replace"))) - {"csrfmiddlewaretoken"}


# The forms are read from the pages that show them; the delete and send buttons live on
# their lists, so they are posted to with every field of the page they are shown on.
FORM_OF = {"payment_add": "payments", "report_comment": "report_year",
           "report_generate": "report_year", "report_send": "report_year",
           "report_delete": "report_year", "proof_upload": "proofs",
           "proof_file_delete": "proofs", "budget_add": "budget",
           "contract_create": "contract"}  # fmt: skip


LONG = "x" * 100_000


def _post_hostile(client, url, fields, problems) -> int:
    """POST every hostile value in every field at once, and the very long text in each
    field alone (in all at once it would only meet the request size limit). A refusal
    must leave every reporting table as it was."""
    bodies = [dict.fromkeys(fields, value) or {"x": value} for value in HOSTILE]
    bodies += [{field: LONG} for field in sorted(fields)] or [{"x": LONG}]
    for body in bodies:
        before = _counts()
        response = client.post(url, body)
        shown = repr(next(iter(body.values()))[:20])
        if response.status_code not in (200, 302, 400, 403, 404, 405, 409, 422):
            problems.append(f"POST {url} {sorted(body)[:3]} ({shown}): {response.status_code}")
        elif response.status_code >= 400 and _counts() != before:
            problems.append(f"POST {url} {sorted(body)[:3]} ({shown}): refused but wrote")
    return len(bodies)


def test_hostile_input_in_every_field_never_gives_a_server_error_nor_writes_half(
    home, client_for, coordinator
):
    client = client_for(coordinator)
    client.raise_request_exception = False
    urls = dict(zip([p.name for p in urlpatterns], _urls(home), strict=True))
    problems, posted = [], 0
    for name, url in urls.items():
        page = client.get(url)
        if page.status_code >= 500:
            problems.append(f"GET {url}: {page.status_code}")
        fields = _fields(page) | _fields(client.get(urls[FORM_OF[name]])) if name in FORM_OF \
            else _fields(page)  # fmt: skip
        posted += _post_hostile(client, url, fields, problems)
    assert posted > 400
    assert problems == []


def test_hostile_input_in_the_contract_creation_never_gives_a_server_error(
    home_cpts, client_for, coordinator
):
    client = client_for(coordinator)
    client.raise_request_exception = False
    fields = _fields(client.get(reverse("reporting:contract", kwargs={"cpts_slug": HOME})))
    assert {"template", "signed_on"} <= fields
    problems = []
    _post_hostile(client, reverse("reporting:contract_create", kwargs={"cpts_slug": HOME}),
                  fields, problems)  # fmt: skip
    assert problems == []
    assert not Contract.objects.filter(cpts=home_cpts).exists()
    # A real template with an impossible date is refused with its field named.
    response = client.post(reverse("reporting:contract_create", kwargs={"cpts_slug": HOME}),
                           {"template": "exemple-annee-5", "signed_on": "31/02/2026"})  # fmt: skip
    assert response.status_code == 400 and "Date invalide" in response.content.decode()


class _Forms(HTMLParser):
    """The POST forms of a page: their action and each field with the value the page
    gives it (the checked radio, the selected option, the text of a textarea)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None or "name" not in a and tag != "option":
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a or (a.get("type") == "radio" and a["name"] not in fields):
                    fields[a["name"]] = a.get("value", "on")
            else:
                fields[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("value"):
            fields[a["name"]] = a["value"]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_of(page) -> list[dict]:
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        return []
    parser = _Forms()
    parser.feed(page.content.decode(errors="replace"))
    # The page's other forms (signing out, switching CPTS) are not the contract's.
    return [
        f
        for f in parser.forms
        if f["fields"] and (f["action"] in ("", ".") or f["action"].startswith(CONTRACT))
    ]


ONE_AT_A_TIME = ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "a\x00b", "1e308",
                 "99999999999999999999", "-1", LONG, "", "abc"]  # fmt: skip


def test_each_field_alone_hostile_in_an_otherwise_valid_form_is_refused_cleanly(
    home, client_for, coordinator
):
    """Each form as the page fills it, one field at a time given a hostile value: the
    hostile value reaches the services (the other fields being valid), which answer with
    a refusal naming it or store it safely, never a server error nor half a write."""
    client = client_for(coordinator)
    client.raise_request_exception = False
    pages = ["contract_edit", "indicator_new", "indicator_edit", "indicator_figure",
             "mission_status", "payment_add", "budget", "report_year"]  # fmt: skip
    urls = dict(zip([p.name for p in urlpatterns], _urls(home), strict=True))
    line = payments.statuses(home["contract"])[3].line
    # What the page leaves empty and a valid form needs.
    valid = {"indicator_new": {"label": "Essai", "definition": "Une définition."},
             "indicator_figure": {"value": "10", "document": "Tableau CPAM"},
             "payment_add": {"received_on": line.date.isoformat(), "amount": str(line.amount)},
             "budget": {"spent_on": (SIGNED + datetime.timedelta(days=380)).isoformat(),
                        "label": "Loyer du local", "amount": "1 250,50"}}  # fmt: skip
    problems, posted = [], 0
    for name in pages:
        for form in _forms_of(client.get(urls[name])):
            action = form["action"] or urls[name]
            # Deleting and sending are tried by the loop over every page.
            if "supprimer" in action or "envoyer" in action or "delete" in form["fields"]:
                continue
            base = {**form["fields"], **valid.get(name, {})}
            for field in sorted(base):
                for value in ONE_AT_A_TIME:
                    before = _counts()
                    # A reference of its own for each payment, so that only `field` is wrong.
                    body = {**base, "reference": f"VIR-{posted}"} if "reference" in base else base
                    response = client.post(action, {**body, field: value})
                    posted += 1
                    status = response.status_code
                    if status not in (200, 302, 400, 403, 404, 405, 409, 422):
                        problems.append(f"POST {action} {field}={value[:20]!r}: {status}")
                    elif status >= 400 and _counts() != before:
                        problems.append(f"POST {action} {field}={value[:20]!r}: refused, wrote")
    assert posted > 300
    assert problems == []


@pytest.mark.parametrize("query", [
    {"annee": "abc"}, {"annee": "99999"}, {"annee": "-1"}, {"year": "-1"},
    {"annee": "1e308"}, {"annee": "a\x00b"}, {"format": "zzz"}, {"format": "csv", "annee": "0"},
    {"mission": "<script>"}, {"suggestion": "=1+1"}, {"annee": "9" * 400, "format": "xlsx"},
])  # fmt: skip
def test_bad_query_parameters_give_a_page_or_a_400_never_a_500(
    query, home, client_for, coordinator
):
    client = client_for(coordinator)
    client.raise_request_exception = False
    answered = {url: client.get(url, query).status_code for url in _urls(home)}
    assert {url: s for url, s in answered.items() if s >= 500} == {}
    if "\x00" in "".join(query.values()):
        # A NUL byte in a query string is refused before any page is reached.
        assert set(answered.values()) == {400}
    else:
        assert list(answered.values()).count(200) > 10


def test_another_cpts_objects_are_404_on_every_page(home, theirs, client_for, coordinator,
                                                    outsider):  # fmt: skip
    """The coordinator asks its own CPTS's pages for the other CPTS's objects, and the
    outsider (coordinator over there) asks its pages for this CPTS's objects."""
    answered = {}
    for who, objects, slug in ((coordinator, theirs, HOME), (outsider, home, OTHER)):
        client = client_for(who)
        client.raise_request_exception = False
        for url in _urls(objects, slug):
            if not UUID.search(url):
                continue
            answered[url] = client.get(url).status_code
            answered[url + " POST"] = client.post(url, {"x": "1"}).status_code
    assert len(answered) >= 28
    # A page answers a method it does not take with 405 whoever asks: it shows nothing.
    assert {url: s for url, s in answered.items() if s not in (404, 405)} == {}
    assert list(answered.values()).count(404) >= 16
    # Nothing of either CPTS was touched.
    assert Payment.objects.count() == 2 and Report.objects.count() == 2


def test_a_bogus_object_id_is_404_not_500(home, client_for, coordinator):
    client = client_for(coordinator)
    client.raise_request_exception = False
    for url in _urls(home):
        if UUID.search(url):
            bogus = UUID.sub("00000000-0000-0000-0000-000000000000", url)
            assert client.get(bogus).status_code in (404, 405), bogus
    year_page = reverse("reporting:report_year", kwargs={"cpts_slug": HOME, "year": 99999})
    assert client.get(year_page).status_code in (400, 404)
    section = reverse("reporting:report_comment",
                      kwargs={"cpts_slug": HOME, "year": 1, "section": "x" * 300})  # fmt: skip
    assert client.post(section, {"acces-text": "x"}).status_code in (400, 404)
    status = reverse("reporting:mission_status", kwargs={"cpts_slug": HOME, "code": "<b>"})
    assert client.get(status).status_code == 404


def test_the_same_line_cannot_be_paid_twice_by_its_exact_amount(home_cpts, coordinator):
    """Two payments of one line's amount: the second goes to another open line of that
    amount or is refused, never onto the line already paid."""
    contract = apply_template(cpts=home_cpts, template="exemple-annee-5", signed_on=SIGNED,
                              actor=coordinator)  # fmt: skip
    line = payments.statuses(contract)[0].line
    keys = []
    for reference in ("VIR-A", "VIR-B", "VIR-C"):
        try:
            paid = payments.record_payment(contract=contract, received_on=line.date,
                                           amount=line.amount, reference=reference,
                                           actor=coordinator)  # fmt: skip
        except ValidationError:
            continue
        keys.append((paid.due_on, paid.line, paid.kind))
    assert keys and len(keys) == len(set(keys))
    for state in payments.statuses(contract):
        assert state.received <= state.line.amount


def test_a_line_already_paid_refuses_a_second_payment_named_for_it(home_cpts, coordinator):
    contract = apply_template(cpts=home_cpts, template="exemple-annee-5", signed_on=SIGNED,
                              actor=coordinator)  # fmt: skip
    line = payments.statuses(contract)[0].line
    named = {"line": line.line, "due_on": line.date, "kind": line.kind}
    payments.record_payment(contract=contract, received_on=line.date, amount=line.amount,
                            reference="VIR-A", actor=coordinator, **named)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        payments.record_payment(contract=contract, received_on=line.date, amount=line.amount,
                                reference="VIR-B", actor=coordinator, **named)  # fmt: skip
    assert "déjà" in " ".join(caught.value.message_dict["line"])
    assert Payment.objects.filter(contract=contract).count() == 1


def test_a_partly_paid_line_takes_its_remainder(home_cpts, coordinator):
    contract = apply_template(cpts=home_cpts, template="exemple-annee-5", signed_on=SIGNED,
                              actor=coordinator)  # fmt: skip
    line = payments.statuses(contract)[0].line
    named = {"line": line.line, "due_on": line.date, "kind": line.kind}
    half = (line.amount / 2).quantize(D("0.01"))
    payments.record_payment(contract=contract, received_on=line.date, amount=half,
                            reference="VIR-A", actor=coordinator, **named)  # fmt: skip
    payments.record_payment(contract=contract, received_on=line.date,
                            amount=line.amount - half, reference="VIR-B", actor=coordinator,
                            **named)  # fmt: skip
    state = next(s for s in payments.statuses(contract) if s.line.key == line.key)
    assert state.status == payments.PAID and state.received == line.amount


def test_generating_the_report_twice_gives_versions_1_and_2(home, coordinator):
    contract = home["contract"]
    again = report.generate(contract=contract, year=1, actor=coordinator)
    assert home["report"].version == 1 and again.version == 2
    third = report.generate(contract=contract, year=2, actor=coordinator)
    assert third.version == 1


def test_generating_from_the_page_twice_gives_two_versions(home, client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("reporting:report_generate", kwargs={"cpts_slug": HOME, "year": 2})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert sorted(Report.objects.filter(contract=home["contract"], year=2)
                  .values_list("version", flat=True)) == [1, 2]  # fmt: skip


@pytest.mark.parametrize("name, content", [
    ("rapport.pdf", b"<script>alert(1)</script>"),
    ("=HYPERLINK(x).pdf", PDF),
    ("a\x00b.pdf", PDF),
    ("vide.pdf", b""),
    ("liste.csv", b"a\x00b"),
    ("x" * 1000 + ".pdf", PDF),
    ("sans-extension", PDF),
    ("photo.exe", b"MZ"),
])  # fmt: skip
def test_a_hostile_proof_file_is_refused_or_named_safely(name, content, home, client_for,
                                                         coordinator):  # fmt: skip
    client = client_for(coordinator)
    requirement = home["requirement"]
    url = reverse("reporting:proof_upload", kwargs={"cpts_slug": HOME,
                                                   "public_id": requirement.public_id})  # fmt: skip
    before = _counts()
    prefix = f"p{requirement.pk}"
    response = client.post(url, {f"{prefix}-annee": "1",
                                 f"{prefix}-file": SimpleUploadedFile(name, content)})  # fmt: skip
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert _counts() == before
    else:
        stored = requirement.files.order_by("-pk").first()
        assert "\x00" not in stored.name and not stored.name.startswith("=")
        assert len(stored.name) <= 200


@pytest.mark.parametrize("content", [
    b"date;ligne;libelle;montant\n01/02/2025;acces;=HYPERLINK(\"http://x\");1e308\n",
    b"date;ligne;libelle;montant\n01/02/2025;acces;ok;99999999999999999999\n",
    b"date;ligne;libelle;montant\n01/02/2025;acces;a\x00b;12,00\n",
    b"date;ligne;libelle;montant\n31/02/2025;acces;ok;-1\n",
    b"\xff\xfe\x00\x00garbage",
    b"",
    b"date;ligne;libelle;montant\n" + b"01/02/2025;acces;" + b"x" * 100_000 + b";1,00\n",
])  # fmt: skip
def test_a_hostile_budget_file_gives_a_preview_or_a_refusal_and_writes_nothing(
    content, home, client_for, coordinator
):
    client = client_for(coordinator)
    client.raise_request_exception = False
    url = reverse("reporting:budget_import", kwargs={"cpts_slug": HOME})
    before = Spending.objects.count()
    response = client.post(url, {"file": SimpleUploadedFile("compta.csv", content),
                                 "fichier": SimpleUploadedFile("compta.csv", content)})  # fmt: skip
    assert response.status_code in (200, 400)
    # A preview is only a preview: nothing is written before it is confirmed.
    assert Spending.objects.count() == before


def test_a_contract_in_place_refuses_a_second_creation(home, client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("reporting:contract_create", kwargs={"cpts_slug": HOME})
    response = client.post(url, {"template": "exemple-annee-5", "signed_on": "2024-01-01"})
    assert response.status_code in (302, 400, 409)
    assert Contract.objects.filter(cpts=home["contract"].cpts).count() == 1


# -- the parsers behind every amount, date and number field --------------------------

NUMBERISH = st.one_of(
    st.text(),
    st.from_regex(r"[-+ ]?[0-9 ,.]{0,30}(e[-+]?[0-9]{1,9})?( ?€)?", fullmatch=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.none(),
    st.booleans(),
)


@given(NUMBERISH)
@settings(max_examples=300, deadline=None)
def test_the_contract_parsers_give_a_value_or_a_french_refusal(value):
    for parse in (contract_services.parse_amount, contract_services.parse_value,
                  lambda v: contract_services.parse_int(v, 1, 5, "Année"),
                  contract_services.parse_date):  # fmt: skip
        try:
            parsed = parse(value)
        except ValueError as exc:
            assert str(exc) and str(exc)[0].isupper()
        else:
            if isinstance(parsed, D):
                assert parsed.is_finite() and parsed == parsed.quantize(D("0.01"))


@given(NUMBERISH)
@settings(max_examples=300, deadline=None)
def test_the_payment_and_spending_amounts_are_cents_or_refused(value):
    for parse in (payments._amount, budget.parse_amount, budget.parse_date):
        try:
            parsed = parse(value)
        except ValidationError as exc:
            assert exc.messages and all(m for m in exc.messages)
        else:
            if isinstance(parsed, D):
                assert D(0) < parsed < D("1e12") and parsed == parsed.quantize(D("0.01"))


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_tier_lines_are_read_or_refused_naming_the_line(text):
    try:
        pairs = contract_services.parse_tier_lines(text)
    except ValueError as exc:
        assert str(exc).startswith("Ligne ")
    else:
        assert all(isinstance(a, str) and isinstance(b, str) for a, b in pairs)


# -- the API: hostile JSON in every field of PUT /aci/contract, bad query strings -------

API_HOSTILE = ["1E1000000", "-1E1000000", "NaN", "Infinity", 1e308, -1, 10**40, "a\x00b",
               "<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "x" * 100_000,
               None, True, [], {}]  # fmt: skip


def _paths(body, prefix=()):
    """Every leaf of a JSON body, as a path of keys and indexes."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _paths(value, (*prefix, index))
    else:
        yield prefix


def _with(body, path, value):
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def test_hostile_json_in_each_field_of_the_contract_put_is_a_422_and_writes_nothing(
    client, home_cpts, coordinator
):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    body = contract_api_body()
    problems, sent = [], 0
    for path in _paths(body):
        for value in API_HOSTILE:
            before = _counts()
            response = client.put("/api/v1/aci/contract", _with(body, path, value),
                                  content_type="application/json", **auth)  # fmt: skip
            sent += 1
            # A NUL byte is refused at the door (core's middleware), with a 400.
            if value == "a\x00b" and response.status_code == 400:
                continue
            if response.status_code not in (200, 422):
                problems.append(f"{path}={str(value)[:20]!r}: {response.status_code}")
            elif response.status_code == 422:
                fields = [e.get("field") for e in response.json().get("errors", [])]
                if not fields or _counts() != before:
                    problems.append(f"{path}={str(value)[:20]!r}: 422 {fields}, wrote?")
    assert sent > 200
    assert problems == []


@pytest.mark.parametrize("path", ["/api/v1/aci/contract", "/api/v1/aci/schedule",
                                  "/api/v1/aci/indicators", "/api/v1/aci/report"])  # fmt: skip
@pytest.mark.parametrize("query", ["year=abc", "year=99999", "year=-1", "year=1e308",
                                   "format=zzz", "cpts=%3Cscript%3E", "cpts=" + OTHER,
                                   "year=99999999999999999999999"])  # fmt: skip
def test_bad_api_query_strings_are_refused_never_a_500(path, query, home, client,
                                                       coordinator):  # fmt: skip
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    response = client.get(path, QUERY_STRING=query, **auth)
    assert response.status_code in (200, 400, 404, 422), response.content[:300]
    if f"cpts={OTHER}" == query:
        assert response.status_code == 404
