"""The pathway template editor: drafts, steps and their validation (cycles of conditions
included), publication, and the migration of live enrolments to a new version."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.pathways import editor, services
from maillage.pathways.models import Enrolment, PathwayTemplate, TemplateStep
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
OTHER = "vals-du-dauphine"
DAY = datetime.date(2026, 1, 5)


# Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def draft(home_cpts, coordinator, diabetes):
    return editor.draft_open(cpts=home_cpts, actor=coordinator, template=diabetes)


def make_patient(cpts, actor, name="Girard"):
    return patient_create(
        cpts=cpts,
        actor=actor,
        consent_method="oral",
        data={
            "birth_name": name,
            "first_names": "Paul",
            "birth_date": "1958-02-01",
            "sex": "M",
            "commune": "38053",
            "phone": "0612121212",
        },
        allow_duplicate=True,
    )


def enrol(cpts, actor, template, gp, name="Girard", on=DAY):
    return services.enrol(
        cpts=cpts,
        patient=make_patient(cpts, actor, name),
        template=template,
        actor=actor,
        team=[(gp, "médecin traitant", True)],
        on=on,
    )


def step_data(label, **values):
    data = {
        "label": label,
        "profession_code": "10",
        "due_offset_days": 0,
        "recurrence_days": None,
        "result_kind": "none",
        "unit": "",
        "plausible_min": None,
        "plausible_max": None,
        "condition_step": None,
        "condition_min": None,
    }
    data.update(values)
    return data


def form_data(title, **values):
    """What the browser posts for a step (empty strings for empty fields)."""
    data = {key: "" if value is None else value for key, value in step_data(title).items()}
    data.update(values)
    return data


def step_of(template, code):
    return TemplateStep.objects.get(template=template, code=code)


def url(name, *args):
    return reverse(f"pathways:{name}", args=[HOME, *args])


# Drafts --------------------------------------------------------------------------------


def test_modifying_a_shipped_template_copies_its_steps_and_conditions(draft, diabetes, home_cpts):
    assert draft.is_draft and draft.cpts == home_cpts and draft.slug == diabetes.slug
    assert draft.version == diabetes.version + 1 and draft.based_on == diabetes
    original = list(diabetes.steps.values_list("code", "label", "recurrence_days", "position"))
    copied = list(draft.steps.values_list("code", "label", "recurrence_days", "position"))
    assert copied == original
    podiatrist = step_of(draft, "podologue")
    assert podiatrist.condition_step == step_of(draft, "pieds")
    assert podiatrist.condition_min == Decimal("1")
    # The shipped template is untouched.
    assert step_of(diabetes, "podologue").condition_step.template == diabetes


def test_modifying_again_reopens_the_same_draft(draft, home_cpts, coordinator, diabetes):
    again = editor.draft_open(cpts=home_cpts, actor=coordinator, template=diabetes)
    assert again == draft
    assert PathwayTemplate.objects.filter(cpts=home_cpts, slug=diabetes.slug).count() == 1


def test_versions_increase_with_each_publication(draft, home_cpts, coordinator):
    editor.publish(draft=draft, actor=coordinator)
    second = editor.draft_open(cpts=home_cpts, actor=coordinator, template=draft)
    assert (draft.version, second.version) == (2, 3)
    assert second.based_on == draft
    editor.publish(draft=second, actor=coordinator)
    latest = {t.slug: t for t in services.templates_for(home_cpts)}["diabete-type-2"]
    assert latest == second


def test_a_new_template_is_a_draft_whose_slug_collides_with_nothing(home_cpts, coordinator):
    first = editor.template_create(cpts=home_cpts, actor=coordinator, name="Diabète type 2")
    second = editor.template_create(cpts=home_cpts, actor=coordinator, name="Diabète type 2")
    assert first.is_draft and first.version == 1 and first.based_on is None
    assert first.slug == "diabete-type-2-2" and second.slug == "diabete-type-2-3"
    with pytest.raises(ValidationError, match="lettres ou des chiffres"):
        editor.template_create(cpts=home_cpts, actor=coordinator, name="!!!")


def test_drafts_are_never_offered_for_enrolment(draft, home_cpts, coordinator, diabetes):
    fresh = editor.template_create(cpts=home_cpts, actor=coordinator, name="Asthme")
    offered = services.templates_for(home_cpts)
    assert diabetes in offered
    assert draft not in offered and fresh not in offered


def test_discarding_a_draft_keeps_the_published_version(draft, client_for, coordinator, diabetes):
    response = client_for(coordinator).post(url("editor_discard", draft.public_id))
    assert response.status_code == 302
    assert not PathwayTemplate.objects.filter(pk=draft.pk).exists()
    assert not TemplateStep.objects.filter(template_id=draft.pk).exists()
    assert diabetes in services.templates_for(draft.cpts)


# Steps and their validation ------------------------------------------------------------


def test_a_new_step_gets_a_code_from_its_label_unique_in_the_template(draft, coordinator):
    first = editor.step_save(draft=draft, actor=coordinator, data=step_data("Vaccin grippe"))
    again = editor.step_save(draft=draft, actor=coordinator, data=step_data("Vaccin grippe"))
    assert (first.code, again.code) == ("vaccin-grippe", "vaccin-grippe-2")
    renamed = editor.step_save(draft=draft, actor=coordinator, step=first,
                               data=step_data("Vaccination antigrippale"))  # fmt: skip
    assert renamed.code == "vaccin-grippe"  # publication matches steps by code


def test_adding_a_step_through_the_page(draft, client_for, coordinator):
    response = client_for(coordinator).post(
        url("editor_step_new", draft.public_id),
        form_data("Spirométrie", result_kind="number", unit="L", plausible_min="0,5",
                  plausible_max="8", recurrence_days="365"),
    )  # fmt: skip
    assert response.status_code == 302
    step = step_of(draft, "spirometrie")
    assert step.plausible_min == Decimal("0.5") and step.recurrence_days == 365
    page = text(client_for(coordinator).get(url("editor_draft", draft.public_id)))
    assert "Spirométrie" in page and "plausible de 0,5 à 8" in page
    assert "si le résultat de « Examen des pieds avec gradation du risque (0 à 3) » ≥ 1" in page


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"result_kind": "number", "unit": "kg", "plausible_min": "10", "plausible_max": "2"},
     "plausible_max", "inférieur au minimum"),
    ({"result_kind": "grade", "plausible_min": "3", "plausible_max": "0"},
     "plausible_max", "inférieur au minimum"),
    ({"result_kind": "number", "unit": ""}, "unit", "Indiquez l'unité"),
    ({"condition_step": "ecg", "condition_min": "1"}, "condition_step",
     "n'a pas de résultat numérique"),
    ({"condition_step": "pieds", "condition_min": ""}, "condition_min", "Indiquez la valeur"),
    ({"condition_step": "", "condition_min": "2"}, "condition_step", "Choisissez l'étape"),
    ({"label": ""}, "label", "Indiquez l'intitulé"),
])  # fmt: skip
def test_bad_step_is_refused_with_a_clear_message(draft, client_for, coordinator, values, field,
                                                  message):  # fmt: skip
    before = draft.steps.count()
    response = client_for(coordinator).post(url("editor_step_new", draft.public_id),
                                            form_data("Contrôle", **values))  # fmt: skip
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert draft.steps.count() == before


def test_the_service_refuses_what_the_form_would_not_offer(draft, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        editor.step_save(draft=draft, actor=coordinator,
                         data=step_data("Contrôle", profession_code="XX", recurrence_days=0,
                                        result_kind="grade", plausible_min=Decimal("0.5")))
    assert set(excinfo.value.message_dict) == {"profession_code", "recurrence_days",
                                               "plausible_min"}  # fmt: skip
    assert not draft.steps.filter(label="Contrôle").exists()


def test_renaming_a_draft_from_its_page(draft, client_for, coordinator):
    client = client_for(coordinator)
    refused = client.post(url("editor_draft", draft.public_id), {"name": ""})
    assert refused.status_code == 400 and "Indiquez le nom du parcours" in text(refused)
    done = client.post(url("editor_draft", draft.public_id),
                       {"name": "Diabète de type 2 (CPTS)", "description": "Notre version"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.description) == ("Diabète de type 2 (CPTS)", "Notre version")


def test_a_step_cannot_depend_on_itself(draft, client_for, coordinator):
    response = client_for(coordinator).post(
        url("editor_step", draft.public_id, "pieds"),
        form_data("Examen des pieds", result_kind="grade", plausible_min="0", plausible_max="3",
                  condition_step="pieds", condition_min="1"),
    )  # fmt: skip
    # Not among its own choices, and refused by the service as well.
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="propre résultat"):
        pieds = step_of(draft, "pieds")
        editor.step_save(draft=draft, actor=coordinator, step=pieds,
                         data=step_data("Pieds", result_kind="grade", condition_step=pieds,
                                        condition_min=Decimal(1)))  # fmt: skip
    assert step_of(draft, "pieds").condition_step is None


def test_a_cycle_of_conditions_is_refused_naming_the_steps(draft, client_for, coordinator):
    # podologue depends on pieds; make pieds depend on podologue (given a grade).
    editor.step_save(draft=draft, actor=coordinator, step=step_of(draft, "podologue"),
                     data=step_data("Suivi podologue", result_kind="grade",
                                    condition_step=step_of(draft, "pieds"),
                                    condition_min=Decimal(1)))  # fmt: skip
    response = client_for(coordinator).post(
        url("editor_step", draft.public_id, "pieds"),
        form_data("Examen des pieds", result_kind="grade", plausible_min="0", plausible_max="3",
                  condition_step="podologue", condition_min="2"),
    )  # fmt: skip
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["condition_step"])
    assert ("cycle : « Examen des pieds » dépend de « Suivi podologue », qui dépend de "
            "« Examen des pieds »") in errors
    assert step_of(draft, "pieds").condition_step is None


def test_a_longer_cycle_is_refused_too(draft, coordinator):
    a = editor.step_save(draft=draft, actor=coordinator, data=step_data("A", result_kind="grade"))
    b = editor.step_save(draft=draft, actor=coordinator,
                         data=step_data("B", result_kind="grade", condition_step=a,
                                        condition_min=Decimal(1)))  # fmt: skip
    c = editor.step_save(draft=draft, actor=coordinator,
                         data=step_data("C", result_kind="grade", condition_step=b,
                                        condition_min=Decimal(1)))  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        editor.step_save(draft=draft, actor=coordinator, step=a,
                         data=step_data("A", result_kind="grade", condition_step=c,
                                        condition_min=Decimal(1)))  # fmt: skip
    message = excinfo.value.message_dict["condition_step"][0]
    assert "« A » dépend de « C », qui dépend de « B », qui dépend de « A »" in message
    assert c.pk  # the chain itself stays


def test_a_step_others_depend_on_keeps_a_numeric_result(draft, coordinator):
    with pytest.raises(ValidationError, match="déclenche « Suivi pédicure-podologue"):
        editor.step_save(draft=draft, actor=coordinator, step=step_of(draft, "pieds"),
                         data=step_data("Examen des pieds", result_kind="yesno"))  # fmt: skip
    assert step_of(draft, "pieds").result_kind == "grade"


def test_deleting_a_step_others_depend_on_is_refused_naming_them(draft, client_for, coordinator):
    response = client_for(coordinator).post(url("editor_step_delete", draft.public_id, "pieds"))
    assert response.status_code == 400
    assert "déclenche « Suivi pédicure-podologue (pied à risque) »" in text(response)
    assert draft.steps.filter(code="pieds").exists()
    ok = client_for(coordinator).post(url("editor_step_delete", draft.public_id, "podologue"))
    assert ok.status_code == 302 and not draft.steps.filter(code="podologue").exists()


def test_published_templates_are_never_edited_in_place(diabetes, client_for, coordinator,
                                                       home_cpts):  # fmt: skip
    client = client_for(coordinator)
    assert client.post(url("editor_step_new", diabetes.public_id),
                       form_data("Intrus")).status_code == 404  # fmt: skip
    assert client.post(url("editor_step_delete", diabetes.public_id, "ecg")).status_code == 404
    assert client.post(url("editor_publish", diabetes.public_id)).status_code == 404
    assert client.get(url("editor_draft", diabetes.public_id)).status_code == 404
    with pytest.raises(ValidationError, match="déjà été publié"):
        editor.step_save(draft=diabetes, actor=coordinator, data=step_data("Intrus"))
    assert not diabetes.steps.filter(label="Intrus").exists()


# Cycle detection as a property -----------------------------------------------------------


def acyclic(parents: dict) -> bool:
    """Kahn's algorithm: peel off steps nobody depends on; a cycle is what cannot be
    peeled. Independent of the editor's chain-following."""
    waiting = dict.fromkeys(parents, 0)
    for parent in parents.values():
        if parent is not None:
            waiting[parent] += 1
    free = [node for node, count in waiting.items() if count == 0]
    peeled = 0
    while free:
        node = free.pop()
        peeled += 1
        parent = parents[node]
        if parent is not None:
            waiting[parent] -= 1
            if waiting[parent] == 0:
                free.append(parent)
    return peeled == len(parents)


