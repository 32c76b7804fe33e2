"""Login with e-mail + password, then a TOTP code; enrolment; lockout and unlock."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.core.twofactor import confirmed_device, current_code, pending_device
from maillage.demo.builder import DEMO_PASSWORD
from tests.utils import text

pytestmark = pytest.mark.django_db


def _password_step(client, email, password=DEMO_PASSWORD):
    return client.post(reverse("core:login"), {"email": email, "password": password})


def test_coordinator_logs_in_with_password_then_totp(client, coordinator):
    response = _password_step(client, coordinator.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login_otp")
    # Password alone does not open the session.
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 302

    code = current_code(confirmed_device(coordinator))
    response = client.post(reverse("core:login_otp"), {"code": code})
    assert response.status_code == 302
    page = client.get(reverse("territory:territory", args=["pays-berjalliens"]))
    assert page.status_code == 200
    assert "Bourgoin-Jallieu" in text(page)
    assert AuditEvent.objects.filter(actor=coordinator, action="auth.login").exists()


def test_wrong_password_shows_french_message(client, coordinator):
    response = _password_step(client, coordinator.email, "pas-le-bon-mot-de-passe")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in text(response)


def test_wrong_totp_code_is_refused_with_message_next_to_field(client, coordinator):
    _password_step(client, coordinator.email)
    good = current_code(confirmed_device(coordinator))
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:login_otp"), {"code": wrong})
    assert response.status_code == 400
    assert "Code incorrect ou expiré" in text(response)
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 302


def test_totp_code_must_have_six_digits(client, coordinator):
    _password_step(client, coordinator.email)
    response = client.post(reverse("core:login_otp"), {"code": "12ab"})
    assert response.status_code == 400
    assert "6 chiffres" in text(response)


def test_board_member_logs_in_without_second_factor(client, board_member):
    response = _password_step(client, board_member.email)
    assert response.status_code == 302
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 200


def test_professional_without_device_must_enrol_before_anything(client, nurse):
    confirmed_device(nurse).delete()
    response = _password_step(client, nurse.email)
    assert response["Location"] == reverse("core:enrol_otp")
    page = client.get(reverse("core:enrol_otp"))
    assert "<svg" in text(page)
    device = pending_device(nurse)
    response = client.post(reverse("core:enrol_otp"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 200


def test_repeated_failures_lock_the_account_and_coordinator_unlocks(
    client, gp, coordinator, client_for, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(client, gp.email, "mauvais-mot-de-passe")
    locked = _password_step(client, gp.email)  # even the right password is refused now
    assert locked.status_code == 429
    assert "verrouillé" in text(locked)

    coord = client_for(coordinator)
    members_page = coord.get(reverse("core:members", args=["pays-berjalliens"]))
    assert gp.email in text(members_page)
    response = coord.post(reverse("core:unlock", args=["pays-berjalliens"]), {"email": gp.email})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="account.unlock", actor=coordinator).exists()
    assert _password_step(client, gp.email)["Location"] == reverse("core:login_otp")


def test_wrong_totp_codes_count_towards_lockout(client, gp, settings):
    _password_step(client, gp.email)
    good = current_code(confirmed_device(gp))
    wrong = f"{(int(good) + 7) % 1_000_000:06d}"
    statuses = [
        client.post(reverse("core:login_otp"), {"code": wrong}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429


def test_coordinator_cannot_unlock_a_member_of_another_cpts(client_for, coordinator, outsider):
    response = client_for(coordinator).post(
        reverse("core:unlock", args=["pays-berjalliens"]), {"email": outsider.email}, follow=True
    )
    assert "pas membre de votre CPTS" in text(response)


def test_logout_ends_the_session(client_for, coordinator):
    client = client_for(coordinator)
    client.post(reverse("core:logout"))
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 302
