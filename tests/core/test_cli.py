"""The `maillage` command line."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maillage.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_working_token_on_its_last_line(client, gp):
    out = io.StringIO()
    call_command("token", "create", gp.email, stdout=out)
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


def test_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="mode démonstration"):
        call_command("demo")


def test_demo_is_deterministic(settings, home_cpts):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maillage.core.models import Membership
    from maillage.demo.builder import build_demo
    from maillage.territory.services import territory_summary

    def snapshot():
        return (
            sorted(TOTPDevice.objects.values_list("user__email", "key")),
            sorted(Membership.objects.values_list("user__email", "cpts__slug", "role")),
            territory_summary(home_cpts),
        )

    before = snapshot()
    build_demo()
    assert snapshot() == before
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "coordination@pays-berjalliens.maillage.test" in out.getvalue()
    assert "bureau@vals-du-dauphine.maillage.test" in out.getvalue()


def test_console_script_accepts_hyphenated_names_on_a_fresh_database(tmp_path):
    """The installed `maillage` script, in its own process and database (management
    commands close the database connections when they end, so not in this process)."""
    script = Path(sys.executable).with_name("maillage")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "MAILLAGE_DEMO": "1",
    }
    subprocess.run([script, "migrate", "--no-input", "-v0"], env=env, check=True)
    result = subprocess.run(
        [script, "load-geography", "--departements", "2A", "--no-progress"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "communes (" in result.stdout
    assert "Géographie chargée" in result.stdout