def condition_graphs(max_steps=8):
    return st.integers(1, max_steps).flatmap(lambda n: st.lists(
        st.one_of(st.none(), st.integers(0, n - 1)), min_size=n, max_size=n,
    ).map(lambda parents: dict(enumerate(parents))))  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(condition_graphs())
def test_find_cycle_finds_a_cycle_exactly_when_the_graph_has_one(parents):
    cycle = editor.find_cycle(parents)
    assert (cycle is None) == acyclic(parents)
    if cycle:  # and what it returns is a real cycle: each depends on the next
        for here, there in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            assert parents[here] == there


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                         max_size=12))))  # fmt: skip
def test_the_editor_accepts_exactly_the_conditions_that_keep_the_graph_acyclic(case):
    """Random conditions set one after the other through the editor: each is accepted
    exactly when the resulting graph has no cycle (a step on itself included)."""
    from maillage.core.models import Cpts, User

    n, edges = case
    with transaction.atomic():
        cpts = Cpts.objects.get(slug=HOME)
        actor = User.objects.get(email="coordination@pays-berjalliens.maillage.test")
        draft = editor.template_create(cpts=cpts, actor=actor, name="Graphe")
        steps = [editor.step_save(draft=draft, actor=actor,
                                  data=step_data(f"S{i}", result_kind="grade"))
                 for i in range(n)]  # fmt: skip
        model = dict.fromkeys(range(n))
        for child, parent in edges:
            proposed = model | {child: parent}
            try:
                editor.step_save(draft=draft, actor=actor, step=steps[child],
                                 data=step_data(f"S{child}", result_kind="grade",
                                                condition_step=steps[parent],
                                                condition_min=Decimal(1)))  # fmt: skip
            except ValidationError:
                accepted = False
            else:
                accepted = True
                model = proposed
            assert accepted == acyclic(proposed), (model, child, parent)
        stored = dict(TemplateStep.objects.filter(template=draft)
                      .values_list("pk", "condition_step_id"))  # fmt: skip
        assert acyclic(stored)
        transaction.set_rollback(True)


