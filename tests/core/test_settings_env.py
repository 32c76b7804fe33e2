"""Configuration from the environment: typed helpers with French one-line errors, every
setting the code reads defined in settings.py, and a production-like configuration that
passes `manage.py check --deploy` without a warning."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from maillage import settings as settings_module
from maillage.settings import env_bool, env_int, env_proxy_ssl_header

ROOT = Path(__file__).resolve().parents[2]
MAILLAGE = Path(sys.executable).with_name("maillage")


def clean_env(tmp_path, **extra) -> dict[str, str]:
    """The environment of a fresh process: no test mode (nor the async-safety switch the
    browser tests set in this process), its own database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILLAGE_TESTING", "MAILLAGE_DEMO", "DEBUG", "SECRET_KEY",
                        "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # fmt: skip
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               MAILLAGE_VAR_DIR=str(tmp_path))  # fmt: skip
    env.update(extra)
    return env


def settings_of(tmp_path, names, **environ) -> dict:
    """Settings as a fresh process reads them from these variables."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="maillage.settings", MAILLAGE_DEMO="1",
                    **environ)  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, cwd=ROOT, check=True)  # fmt: skip
    import json

    return json.loads(result.stdout)


# The helpers ------------------------------------------------------------------------------


def test_env_int_reads_an_integer_and_names_the_variable_otherwise(monkeypatch):
    monkeypatch.setenv("MAILLAGE_X", " 12 ")
    assert env_int("MAILLAGE_X", 3) == 12
    monkeypatch.setenv("MAILLAGE_X", "")
    assert env_int("MAILLAGE_X", 3) == 3
    monkeypatch.setenv("MAILLAGE_X", "abc")
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("MAILLAGE_X", 3)
    assert str(error.value) == "MAILLAGE_X doit être un entier, pas 'abc'."
    monkeypatch.setenv("MAILLAGE_X", "0")
    with pytest.raises(ImproperlyConfigured, match="supérieur ou égal à 1, pas '0'"):
        env_int("MAILLAGE_X", 3, minimum=1)


# What an environment variable can hold: no NUL, no lone surrogate.
ENV_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                   max_size=12)  # fmt: skip


@given(ENV_TEXT)
def test_env_int_either_reads_the_integer_or_says_so_in_french(raw):
    os.environ["MAILLAGE_PROPERTY"] = raw
    try:
        value = env_int("MAILLAGE_PROPERTY", 7)
    except ImproperlyConfigured as exc:
        assert str(exc).startswith("MAILLAGE_PROPERTY doit être un entier")
        assert "\n" not in str(exc)
    else:
        # Surrounding blanks (str.strip's, a wider set than int()'s) are ignored.
        assert value == (int(raw.strip()) if raw.strip() else 7)
    finally:
        del os.environ["MAILLAGE_PROPERTY"]


def test_env_bool_accepts_the_usual_spellings_and_refuses_the_rest(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("oui", True), ("off", False),
                          ("Non", False), ("", None)]:  # fmt: skip
        monkeypatch.setenv("MAILLAGE_B", raw)
        assert env_bool("MAILLAGE_B", None) is expected
    monkeypatch.setenv("MAILLAGE_B", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="MAILLAGE_B doit valoir true ou false"):
        env_bool("MAILLAGE_B")


def test_the_proxy_ssl_header_is_named_by_its_http_name(monkeypatch):
    monkeypatch.delenv("MAILLAGE_P", raising=False)
    assert env_proxy_ssl_header("MAILLAGE_P") is None
    monkeypatch.setenv("MAILLAGE_P", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("MAILLAGE_P") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("MAILLAGE_P", "X-Forwarded-Ssl=on")
    assert env_proxy_ssl_header("MAILLAGE_P") == ("HTTP_X_FORWARDED_SSL", "on")
    monkeypatch.setenv("MAILLAGE_P", "X Forwarded: proto")
    with pytest.raises(ImproperlyConfigured, match="doit être un nom d'en-tête HTTP"):
        env_proxy_ssl_header("MAILLAGE_P")


# The command line -----------------------------------------------------------------------


def test_a_bad_web_concurrency_is_one_french_line_not_a_traceback(tmp_path):
    result = subprocess.run([MAILLAGE, "serve"], capture_output=True, text=True,
                            env=clean_env(tmp_path, MAILLAGE_DEMO="1",
                                          WEB_CONCURRENCY="abc"))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration invalide : WEB_CONCURRENCY doit être un entier, pas 'abc'.\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("variable, value, message", [
    ("DEBUG", "peut-être", "DEBUG doit valoir true ou false, pas 'peut-être'."),
    ("SECURE_HSTS_SECONDS", "-1", "SECURE_HSTS_SECONDS doit être un entier supérieur ou égal"),
    ("AXES_FAILURE_LIMIT", "cinq", "AXES_FAILURE_LIMIT doit être un entier, pas 'cinq'."),
    ("DATABASE_URL", "mysql+nope://", "DATABASE_URL n'est pas une adresse"),
    ("REDIS_URL", "localhost:6379", "REDIS_URL doit commencer par redis://"),
])  # fmt: skip
def test_any_command_stops_on_a_bad_value_with_one_french_line(tmp_path, variable, value,
                                                               message):  # fmt: skip
    env = clean_env(tmp_path, MAILLAGE_DEMO="1", **{variable: value})
    result = subprocess.run([MAILLAGE, "migrate", "--no-input"], capture_output=True,
                            text=True, env=env)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("Configuration invalide : " + message)
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_production_without_a_secret_key_says_so_in_french(tmp_path):
    result = subprocess.run([MAILLAGE, "check"], capture_output=True, text=True,
                            env=clean_env(tmp_path))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration invalide : SECRET_KEY doit être définie (hors DEBUG et MAILLAGE_DEMO).\n"
    )


def test_serve_takes_its_workers_from_web_concurrency_or_its_option(settings, monkeypatch):
    from maillage.core.management.commands import serve

    launched = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)  # no collectstatic
    # The web server, with a worker beside it (tests/core/test_jobs_worker_process.py runs
    # the real processes).
    monkeypatch.setattr(serve.Command, "supervise",
                        lambda self, commands: launched.append(commands["serveur web"]))
    settings.WEB_CONCURRENCY = 5
    call_command("serve", bind="127.0.0.1:9")
    call_command("serve", "--workers", "2")
    assert [c[c.index("--workers") + 1] for c in launched] == ["5", "2"]
    with pytest.raises(CommandError, match="--workers doit être un entier positif"):
        call_command("serve", "--workers", "0")


# Settings from the environment ----------------------------------------------------------


def test_https_and_proxy_settings_come_from_the_environment(tmp_path):
    names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "TRUST_X_FORWARDED_FOR",
             "TRUSTED_PROXY_COUNT", "WEB_CONCURRENCY", "GP_MATCH_MAX_KM"]  # fmt: skip
    defaults = settings_of(tmp_path, names)
    assert defaults == {
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None, "TRUST_X_FORWARDED_FOR": False,
        "TRUSTED_PROXY_COUNT": 1, "WEB_CONCURRENCY": 3, "GP_MATCH_MAX_KM": 30,
    }  # fmt: skip
    configured = settings_of(
        tmp_path, names, SECURE_SSL_REDIRECT="true", SECURE_HSTS_SECONDS="63072000",
        SECURE_HSTS_PRELOAD="true", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        TRUST_X_FORWARDED_FOR="true", TRUSTED_PROXY_COUNT="2", WEB_CONCURRENCY="8",
        GP_MATCH_MAX_KM="45",
    )  # fmt: skip
    assert configured == {
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 63072000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "TRUST_X_FORWARDED_FOR": True, "TRUSTED_PROXY_COUNT": 2, "WEB_CONCURRENCY": 8,
        "GP_MATCH_MAX_KM": 45,
    }  # fmt: skip


def test_the_cache_is_the_database_by_default_and_redis_when_redis_url_is_set(tmp_path):
    assert settings_of(tmp_path, ["CACHES"])["CACHES"]["default"]["BACKEND"] == (
        "maillage.core.cache.DatabaseCache"
    )
    # Stands in for the redis client (an optional extra): only its presence is checked.
    (tmp_path / "fake" / "redis").mkdir(parents=True)
    (tmp_path / "fake" / "redis" / "__init__.py").write_text("")
    caches = settings_of(tmp_path, ["CACHES"], REDIS_URL="redis://cache.internal:6379/1",
                         PYTHONPATH=str(tmp_path / "fake"))["CACHES"]  # fmt: skip
    assert caches["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_redis_url_without_the_redis_client_is_a_clear_error(tmp_path):
    if __import__("importlib").util.find_spec("redis") is not None:
        pytest.skip("the redis client is installed here")
    env = clean_env(tmp_path, MAILLAGE_DEMO="1", REDIS_URL="redis://localhost:6379/0")
    result = subprocess.run([MAILLAGE, "check"], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "le paquet redis n'est pas installé" in result.stderr


def test_no_setting_is_read_with_a_default_hidden_in_getattr():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "maillage").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"getattr\(\s*settings\b", line)
    ]
    assert offenders == []


def test_every_setting_the_code_reads_is_defined():
    names = {
        name
        for path in (ROOT / "maillage").rglob("*.py")
        if path.name != "settings.py"  # which defines them
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)\b",
                               path.read_text(encoding="utf-8"))  # fmt: skip
    }
    assert {"GP_MATCH_MAX_KM", "SAS_OUTBOX_TRANSPORT", "DEMO_MODE", "TRUST_X_FORWARDED_FOR",
            "WEB_CONCURRENCY", "SAS_APPOINTMENT_SYSTEM"} <= names  # fmt: skip
    undefined = sorted(n for n in names if not hasattr(settings, n))
    assert undefined == []
    # ...in settings.py itself, not only among Django's defaults.
    for name in ("GP_MATCH_MAX_KM", "SAS_OUTBOX_TRANSPORT", "SAS_APPOINTMENT_SYSTEM",
                 "DEMO_MODE", "TRUST_X_FORWARDED_FOR", "TRUSTED_PROXY_COUNT",
                 "WEB_CONCURRENCY"):  # fmt: skip
        assert hasattr(settings_module, name), name


# Deployment check -------------------------------------------------------------------------


def test_check_deploy_passes_clean_with_production_like_variables(tmp_path):
    env = clean_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="false",
        ALLOWED_HOSTS="maillage.example.fr",
        CSRF_TRUSTED_ORIGINS="https://maillage.example.fr",
        SITE_URL="https://maillage.example.fr",
        SECURE_COOKIES="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        TRUST_X_FORWARDED_FOR="true",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "?:" not in output, output
    assert "System check identified no issues" in output
