"""Hardening of the prevention pages: every page of the mission, fed hostile input in
every field it shows (markup, spreadsheet formulas, NUL, huge and negative numbers,
impossible dates) and in its query string, answers with a page or a clear refusal, never
a server error; another CPTS's objects stay a 404."""

import re

import pytest
from django.urls import reverse

from maillage.prevention.demo import build_demo_prevention
from maillage.prevention.models import (
    Action,
    ContractRate,
    FollowUp,
    Material,
    Participant,
    ProgrammeTheme,
    Questionnaire,
    Registration,
)
from maillage.prevention.urls import urlpatterns
from tests.conftest import OTHER

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
HOSTILE = ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "a\x00b", "9" * 400,
           "-1", "", "2,3e999", "31/02/2026", "../../etc/passwd"]  # fmt: skip
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@pytest.fixture
def objects(home_cpts, coordinator):
    build_demo_prevention()
    actions = list(Action.objects.for_cpts(home_cpts))
    public = next(a for a in actions if a.public)
    material = Material.objects.create(
        cpts=home_cpts, action=actions[0], kind="other", file_name="note.pdf",
        content_type="application/pdf", size=8, content=b"%PDF-1.4", uploaded_by=coordinator)
    questionnaire = Questionnaire.objects.create(
        cpts=home_cpts, code="essai", label="Essai", definition={}, created_by=coordinator)
    return {
        "actions": actions, "public": public, "material": material,
        "participant": Participant.objects.filter(cpts=home_cpts).first(),
        "follow_up": FollowUp.objects.filter(cpts=home_cpts).first(),
        "registration": Registration.objects.filter(cpts=home_cpts).first(),
        "programme_theme": ProgrammeTheme.objects.filter(cpts=home_cpts).first(),
        "rate": ContractRate.objects.filter(cpts=home_cpts).first(),
        "questionnaire": questionnaire,
    }  # fmt: skip


def _urls(objects) -> list[str]:
    """Every prevention URL, with the objects it names (each kind of action for the
    action pages)."""
    by_name = {
        "programme_theme": [objects["programme_theme"]], "material": [objects["material"]],
        "material_delete": [objects["material"]], "participant": [objects["participant"]],
        "participant_measure": [objects["participant"]],
        "questionnaire": [objects["questionnaire"]], "followup": [objects["follow_up"]],
        "followup_letter": [objects["follow_up"]], "rate": [objects["rate"]],
        "public_event": [objects["public"]],
    }  # fmt: skip
    urls = []
    for pattern in urlpatterns:
        route, name = str(pattern.pattern), pattern.name
        slug = {"cpts_slug": HOME}
        if "<str:token>" in route:
            urls.append(reverse(f"prevention:{name}", kwargs={**slug, "token": "x" * 43}))
        elif "registration_id" in route:
            urls.append(reverse(f"prevention:{name}", kwargs={
                **slug, "public_id": objects["public"].public_id,
                "registration_id": objects["registration"].public_id}))  # fmt: skip
        elif "public_id" in route:
            for obj in by_name.get(name, objects["actions"]):
                urls.append(reverse(f"prevention:{name}",
                                    kwargs={**slug, "public_id": obj.public_id}))  # fmt: skip
        else:
            urls.append(reverse(f"prevention:{name}", kwargs=slug))
    return urls


@pytest.mark.parametrize("persona", ["coordinator", "pharmacist"])
def test_hostile_input_in_every_field_never_gives_a_server_error(
    persona, request, objects, client_for
):
    client = client_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    problems, posted = [], 0
    for url in _urls(objects):
        page = client.get(url)
        if page.status_code >= 500:
            problems.append(f"GET {url}: {page.status_code}")
        query = client.get(url, {"annee": HOSTILE[3], "action": HOSTILE[2], "statut": HOSTILE[0],
                                 "type": HOSTILE[1], "theme": "x" * 300, "q": HOSTILE[2]})
        if query.status_code >= 500:
            problems.append(f"GET {url}?…: {query.status_code}")
        fields = set(NAME.findall(page.content.decode(errors="replace"))) if (
            page.status_code == 200 and page["Content-Type"].startswith("text/html")) else set()
        fields.discard("csrfmiddlewaretoken")
        for value in HOSTILE:
            response = client.post(url, dict.fromkeys(fields, value) or {"x": value})
            posted += 1
            if response.status_code >= 500:
                problems.append(f"POST {url} ({value[:20]!r}): {response.status_code}")
    assert posted > 100
    assert problems == []


def test_another_cpts_objects_are_404_on_every_page(objects, client_for, outsider):
    """The outsider, coordinator of another CPTS, asks its own CPTS's pages for the
    objects of this one."""
    client = client_for(outsider)
    client.raise_request_exception = False
    answered = {}
    for url in _urls(objects):
        if not url.startswith(f"/c/{HOME}/") or not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", url):
            continue
        theirs = url.replace(f"/c/{HOME}/", f"/c/{OTHER}/", 1)
        answered[theirs] = client.get(theirs).status_code
        answered[theirs + " POST"] = client.post(theirs, {"x": "1"}).status_code
    assert len(answered) > 20
    # A page answers a method it does not take with 405 whoever asks: it shows nothing.
    assert {url: status for url, status in answered.items() if status not in (404, 405)} == {}
    assert list(answered.values()).count(404) > 20


def test_a_rate_over_100_is_explained_with_its_percent_sign(objects, client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("prevention:rate_new", kwargs={"cpts_slug": HOME}),
        {"theme": "depistage-cancer-sein", "year": "2026", "baseline": "150", "socle": "1",
         "intermediate": "2", "objective": "3"})  # fmt: skip
    assert response.status_code == 400
    assert "Un taux est entre 0 et 100 %." in response.content.decode()