# Publication -----------------------------------------------------------------------------


def test_an_empty_draft_cannot_be_published(home_cpts, coordinator, client_for):
    fresh = editor.template_create(cpts=home_cpts, actor=coordinator, name="Asthme")
    response = client_for(coordinator).post(url("editor_publish", fresh.public_id))
    assert response.status_code == 400
    assert "au moins une étape" in text(response)
    fresh.refresh_from_db()
    assert fresh.is_draft and fresh.published_at is None


def test_publishing_without_applying_keeps_existing_enrolments_on_their_version(
    draft, diabetes, home_cpts, coordinator, gp
):
    before = enrol(home_cpts, coordinator, diabetes, gp, "Avant")
    tasks_before = set(before.tasks.values_list("pk", "step_id", "status"))
    counts = editor.publish(draft=draft, actor=coordinator)
    assert counts["enrolments"] == 0
    draft.refresh_from_db()
    assert not draft.is_draft and draft.published_at is not None
    before.refresh_from_db()
    assert before.template == diabetes
    assert set(before.tasks.values_list("pk", "step_id", "status")) == tasks_before
    offered = {t.slug: t for t in services.templates_for(home_cpts)}["diabete-type-2"]
    assert offered == draft
    after = enrol(home_cpts, coordinator, offered, gp, "Apres")
    assert after.template == draft
    assert set(after.tasks.values_list("step__template", flat=True)) == {draft.pk}


