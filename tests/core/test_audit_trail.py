"""Every write leaves an AuditEvent; coordinators browse and filter their CPTS's trail."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("core:audit", args=["pays-berjalliens"])


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


def test_coordinator_filters_the_trail_by_action(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    client.post(reverse("territory:add", args=["pays-berjalliens"]), {"communes": "38064"})
    client.post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": "nouveau@example.fr", "role": "professional"},
    )
    unfiltered = text(client.get(URL)).split("<tbody>")[1]
    assert "invitation.create" in unfiltered and "territory.add" in unfiltered
    page = client.get(URL, {"action": "territory.add"})
    rows = text(page).split("<tbody>")[1]
    assert page.status_code == 200
    assert "territory.add" in rows
    assert "invitation.create" not in rows


def test_trail_shows_only_own_cpts_events(client_for, coordinator, outsider, other_cpts):
    client_for(outsider).post(
        reverse("territory:add", args=["vals-du-dauphine"]), {"communes": "38053"}
    )
    assert AuditEvent.objects.filter(cpts=other_cpts, action="territory.add").exists()
    body = text(client_for(coordinator).get(URL))
    assert outsider.email not in body


def test_reading_the_trail_is_itself_audited(client_for, coordinator):
    client_for(coordinator).get(URL)
    assert AuditEvent.objects.filter(action="audit.read", actor=coordinator).exists()


def test_bad_filter_values_give_a_400_with_message(client_for, coordinator):
    response = client_for(coordinator).get(URL, {"since": "pas-une-date", "object_id": "x"})
    assert response.status_code == 400
    assert "Saisissez une date valide" in text(response)
