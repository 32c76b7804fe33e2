"""API input is validated as the forms validate it: lengths of the model fields, no NUL
character, e-mails, dates within bounds, choices from the models; every refusal is a 4xx
naming the field in French, and nothing is stored."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.core.api_types import DATE_MAX, DATE_MIN
from maillage.core.services import api_token_create
from maillage.patients.models import Patient
from maillage.same_day_care.models import SameDayRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(coordinator):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}


def patient(**extra):
    return {"birth_name": "Garnier", "first_names": "Lucie", "birth_date": "1961-03-09",
            "sex": "F", "commune": "38053", **extra}  # fmt: skip


def post(client, auth, url, body):
    return client.post(url, body, content_type="application/json", **auth)


def only_error(response):
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def test_a_million_characters_in_birth_name_is_a_422_naming_it_and_stores_nothing(
    client, auth
):
    before = Patient.objects.count()
    response = post(client, auth, "/api/v1/patients", patient(birth_name="A" * 1_000_000))
    assert response.status_code == 422
    assert only_error(response) == {"field": "birth_name", "message": "100 caractères au plus."}
    assert response.json()["detail"] == "birth_name : 100 caractères au plus."
    assert Patient.objects.count() == before


def test_every_text_field_of_a_patient_is_bounded_by_its_model_field(client, auth):
    for field in ("birth_name", "used_name", "first_names", "address", "ald_detail"):
        limit = Patient._meta.get_field(field).max_length
        response = post(client, auth, "/api/v1/patients", patient(**{field: "a" * (limit + 1)}))
        assert response.status_code == 422
        assert only_error(response)["field"] == field


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/patients", patient(birth_name="Gar\x00nier"), "birth_name"),
        ("/api/v1/patients", patient(address="1 rue\x00"), "address"),
        ("/api/v1/same-day/requests", {"last_name": "\x00", "first_name": "A"}, "last_name"),
        ("/api/v1/pathways/enrolments",
         {"patient": "x", "template": "t", "team": [{"email": "a@b.fr"}, {"email": "\x00"}]},
         "team.1.email"),  # fmt: skip
        ("/api/v1/patients", {"birth\x00name": "A"}, "birth\\0name"),
    ],
)
def test_a_nul_character_in_a_json_body_is_a_400_naming_the_field(client, auth, url, body,
                                                                  field):  # fmt: skip
    before = Patient.objects.count(), SameDayRequest.objects.count()
    response = post(client, auth, url, body)
    assert response.status_code == 400
    assert only_error(response) == {"field": field, "message": "Caractère nul interdit."}
    assert (Patient.objects.count(), SameDayRequest.objects.count()) == before


def test_a_raw_nul_byte_in_a_body_is_a_400(client, auth):
    response = client.post("/api/v1/patients", b'{"birth_name": "A\x00"}',
                           content_type="application/json", **auth)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Caractère nul interdit."


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client, auth):
    response = post(client, auth, "/api/v1/patients", patient(address="C:\\u0000"))
    assert response.status_code == 201


def test_a_nul_character_in_a_query_string_names_the_parameter(client, auth):
    response = client.get("/api/v1/professionals?q=ab%00c", **auth)
    assert response.status_code == 400
    assert only_error(response)["field"] == "q"


def test_an_invalid_email_is_refused_like_the_form_does(client, auth):
    response = post(client, auth, "/api/v1/patients", patient(email="pas-une-adresse"))
    assert response.status_code == 422
    assert only_error(response) == {"field": "email", "message": "Adresse e-mail invalide."}
    ok = post(client, auth, "/api/v1/patients", patient(email="lucie.garnier@example.fr"))
    assert ok.status_code == 201


def test_birth_dates_say_what_the_patient_form_says(client, auth):
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    for value, message in (
        ("0001-01-01", "Date de naissance antérieure à 1900 : vérifiez l'année."),
        (future, "La date de naissance est dans le futur."),
        ("9999-12-31", "La date de naissance est dans le futur."),
        ("14/05/1985", "Date invalide (format attendu : AAAA-MM-JJ)."),
    ):
        response = post(client, auth, "/api/v1/patients", patient(birth_date=value))
        assert response.status_code == 422, value
        assert only_error(response) == {"field": "birth_date", "message": message}


def test_pydantic_messages_reach_the_caller_in_french(client, auth):
    missing = post(client, auth, "/api/v1/patients", {"first_names": "Lucie"})
    fields = {e["field"]: e["message"] for e in missing.json()["errors"]}
    assert fields["birth_name"] == "Champ obligatoire."
    assert fields["sex"] == "Champ obligatoire."
    wrong_type = post(client, auth, "/api/v1/patients", patient(ald="peut-être"))
    assert only_error(wrong_type) == {"field": "ald",
                                      "message": "Booléen attendu (true ou false)."}  # fmt: skip
    choice = post(client, auth, "/api/v1/patients", patient(sex="X"))
    assert only_error(choice) == {"field": "sex",
                                  "message": "Valeur inconnue. Valeurs possibles : 'F', 'M', 'I'."}
    not_text = post(client, auth, "/api/v1/patients", patient(birth_name=12))
    assert only_error(not_text) == {"field": "birth_name", "message": "Texte attendu."}


def test_a_body_that_is_not_an_object_or_not_json_is_refused_in_french(client, auth):
    listed = post(client, auth, "/api/v1/patients", [1, 2])
    assert listed.status_code == 422
    assert {"field": "birth_name", "message": "Champ obligatoire."} in listed.json()["errors"]
    broken = client.post("/api/v1/patients", "{", content_type="application/json", **auth)
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("Corps de la requête illisible")
    empty = client.post("/api/v1/patients", "", content_type="application/json", **auth)
    assert empty.status_code == 422
    assert only_error(empty)["field"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=0001-01-01T00:00:00%2B14:00", "from"),
        ("to=9999-12-31T23:59:59-14:00", "to"),
        ("from=2026-13-01T00:00:00", "from"),
        ("from=demain", "from"),
    ],
)
def test_slot_search_dates_at_the_limits_are_a_422_naming_them(client, auth, query, field):
    response = client.get(f"/api/v1/same-day/slots?{query}", **auth)
    assert response.status_code == 422
    error = only_error(response)
    assert error["field"] == field
    assert "Date et heure" in error["message"]


def test_slot_search_window_is_ordered_and_at_most_31_days(client, auth):
    backwards = client.get("/api/v1/same-day/slots",
                           {"from": "2026-03-10T00:00:00+01:00",
                            "to": "2026-03-09T00:00:00+01:00"}, **auth)  # fmt: skip
    assert backwards.status_code == 400
    assert only_error(backwards)["field"] == "to"
    too_long = client.get("/api/v1/same-day/slots",
                          {"from": "2026-03-01T00:00:00+01:00",
                           "to": "2026-04-15T00:00:00+02:00"}, **auth)  # fmt: skip
    assert too_long.status_code == 400
    assert "31 jours" in only_error(too_long)["message"]
    month = client.get("/api/v1/same-day/slots",
                       {"from": "2026-03-01T00:00:00+01:00",
                        "to": "2026-03-31T00:00:00+02:00"}, **auth)  # fmt: skip
    assert month.status_code == 200


def test_slot_search_from_filters_the_slots(client, auth):
    everything = client.get("/api/v1/same-day/slots", **auth).json()
    assert everything, "the demo publishes slots"
    last = everything[-1]["start"]
    later = client.get("/api/v1/same-day/slots", {"from": last}, **auth).json()
    # Past the 200 first slots the demo has more: those from `last` on start the answer.
    from_last = [s["start"] for s in everything if s["start"] >= last]
    assert [s["start"] for s in later][: len(from_last)] == from_last
    assert all(s["start"] >= last for s in later)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.datetimes(timezones=st.timezones()))
def test_any_date_time_is_either_accepted_or_a_422_never_a_500(client, auth, moment):
    response = client.get("/api/v1/same-day/slots", {"to": moment.isoformat()}, **auth)
    if DATE_MIN.year <= moment.year <= DATE_MAX.year:
        assert response.status_code == 200
    else:
        assert response.status_code == 422 and only_error(response)["field"] == "to"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/same-day/requests",
         {"last_name": "A", "first_name": "B", "birth_date": "1990-01-01",
          "phone": "0611223344", "commune": "38053", "urgency": "demain"}, "urgency"),
        ("/api/v1/same-day/requests",
         {"last_name": "A", "first_name": "B", "birth_date": "1990-01-01",
          "phone": "0611223344", "commune": "38053", "reason": "ennui"}, "reason"),
        ("/api/v1/same-day/requests",
         {"last_name": "A", "first_name": "B", "birth_date": "0001-01-01",
          "phone": "0611223344", "commune": "38053"}, "birth_date"),
        ("/api/v1/same-day/requests",
         {"last_name": "A" * 101, "first_name": "B", "birth_date": "1990-01-01",
          "phone": "0611223344", "commune": "38053"}, "last_name"),
        ("/api/v1/gp-requests", {"patient": "x", "origin": "internet"}, "origin"),
        ("/api/v1/gp-requests", {"patient": "x", "carer_name": "a" * 151}, "carer_name"),
        ("/api/v1/gp-requests/x/transition", {"to_status": "perdue"}, "to_status"),
        ("/api/v1/gp-requests/x/transition", {"to_status": "closed", "reason": "a" * 301},
         "reason"),
        ("/api/v1/same-day/appointments/x/status", {"status": "booked"}, "status"),
        ("/api/v1/pathways/enrolments", {"patient": "x", "template": "t",
                                         "team": [{"email": "pas-une-adresse"}]},
         "team.0.email"),
        ("/api/v1/pathways/enrolments", {"patient": "x", "template": "t",
                                         "team": [{"email": "a@b.fr"}] * 31}, "team"),
        ("/api/v1/pathways/tasks/x/complete", {"done_on": "0001-01-01"}, "done_on"),
        ("/api/v1/pathways/tasks/x/complete", {"note": "a" * 301}, "note"),
        ("/api/v1/pathways/tasks/x/complete", {"value": "a" * 31}, "value"),
        ("/api/v1/pathways/tasks/x/complete", {"value": [1]}, "value"),
    ],
)  # fmt: skip
def test_every_write_validates_its_choices_lengths_and_dates(client, auth, url, body, field):
    response = post(client, auth, url, body)
    assert response.status_code == 422
    assert only_error(response)["field"] == field


def test_service_errors_are_named_after_the_api_fields(client, auth, home_cpts):
    from maillage.pathways.models import Task

    task = Task.objects.filter(cpts=home_cpts, status=Task.Status.DUE).first()
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = post(client, auth, f"/api/v1/pathways/tasks/{task.public_id}/complete",
                    {"done_on": future, "value": "oui"})  # fmt: skip
    assert response.status_code == 400
    assert only_error(response)["field"] == "done_on"
    task.refresh_from_db()
    assert task.status == Task.Status.DUE


@pytest.mark.parametrize(
    "query",
    ["status=perdue", "cpts=" + "a" * 81, "page=0", "page_size=0"],
)
def test_query_parameters_are_validated_too(client, auth, query):
    response = client.get(f"/api/v1/gp-requests?{query}", **auth)
    assert response.status_code == 422
    assert only_error(response)["field"] == query.split("=")[0]


def test_the_openapi_schema_declares_choices_lengths_and_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    patient_in = components["PatientIn"]["properties"]
    assert patient_in["birth_name"]["maxLength"] == 100
    assert patient_in["sex"]["enum"] == ["F", "M", "I"]
    assert patient_in["consent_method"]["enum"] == ["oral", "written", "online", "carer"]
    assert components["TransitionIn"]["properties"]["to_status"]["enum"][0] == "new"
    same_day = components["SameDayRequestIn"]["properties"]
    assert {"urgency", "mode", "reason", "profession_code"} <= {
        name for name, prop in same_day.items() if "enum" in prop
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            if not operation.get("security"):  # public (GET /communes): no 401 nor 404
                assert {"400", "422", "429"} <= declared, (method, path)
                continue
            assert {"400", "401", "404", "422"} <= declared, (method, path)
            if method == "post":
                assert "403" in declared, path
    book = schema["paths"]["/api/v1/same-day/slots/{slot_id}/book"]["post"]["responses"]
    assert "409" in book


def test_no_two_api_schemas_share_a_name():
    # The OpenAPI schema names its components after the classes: two `RequestOut`s would
    # show one body for both operations.
    import importlib
    import inspect

    from ninja import Schema

    modules = ["maillage.core.api", "maillage.core.api_types", "maillage.territory.api",
               "maillage.directory.api", "maillage.patients.api", "maillage.gp_access.api",
               "maillage.same_day_care.api", "maillage.pathways.api"]  # fmt: skip
    seen = {}
    for name in modules:
        for _attr, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == name:
                assert cls.__name__ not in seen, (cls, seen.get(cls.__name__))
                seen[cls.__name__] = cls


def test_a_deeply_nested_body_with_a_nul_is_refused_not_a_500(client, auth):
    body = '{"a": ' * 100_000 + '"\\u0000"' + "}" * 100_000
    response = client.post("/api/v1/patients", body, content_type="application/json", **auth)
    assert response.status_code == 400
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/patients", deep, content_type="application/json", **auth)
    assert response.status_code in (400, 422)