def test_publishing_with_apply_migrates_live_enrolments(draft, diabetes, home_cpts,
                                                        coordinator, gp):  # fmt: skip
    enrolment = enrol(home_cpts, coordinator, diabetes, gp)
    services.complete(task=enrolment.tasks.get(step__code="etp"), actor=gp, on=DAY)
    hba1c_due = enrolment.tasks.get(step__code="hba1c", status="due").due_date
    ended = enrol(home_cpts, coordinator, diabetes, gp, "Sorti")
    Enrolment.objects.filter(pk=ended.pk).update(ended_at=timezone.now())
    # The new version: HbA1c renamed, ECG gone, a new step and a new conditional step.
    editor.step_save(draft=draft, actor=coordinator, step=step_of(draft, "hba1c"),
                     data=step_data("HbA1c (hémoglobine glyquée)", result_kind="number",
                                    unit="%", recurrence_days=91))  # fmt: skip
    editor.step_delete(draft=draft, actor=coordinator, step=step_of(draft, "ecg"))
    editor.step_save(draft=draft, actor=coordinator,
                     data=step_data("Vaccin grippe", due_offset_days=10))  # fmt: skip
    editor.step_save(draft=draft, actor=coordinator,
                     data=step_data("Chaussage adapté", condition_step=step_of(draft, "pieds"),
                                    condition_min=Decimal(2)))  # fmt: skip
    open_before = enrolment.tasks.filter(status="due").count()

    counts = editor.publish(draft=draft, actor=coordinator, apply_to_existing=True)

    enrolment.refresh_from_db()
    assert enrolment.template == draft
    open_tasks = enrolment.tasks.filter(status="due")
    assert set(open_tasks.values_list("step__template", flat=True)) == {draft.pk}
    hba1c = open_tasks.get(step__code="hba1c")
    assert hba1c.due_date == hba1c_due and hba1c.title == "HbA1c (hémoglobine glyquée)"
    assert enrolment.tasks.get(step__code="ecg").status == "cancelled"
    flu = open_tasks.get(step__code="vaccin-grippe")
    assert flu.due_date == max(DAY + datetime.timedelta(days=10), timezone.localdate())
    assert flu.assignee == gp  # the référent, as for a task made at enrolment
    assert not enrolment.tasks.filter(step__code="chaussage-adapte").exists()
    done = enrolment.tasks.get(step__code="etp", status="done")
    assert done.step.template == diabetes  # history stays on the version it was done with
    assert counts == {"enrolments": 1, "tasks_moved": open_before - 1, "tasks_cancelled": 1,
                      "tasks_created": 1}  # fmt: skip
    assert Enrolment.objects.get(pk=ended.pk).template == diabetes  # ended: left alone
    event = AuditEvent.objects.get(action="pathway.template_publish", object_id=draft.public_id)
    assert event.detail["tasks_cancelled"] == 1 and event.detail["applied_to_existing"]


