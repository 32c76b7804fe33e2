"""Every write leaves an AuditEvent; coordinators browse and filter their CPTS's trail,
in French."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from maillage.core import audit_trail
from maillage.core.models import AuditEvent
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("core:audit", args=["pays-berjalliens"])
ROOT = Path(__file__).resolve().parents[2] / "maillage"


def test_territory_change_is_audited_with_actor_object_ip(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    client.post(
        reverse("territory:add", args=["pays-berjalliens"]),
        {"communes": "38064"},
        REMOTE_ADDR="192.0.2.10",
    )
    event = AuditEvent.objects.get(action="territory.add", cpts=home_cpts, actor=coordinator)
    assert event.object_type == "territory.TerritoryChange"
    assert event.object_id is not None
    assert event.ip == "192.0.2.10"
    assert event.detail["communes"] == ["38064"]


def test_coordinator_filters_the_trail_by_action_and_reads_it_in_french(client_for,
                                                                        coordinator):  # fmt: skip
    client = client_for(coordinator)
    client.post(reverse("territory:add", args=["pays-berjalliens"]), {"communes": "38064"})
    client.post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": "nouveau@example.fr", "role": "professional"},
    )
    unfiltered = text(client.get(URL)).split("<tbody>")[1]
    assert "Invitation d'un membre" in unfiltered
    assert "Ajout de communes au territoire" in unfiltered
    # No raw code, no Python dict.
    assert "invitation.create" not in unfiltered and "territory.add" not in unfiltered
    assert "{'" not in unfiltered and "territory.TerritoryChange" not in unfiltered
    assert "Modification du territoire · Communes : 38064" in unfiltered
    page = client.get(URL, {"action": "territory.add"})
    rows = text(page).split("<tbody>")[1]
    assert page.status_code == 200
    assert "Ajout de communes au territoire" in rows
    assert "Invitation d'un membre" not in rows


def test_the_action_filter_offers_french_labels(client_for, coordinator):
    body = text(client_for(coordinator).get(URL))
    assert '<option value="patient.read">Lecture de la fiche</option>' in body


def test_trail_shows_only_own_cpts_events(client_for, coordinator, outsider, other_cpts):
    client_for(outsider).post(
        reverse("territory:add", args=["vals-du-dauphine"]), {"communes": "38053"}
    )
    assert AuditEvent.objects.filter(cpts=other_cpts, action="territory.add").exists()
    body = text(client_for(coordinator).get(URL))
    assert outsider.email not in body


def test_reading_the_trail_is_itself_audited(client_for, coordinator):
    client_for(coordinator).get(URL, {"action": "territory.add"})
    event = AuditEvent.objects.get(action="audit.read", actor=coordinator)
    assert event.detail == {"filters": {"action": "territory.add"}}


def test_bad_filter_values_give_a_400_with_message(client_for, coordinator):
    response = client_for(coordinator).get(URL, {"since": "pas-une-date", "patient": "x"})
    assert response.status_code == 400
    body = text(response)
    assert "Date invalide" in body
    assert "Identifiant de personne invalide." in body


def test_a_start_date_after_the_end_date_is_an_error_not_an_empty_list(client_for,
                                                                       coordinator):  # fmt: skip
    response = client_for(coordinator).get(URL, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "La date de fin est avant la date de début" in text(response)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_limits_are_refused_not_a_500(client_for, coordinator, day):
    response = client_for(coordinator).get(URL, {"since": day, "until": day})
    assert response.status_code == 400
    assert "Date hors de la période du journal" in text(response)


def test_the_trail_pages_without_counting_millions_of_rows(client_for, coordinator, home_cpts):
    AuditEvent.objects.bulk_create(
        [AuditEvent(cpts=home_cpts, action="auth.login") for _ in range(60)]
    )
    client = client_for(coordinator)
    first = text(client.get(URL))
    assert "Page suivante" in first and "Page précédente" not in first
    second = client.get(URL, {"page": "2"})
    assert second.status_code == 200 and "Page précédente" in text(second)
    assert client.get(URL, {"page": "x"}).status_code == 200
    assert client.get(URL, {"page": "99999999999999999999"}).status_code == 200


@pytest.mark.parametrize("persona", ["gp", "nurse", "regulator", "partner", "board_member"])
def test_only_the_coordination_reads_the_trail(client_for, persona, request):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 404


def _actions_written_in_code() -> set[str]:
    missions = "pathway|patient|audit|snp|gp_(?:request|batch|capacity|priority|proposal)"
    pattern = re.compile(rf'(?:action|purpose)="([a-z_]+\.[a-z_]+)"|'
                         rf'"((?:{missions}|duplicate_review)\.[a-z_]+)"')  # fmt: skip
    found = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_action_written_anywhere_has_a_french_label():
    actions = _actions_written_in_code()
    assert "patient.read" in actions and "pathway.pps_read" in actions  # the scan works
    missing = sorted(a for a in actions if a not in audit_trail.ACTIONS)
    assert not missing, f"add a French label (AUDIT_LABELS of the app) for: {missing}"


def test_every_page_naming_patients_in_the_trail_has_a_french_label():
    places = set()
    for path in ROOT.rglob("*.py"):
        places |= set(re.findall(r'where="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert "gp_access.queue" in places
    missing = sorted(p for p in places if p not in audit_trail.PLACES)
    assert not missing, f"add a French label (AUDIT_LABELS places) for: {missing}"


def test_details_are_described_in_french():
    described = audit_trail.describe(
        {"changed": ["phone", "email"], "second_factor": True, "via": "gp_access.queue",
         "review": "3f1f0c3e-9d7a-4b84-8a55-2f8f6a0e9b11", "reason": ""}
    )  # fmt: skip
    assert described == ("Champs modifiés : téléphone, e-mail · Double authentification : oui · "
                         "Page : File des demandes de médecin traitant · Doublon : 3f1f0c3e")
