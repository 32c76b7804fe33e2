"""Every page under /c/<cpts>/, taken from the URL resolver (so a new page cannot escape),
opened by every role and by an outsider, checked against the permissions of
core/permissions.py (docs/permissions.md):

- a view declares its permission (`member_view`); an outsider gets 404 everywhere, a role
  without the permission 404, a role with it never a 403 or a 5xx, and the pages without
  an object open;
- need-to-know: a page shows a patient (or a same-day request's person) only to someone
  who may see them, and writes an audit row for each one shown;
- no link of a page a role can open leads that role to a 404 or a 403.
"""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from maillage.core import permissions
from maillage.core.models import AuditEvent, Membership
from maillage.patients.access import patients_visible_to
from maillage.patients.models import Patient
from maillage.patients.services import patient_create
from tests.conftest import HOME

pytestmark = pytest.mark.django_db
ROLES = ["coordinator", "gp", "nurse", "pharmacist", "regulator", "partner", "board_member",
         "funder"]  # fmt: skip
HREF = re.compile(r'href="(/c/[^"#?]+)')


def cpts_urls():
    """(name, route, view) of every URL pattern under /c/<cpts_slug>/."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                                pattern.namespace or namespace)  # fmt: skip
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}", prefix + str(pattern.pattern), pattern.callback

    return [u for u in walk(get_resolver().url_patterns) if u[1].startswith("c/<slug:cpts_slug>/")]


def test_every_page_of_a_cpts_declares_its_permission():
    undeclared = [name for name, _route, view in cpts_urls()
                  if not isinstance(getattr(view, "permission", None), permissions.Permission)]
    assert not undeclared, f"use @member_view(permissions.<name>) on: {undeclared}"
    assert len(cpts_urls()) > 60


def _person(birth_name, first, born, cpts, coordinator):
    return patient_create(cpts=cpts, actor=coordinator, consent_method="oral",
                          allow_duplicate=True,
                          data={"birth_name": birth_name, "first_names": first,
                                "birth_date": born, "sex": "F", "commune": "38053",
                                "phone": "0611223344"})  # fmt: skip


@pytest.fixture
def world(home_cpts, coordinator, gp, nurse, pharmacist, regulator, partner):
    """One object of every kind the pages name, with people whose names appear nowhere
    else, some visible to some roles only."""
    from maillage.core.services import api_token_create  # noqa: F401 (accounts exist)
    from maillage.directory.models import DirectoryEntry
    from maillage.directory.services import structures_for
    from maillage.gp_access.models import CsvUpload, GpRequest, Proposal, ProposalBatch, Status
    from maillage.gp_access.services import propose_batch, request_create, transition
    from maillage.pathways import editor, meetings
    from maillage.pathways import services as pathways
    from maillage.pathways.models import PathwayTemplate
    from maillage.patients.duplicates import open_review
    from maillage.patients.services import clean_patient_data
    from maillage.same_day_care.models import Slot
    from maillage.same_day_care.services import book, publish_slots
    from maillage.same_day_care.services import request_create as snp_create
    from maillage.territory.models import Commune

    # The demo's requests would take the GP's capacity: this world has its own.
    Proposal.objects.all().delete()
    ProposalBatch.objects.all().delete()
    GpRequest.objects.all().delete()
    member = {m.user_id: m for m in Membership.objects.filter(cpts=home_cpts)}
    # In a pathway, with the GP (référent) and the nurse: they may see her.
    followed = _person("Zephyrine", "Octavie", "1950-01-02", home_cpts, coordinator)
    diabetes = PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True, version=1)
    enrolment = pathways.enrol(cpts=home_cpts, patient=followed, template=diabetes,
                               actor=coordinator,
                               team=[(gp, "Médecin traitant", True), (nurse, "IDEL", False)])
    task = enrolment.tasks.filter(status="due").first()
    meeting = meetings.schedule(
        cpts=home_cpts, organiser_membership=member[coordinator.pk], title="RCP matrice",
        starts_at=timezone.now() + datetime.timedelta(days=2), duration_minutes=60,
        participants=[gp, nurse, pharmacist],
    )  # fmt: skip
    case = meetings.add_case(meeting=meeting, membership=member[coordinator.pk],
                             enrolment=enrolment, question="Question ?")  # fmt: skip
    # Referred by the partner: they may see her.
    referred = _person("Quirinalle", "Basilie", "1960-03-04", home_cpts, coordinator)
    gp_request = request_create(cpts=home_cpts, actor=partner, patient=referred,
                                origin="partner")  # fmt: skip
    transition(gp_request=gp_request, to_status=Status.QUALIFIED, actor=coordinator)
    # In a draft batch for the GP: nobody but the coordination may see her yet.
    drafted = _person("Voltigeuse", "Annabelle", "1970-05-06", home_cpts, coordinator)
    transition(gp_request=request_create(cpts=home_cpts, actor=coordinator, patient=drafted,
                                         origin="coordination"),
               to_status=Status.QUALIFIED, actor=coordinator)  # fmt: skip
    batch = propose_batch(cpts=home_cpts, actor=coordinator)
    assert batch.proposals.filter(gp=gp, request__patient=drafted).exists()
    # A same-day request by the regulator, booked with the GP.
    bourgoin = Commune.objects.get(code="38053")
    start = timezone.now() + datetime.timedelta(hours=3)
    publish_slots(cpts=home_cpts, professional=gp, actor=gp, profession_code="10",
                  commune=bourgoin, times=[(start, start + datetime.timedelta(minutes=20))])
    snp = snp_create(cpts=home_cpts, actor=regulator, origin="regulator", data={
        "last_name": "Xeresse", "first_name": "Pauline", "birth_date": datetime.date(1990, 1, 1),
        "phone": "0611111111", "commune": bourgoin, "reason": "fever", "profession_code": "10",
        "mode": "practice", "urgency": "same_day"})  # fmt: skip
    slot = Slot.objects.filter(cpts=home_cpts, professional=gp, start=start).get()
    appointment = book(slot=slot, snp_request=snp, actor=regulator)
    # A duplicate submitted by the partner, waiting for the coordination.
    review = open_review(membership=member[partner.pk], candidates=[followed],
                         data=clean_patient_data({"birth_name": "Zephyrine",
                                                  "first_names": "Octavia",
                                                  "birth_date": "1950-01-02", "sex": "F"}),
                         consent_method="oral", purpose="patient", payload={})  # fmt: skip
    draft = editor.template_create(cpts=home_cpts, actor=coordinator, name="Parcours matrice")
    step = editor.step_save(draft=draft, actor=coordinator,
                            data={"label": "Pesée", "result_kind": "number", "unit": "kg",
                                  "plausible_min": 20, "plausible_max": 300})  # fmt: skip
    upload = CsvUpload.objects.create(cpts=home_cpts, uploaded_by=coordinator,
                                      file_name="cpam.csv",
                                      content=b"nom;prenom;date_naissance;sexe;commune\n"
                                              b"Ycarienne;Lou;01/01/1980;F;38053\n")  # fmt: skip
    # A failed import of that list and a GP's agenda import: their progress pages.
    from maillage.gp_access.models import CpamImport
    from maillage.same_day_care.models import IcsImport

    cpam_run = CpamImport.objects.create(cpts=home_cpts, upload=upload, file_name="cpam.csv",
                                         created_by=coordinator, total=1, state="failed",
                                         errors=["Ligne 2 : sexe illisible"])  # fmt: skip
    ics_run = IcsImport.objects.create(cpts=home_cpts, created_by=gp, file_name="agenda.ics",
                                       profession_code="10", kind="cpts", mode="practice",
                                       commune=bourgoin)  # fmt: skip
    professional = DirectoryEntry.objects.filter(cpts=home_cpts).select_related(
        "professional").first().professional
    structure = structures_for(home_cpts).first()
    from maillage.notifications.services import notify

    [message] = notify(cpts=home_cpts, recipients=[gp], kind="notifications.test",
                       subject="Matrice", body="Essai.", sender=coordinator)  # fmt: skip
    args = {
        "notifications:retry": [message.deliveries.get(channel="email").public_id],
        "directory:export": ["csv"], "directory:professional": [professional.public_id],
        "directory:structure": [structure.public_id],
        "patients:review": [review.public_id],
        "gp_access:cpam_mapping": [upload.public_id],
        "gp_access:cpam_progress": [cpam_run.public_id],
        "same_day_care:ics_progress": [ics_run.public_id],
        "gp_access:request": [gp_request.public_id], "gp_access:merge": [gp_request.public_id],
        "same_day_care:request": [snp.public_id],
        "same_day_care:request_criteria": [snp.public_id],
        "same_day_care:outcome": [appointment.public_id],
        "same_day_care:outcome_undo": [appointment.public_id],
        "pathways:enrolment": [enrolment.public_id], "pathways:note": [enrolment.public_id],
        "pathways:end": [enrolment.public_id], "pathways:attending_gp": [enrolment.public_id],
        "pathways:link_account": [enrolment.public_id],
        "pathways:complete": [task.public_id], "pathways:reassign": [task.public_id],
        "pathways:editor_template": [diabetes.public_id],
        "pathways:editor_modify": [diabetes.public_id],
        "pathways:editor_draft": [draft.public_id], "pathways:editor_step_new": [draft.public_id],
        "pathways:editor_step": [draft.public_id, step.code],
        "pathways:editor_step_delete": [draft.public_id, step.code],
        "pathways:editor_publish": [draft.public_id],
        "pathways:editor_discard": [draft.public_id],
        "pathways:meeting": [meeting.public_id], "pathways:meeting_add_case": [meeting.public_id],
        "pathways:meeting_invite": [meeting.public_id],
        "pathways:meeting_attendance": [meeting.public_id],
        "pathways:meeting_status": [meeting.public_id],
        "pathways:meeting_decision": [case.public_id],
        "pathways:pps": [followed.public_id], "pathways:pps_pdf": [followed.public_id],
        "pathways:fhir": [followed.public_id],
        "core:member_account": [member[gp.pk].public_id],
        "core:member_account_action": [member[gp.pk].public_id, "sessions"],
        "core:patient_access": [followed.public_id],
        "core:patient_access_export": [followed.public_id, "csv"],
        "core:job_retry": ["0" * 32],  # POST only: a GET answers 405 to whoever may retry
    }
    # The crisis app: each area adds its objects in its own args.update() below.
    from maillage.crisis.models import Activation

    activation = Activation.objects.create(
        cpts=home_cpts, kind="exercise", crisis_type="nrbc", title="Exercice matrice",
        started_by=coordinator)  # fmt: skip
    args.update({"crisis:activation": [activation.public_id],
                 "crisis:board": [activation.public_id],
                 "crisis:campaign_new": [activation.public_id]})  # fmt: skip
    # The register: the GP (in her care team) is the referent of the followed patient and
    # is given her call.
    from maillage.crisis import calls as crisis_calls
    from maillage.crisis import vulnerable

    registered = vulnerable.register_create(
        cpts=home_cpts, actor=coordinator, patient=followed, referent_membership=member[gp.pk],
        commune=bourgoin, consent_on=timezone.localdate(), consent_by="person",
        criteria=["home_oxygen"])  # fmt: skip
    campaign = crisis_calls.campaign_create(activation=activation, actor=coordinator,
                                            title="Appels matrice", callers=[gp])
    the_call = campaign.calls.get()
    args.update({"crisis:register_person": [registered.public_id],
                 "crisis:register_archive": [registered.public_id],
                 "crisis:campaign": [campaign.public_id],
                 "crisis:call_outcome": [the_call.public_id],
                 "crisis:call_reassign": [the_call.public_id]})  # fmt: skip
    # -- activations, log, RETEX, proofs --
    from maillage.crisis.activations import add_entry

    entry = add_entry(activation=activation, actor=coordinator, text="Entrée matrice")
    args.update({name: [activation.public_id] for name in (
        "crisis:log_entry", "crisis:action_done", "crisis:notice", "crisis:end",
        "crisis:retex")})  # fmt: skip
    args.update({"crisis:log_correct": [activation.public_id, entry.public_id],
                 "crisis:proofs_export": ["csv"]})  # fmt: skip
    from maillage.crisis.models import PlanVersion

    plan_version = PlanVersion.objects.create(cpts=home_cpts, number=1, frame_version="2022-12",
                                              created_by=coordinator)  # fmt: skip
    args.update({"crisis:plan_section": ["context"]} | {
        f"crisis:{name}": [plan_version.public_id]
        for name in ("plan_version", "plan_approve", "plan_delivered", "plan_pdf")})
    from maillage.crisis.models import Alert

    alert = Alert.objects.create(cpts=home_cpts, activation=activation, groups=["all"],
                                 channels=["sms"], message="EXERCICE – Matrice")  # fmt: skip
    args.update({"crisis:alert_new": [activation.public_id],
                 "crisis:alert_count": [activation.public_id],
                 "crisis:alert": [alert.public_id]})  # fmt: skip
    from maillage.crisis.models import Contact, Site, Stock

    contact = Contact.objects.create(cpts=home_cpts, category="ars", name="ARS matrice",
                                     email="ars@matrice.test")  # fmt: skip
    site = Site.objects.create(cpts=home_cpts, name="Gymnase matrice", commune=bourgoin)
    stock = Stock.objects.create(cpts=home_cpts, item="Masques matrice", quantity=5, minimum=1,
                                 holder="Mairie", site=site)  # fmt: skip
    args.update({f"crisis:{n}": [contact.public_id] for n in ("contact", "contact_archive")})
    args.update({f"crisis:{n}": [site.public_id] for n in ("site", "site_confirm", "site_archive")})
    args.update({f"crisis:{n}": [stock.public_id]
                 for n in ("stock", "stock_confirm", "stock_archive")})  # fmt: skip
    # The prevention app: each area adds its objects in its own args.update() below.
    from maillage.prevention.models import Action, Participant, Theme

    prevention_action = Action.objects.create(
        cpts=home_cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée matrice", start=start, end=start + datetime.timedelta(hours=4),
        commune=bourgoin, questionnaire="findrisc", public=True, capacity=20,
        created_by=coordinator)  # fmt: skip
    participant = Participant.objects.create(
        cpts=home_cpts, action=prevention_action, sex="F", age=60, questionnaire="findrisc",
        answers={}, fingerprint="matrice", entered_by=gp)  # fmt: skip
    args.update({f"prevention:{n}": [prevention_action.public_id]
                 for n in ("action", "screen", "checkin")})  # fmt: skip
    args.update({"prevention:participant": [participant.public_id]})
    from maillage.prevention.models import Registration

    registration = Registration.objects.create(
        cpts=home_cpts, action=prevention_action, first_name="Inès", last_name="Matrice",
        email="ines@example.org", status="confirmed", token_hash="0" * 64)  # fmt: skip
    args.update({f"prevention:{n}": [prevention_action.public_id]
                 for n in ("checkin_walk_in", "checkin_bulk", "registrations_export")})
    args.update({"prevention:checkin_mark": [prevention_action.public_id,
                                             registration.public_id]})  # fmt: skip
    # Screening: the measure form is POST only (a GET answers 405 to whoever may screen).
    from maillage.prevention.models import Questionnaire

    questionnaire = Questionnaire.objects.create(
        cpts=home_cpts, code="matrice", label="Questionnaire matrice", definition={},
        created_by=coordinator)  # fmt: skip
    args.update({"prevention:participant_measure": [participant.public_id],
                 "prevention:questionnaire": [questionnaire.public_id]})  # fmt: skip
    from maillage.prevention.models import FollowUp

    follow_up = FollowUp.objects.create(cpts=home_cpts, participant=participant,
                                        reason="FINDRISC 15, glycémie 2,3 g/L")  # fmt: skip
    args.update({"prevention:followup": [follow_up.public_id]})
    from maillage.prevention import programme as prevention_programme
    from maillage.prevention.models import Material

    prevention_year = prevention_programme.programme_save(cpts=home_cpts, actor=coordinator,
                                                          year=start.year)  # fmt: skip
    programme_theme = prevention_programme.programme_theme_save(
        programme=prevention_year, theme=Theme.objects.get(cpts=None, code="chutes"),
        actor=coordinator, data={})  # fmt: skip
    material = Material.objects.create(
        cpts=home_cpts, action=prevention_action, kind="sign_in", file_name="matrice.pdf",
        content_type="application/pdf", size=8, content=b"%PDF-1.4", uploaded_by=coordinator)
    args.update({f"prevention:{n}": [prevention_action.public_id] for n in (
        "action_edit", "action_professionals", "action_counts", "material_upload")})
    args.update({"prevention:programme_theme": [programme_theme.public_id]})
    args.update({f"prevention:{n}": [material.public_id] for n in ("material",
                                                                     "material_delete")})
    args.update({"prevention:followup_letter": [follow_up.public_id]})
    from maillage.prevention.models import ContractRate

    contract_rate = ContractRate.objects.create(
        cpts=home_cpts, theme=Theme.objects.get(cpts=None, code="depistage-cancer-sein"),
        year=2026, baseline=66.26, socle=69.70, intermediate=72.40, objective=75,
        updated_by=coordinator)  # fmt: skip
    args.update({"prevention:action_indicators": [prevention_action.public_id],
                 "prevention:rate": [contract_rate.public_id]})  # fmt: skip
    args.update(_reporting_world(home_cpts, coordinator))
    people = [(p, p.display_name) for p in (followed, referred, drafted)] + [
        (snp, snp.display_name)]
    later = start + datetime.timedelta(hours=1)
    publish_slots(cpts=home_cpts, professional=gp, actor=gp, profession_code="10",
                  commune=bourgoin, times=[(later, later + datetime.timedelta(minutes=20))])
    free_slot = Slot.objects.filter(cpts=home_cpts, professional=gp, start=later).get()
    objects = {"followed": followed, "referred": referred, "gp_request": gp_request,
               "enrolment": enrolment, "task": task, "snp": snp, "appointment": appointment,
               "free_slot": free_slot, "notification": message}  # fmt: skip
    objects.update({"activation": activation, "alert": alert})
    objects.update({"prevention_action": prevention_action})
    return {"args": args, "people": people, "objects": objects}


def _reporting_world(cpts, coordinator) -> dict:
    """The ACI contract's objects the reporting pages name: a contract with a mission, an
    indicator, a proof requirement and its file, a report version."""
    from decimal import Decimal

    from maillage.reporting import models as aci

    contract = aci.Contract.objects.create(cpts=cpts, signed_on=datetime.date(2022, 3, 1),
                                           size_class=2, operating_grant=Decimal("50000.00"))
    mission = aci.ContractMission.objects.create(contract=contract, code=aci.MissionCode.ACCES,
                                                 status=aci.MissionStatus.STARTED,
                                                 started_on=datetime.date(2022, 6, 1))
    indicator = aci.ContractIndicator.objects.create(
        mission=mission, code="patients-ald", label="Patients en ALD ayant trouvé un médecin",
        source=aci.IndicatorSource.COMPUTED, registry_code="gp_access.ald_found_gp")
    requirement = aci.ProofRequirement.objects.create(
        mission=mission, indicator=indicator, label="Liste des réunions",
        kind=aci.ProofKind.FILE)
    proof = aci.ProofFile.objects.create(requirement=requirement, year=4, name="matrice.pdf",
                                         content_type="application/pdf", size=8,
                                         content=b"%PDF-1.4", uploaded_by=coordinator)
    report = aci.Report.objects.create(contract=contract, year=4, version=1,
                                       pdf=b"%PDF-1.4", xlsx=b"PK\x03\x04",
                                       created_by=coordinator)
    return {
        "reporting:indicator_edit": [indicator.public_id],
        "reporting:indicator_figure": [indicator.public_id],
        "reporting:mission_status": [mission.code],
        "reporting:proof_upload": [requirement.public_id],
        "reporting:proof_file": [proof.public_id],
        "reporting:report_year": [4],
        "reporting:report_version": [report.public_id, "pdf"],
        "reporting:report_comment": [4, "acces"],
        "reporting:report_generate": [4],
        "reporting:report_send": [report.public_id],
        "reporting:report_delete": [report.public_id],
        "reporting:proof_file_delete": [proof.public_id],
    }  # fmt: skip


def _url(name, route, args):
    if "<" in route.removeprefix("c/<slug:cpts_slug>/"):
        assert name in args, f"the matrix needs an object for {name}: add it to `world`"
        return reverse(name, args=[HOME, *args[name]])
    return reverse(name, args=[HOME])


def _may_see(user, cpts, person) -> bool:
    membership = Membership.objects.get(user=user, cpts=cpts)
    if isinstance(person, Patient):
        return patients_visible_to(membership).filter(pk=person.pk).exists()
    from maillage.same_day_care.access import appointments_visible_to, requests_visible_to

    return (requests_visible_to(membership).filter(pk=person.pk).exists()
            or appointments_visible_to(membership).filter(request=person).exists())


def _body(response) -> str:
    if response.get("Content-Type", "").startswith(("text/", "application/json",
                                                     "application/fhir")):  # fmt: skip
        import html

        return html.unescape(response.content.decode("utf-8", errors="replace"))
    return ""


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_as_the_permission_table_says_and_leaks_no_patient(
    role, request, world, client_for, home_cpts
):
    user = request.getfixturevalue(role)
    membership = Membership.objects.get(user=user, cpts=home_cpts)
    client = client_for(user)
    client.raise_request_exception = False
    problems, opened = [], {}
    for name, route, view in cpts_urls():
        url = _url(name, route, world["args"])
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        status = response.status_code
        allowed = view.permission(membership)
        if status >= 500 or status == 403:
            problems.append(f"{name}: {status}")
        elif not allowed and status != 404:
            problems.append(f"{name}: {status} without {view.permission.name}")
        elif allowed and "<" not in route.removeprefix("c/<slug:cpts_slug>/") and status == 404:
            problems.append(f"{name}: 404 with {view.permission.name}")
        if status != 200:
            continue
        body = _body(response)
        opened[url] = body
        audited = set(AuditEvent.objects.filter(pk__gt=since, actor=user)
                      .values_list("patient", flat=True))  # fmt: skip
        for person, label in world["people"]:
            if label not in body:
                continue
            if not _may_see(user, home_cpts, person):
                problems.append(f"{name}: shows {label}, whom {role} may not see")
            elif person.public_id not in audited:
                problems.append(f"{name}: shows {label} without an audit row")
    # No link of a page this role opened leads it to a 404 or a 403.
    links = {href for body in opened.values() for href in HREF.findall(body)}
    for href in sorted(links):
        path = urlsplit(href).path
        try:
            resolve(path)
        except Exception:  # noqa: BLE001 (any resolver error is a broken link)
            problems.append(f"broken link {href}")
            continue
        if path in opened:
            continue
        status = client.get(path).status_code
        if status in (403, 404) or status >= 500:
            problems.append(f"link {href}: {status}")
    assert not problems, "\n".join(problems)


def test_an_outsider_gets_404_on_every_page(world, client_for, outsider):
    client = client_for(outsider)
    client.raise_request_exception = False
    answers = {name: client.get(_url(name, route, world["args"])).status_code
               for name, route, _view in cpts_urls()}  # fmt: skip
    assert {name: s for name, s in answers.items() if s != 404} == {}


def test_an_anonymous_visitor_is_sent_to_the_login_page(world, client):
    for name, route, _view in cpts_urls():
        response = client.get(_url(name, route, world["args"]))
        assert response.status_code == 302 and "/connexion/" in response["Location"], name


# The API -------------------------------------------------------------------------------


def api_operations():
    """(method, path, view) of every operation of the OpenAPI schema, with its view."""
    from maillage.api import api

    views = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    views[(method.lower(), "/api/v1" + path)] = operation.view_func
    schema = api.get_openapi_schema()
    found = [(method, path, views.get((method, path)))
             for path, item in schema["paths"].items() for method in item]  # fmt: skip
    assert len(found) >= 20
    return found


def test_every_api_operation_declares_its_permission():
    undeclared = [f"{method.upper()} {path}" for method, path, view in api_operations()
                  if not isinstance(getattr(view, "permission", None), permissions.Permission)]
    assert not undeclared, f"use @api_permission(permissions.<name>) on: {undeclared}"


def _api_call(method, path, objects):
    """The path with the world's objects, and a valid body for a write."""
    o = objects
    ids = {"patient_id": o["followed"], "request_id": o["gp_request"]
           if path.startswith("/api/v1/gp-requests") else o["snp"],
           "enrolment_id": o["enrolment"], "task_id": o["task"], "slot_id": o["free_slot"],
           "appointment_id": o["appointment"], "notification_id": o["notification"],
           "alert_id": o["alert"], "action_id": o["prevention_action"]}  # fmt: skip
    for name, obj in ids.items():
        path = path.replace("{" + name + "}", str(obj.public_id))
    bodies = {
        "/api/v1/patients": {"birth_name": "Apitest", "first_names": "Lou",
                             "birth_date": "1985-01-01", "sex": "F", "commune": "38053"},
        "/api/v1/gp-requests": {"patient": str(o["followed"].public_id)},
        "/api/v1/same-day/requests": {"last_name": "Apitest", "first_name": "Lou",
                                      "birth_date": "1985-01-01", "phone": "0611111111",
                                      "commune": "38053"},
        "/api/v1/pathways/enrolments": {"patient": str(o["referred"].public_id),
                                        "template": "diabete-type-2"},
        "/api/v1/crisis/activations": {"kind": "exercise", "crisis_type": "nrbc"},
        "/api/v1/crisis/alerts": {"activation": str(o["activation"].public_id),
                                  "groups": ["all"], "message": "Matrice", "channels": ["inapp"]},
        "/api/v1/aci/contract": {"signed_on": "2022-03-01", "size_class": 2,
                                 "operating_grant": "50000", "missions": [
                                     {"code": code, "started_on": None,
                                      "years": [{"year": 1, "fixed": "1000", "variable": "0"}]}
                                     for code in ("acces", "parcours", "prevention", "crise")]},
    }  # fmt: skip
    if method == "get":
        return path, None
    body = bodies.get(path)
    if body is None and path.endswith("/transition"):
        body = {"to_status": "cancelled", "reason": "Essai"}
    elif body is None and path.endswith("/book"):
        body = {"request": str(o["snp"].public_id)}
    elif body is None and path.endswith("/status"):
        body = {"status": "fulfilled"}
    elif body is None and path.endswith("/complete"):
        body = {"value": "7.1"}
    elif body is None and path.endswith("/participants"):
        body = {"sex": "F", "age": 50, "questionnaire": "glycemie",
                "answers": {"glucose_g_l": 1.0, "fasting": True}}
    return path, body