def test_publishing_from_the_page_shows_the_counts(draft, diabetes, home_cpts, coordinator, gp,
                                                   client_for):  # fmt: skip
    enrol(home_cpts, coordinator, diabetes, gp)
    response = client_for(coordinator).post(url("editor_publish", draft.public_id),
                                            {"apply_to_existing": "on"}, follow=True)  # fmt: skip
    page = text(response)
    assert "Version 2 de « Diabète de type 2 » publiée" in page
    assert "1 patient(s) passé(s) à cette version" in page


# Who may do what -----------------------------------------------------------------------


def test_coordinator_pages_work(draft, client_for, coordinator, diabetes):
    client = client_for(coordinator)
    listing = text(client.get(url("editor_list")))
    assert "Diabète de type 2" in listing and "Reprendre le brouillon (v2)" in listing
    for page in (url("editor_new"), url("editor_template", diabetes.public_id),
                 url("editor_draft", draft.public_id), url("editor_step_new", draft.public_id),
                 url("editor_step", draft.public_id, "pieds")):  # fmt: skip
        assert client.get(page).status_code == 200, page
    created = client.post(url("editor_new"), {"name": "Asthme de l'enfant"})
    fresh = PathwayTemplate.objects.get(slug="asthme-de-lenfant")
    assert created.url == url("editor_draft", fresh.public_id)
    modify = client.post(url("editor_modify", diabetes.public_id))
    assert modify.url == url("editor_draft", draft.public_id)


