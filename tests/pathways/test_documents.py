"""A patient's documents: the PPS page and PDF, the FHIR CarePlan/CareTeam export; who may
read them, what they hold, and the audit of every read."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from maillage.core.models import AuditEvent
from maillage.directory.models import DirectoryEntry, Professional
from maillage.pathways import services
from maillage.pathways.fhir import CARE_TEAM_ROLE_SYSTEM, IDNPS_SYSTEM, INS_NIR_SYSTEM
from maillage.pathways.models import PathwayTemplate, Task
from maillage.pathways.models import decimal_fr as format_number
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
TODAY = timezone.localdate()
ENROLLED = TODAY - datetime.timedelta(days=100)
DONE_ON = TODAY - datetime.timedelta(days=10)
NURSE_RPPS = "810101234567"


@pytest.fixture
def patient(home_cpts, coordinator, gp):
    person = patient_create(
        cpts=home_cpts,
        actor=coordinator,
        consent_method="oral",
        data={
            "birth_name": "Lefèvre",
            "used_name": "Cœurdevey",
            "first_names": "Hélène Françoise",
            "birth_date": "1955-03-14",
            "sex": "F",
            "commune": "38053",
            "phone": "0612121212",
            "nir": "255033805300168",
        },
        allow_duplicate=True,
    )
    person.attending_gp = gp
    person.save(update_fields=["attending_gp"])
    return person


@pytest.fixture
def nurse_in_directory(home_cpts, nurse):
    """The nurse's account linked to a directory professional with an RPPS number."""
    DirectoryEntry.objects.filter(cpts=home_cpts, account=nurse).delete()
    professional = Professional.objects.create(
        national_id=NURSE_RPPS, last_name="Garnier", first_name="Hugo", profession_code="60",
        profession="Infirmier", search_name="garnier hugo",
    )  # fmt: skip
    return DirectoryEntry.objects.create(cpts=home_cpts, professional=professional,
                                         account=nurse, phone="04 74 11 22 33")  # fmt: skip


@pytest.fixture
def diabetes(home_cpts, patient, coordinator, nurse, pharmacist, nurse_in_directory):
    """Diabetes pathway: the nurse is the referent, the GP (médecin traitant) is NOT in
    the team. HbA1c done ten days ago (7,2 %), the next one planned."""
    template = PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True)
    enrolment = services.enrol(
        cpts=home_cpts, patient=patient, template=template, actor=coordinator,
        team=[(nurse, "IDEL", True), (pharmacist, "Pharmacien d'officine", False)],
        on=ENROLLED,
    )  # fmt: skip
    hba1c = Task.objects.get(enrolment=enrolment, step__code="hba1c", status="due")
    services.complete(task=hba1c, actor=nurse, value="7,2", on=DONE_ON)
    return enrolment


@pytest.fixture
def home_return(home_cpts, patient, coordinator, partner):
    """A second pathway of the same patient whose team is only the partner."""
    template = PathwayTemplate.objects.get(slug="retour-domicile", cpts__isnull=True)
    return services.enrol(
        cpts=home_cpts, patient=patient, template=template, actor=coordinator,
        team=[(partner, "Assistante sociale", True)], on=ENROLLED,
    )  # fmt: skip


def url(name, patient):
    return reverse(f"pathways:{name}", args=[HOME, patient.public_id])


def open_tasks(enrolment):
    return list(enrolment.tasks.filter(status="due"))


# ------------------------------------------------------------------ access


@pytest.mark.parametrize("name", ["pps", "pps_pdf", "fhir"])
def test_coordinator_and_care_team_read_everyone_else_gets_404(
    name, diabetes, patient, client_for, coordinator, nurse, pharmacist, gp, board_member,
    regulator, outsider,
):  # fmt: skip
    for user in (coordinator, nurse, pharmacist):
        assert client_for(user).get(url(name, patient)).status_code == 200, user
    # The médecin traitant outside the care team, the board, a regulator and the
    # coordinator of another CPTS do not even learn the document exists.
    for user in (gp, board_member, regulator, outsider):
        assert client_for(user).get(url(name, patient)).status_code == 404, user


def test_unknown_or_malformed_patient_id_gets_404(diabetes, client_for, coordinator):
    client = client_for(coordinator)
    for public_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = client.get(reverse("pathways:pps", args=[HOME, public_id]))
        assert response.status_code == 404


def test_patient_without_pathway_has_no_pps(patient, client_for, coordinator):
    assert client_for(coordinator).get(url("pps", patient)).status_code == 404


def test_former_team_member_of_an_ended_pathway_gets_404(diabetes, patient, client_for,
                                                         pharmacist):  # fmt: skip
    diabetes.ended_at = timezone.now()
    diabetes.save(update_fields=["ended_at"])
    assert client_for(pharmacist).get(url("pps", patient)).status_code == 404


