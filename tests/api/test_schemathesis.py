"""Schemathesis over every operation of /api/v1/openapi.json, with the real token of a
demo persona on the demo data: no server error, and every response (status code,
content type, body) is one the schema declares.

The cases run in the test's transaction (rolled back at its end), through Django's WSGI
handler. Generated path identifiers and `cpts` values are random strings that would only
ever reach the 404 of the first lookup: three cases in four use an object of the demo
data instead (one the persona may see when there is one), so the operations' successful
and refused answers are exercised, not only "not found".
"""

import datetime
import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maillage.core import permissions
from maillage.core.models import Membership
from maillage.core.services import api_token_create
from maillage.gp_access.access import requests_visible_to as gp_requests_visible_to
from maillage.pathways.access import enrolments_visible_to, tasks_visible_to
from maillage.pathways.services import templates_for
from maillage.patients.access import patients_visible_to
from maillage.same_day_care.access import appointments_visible_to
from maillage.same_day_care.access import requests_visible_to as snp_requests_visible_to
from maillage.same_day_care.models import Slot
from maillage.territory.models import Commune
from tests.conftest import HOME

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]  # fmt: skip


@pytest.fixture(autouse=True)
def _keep_test_transaction(db):
    # Django's test client does the same: a request must not close the connection that
    # holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def _first_id(queryset, fallback):
    found = queryset.order_by("pk").values_list("public_id", flat=True).first()
    return str(found or fallback)


def _same_day_request(cpts, user, last_name):
    from maillage.same_day_care import services

    return services.request_create(cpts=cpts, actor=user, origin="regulator", data={
        "last_name": last_name, "first_name": "Léa", "birth_date": datetime.date(1990, 4, 2),
        "phone": "0611223344", "commune": Commune.objects.get(code="38053"), "reason": "fever",
        "profession_code": "10", "mode": "practice", "urgency": "48h", "home_visit": False,
    })  # fmt: skip


@pytest.fixture
def demo_objects(persona, request, regulator) -> dict:
    """Identifiers of demo objects, the persona's own when it may see some. The demo has
    no same-day activity: two requests are recorded, one booked into a free slot."""
    from maillage.same_day_care import services

    user = request.getfixturevalue(persona)
    membership = Membership.objects.active().select_related("cpts").get(user=user, cpts__slug=HOME)
    cpts = membership.cpts
    recorder = user if permissions.record_same_day_request(membership) else regulator
    free = list(Slot.objects.for_cpts(cpts).available().filter(profession_code="10",
                                                                mode="practice")[:2])  # fmt: skip
    booked = _same_day_request(cpts, recorder, "Durand")
    services.book(slot=free[0], snp_request=booked, actor=recorder)
    _same_day_request(cpts, recorder, "Martin")
    missing = uuid.uuid4()
    patient = _first_id(patients_visible_to(membership), missing)
    # A screening day (the tests' reference data has no prevention demo).
    from maillage.prevention.models import Action, Theme

    start = timezone.now() - datetime.timedelta(hours=1)
    screening_day = Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=8),
        commune=Commune.objects.get(code="38053"), questionnaire="findrisc")  # fmt: skip
    _aci_contract(cpts, request)
    return {
        "user": user,
        "patient_id": patient,
        "patient": patient,
        "gp_request": _first_id(gp_requests_visible_to(membership), missing),
        "snp_request": _first_id(snp_requests_visible_to(membership).filter(status="open"),
                                 missing),  # fmt: skip
        "slot_id": str(free[1].public_id),
        "appointment_id": _first_id(appointments_visible_to(membership), missing),
        "enrolment_id": _first_id(enrolments_visible_to(membership), missing),
        "task_id": _first_id(tasks_visible_to(membership).filter(status="due"), missing),
        "template": next((t.slug for t in templates_for(cpts)), "diabete-type-2"),
        "action_id": str(screening_day.public_id),
        "theme": "diabete",
        # Fields whose random values would always fail the domain checks.
        "phone": "06 12 34 56 78",
        "commune": "38053",
    }


def _aci_contract(cpts, request) -> None:
    """The home CPTS's ACI contract (the tests' reference data has none), so that the
    /aci/ operations answer with the contract, its schedule, indicators and report, not
    only with "no contract"."""
    from maillage.reporting.contract import apply_template
    from maillage.reporting.models import Contract

    if not Contract.objects.filter(cpts=cpts).exists():
        apply_template(cpts=cpts, template="exemple-annee-5", signed_on="2022-04-01",
                       actor=request.getfixturevalue("coordinator"))  # fmt: skip


def _use_demo_value(generated) -> bool:
    """Three cases in four, chosen from the generated value (derandomised runs repeat)."""
    return isinstance(generated, str) and len(generated) % 4 != 0


def _with_demo_objects(case, objects) -> None:
    path = case.operation.path
    for param, value in (case.path_parameters or {}).items():
        key = param
        if param == "request_id":
            key = "snp_request" if "/same-day/" in path else "gp_request"
        if key in objects and _use_demo_value(value):
            case.path_parameters[param] = objects[key]
    if isinstance(case.body, dict):
        for name in ("patient", "template", "request", "phone", "commune", "theme"):
            key = "snp_request" if name == "request" else name
            if _use_demo_value(case.body.get(name)):
                case.body[name] = objects[key]
        if _use_demo_value(case.body.get("cpts")):
            case.body["cpts"] = HOME
    if isinstance(case.query, dict) and _use_demo_value(case.query.get("cpts")):
        case.query["cpts"] = HOME


@pytest.mark.parametrize("persona", ["coordinator", "gp"])
@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_operation_answers_what_its_schema_declares(case, persona, demo_objects):
    _with_demo_objects(case, demo_objects)
    token = api_token_create(user=demo_objects["user"])
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    case.call_and_validate(checks=CHECKS)
