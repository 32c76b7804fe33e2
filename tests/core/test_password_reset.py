"""Forgotten password: a single-use, expiring link by e-mail, for every role, that never
skips the second factor and never tells whether an address has an account."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from maillage.core.models import AuditEvent, Membership, Role, User
from maillage.core.twofactor import confirmed_device, current_code
from maillage.demo.builder import DEMO_PASSWORD
from tests.conftest import _run_pending_jobs
from tests.utils import text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Châtaignier-Bleu-2026!"
TERRITORY = reverse("territory:territory", args=["pays-berjalliens"])
PERSONAS = ["coordinator", "gp", "nurse", "pharmacist", "regulator", "partner", "board_member"]
WITH_SECOND_FACTOR = set(PERSONAS) - {"board_member"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _ask(client, email):
    response = client.post(reverse("core:password_reset"), {"email": email})
    _run_pending_jobs()  # the worker sends the e-mail after the commit
    return response


def _link():
    body = mail.outbox[-1].body
    match = re.search(r"(https?://\S+)/mot-de-passe-oublie/([^/\s]+)/([^/\s]+)/", body)
    assert match, body
    return match


def _open_link(client):
    match = _link()
    return client.get(reverse("core:password_reset_confirm", args=[match[2], match[3]]))


def _choose(client, url, password=NEW_PASSWORD):
    return client.post(url, {"new_password1": password, "new_password2": password})


def _reset(client, user, password=NEW_PASSWORD):
    """The whole journey: ask, open the e-mailed link, choose the new password."""
    assert _ask(client, user.email).status_code == 302
    form_page = _open_link(client)
    assert form_page.status_code == 302  # Django moves the token out of the URL
    return _choose(client, form_page["Location"], password)


def _login(client, email, password):
    return client.post(reverse("core:login"), {"email": email, "password": password})


def test_login_page_links_to_the_forgotten_password_page(client):
    body = text(client.get(reverse("core:login")))
    assert f'href="{reverse("core:password_reset")}">Mot de passe oublié ?</a>' in body
    page = client.get(reverse("core:password_reset"))
    assert page.status_code == 200
    assert "Adresse e-mail de votre compte" in text(page)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_resets_its_password_by_email_and_is_not_logged_in(client, request, persona):
    user = request.getfixturevalue(persona)
    response = _reset(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password_reset_complete")
    assert "Mot de passe modifié" in text(client.get(response["Location"]))
    # Not logged in by the reset.
    assert client.get(TERRITORY).status_code == 302
    assert _login(Client(), user.email, DEMO_PASSWORD).status_code == 400
    step = _login(client, user.email, NEW_PASSWORD)
    if persona in WITH_SECOND_FACTOR:
        assert step["Location"] == reverse("core:login_otp")
        assert client.get(TERRITORY).status_code == 302
        client.post(reverse("core:login_otp"), {"code": current_code(confirmed_device(user))})
    assert client.get(TERRITORY).status_code == 200


def test_the_email_explains_the_link_and_points_to_the_configured_site(client, gp, settings):
    settings.SITE_URL = "https://maillage.example.fr"
    client.post(reverse("core:password_reset"), {"email": gp.email}, HTTP_HOST="localhost")
    _run_pending_jobs()
    message = mail.outbox[-1]
    assert message.to == [gp.email]
    assert message.subject == "Maillage : choisir un nouveau mot de passe"
    assert "valable 1 heure, utilisable une seule fois" in message.body
    assert "le code de votre application d'authentification vous sera demandé" in message.body
    assert _link()[1] == "https://maillage.example.fr"
    # The link names the account by its public UUID, never by its database id.
    assert _link()[2] == str(gp.public_id)


def test_a_reset_never_skips_the_second_factor(client, nurse):
    _reset(client, nurse)
    _login(client, nurse.email, NEW_PASSWORD)
    wrong = f"{(int(current_code(confirmed_device(nurse))) + 1) % 1_000_000:06d}"
    assert client.post(reverse("core:login_otp"), {"code": wrong}).status_code == 400
    assert client.get(TERRITORY).status_code == 302


def test_a_member_who_must_enrol_still_enrols_after_a_reset(client, partner):
    confirmed_device(partner).delete()
    _reset(client, partner)
    assert _login(client, partner.email, NEW_PASSWORD)["Location"] == reverse("core:enrol_otp")
    assert client.get(TERRITORY).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_email(client, coordinator):
    known = _ask(client, coordinator.email)
    known_page = text(client.get(known["Location"]))
    events = AuditEvent.objects.count()
    unknown = _ask(Client(), "personne@example.fr")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert text(Client().get(unknown["Location"])) == known_page
    assert "Si cette adresse correspond à un compte actif" in known_page
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.count() == events


def test_inactive_account_gets_no_email(client, gp):
    User.objects.filter(pk=gp.pk).update(is_active=False)
    assert _ask(client, gp.email).status_code == 302
    assert mail.outbox == []


def test_the_link_works_only_once(client, gp):
    _ask(client, gp.email)
    match = _link()
    url = reverse("core:password_reset_confirm", args=[match[2], match[3]])
    _choose(client, client.get(url)["Location"])
    again = Client().get(url)
    assert again.status_code == 410
    assert "Lien expiré ou déjà utilisé" in text(again)
    assert 'name="new_password1"' not in text(again)


def test_the_link_expires_after_the_configured_time(client, gp, monkeypatch, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    _ask(client, gp.email)
    match = _link()
    url = reverse("core:password_reset_confirm", args=[match[2], match[3]])
    now = datetime.datetime.now()
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: now + datetime.timedelta(seconds=3500)
    )
    assert Client().get(url).status_code == 302
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: now + datetime.timedelta(seconds=3700)
    )
    expired = Client().get(url)
    assert expired.status_code == 410
    assert "valable 1 heure" in " ".join(text(expired).split())
    assert User.objects.get(pk=gp.pk).check_password(DEMO_PASSWORD)


def test_a_forged_link_is_refused(client, gp):
    for uid in (str(gp.public_id), str(gp.pk), "pas-un-uuid"):
        url = reverse("core:password_reset_confirm", args=[uid, "abc-123"])
        assert client.get(url).status_code == 410


def test_weak_or_mismatched_passwords_are_refused_next_to_the_field(client, gp):
    _ask(client, gp.email)
    url = _open_link(client)["Location"]
    weak = _choose(client, url, "123456")
    assert weak.status_code == 400
    assert "trop court" in text(weak)
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": "autre"})
    assert mismatch.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in text(mismatch)
    assert User.objects.get(pk=gp.pk).check_password(DEMO_PASSWORD)


def test_invalid_address_is_reported_in_french(client):
    response = _ask(client, "pas-une-adresse")
    assert response.status_code == 400
    assert "Adresse e-mail invalide." in text(response)
    assert mail.outbox == []


def test_a_reset_ends_every_session_of_the_account(client, client_for, gp):
    open_session = client_for(gp)
    assert open_session.get(TERRITORY).status_code == 200
    logged_in = Client()
    _login(logged_in, gp.email, DEMO_PASSWORD)
    logged_in.post(reverse("core:login_otp"), {"code": current_code(confirmed_device(gp))})
    assert logged_in.get(TERRITORY).status_code == 200
    _reset(client, gp)
    assert open_session.get(TERRITORY).status_code == 302
    assert logged_in.get(TERRITORY).status_code == 302


def test_a_login_left_half_way_before_the_reset_cannot_be_finished(client, gp):
    """Someone who had the old password and was at the code step must start again."""
    half_way = Client()
    assert _login(half_way, gp.email, DEMO_PASSWORD)["Location"] == reverse("core:login_otp")
    _reset(client, gp)
    response = half_way.post(
        reverse("core:login_otp"), {"code": current_code(confirmed_device(gp))}
    )
    assert response["Location"] == reverse("core:login")
    assert half_way.get(TERRITORY).status_code == 302


def test_request_and_reset_are_audited_in_each_cpts_of_the_account(client, coordinator, other_cpts):
    Membership.objects.create(user=coordinator, cpts=other_cpts, role=Role.PARTNER)
    _reset(client, coordinator)
    requested = AuditEvent.objects.filter(action="auth.password_reset_request")
    assert sorted(requested.values_list("cpts__slug", flat=True)) == [
        "pays-berjalliens",
        "vals-du-dauphine",
    ]
    assert {e.object_id for e in requested} == {coordinator.public_id}
    assert {e.actor_id for e in requested} == {None}  # nobody is logged in when asking
    done = AuditEvent.objects.filter(action="auth.password_reset")
    assert done.count() == 2
    assert {e.actor_id for e in done} == {coordinator.pk}
    assert all(e.ip == "127.0.0.1" for e in done)


def test_requests_are_limited_per_address(client, gp):
    statuses = [_ask(Client(REMOTE_ADDR=f"10.0.0.{i}"), gp.email).status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    limited = _ask(Client(), gp.email.upper())  # the same address, however it is typed
    assert limited.status_code == 429
    assert "Trop de demandes" in text(limited)
    # The limit answers the same for an address without an account.
    unknown = [
        _ask(Client(REMOTE_ADDR=f"10.0.1.{i}"), "x@example.fr").status_code for i in range(4)
    ]
    assert unknown == statuses


def test_requests_are_limited_per_client_address(gp):
    same_ip = Client(REMOTE_ADDR="192.0.2.7")
    statuses = [_ask(same_ip, f"inconnu{i}@example.fr").status_code for i in range(20)]
    assert set(statuses) == {302}
    assert _ask(same_ip, gp.email).status_code == 429
    assert mail.outbox == []
    assert _ask(Client(REMOTE_ADDR="192.0.2.8"), gp.email).status_code == 302


def test_invalid_submissions_do_not_count_towards_the_limit(client, gp):
    for _ in range(5):
        assert _ask(client, "pas-une-adresse").status_code == 400
    assert _ask(client, gp.email).status_code == 302