def _names_in(data: str, person) -> bool:
    name = person.birth_name if isinstance(person, Patient) else person.last_name
    return str(person.public_id) in data or name in data


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_each_api_operation_answers_as_the_permission_table_says_and_leaks_no_patient(
    role, request, world, client, home_cpts, other_cpts
):
    from maillage.core.services import api_token_create

    user = request.getfixturevalue(role)
    cpts = other_cpts if role == "outsider" else home_cpts
    membership = Membership.objects.get(user=user, cpts=cpts)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    problems = []
    for method, template, view in api_operations():
        path, body = _api_call(method, template, world["objects"])
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if method == "get":
            response = client.get(path, **auth)
        else:
            response = client.generic(method.upper(), path, json.dumps(body or {}),
                                      content_type="application/json", **auth)  # fmt: skip
        status, name = response.status_code, f"{method.upper()} {template}"
        allowed = view.permission(membership)
        names_home_object = "{" in template or (body and any(
            str(o.public_id) in str(body) for o in world["objects"].values()))
        if status >= 500 or status == 403:
            problems.append(f"{name}: {status}")
        elif not allowed and status != 404:
            problems.append(f"{name}: {status} without {view.permission.name}")
        elif role == "outsider" and names_home_object and status != 404:
            problems.append(f"{name}: {status} for another CPTS's object")
        data = response.content.decode()
        audited = set(AuditEvent.objects.filter(pk__gt=since, actor=user)
                      .values_list("patient", flat=True))  # fmt: skip
        for person, label in world["people"]:
            if not _names_in(data, person):
                continue
            if role == "outsider" or not _may_see(user, home_cpts, person):
                problems.append(f"{name}: answers about {label}, whom {role} may not see")
            elif person.public_id not in audited:
                problems.append(f"{name}: answers about {label} without an audit row")
    assert not problems, "\n".join(problems)
