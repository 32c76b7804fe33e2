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


# Configuration errors: one French line on stderr, exit status 1, never a traceback.

SCRIPT = Path(sys.executable).with_name("maillage")


def _maillage(*args, tmp_path, **env):
    """The installed script in a terminal's environment (not the test suite's), in demo
    mode so that SECRET_KEY is not what fails, with a var directory of its own."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("MAILLAGE_TESTING", "DATABASE_URL", "SECRET_KEY")}  # fmt: skip
    base.update(MAILLAGE_DEMO="1", MAILLAGE_VAR_DIR=str(tmp_path / "var"))
    base.update(env)
    return subprocess.run([SCRIPT, *args], env=base, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def _one_line(result) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_malformed_database_url_is_one_line_naming_it(tmp_path):
    line = _one_line(_maillage("migrate", tmp_path=tmp_path, DATABASE_URL="pas-une-adresse"))
    assert line.startswith("Configuration invalide : DATABASE_URL n'est pas une adresse")


def test_unreachable_postgresql_is_one_line_without_the_password(tmp_path):
    url = "postgres://maillage:motdepasse@127.0.0.1:1/maillage"
    line = _one_line(_maillage("migrate", tmp_path=tmp_path, DATABASE_URL=url))
    assert line.startswith("Base de données injoignable (postgresql://maillage@127.0.0.1:1/")
    assert "vérifiez DATABASE_URL" in line
    assert "motdepasse" not in line


def test_missing_database_driver_is_one_line(tmp_path):
    result = _maillage("migrate", tmp_path=tmp_path, DATABASE_URL="mysql://u@127.0.0.1/db")
    assert "le pilote de la base de données" in _one_line(result)


def test_var_directory_that_cannot_be_created_is_one_line_naming_the_variable(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    result = _maillage("migrate", tmp_path=tmp_path, MAILLAGE_VAR_DIR=str(blocker / "var"))
    line = _one_line(result)
    assert line.startswith("Configuration invalide : le dossier ")
    assert "MAILLAGE_VAR_DIR" in line


def test_database_without_tables_says_to_migrate(tmp_path):
    result = _maillage("totp", "coordination@pays-berjalliens.maillage.test", tmp_path=tmp_path)
    assert "lancez d'abord `maillage migrate`" in _one_line(result)


def test_missing_secret_key_outside_demo_is_one_line(tmp_path):
    result = _maillage("migrate", tmp_path=tmp_path, MAILLAGE_DEMO="0")
    assert _one_line(result) == (
        "Configuration invalide : SECRET_KEY doit être définie (hors DEBUG et MAILLAGE_DEMO)."
    )


def test_errors_of_the_commands_themselves_are_not_taken_for_configuration():
    from django.db.utils import OperationalError

    from maillage.cli import configuration_error

    assert configuration_error(ValueError("bug")) is None
    assert configuration_error(OperationalError("database is locked")) is None
    assert configuration_error(FileNotFoundError("x")) is None
