"""Coordinators invite people with a role through a one-time link."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Invitation, Membership, Role, User
from maillage.core.twofactor import current_code, pending_device
from tests.conftest import _run_pending_jobs
from tests.utils import text

pytestmark = pytest.mark.django_db


def _invite(client, email="nouvelle.ide@example.fr", role=Role.PROFESSIONAL):
    response = client.post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": email, "role": role, "title": "Infirmière"},
    )
    _run_pending_jobs()  # the worker sends the e-mail after the commit
    return response


def _link_from_mail():
    _run_pending_jobs()
    body = mail.outbox[-1].body
    return re.search(r"http://\S+/invitation/(\S+)/", body)


def test_invited_professional_sets_password_and_enrols_totp(client_for, coordinator, client):
    response = _invite(client_for(coordinator))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    token = _link_from_mail().group(1)

    page = client.get(reverse("core:invitation", args=[token]))
    assert "Rejoindre la CPTS des Pays Berjalliens" in text(page)
    response = client.post(
        reverse("core:invitation", args=[token]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "password1": "Tilleul-Vert-2026!",
            "password2": "Tilleul-Vert-2026!",
        },
    )
    assert response["Location"] == reverse("core:enrol_otp")
    user = User.objects.get(email="nouvelle.ide@example.fr")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.PROFESSIONAL and membership.cpts.slug == "pays-berjalliens"
    # Patient-data role: no access before the second factor is enrolled.
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 302
    client.post(reverse("core:enrol_otp"), {"code": current_code(pending_device(user))})
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.accept", actor=user).exists()


def test_invitation_link_works_only_once(client_for, coordinator, client):
    _invite(client_for(coordinator))
    token = _link_from_mail().group(1)
    data = {
        "first_name": "A",
        "last_name": "B",
        "password1": "Tilleul-Vert-2026!",
        "password2": "Tilleul-Vert-2026!",
    }
    client.post(reverse("core:invitation", args=[token]), data)
    again = client.get(reverse("core:invitation", args=[token]))
    assert again.status_code == 410
    assert "déjà été utilisé" in text(again)


def test_weak_password_is_refused_and_nothing_is_created(client_for, coordinator, client):
    _invite(client_for(coordinator))
    token = _link_from_mail().group(1)
    response = client.post(
        reverse("core:invitation", args=[token]),
        {"first_name": "A", "last_name": "B", "password1": "123456", "password2": "123456"},
    )
    assert response.status_code == 400
    assert "trop court" in text(response)
    assert not User.objects.filter(email="nouvelle.ide@example.fr").exists()
    assert Invitation.objects.get(email="nouvelle.ide@example.fr").accepted_at is None


def test_expired_invitation_says_so(client_for, coordinator, client):
    _invite(client_for(coordinator))
    token = _link_from_mail().group(1)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("core:invitation", args=[token]))
    assert response.status_code == 410
    assert "a expiré le" in text(response)


def test_unknown_invitation_token_is_refused(client):
    response = client.get(reverse("core:invitation", args=["pas-un-jeton"]))
    assert response.status_code == 410
    assert "n'est pas valide" in text(response)


def test_inviting_an_existing_member_is_refused_next_to_email(client_for, coordinator, gp):
    response = _invite(client_for(coordinator), email=gp.email)
    assert response.status_code == 400
    assert f"{gp.email} est déjà membre de cette CPTS : inutile de l'inviter." in text(response)
    assert mail.outbox == []


def test_invalid_email_and_role_are_reported(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": "pas-une-adresse", "role": "roi"},
    )
    body = text(response)
    assert response.status_code == 400
    assert "Adresse e-mail invalide." in body
    assert "Choisissez un rôle dans la liste." in body


def _confirm_replacement(client, pending, email="nouvelle.ide@example.fr", role=Role.PROFESSIONAL):
    response = client.post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": email, "role": role, "title": "Infirmière", "remplace": str(pending.public_id)},
    )
    _run_pending_jobs()
    return response


def test_reinviting_a_pending_address_asks_first_and_sends_nothing(client_for, coordinator):
    coord = client_for(coordinator)
    _invite(coord)
    pending = Invitation.objects.get(email="nouvelle.ide@example.fr")
    response = _invite(coord)
    body = text(response)
    assert response.status_code == 200
    sent = timezone.localtime(pending.created_at)
    until = timezone.localtime(pending.expires_at)
    assert (
        f"Une invitation est déjà en attente pour nouvelle.ide@example.fr (envoyée le "
        f"{sent:%d/%m/%Y}, valable jusqu'au {until:%d/%m/%Y à %H:%M}) : en envoyer une "
        "nouvelle annulera la précédente." in " ".join(body.split())
    )
    assert f'name="remplace" value="{pending.public_id}"' in body
    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(email="nouvelle.ide@example.fr").count() == 1
    pending.refresh_from_db()
    assert pending.status == "en attente"


def test_new_invitation_replaces_the_pending_one_once_confirmed(client_for, coordinator, client):
    coord = client_for(coordinator)
    _invite(coord)
    first = _link_from_mail().group(1)
    pending = Invitation.objects.get(email="nouvelle.ide@example.fr")
    response = _confirm_replacement(coord, pending)
    assert response.status_code == 302
    page = text(coord.get(response["Location"]))
    assert (
        f"L'invitation précédente (du {timezone.localtime(pending.created_at):%d/%m/%Y}) "
        "est annulée : seul le nouveau lien fonctionne." in page
    )
    assert len(mail.outbox) == 2
    response = client.get(reverse("core:invitation", args=[first]))
    assert response.status_code == 410
    assert "remplacée" in text(response)
    second = _link_from_mail().group(1)
    assert client.get(reverse("core:invitation", args=[second])).status_code == 200
    event = AuditEvent.objects.filter(action="invitation.create").first()
    assert event.detail["replaces"] == [str(pending.public_id)]


def test_a_confirmation_for_an_older_invitation_does_not_cancel_a_newer_one(
    client_for, coordinator
):
    coord = client_for(coordinator)
    _invite(coord)
    old = Invitation.objects.get(email="nouvelle.ide@example.fr")
    _confirm_replacement(coord, old)
    newer = Invitation.objects.for_cpts(old.cpts).pending().get(email="nouvelle.ide@example.fr")
    response = _confirm_replacement(coord, old)  # a stale confirmation page, sent again
    assert response.status_code == 200
    assert "Une invitation est déjà en attente" in text(response)
    newer.refresh_from_db()
    assert newer.status == "en attente"


def test_inviting_someone_with_an_account_in_another_cpts_says_so(
    client_for, coordinator, outsider
):
    coord = client_for(coordinator)
    response = _invite(coord, email=outsider.email, role=Role.PARTNER)
    page = text(coord.get(response["Location"]))
    assert f"Invitation envoyée à {outsider.email}." in page
    assert (
        f"{outsider.email} a déjà un compte Maillage (membre d'une autre CPTS) : la personne "
        "rejoindra la CPTS des Pays Berjalliens en se connectant avec ce compte" in page
    )


def test_inviting_a_new_address_does_not_mention_any_account(client_for, coordinator):
    coord = client_for(coordinator)
    page = text(coord.get(_invite(coord)["Location"]))
    assert "Invitation envoyée à nouvelle.ide@example.fr." in page
    assert "déjà un compte" not in page


def test_existing_user_joins_a_second_cpts_after_logging_in(client_for, outsider, coordinator):
    # The coordinator of the other CPTS invites our coordinator as a partner.
    client_for(outsider).post(
        reverse("core:members", args=["vals-du-dauphine"]),
        {"email": coordinator.email, "role": Role.PARTNER},
    )
    token = _link_from_mail().group(1)
    client = client_for(coordinator)
    assert client.get(reverse("core:invitation", args=[token])).status_code == 200
    client.post(reverse("core:invitation", args=[token]))
    assert Membership.objects.filter(
        user=coordinator, cpts__slug="vals-du-dauphine", role=Role.PARTNER
    ).exists()
