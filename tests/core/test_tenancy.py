"""An outsider from another CPTS gets 404 on everything of the first; the board never
reaches protected pages; anonymous visitors are sent to the login page."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from tests.utils import text

pytestmark = pytest.mark.django_db

HOME = "pays-berjalliens"
PAGES = [
    ("territory:territory", "get", {}),
    ("territory:geojson", "get", {}),
    ("territory:history", "get", {}),
    ("territory:add", "post", {"communes": "38064"}),
    ("territory:add_epci", "post", {"epci": "200068567"}),
    ("territory:remove", "post", {"communes": "38053"}),
    ("territory:contract", "post", {"aci_signed_on": "2024-01-01"}),
    ("core:members", "get", {}),
    ("core:members", "post", {"email": "x@example.fr", "role": "coordinator"}),
    ("core:unlock", "post", {"email": "medecin@pays-berjalliens.maillage.test"}),
    ("core:audit", "get", {}),
]
PROTECTED = [
    "core:members",
    "core:unlock",
    "core:audit",
    "territory:add",
    "territory:add_epci",
    "territory:remove",
    "territory:contract",
]


@pytest.mark.parametrize(("name", "method", "data"), PAGES)
def test_outsider_gets_404(client_for, outsider, name, method, data, home_cpts):
    client = client_for(outsider)
    events_before = AuditEvent.objects.filter(cpts=home_cpts).count()
    response = getattr(client, method)(reverse(name, args=[HOME]), data)
    assert response.status_code == 404
    assert "Bourgoin" not in text(response)
    assert AuditEvent.objects.filter(cpts=home_cpts).count() == events_before


@pytest.mark.parametrize("name", PROTECTED)
def test_board_member_never_reaches_protected_pages(client_for, board_member, name):
    client = client_for(board_member)
    assert client.get(reverse(name, args=[HOME])).status_code in {404, 405}
    assert client.post(reverse(name, args=[HOME]), {}).status_code == 404


@pytest.mark.parametrize("name", ["core:members", "core:audit"])
def test_professionals_regulators_and_partners_cannot_open_coordination_pages(
    client_for, gp, regulator, partner, name
):
    for user in (gp, regulator, partner):
        assert client_for(user).get(reverse(name, args=[HOME])).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("territory:territory", args=[HOME]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_unknown_cpts_is_404_like_a_foreign_one(client_for, coordinator):
    response = client_for(coordinator).get(reverse("territory:territory", args=["inexistante"]))
    assert response.status_code == 404


def test_password_only_session_cannot_reach_pages_of_a_patient_data_role(client, gp):
    client.force_login(gp)  # no second factor in this session
    response = client.get(reverse("territory:territory", args=[HOME]))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login_otp")