def test_members_who_see_patients_may_read_the_templates(client_for, gp, diabetes):
    client = client_for(gp)
    assert client.get(url("editor_list")).status_code == 200
    page = text(client.get(url("editor_template", diabetes.public_id)))
    assert "HbA1c" in page and "Modifier ce parcours" not in page


def test_non_coordinators_get_404_on_editor_pages(draft, client_for, gp, nurse, partner,
                                                  board_member, diabetes):  # fmt: skip
    for user in (gp, nurse, partner, board_member):
        client = client_for(user)
        for page in (url("editor_new"), url("editor_draft", draft.public_id),
                     url("editor_step_new", draft.public_id)):  # fmt: skip
            assert client.get(page).status_code == 404, (user, page)
        assert client.post(url("editor_modify", diabetes.public_id)).status_code == 404
        assert client.post(url("editor_publish", draft.public_id)).status_code == 404
        assert client.post(url("editor_step_delete", draft.public_id, "ecg")).status_code == 404
    assert client_for(board_member).get(url("editor_list")).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft and draft.steps.filter(code="ecg").exists()


def test_outsider_gets_404_on_another_cptss_draft(draft, client_for, outsider):
    client = client_for(outsider)
    assert client.get(url("editor_draft", draft.public_id)).status_code == 404
    own_scope = reverse("pathways:editor_draft", args=[OTHER, draft.public_id])
    assert client.get(own_scope).status_code == 404
    publish = reverse("pathways:editor_publish", args=[OTHER, draft.public_id])
    assert client.post(publish).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft
    listing = text(client.get(reverse("pathways:editor_list", args=[OTHER])))
    assert "Reprendre le brouillon" not in listing


def test_another_cptss_own_template_is_invisible(other_cpts, outsider, home_cpts, coordinator,
                                                 client_for):  # fmt: skip
    theirs = editor.template_create(cpts=other_cpts, actor=outsider, name="Parcours voisin")
    editor.step_save(draft=theirs, actor=outsider, data=step_data("Étape"))
    editor.publish(draft=theirs, actor=outsider)
    assert theirs not in services.templates_for(home_cpts)
    client = client_for(coordinator)
    assert client.get(url("editor_template", theirs.public_id)).status_code == 404
    assert client.post(url("editor_modify", theirs.public_id)).status_code == 404
