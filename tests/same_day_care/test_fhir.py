"""The SAS slot search (INT_R04 and INT_R01): the guide's Bundle shapes, bad input, scope."""

import datetime
import json
import re
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.slot import Slot as FhirSlot

from maillage.core.models import User
from maillage.core.services import api_token_create
from maillage.demo.builder import demo_email
from maillage.directory.models import GP_SPECIALTIES, DirectoryEntry, Professional
from maillage.same_day_care import fhir, services
from maillage.same_day_care.models import Slot
from maillage.territory.models import Commune

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.same_day_care.fhir_test_urls")]

IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
R5_SERVICE_TYPE = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
INT_R04_INCLUDES = [
    ("_include", "Slot:schedule"),
    ("_include:iterate", "Schedule:actor"),
    ("_include", "Slot:service-type-reference"),
    ("_include:iterate", "HealthcareService:organization"),
]
INT_R01_INCLUDES = INT_R04_INCLUDES[:2]


def gp_in(commune_code, *, exclude=()):
    professional = (
        Professional.objects.filter(
            profession_code="10",
            specialty_code__in=GP_SPECIALTIES,
            sites__commune_code=commune_code,
            national_id__startswith="8",
            owner__isnull=True,
        )
        .exclude(pk__in=exclude)
        .order_by("national_id")
        .first()
    )
    assert professional is not None, f"the demo directory has a GP in {commune_code}"
    return professional


def link(cpts, user, commune_code="38053", *, exclude=()):
    """The account's professional in the CPTS's directory: the one already linked (the
    demo links its GP), else a GP of the RPPS practising in the commune."""
    entry = DirectoryEntry.objects.filter(cpts=cpts, account=user).first()
    if entry is not None:
        return entry.professional
    professional = gp_in(commune_code, exclude=exclude)
    DirectoryEntry.objects.update_or_create(
        cpts=cpts, professional=professional, defaults={"account": user}
    )
    return professional


@pytest.fixture
def linked_gp(home_cpts, gp):
    """The `gp` account is, in the CPTS's directory, a GP of the RPPS in Bourgoin-Jallieu;
    the demo's own slots of that account are set aside so that each test counts its own."""
    Slot.objects.filter(professional=gp, status=Slot.Status.FREE).update(
        status=Slot.Status.WITHDRAWN
    )
    return link(home_cpts, gp)


def fhir_get(client, user, params, path="/fhir/Slot"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"} if user else {}
    return client.get(f"{path}?{urlencode(params)}", **headers)


def search_params(*identifiers, includes=INT_R04_INCLUDES, hours=24, drop=()):
    now = timezone.localtime()
    params = [
        *includes,
        ("start", "ge" + now.isoformat(timespec="milliseconds")),
        ("start", "le" + (now + datetime.timedelta(hours=hours)).isoformat(timespec="seconds")),
        ("schedule.actor:Practitioner.identifier", ",".join(f"{IDNPS}|{i}" for i in identifiers)),
        ("status", "free"),
    ]
    return [(k, v) for k, v in params if k not in drop and not any(v.startswith(d) for d in drop)]


def resources(bundle, kind):
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == kind]


def by_reference(bundle):
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
        for e in bundle.get("entry", [])
    }


def codes(codeable_concepts):
    return {(c["system"], c["code"]) for cc in codeable_concepts for c in cc.get("coding", [])}