def test_pps_shows_only_the_pathways_the_viewer_sees(diabetes, home_return, patient,
                                                     client_for, nurse, coordinator):  # fmt: skip
    as_nurse = text(client_for(nurse).get(url("pps", patient)))
    assert "Diabète de type 2" in as_nurse
    assert "Retour à domicile" not in as_nurse
    as_coordinator = text(client_for(coordinator).get(url("pps", patient)))
    assert "Diabète de type 2" in as_coordinator and "Retour à domicile" in as_coordinator


# ------------------------------------------------------------------ page


def test_pps_page_content(diabetes, patient, client_for, nurse, gp):
    page = text(client_for(nurse).get(url("pps", patient)))
    for expected in ("Plan personnalisé de santé", "Lefèvre", "Cœurdevey", "Hélène Françoise",
                     "14/03/1955", "Féminin", "Bourgoin-Jallieu", gp.get_full_name(),
                     "version 1", f"Inclus le {ENROLLED:%d/%m/%Y}"):  # fmt: skip
        assert expected in page, expected
    # Care team with the referent marked and the directory's phone number.
    assert nurse.get_full_name() in page and "référent" in page
    assert "04 74 11 22 33" in page and "Pharmacien d'officine" in page
    # Planned actions with their responsible profession and due dates; late ones marked.
    fundus = Task.objects.get(enrolment=diabetes, step__code="fond-oeil", status="due")
    assert "Fond d'œil (rétinographie)" in page and "Orthoptiste" in page
    assert f"{fundus.due_date:%d/%m/%Y} — en retard" in page  # due 60 days after enrolment
    next_hba1c = Task.objects.get(enrolment=diabetes, step__code="hba1c", status="due")
    assert f"{next_hba1c.due_date:%d/%m/%Y}" in page
    assert f"{next_hba1c.due_date:%d/%m/%Y} — en retard" not in page
    # Recent results with their value and unit, and who edited the document.
    assert f"{DONE_ON:%d/%m/%Y}" in page and "7,2 %" in page
    assert f"par {nurse.get_full_name()}" in page
    # The print layout is a static stylesheet (the Content-Security-Policy refuses inline
    # styles).
    from django.contrib.staticfiles import finders

    assert "pathways/pps.css" in page
    assert "@media print" in open(finders.find("pathways/pps.css"), encoding="utf-8").read()


def test_pps_page_leaves_out_results_older_than_twelve_months(diabetes, patient, client_for,
                                                              nurse):  # fmt: skip
    old = Task.objects.get(enrolment=diabetes, step__code="hba1c", status="done")
    old.completed_on = TODAY - datetime.timedelta(days=400)
    old.save(update_fields=["completed_on"])
    page = text(client_for(nurse).get(url("pps", patient)))
    assert "7,2 %" not in page and "Aucun résultat enregistré" in page


def test_enrolment_page_links_to_the_documents(diabetes, patient, client_for, nurse):
    page = text(client_for(nurse).get(reverse("pathways:enrolment",
                                              args=[HOME, diabetes.public_id])))  # fmt: skip
    for name in ("pps", "pps_pdf", "fhir"):
        assert f'href="{url(name, patient)}"' in page


def test_numbers_are_written_the_french_way():
    assert format_number(Decimal("7.20")) == "7,2"
    assert format_number(Decimal("2.00")) == "2"
    assert format_number(Decimal("10.00")) == "10"


# ------------------------------------------------------------------ PDF


def test_pps_pdf_is_an_attachment_without_the_patient_name(diabetes, patient, client_for,
                                                           nurse):  # fmt: skip
    response = client_for(nurse).get(url("pps_pdf", patient))
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="pps-{TODAY:%Y-%m-%d}.pdf"'
    assert "lef" not in disposition.lower()
    assert response.content.startswith(b"%PDF-")


def test_pps_pdf_text_has_the_patient_steps_and_due_dates_with_accents(
    diabetes, patient, client_for, nurse
):
    response = client_for(nurse).get(url("pps_pdf", patient))
    reader = PdfReader(io.BytesIO(response.content))
    content = "\n".join(page.extract_text() for page in reader.pages)
    assert "Plan personnalisé de santé" in content
    assert "Lefèvre" in content and "Cœurdevey" in content and "Hélène Françoise" in content
    assert "Fond d'œil (rétinographie)" in content
    assert "Éducation thérapeutique (ETP)" in content
    for task in open_tasks(diabetes):
        assert f"{task.due_date:%d/%m/%Y}" in content, task.title
    assert "7,2 %" in content and "(référent)" in content


# ------------------------------------------------------------------ FHIR


