"""The `maillage` command line."""

import io
from contextlib import redirect_stdout

import pytest
from django.core.management import CommandError, call_command

from maillage.cli import main
from maillage.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_working_token_on_its_last_line(client, gp):
    out = io.StringIO()
    with redirect_stdout(out):
        main(["maillage", "token", "create", gp.email])
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("mlg_")
    assert ApiToken.objects.filter(user=gp, token_hash=ApiToken.hash(token)).exists()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["email"] == gp.email


def test_token_for_unknown_account_is_a_clear_error():
    with pytest.raises(CommandError, match="Aucun compte actif"):
        call_command("token", "create", "personne@example.fr")


def test_totp_helper_refuses_outside_demo_mode(settings, coordinator):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="mode démonstration"):
        call_command("totp", coordinator.email)


def test_totp_helper_prints_the_current_code_in_demo_mode(settings, coordinator):
    from maillage.core.twofactor import confirmed_device

    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("totp", coordinator.email, stdout=out)
    assert confirmed_device(coordinator).verify_token(out.getvalue().strip())


def test_demo_is_deterministic(coordinator):
    from maillage.core.twofactor import confirmed_device
    from maillage.demo.builder import build_demo

    key = confirmed_device(coordinator).key
    build_demo()
    assert confirmed_device(coordinator).key == key
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "coordination@pays-berjalliens.maillage.test" in out.getvalue()
    assert "bureau@vals-du-dauphine.maillage.test" in out.getvalue()


def test_hyphenated_command_names_are_accepted():
    out = io.StringIO()
    with redirect_stdout(out):
        main(["maillage", "load-geography", "--departements", "2A", "--no-progress"])
    assert "communes" in out.getvalue()