def test_int_r04_answers_the_guide_bundle(client, regulator, home_cpts, linked_gp, publish):
    publish(hours_from_now=2, count=2)
    publish(hours_from_now=5, kind="public", mode="home")
    response = fhir_get(client, regulator, search_params(linked_gp.national_id))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    Bundle.model_validate(body)  # the whole answer re-parses through the FHIR models
    assert body["type"] == "searchset"
    assert body["total"] == 3
    assert body["meta"]["profile"] == [fhir.PROFILES["bundle_cpts"]]
    assert body["link"][0]["relation"] == "self"
    assert body["link"][0]["url"].startswith("http://testserver/fhir/Slot?")
    for entry in body["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == (
            f"http://testserver/fhir/{resource['resourceType']}/{resource['id']}"
        )
        expected = "match" if resource["resourceType"] == "Slot" else "include"
        assert entry["search"]["mode"] == expected
    kinds = [e["resource"]["resourceType"] for e in body["entry"]]
    assert kinds == ["Slot"] * 3 + [
        "Schedule", "Practitioner", "PractitionerRole", "HealthcareService", "Organization",
    ]  # fmt: skip
    refs = by_reference(body)

    slots = resources(body, "Slot")
    for slot in slots:
        # The shortcut of the renderer gives exactly what the library would write.
        assert FhirSlot.model_validate(slot).model_dump(mode="json", exclude_none=True) == slot
        assert slot["status"] == "free"
        assert slot["meta"]["profile"] == [fhir.PROFILES["slot_cpts"]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", slot["start"])
        assert slot["appointmentType"]["coding"] == [
            {"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "ROUTINE"}
        ]
        assert slot["schedule"]["reference"] in refs
        cpts_type = [st for st in slot["serviceType"] if (R66, "604") in codes([st])]
        assert len(cpts_type) == 1
        assert cpts_type[0]["extension"][0]["url"] == R5_SERVICE_TYPE
        service = refs[cpts_type[0]["extension"][0]["valueReference"]["reference"]]
        assert service["resourceType"] == "HealthcareService"
        assert slot["specialty"][0]["coding"][0]["code"] == linked_gp.specialty_code
        assert slot["comment"].endswith(f"/c/{home_cpts.slug}/snp/demande/")
    pooled, public = slots[0], slots[2]
    assert {s["code"] for s in pooled["meta"]["security"]} == {"SNP", "CPTS"}
    assert {s["code"] for s in public["meta"]["security"]} == {"PUBLIC", "CPTS"}
    assert {s["system"] for s in public["meta"]["security"]} == {TYPE_CRENEAU}
    act_code = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert (act_code, "AMB") in codes(pooled["serviceType"])
    assert (act_code, "HH") in codes(public["serviceType"])

    (schedule,) = resources(body, "Schedule")
    assert {a["reference"].split("/")[0] for a in schedule["actor"]} == {
        "Practitioner", "PractitionerRole",
    }  # fmt: skip
    assert all(a["reference"] in refs for a in schedule["actor"])
    (practitioner,) = resources(body, "Practitioner")
    identifier = practitioner["identifier"][0]
    assert identifier["system"] == IDNPS
    assert identifier["value"] == linked_gp.national_id
    assert identifier["type"]["coding"][0]["code"] == "IDNPS"
    assert practitioner["name"][0]["family"] == linked_gp.last_name
    (role,) = resources(body, "PractitionerRole")
    assert role["practitioner"]["reference"] == f"Practitioner/{practitioner['id']}"
    (location,) = role["contained"]
    assert role["location"] == [{"reference": f"#{location['id']}"}]
    site = linked_gp.sites.filter(commune_code="38053").order_by("pk").first()
    assert location["address"]["line"] == [site.address]
    assert location["address"]["city"] == "Bourgoin-Jallieu"
    assert location["address"]["postalCode"] == site.postal_code
    (service,) = resources(body, "HealthcareService")
    (organization,) = resources(body, "Organization")
    assert service["providedBy"]["reference"] == f"Organization/{organization['id']}"
    assert organization["name"] == home_cpts.name
    org_id = organization["identifier"][0]
    assert org_id["system"] == "urn:oid:1.2.250.1.71.4.2.2"
    assert org_id["type"]["coding"][0] == {
        "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "IDNST",
    }  # fmt: skip
    assert re.fullmatch(r"1\d{9}", org_id["value"])


def test_int_r01_leaves_out_the_cpts_parts(client, coordinator, linked_gp, publish):
    publish(hours_from_now=2)
    body = fhir_get(
        client, coordinator, search_params(linked_gp.national_id, includes=INT_R01_INCLUDES)
    ).json()
    Bundle.model_validate(body)
    assert body["meta"]["profile"] == [fhir.PROFILES["bundle"]]
    assert [e["resource"]["resourceType"] for e in body["entry"]] == [
        "Slot", "Schedule", "Practitioner", "PractitionerRole",
    ]  # fmt: skip
    (slot,) = resources(body, "Slot")
    assert slot["meta"]["profile"] == [fhir.PROFILES["slot"]]
    assert {s["code"] for s in slot["meta"]["security"]} == {"SNP"}
    assert all((R66, "604") not in codes([st]) for st in slot["serviceType"])
    assert all("extension" not in st for st in slot["serviceType"])


def test_without_includes_only_the_slots_come_back(client, regulator, linked_gp, publish):
    publish(hours_from_now=2)
    body = fhir_get(client, regulator, search_params(linked_gp.national_id, includes=[])).json()
    assert [e["resource"]["resourceType"] for e in body["entry"]] == ["Slot"]


def test_nothing_matching_gives_an_empty_searchset(client, regulator, linked_gp, publish):
    publish(hours_from_now=2)
    body = fhir_get(client, regulator, search_params("810000000001")).json()
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    assert body["total"] == 0
    assert "entry" not in body
    assert body["link"][0]["relation"] == "self"


def test_only_free_future_slots_in_the_window(
    client, regulator, linked_gp, publish, snp_request, gp
):
    kept, withdrawn, booked = publish(hours_from_now=2, count=3)
    publish(hours_from_now=30)  # after start=le
    services.withdraw_slot(slot=withdrawn, actor=gp)
    services.book(slot=booked, snp_request=snp_request(), actor=regulator)
    body = fhir_get(client, regulator, search_params(linked_gp.national_id)).json()
    assert [s["id"] for s in resources(body, "Slot")] == [str(kept.public_id)]


def test_each_practice_site_has_its_schedule_and_role(client, regulator, linked_gp, publish):
    at_practice = publish(hours_from_now=2)[0]
    elsewhere = publish(hours_from_now=4, commune="38193")[0]  # no site of this GP there
    body = fhir_get(client, regulator, search_params(linked_gp.national_id)).json()
    Bundle.model_validate(body)
    schedules = resources(body, "Schedule")
    roles = resources(body, "PractitionerRole")
    assert len(schedules) == len(roles) == 2
    assert len(resources(body, "Practitioner")) == 1
    slots = {s["id"]: s for s in resources(body, "Slot")}
    first = slots[str(at_practice.public_id)]["schedule"]["reference"]
    second = slots[str(elsewhere.public_id)]["schedule"]["reference"]
    assert first != second
    cities = {role["contained"][0]["address"]["city"] for role in roles}
    assert cities == {"Bourgoin-Jallieu", Commune.objects.get(code="38193").name}


def test_the_organization_carries_the_cpts_finess_and_phone(
    client, regulator, home_cpts, linked_gp, publish
):
    home_cpts.finess, home_cpts.phone = "380012344", "+33474280000"
    home_cpts.save()
    publish(hours_from_now=2)
    body = fhir_get(client, regulator, search_params(linked_gp.national_id)).json()
    (organization,) = resources(body, "Organization")
    assert organization["identifier"][0]["value"] == "1380012344"
    assert organization["telecom"] == [{"system": "phone", "value": "+33474280000"}]


def test_without_a_finess_the_search_still_answers(
    client, regulator, home_cpts, linked_gp, publish, caplog
):
    home_cpts.finess, home_cpts.phone = "", ""
    home_cpts.save()
    publish(hours_from_now=2)
    response = fhir_get(client, regulator, search_params(linked_gp.national_id))
    assert response.status_code == 200
    body = response.json()
    Bundle.model_validate(body)
    assert body["total"] == 1
    (organization,) = resources(body, "Organization")
    assert organization["identifier"][0]["value"] == "1" + fhir.FINESS_PLACEHOLDER
    assert "telecom" not in organization
    assert "no FINESS" in caplog.text


# Validated resources are memoised by content (fhir._validated): a change of the data
# they are made of must show in the next answer, through a fresh validation.


def _search(client, regulator, national_id):
    body = fhir_get(client, regulator, search_params(national_id)).json()
    Bundle.model_validate(body)
    return body


def test_a_changed_professional_site_or_cpts_shows_in_the_next_answer(
    client, regulator, home_cpts, linked_gp, publish
):
    publish(hours_from_now=2)
    before = _search(client, regulator, linked_gp.national_id)
    assert _search(client, regulator, linked_gp.national_id)["entry"][1:] == before["entry"][1:]

    linked_gp.last_name, linked_gp.first_name = "NOUVEAUNOM", "Camille"
    linked_gp.save()
    site = linked_gp.sites.filter(commune_code="38053").order_by("pk").first()
    site.address = "12 rue Nouvelle"
    site.save()
    DirectoryEntry.objects.filter(cpts=home_cpts, professional=linked_gp).update(
        phone="04 74 11 22 33"
    )
    home_cpts.name, home_cpts.finess, home_cpts.phone = "CPTS renommée", "380045674", ""
    home_cpts.save()

    after = _search(client, regulator, linked_gp.national_id)
    (practitioner,) = resources(after, "Practitioner")
    assert practitioner["name"] == [{"family": "NOUVEAUNOM", "given": ["Camille"]}]
    (role,) = resources(after, "PractitionerRole")
    assert role["contained"][0]["address"]["line"] == ["12 rue Nouvelle"]
    assert role["telecom"] == [{"system": "phone", "value": "+33474112233"}]
    (organization,) = resources(after, "Organization")
    assert organization["name"] == "CPTS renommée"
    assert organization["identifier"][0]["value"] == "1380045674"
    assert "telecom" not in organization
    (service,) = resources(after, "HealthcareService")
    assert service["name"] == "Soins non programmés - CPTS renommée"
    # The place's ids rest on its address: the Slot follows its new Schedule.
    (schedule,) = resources(after, "Schedule")
    (slot,) = resources(after, "Slot")
    assert slot["schedule"]["reference"] == f"Schedule/{schedule['id']}"
    assert schedule["actor"][1]["reference"] == f"PractitionerRole/{role['id']}"


def test_every_distinct_resource_is_validated_by_its_model_once(
    client, regulator, linked_gp, publish, monkeypatch
):
    publish(hours_from_now=2, count=3)
    publish(hours_from_now=5, kind="public", mode="home")
    validated = []
    real = fhir._validate_canonical.__wrapped__

    def spy(model_name, canonical):
        validated.append(model_name)
        return real(model_name, canonical)

    cached = fhir.functools.lru_cache(maxsize=fhir.VALIDATED_CACHE_SIZE)(spy)
    monkeypatch.setattr(fhir, "_validate_canonical", cached)
    first = _search(client, regulator, linked_gp.national_id)
    # 4 Slots of 2 shapes; one Schedule, Practitioner, PractitionerRole, HealthcareService
    # and Organization: each distinct content validated once.
    assert sorted(validated) == sorted([
        "Slot", "Slot", "Schedule", "Practitioner", "PractitionerRole",
        "HealthcareService", "Organization",
    ])  # fmt: skip
    validated.clear()
    second = _search(client, regulator, linked_gp.national_id)
    assert validated == []  # nothing changed: all reused
    assert second["entry"] == first["entry"]
    linked_gp.first_name = "Autre"
    linked_gp.save()
    _search(client, regulator, linked_gp.national_id)
    assert validated == ["Practitioner"]  # only the changed content, validated again


def test_validation_is_real_for_memoised_resources():
    with pytest.raises(ValueError):
        fhir._validated(fhir.Practitioner, {"id": "not an id!", "name": "not a list"})
    resource = fhir._validated(fhir.Practitioner, {"id": "abc", "name": [{"family": "X"}]})
    assert resource == {"resourceType": "Practitioner", "id": "abc", "name": [{"family": "X"}]}


def test_a_slot_withdrawn_or_booked_after_a_search_is_not_served_again(
    client, regulator, linked_gp, publish, snp_request, gp
):
    kept, withdrawn, booked = publish(hours_from_now=2, count=3)
    first = _search(client, regulator, linked_gp.national_id)  # shapes and resources memoised
    assert len(resources(first, "Slot")) == 3
    services.withdraw_slot(slot=withdrawn, actor=gp)
    services.book(slot=booked, snp_request=snp_request(), actor=regulator)
    after = _search(client, regulator, linked_gp.national_id)
    assert [s["id"] for s in resources(after, "Slot")] == [str(kept.public_id)]
    assert after["total"] == 1


def test_memoised_resources_of_one_cpts_never_reach_another(
    client, outsider, regulator, home_cpts, other_cpts, linked_gp, publish
):
    """Same professional, same site, both CPTS: each CPTS's curated phone and its own
    Organization, even when the other CPTS's answer was built (and memoised) first."""
    publish(hours_from_now=2)
    DirectoryEntry.objects.filter(cpts=home_cpts, professional=linked_gp).update(
        phone="04 74 11 22 33"
    )
    other_account = User.objects.get(email=demo_email("medecin", other_cpts.slug))
    DirectoryEntry.objects.update_or_create(
        cpts=other_cpts, professional=linked_gp,
        defaults={"account": other_account, "phone": "04 76 99 88 77"},
    )  # fmt: skip
    start = timezone.now() + datetime.timedelta(hours=3)
    services.publish_slots(
        cpts=other_cpts, professional=other_account, actor=other_account,
        times=[(start, start + datetime.timedelta(minutes=20))], profession_code="10",
        commune=Commune.objects.get(code="38053"),
    )  # fmt: skip
    for _ in range(2):  # the second round is served from the memo
        ours = _search(client, regulator, linked_gp.national_id)
        theirs = _search(client, outsider, linked_gp.national_id)
        assert [r["telecom"] for r in resources(ours, "PractitionerRole")] == [
            [{"system": "phone", "value": "+33474112233"}]
        ]
        assert [r["telecom"] for r in resources(theirs, "PractitionerRole")] == [
            [{"system": "phone", "value": "+33476998877"}]
        ]
        assert [o["name"] for o in resources(ours, "Organization")] == [home_cpts.name]
        assert [o["name"] for o in resources(theirs, "Organization")] == [other_cpts.name]
        assert "33476998877" not in json.dumps(ours) and "33474112233" not in json.dumps(theirs)


@pytest.mark.parametrize(
    "bound",
    ["ge0001-01-01", "ge0001-01-01T00:00:00+14:00", "le9999-12-31T23:59:59-14:00"],
)
def test_a_date_out_of_the_database_range_is_a_400(client, regulator, linked_gp, bound):
    params = [p for p in search_params(linked_gp.national_id) if p[1][:2] != bound[:2]]
    params.append(("start", bound))
    assert_outcome(fhir_get(client, regulator, params), 400, "invalid", "date invalide")


def test_an_unencoded_plus_in_the_offset_is_understood(client, regulator, linked_gp, publish):
    publish(hours_from_now=2)
    now = timezone.localtime()
    ge = now.isoformat(timespec="seconds")
    le = (now + datetime.timedelta(days=1)).isoformat(timespec="seconds")
    query = (
        f"start=ge{ge}&start=le{le}&status=free"
        f"&schedule.actor:Practitioner.identifier={IDNPS}|{linked_gp.national_id}"
    )
    assert "+" in query  # decoded as a space by any URL parser
    token = api_token_create(user=regulator)
    response = client.get("/fhir/Slot?" + query, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.json()
    assert response.json()["total"] == 1


def assert_outcome(response, status, code, *words):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    issues = body["issue"]
    assert all(issue["severity"] == "error" for issue in issues)
    assert any(
        issue["code"] == code and all(word in issue["diagnostics"] for word in words)
        for issue in issues
    ), issues


@pytest.mark.parametrize(
    ("dropped", "named"),
    [
        ("ge", "start=ge"),
        ("le", "start=le"),
        ("status", "status"),
        ("schedule.actor:Practitioner.identifier", "schedule.actor:Practitioner.identifier"),
    ],
)
def test_a_missing_mandatory_parameter_is_a_400(client, regulator, linked_gp, dropped, named):
    params = search_params(linked_gp.national_id, drop=(dropped,))
    response = fhir_get(client, regulator, params)
    assert_outcome(response, 400, "required", named, "obligatoire")


def test_no_parameter_at_all_lists_every_problem(client, regulator):
    response = fhir_get(client, regulator, [])
    assert response.status_code == 400
    assert [i["code"] for i in response.json()["issue"]] == ["required"] * 4


def test_more_than_25_practitioners_is_a_400(client, regulator, linked_gp):
    many = [f"8100000{n:05d}" for n in range(26)]
    response = fhir_get(client, regulator, search_params(*many))
    assert_outcome(response, 400, "invalid", "26 identifiants", "25 au plus")
    assert fhir_get(client, regulator, search_params(*many[:25])).status_code == 200


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        (
            "schedule.actor:Practitioner.identifier",
            "urn:oid:1.2.250.1.71.4.2.2|810002909371",
            ("n'a pas le système", IDNPS),
        ),
        ("schedule.actor:Practitioner.identifier", "810002909371", ("n'a pas le système",)),
        ("schedule.actor:Practitioner.identifier", f"{IDNPS}|12345", ("identifiant national",)),
        ("status", "busy", ("free",)),
        ("start", "ge2024-13-45T10:00:00+02:00", ("date invalide",)),
        ("start", "gt2024-06-12T10:00:00+02:00", ("préfixes ge et le",)),
    ],
)
def test_an_invalid_parameter_is_a_400(client, regulator, linked_gp, key, value, words):
    params = [(k, v) for k, v in search_params(linked_gp.national_id) if k != key]
    if key == "start":  # replace the ge bound only
        params = [p for p in search_params(linked_gp.national_id) if not p[1].startswith("ge")]
    params.append((key, value))
    assert_outcome(fhir_get(client, regulator, params), 400, "invalid", *words)


def test_a_nul_character_is_a_400_operation_outcome(client, regulator, linked_gp):
    params = search_params(linked_gp.national_id) + [("status", "free\x00")]
    assert_outcome(fhir_get(client, regulator, params), 400, "invalid", "Caractère nul")


def test_bounds_in_the_wrong_order_are_a_400(client, regulator, linked_gp):
    params = [
        ("start", "ge2030-06-12T10:00:00+02:00"),
        ("start", "le2030-06-11T10:00:00+02:00"),
        ("status", "free"),
        ("schedule.actor:Practitioner.identifier", f"{IDNPS}|{linked_gp.national_id}"),
    ]
    assert_outcome(fhir_get(client, regulator, params), 400, "invalid", "postérieure")


def test_unauthenticated_is_a_401(client, linked_gp):
    response = fhir_get(client, None, search_params(linked_gp.national_id))
    assert_outcome(response, 401, "login", "Authentification requise")
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = client.get("/fhir/Slot", HTTP_AUTHORIZATION="Bearer mlg_nope")
    assert_outcome(bad, 401, "login")


def test_a_professional_is_refused_with_a_403(client, gp, linked_gp):
    response = fhir_get(client, gp, search_params(linked_gp.national_id))
    assert_outcome(response, 403, "forbidden", "régulation")


def test_outsider_gets_only_the_slots_of_their_own_cpts(
    client, outsider, coordinator, other_cpts, linked_gp, publish
):
    home_slot = publish(hours_from_now=2)[0]
    # The same GP also works with the other CPTS, under that CPTS's GP account.
    other_account = User.objects.get(email=demo_email("medecin", other_cpts.slug))
    DirectoryEntry.objects.update_or_create(
        cpts=other_cpts, professional=linked_gp, defaults={"account": other_account}
    )
    start = timezone.now() + datetime.timedelta(hours=3)
    (other_slot,) = services.publish_slots(
        cpts=other_cpts, professional=other_account, actor=other_account,
        times=[(start, start + datetime.timedelta(minutes=20))], profession_code="10",
        commune=Commune.objects.get(code="38053"),
    )  # fmt: skip
    theirs = fhir_get(client, outsider, search_params(linked_gp.national_id)).json()
    ours = fhir_get(client, coordinator, search_params(linked_gp.national_id)).json()
    assert [s["id"] for s in resources(theirs, "Slot")] == [str(other_slot.public_id)]
    assert [s["id"] for s in resources(ours, "Slot")] == [str(home_slot.public_id)]
    assert [o["name"] for o in resources(theirs, "Organization")] == [other_cpts.name]


def test_only_get_is_allowed_and_unknown_paths_are_fhir_404(client, regulator):
    token = api_token_create(user=regulator)
    response = client.post("/fhir/Slot", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_outcome(response, 405, "not-supported")
    assert_outcome(client.get("/fhir/Patient"), 404, "not-supported", "/fhir/Patient")


# ------------------------------------------------------------------ every error is FHIR


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_on_slot_are_405_operation_outcomes_even_with_a_session_and_csrf(
    method, regulator, client_for
):
    """A browser session (cookie) and CSRF checks on: still the FHIR 405, not a CSRF page."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies = client_for(regulator).cookies  # logged in, no CSRF token
    token = api_token_create(user=regulator)
    response = getattr(client, method)("/fhir/Slot", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_outcome(response, 405, "not-supported", "GET")
    assert "GET" in response["Allow"]
    assert_outcome(getattr(client, method)("/fhir/Appointment"), 404, "not-supported")


def test_a_csrf_refusal_under_fhir_is_an_operation_outcome_and_elsewhere_a_french_page(
    rf, client_for, regulator
):
    from django.test import Client

    from maillage.core.errors import csrf_failure

    refusal = csrf_failure(rf.post("/fhir/Slot"), reason="CSRF cookie not set.")
    assert_outcome(_readable(refusal), 403, "forbidden", "CSRF")
    client = Client(enforce_csrf_checks=True)
    client.cookies = client_for(regulator).cookies
    page = client.post("/c/pays-berjalliens/snp/demande/", {"last_name": "X"})
    assert page.status_code == 403 and "Formulaire refusé" in page.content.decode()


@pytest.mark.parametrize("path", ["/fhir/Patient", "/fhir/", "/fhir/Slot/123", "/fhir/metadata"])
def test_an_unknown_fhir_path_is_a_404_operation_outcome(client, path):
    assert_outcome(client.get(path), 404, "not-supported", path)


def _readable(response):
    """A response from a view called directly, with the test client's .json()."""
    response.json = lambda: json.loads(response.content)
    return response


def test_server_and_request_errors_under_fhir_are_operation_outcomes(rf):
    from maillage.core.errors import bad_request, server_error

    assert_outcome(_readable(server_error(rf.get("/fhir/Slot"))), 500, "exception")
    assert_outcome(_readable(bad_request(rf.get("/fhir/Slot"))), 400, "invalid")
    assert server_error(rf.get("/c/x/")).status_code == 500  # the HTML page elsewhere


def test_too_many_parameters_is_a_400_operation_outcome(client, regulator, settings):
    params = [("x", str(n)) for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    assert_outcome(fhir_get(client, regulator, params), 400, "too-costly", "paramètres")


def _longest_queries(linked_gp):
    """The longest legitimate INT_R04 search: every include, both bounds with milliseconds
    and offsets, status, and 25 practitioners (the linked GP and 24 others), as one
    comma-separated parameter or as 25 parameters, fully percent-encoded."""
    others = [f"8100000{n:05d}" for n in range(24)]
    identifiers = [linked_gp.national_id, *others]
    bounds = [("start", "ge" + timezone.localtime().isoformat(timespec="milliseconds")),
              ("start", "le" + (timezone.localtime() + datetime.timedelta(days=3))
               .isoformat(timespec="milliseconds"))]  # fmt: skip
    one = [*INT_R04_INCLUDES, *bounds, ("status", "free"),
           ("schedule.actor:Practitioner.identifier",
            ",".join(f"{IDNPS}|{i}" for i in identifiers))]  # fmt: skip
    many = [*INT_R04_INCLUDES, *bounds, ("status", "free"),
            *[("schedule.actor:Practitioner.identifier", f"{IDNPS}|{i}") for i in identifiers]]
    return [urlencode(one), urlencode(many)]


def test_the_longest_legitimate_sas_query_passes_every_limit(
    client, regulator, linked_gp, publish, settings
):
    from pathlib import Path

    import gunicorn.config

    import maillage.core.management.commands.serve as serve

    publish(hours_from_now=2)
    token = api_token_create(user=regulator)
    # gunicorn refuses a longer request line (414): its default, unless `serve` raises it.
    raised = re.search(r'"--limit-request-line",\s*"(\d+)"', Path(serve.__file__).read_text())
    gunicorn_limit = int(raised[1]) if raised else gunicorn.config.LimitRequestLine.default
    for query in _longest_queries(linked_gp):
        request_line = f"GET /fhir/Slot?{query} HTTP/1.1"
        assert len(request_line) < gunicorn_limit, len(request_line)
        assert query.count("&") + 1 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        response = client.get("/fhir/Slot?" + query, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.json()
        assert response.json()["total"] == 1