def fhir_bundle(client, patient):
    response = client.get(url("fhir", patient))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    Bundle.model_validate_json(response.content)  # raises on any invalid resource
    return json.loads(response.content)


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_export_is_a_valid_collection_bundle(diabetes, home_return, patient, client_for,
                                                  coordinator):  # fmt: skip
    bundle = fhir_bundle(client_for(coordinator), patient)
    assert bundle["type"] == "collection"
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    [fhir_patient] = resources(bundle, "Patient")
    assert fhir_patient["birthDate"] == "1955-03-14" and fhir_patient["gender"] == "female"
    assert fhir_patient["identifier"] == [{
        "use": "official", "system": INS_NIR_SYSTEM, "value": "255033805300168",
        "type": fhir_patient["identifier"][0]["type"],
    }]  # fmt: skip
    assert {n["family"] for n in fhir_patient["name"]} == {"Lefèvre", "Cœurdevey"}
    assert len(resources(bundle, "CarePlan")) == 2 and len(resources(bundle, "CareTeam")) == 2
    # Every reference points inside the bundle.
    for reference in _references(bundle):
        assert reference in full_urls, reference


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_fhir_care_plan_activities_match_open_and_done_tasks(diabetes, patient, client_for,
                                                             nurse):  # fmt: skip
    bundle = fhir_bundle(client_for(nurse), patient)
    [plan] = resources(bundle, "CarePlan")  # the nurse does not see the second pathway
    assert plan["id"] == str(diabetes.public_id)
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["title"] == "Diabète de type 2"
    assert plan["subject"]["reference"] == f"urn:uuid:{patient.public_id}"
    assert plan["period"]["start"] == ENROLLED.isoformat()
    [team] = resources(bundle, "CareTeam")
    assert plan["careTeam"] == [{"reference": f"urn:uuid:{team['id']}"}]
    scheduled = {(a["detail"]["code"]["text"], a["detail"]["scheduledPeriod"]["end"])
                 for a in plan["activity"] if a["detail"]["status"] == "scheduled"}  # fmt: skip
    assert scheduled == {(t.title, t.due_date.isoformat()) for t in open_tasks(diabetes)}
    [done] = [a for a in plan["activity"] if a["detail"]["status"] == "completed"]
    assert done["detail"]["code"]["text"] == "HbA1c"
    [observation] = resources(bundle, "Observation")
    assert done["outcomeReference"] == [{"reference": f"urn:uuid:{observation['id']}"}]
    assert observation["valueQuantity"] == {"value": 7.2, "unit": "%"}
    assert observation["effectiveDateTime"] == DONE_ON.isoformat()


def test_fhir_care_team_flags_the_referent_and_names_practitioners(
    diabetes, patient, client_for, nurse, pharmacist, gp
):
    bundle = fhir_bundle(client_for(nurse), patient)
    [team] = resources(bundle, "CareTeam")
    assert team["status"] == "active"
    members = {p["member"]["reference"]: p for p in team["participant"]}
    assert set(members) == {f"urn:uuid:{nurse.public_id}", f"urn:uuid:{pharmacist.public_id}"}
    referent = members[f"urn:uuid:{nurse.public_id}"]
    assert referent["role"][0]["text"] == "IDEL"
    assert referent["role"][1]["coding"][0] == {
        "system": CARE_TEAM_ROLE_SYSTEM,
        "code": "referent",
        "display": "Référent",
    }
    assert len(members[f"urn:uuid:{pharmacist.public_id}"]["role"]) == 1
    practitioners = {p["id"]: p for p in resources(bundle, "Practitioner")}
    # The GP is in the bundle as the patient's médecin traitant, not as a team member.
    assert set(practitioners) == {str(nurse.public_id), str(pharmacist.public_id),
                                  str(gp.public_id)}  # fmt: skip
    assert practitioners[str(nurse.public_id)]["identifier"] == [
        {"system": IDNPS_SYSTEM, "value": NURSE_RPPS}
    ]
    assert "identifier" not in practitioners[str(pharmacist.public_id)]
    [fhir_patient] = resources(bundle, "Patient")
    assert fhir_patient["generalPractitioner"][0]["reference"] == f"urn:uuid:{gp.public_id}"


def test_fhir_ended_pathway_is_completed(diabetes, patient, client_for, coordinator):
    diabetes.ended_at = timezone.now()
    diabetes.save(update_fields=["ended_at"])
    bundle = fhir_bundle(client_for(coordinator), patient)
    [plan] = resources(bundle, "CarePlan")
    [team] = resources(bundle, "CareTeam")
    assert plan["status"] == "completed" and team["status"] == "inactive"


def test_fhir_patient_without_nir_has_no_identifier(diabetes, patient, client_for, nurse):
    patient.nir = ""
    patient.save(update_fields=["nir"])
    [fhir_patient] = resources(fhir_bundle(client_for(nurse), patient), "Patient")
    assert "identifier" not in fhir_patient


# ------------------------------------------------------------------ audit


@pytest.mark.parametrize("name, action", [("pps", "pathway.pps_read"),
                                          ("pps_pdf", "pathway.pps_pdf"),
                                          ("fhir", "pathway.fhir_export")])  # fmt: skip
def test_every_read_is_audited(name, action, diabetes, patient, client_for, nurse, gp):
    client_for(nurse).get(url(name, patient))
    event = AuditEvent.objects.get(action=action, actor=nurse)
    assert event.patient == patient.public_id
    assert event.object_id == patient.public_id
    assert event.detail["enrolments"] == [str(diabetes.public_id)]
    # A refused read writes nothing.
    client_for(gp).get(url(name, patient))
    assert not AuditEvent.objects.filter(action=action, actor=gp).exists()
