"""Maillage settings: one module, driven by environment variables.

Every variable is read through a typed helper that fails loudly on a bad value, so a
typo in production configuration stops the start instead of silently using a default.
The helpers' messages are in French: `maillage` prints them as one line (maillage/cli.py).
Every setting the code reads is defined here, so the code reads `settings.X`: no
default hidden in a getattr() far from the configuration.
"""

import importlib.util
import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on", "oui"}:
        return True
    if lowered in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false, pas {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} doit être un entier, pas {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"{name} doit être un entier supérieur ou égal à {minimum}, pas {raw!r}."
        )
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto` -> ("HTTP_X_FORWARDED_PROTO", "https"): the header a TLS
    proxy sets, which Django then believes. Only behind a proxy that always sets it (or
    strips it from clients), or anyone could claim HTTPS."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, _, value = raw.partition("=")
    header, value = header.strip(), value.strip() or "https"
    if not re.fullmatch(r"[A-Za-z0-9-]+", header):
        raise ImproperlyConfigured(
            f"{name} doit être un nom d'en-tête HTTP (par exemple X-Forwarded-Proto), "
            f"pas {raw!r}."
        )
    return ("HTTP_" + header.upper().replace("-", "_"), value)


DEBUG = env_bool("DEBUG", False)
# The test suite (pytest) runs with a fixed key and without collected static files.
TESTING = env_bool("MAILLAGE_TESTING", "pytest" in sys.modules)
# Demo mode unlocks the helpers that print TOTP codes of demo accounts; never in production.
# `maillage demo` (make run) records the database it built in the var directory
# (maillage/demo/marker.py): commands on that same database are in demo mode without
# MAILLAGE_DEMO, so the README's commands work as printed in another terminal. Any other
# database ignores it; MAILLAGE_DEMO, when set, decides; the test suite never reads it.
if TESTING or os.environ.get("MAILLAGE_DEMO", "").strip():
    DEMO_MARKER = {}
else:
    from maillage.demo import marker as _demo_marker

    _var_dir = Path(env_str("MAILLAGE_VAR_DIR", str(BASE_DIR / "var")))  # as VAR_DIR below
    DEMO_MARKER = _demo_marker.read(
        _var_dir, env_str("DATABASE_URL", f"sqlite:///{_var_dir / 'maillage.sqlite3'}")
    )
DEMO_MODE = env_bool("MAILLAGE_DEMO", bool(DEMO_MARKER))

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY doit être définie (hors DEBUG et MAILLAGE_DEMO)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", DEMO_MARKER.get("SITE_URL", "http://127.0.0.1:8000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "django_filters",
    # Installed so the API docs use the Swagger assets shipped in the wheel, not a CDN.
    "ninja",
    "django_q",
    "maillage.core",
    "maillage.notifications",
    "maillage.territory",
    "maillage.directory",
    "maillage.patients",
    "maillage.gp_access",
    "maillage.same_day_care",
    "maillage.pathways",
    "maillage.prevention",
    "maillage.reporting",
    "maillage.crisis",
    "maillage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "maillage.core.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "maillage.core.middleware.RejectNulBytesMiddleware",
    # Axes must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.core.context_processors.navigation",
                "maillage.notifications.context_processors.bell",
            ],
        },
    },
]

VAR_DIR = Path(env_str("MAILLAGE_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(
        f"DATABASE_URL n'est pas une adresse de base de données valide ({exc})."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while a batch job writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"

# Lock an account (per e-mail) after repeated failures; the coordinator can unlock.
# Attempts and lockouts are rows of the database (axes' database handler, its default,
# named here so that nobody switches it to a per-process cache): every worker sees them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by IP too would lock a whole practice or hospital behind one NAT address.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # HSTS preload (SECURE_HSTS_PRELOAD) puts the domain in the browsers' built-in lists,
    # a one-way commitment for the domain and all its subdomains that only its owner can
    # make: it stays an explicit opt-in, and its absence is not a defect of a deployment.
    "security.W021",
]
AXES_USERNAME_FORM_FIELD = "email"
# Our login posts `email`, the admin login `username`: both count towards the lockout.
AXES_USERNAME_CALLABLE = "maillage.core.views.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "maillage.core.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Axes records the same client address as the audit trail (trusted proxy rules below).
AXES_CLIENT_IP_CALLABLE = "maillage.core.http.client_ip"

OTP_TOTP_ISSUER = "Maillage"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "maillage.core.errors.csrf_failure"  # French page; OperationOutcome on /fhir/

# HTTPS. Off by default so that `make run` serves plain http://127.0.0.1:8000; a
# deployment behind TLS turns them on (README, configuration table).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A load balancer's health probe speaks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/full$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS proxy: the header that says the client spoke HTTPS (env_proxy_ssl_header).
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
# The client address of the audit trail, the lockouts and the rate limits
# (maillage.core.http.client_ip): X-Forwarded-For is believed only when a reverse proxy
# is declared, and then only the entry written by the outermost of TRUSTED_PROXY_COUNT
# proxies (the N-th from the right); otherwise REMOTE_ADDR.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)

# Content-Security-Policy (django-csp): scripts and styles come only from our own static
# files, so an injected <script> or on*= attribute does not run. Data reach the scripts
# through data-* attributes and <script type="application/json"> (json_script), which
# are not executed. No 'unsafe-inline' for styles either: htmx's indicator styles are
# turned off (htmx-config in base.html) and live in maillage.css. Scripts may still set
# element.style (Leaflet positions its layers that way): CSP does not govern the CSSOM.
# The maps draw GeoJSON on a blank background (no tile server), so images are ours or
# data: URIs (the favicon, Swagger UI's icons).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}

# The cache shared by every worker: rate limits must hold whichever worker answers, so
# never a per-process cache. Redis when REDIS_URL is set, else the database (table made
# by core's migration 0003; an atomic increment in maillage.core.cache).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL doit commencer par redis://, rediss:// ou unix://, pas {REDIS_URL!r}."
        )
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured(
            "REDIS_URL est définie mais le paquet redis n'est pas installé "
            "(pip install 'maillage[redis]')."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "maillage.core.cache.DatabaseCache",
            "LOCATION": "maillage_cache",
            # Past MAX_ENTRIES the database cache deletes a third of its keys, expired or
            # not: with Django's 300, a burst of addresses would wipe the rate-limit
            # counters. Expired keys go first, and counting the rows stays cheap.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
# django-ratelimit counts in that shared cache.
RATELIMIT_USE_CACHE = "default"

INVITATION_VALIDITY_DAYS = env_int("INVITATION_VALIDITY_DAYS", 7)
# A GP answers a proposed patient within this many days, or the proposal expires.
GP_PROPOSAL_RESPONSE_DAYS = env_int("GP_PROPOSAL_RESPONSE_DAYS", 14)
# Audit rows are kept this long, then `maillage audit-purge` deletes them; the database
# refuses to delete a row younger than one year whatever this says (core.audit_triggers).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3 * 365)
if AUDIT_RETENTION_DAYS < 365:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least 365 (one year), got {AUDIT_RETENTION_DAYS}"
    )
# Forgotten password: the e-mailed link works once, for this many seconds (1 hour).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# Private agenda feeds of same-day appointments expire after this many days.
ICS_FEED_VALIDITY_DAYS = env_int("ICS_FEED_VALIDITY_DAYS", 365)
# Time allowed between the password step and the second factor.
LOGIN_PENDING_SECONDS = env_int("LOGIN_PENDING_SECONDS", 300)

# Text messages to patients: the console backend prints them (no SMS gateway here).
SMS_BACKEND = env_str("SMS_BACKEND", "maillage.notifications.sms.ConsoleSms")
# Where maillage.notifications.sms.FileSms appends its lines (tests, bench).
SMS_FILE = env_str("SMS_FILE", str(VAR_DIR / "sms.log"))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.test>")

# The job queue (maillage.core.jobs, docs/decisions/0011): django-q2 with its ORM broker on
# the default database. A job whose worker died is handed to another worker after
# JOBS_RETRY_SECONDS; it must be longer than the longest job (JOBS_TIMEOUT_SECONDS).
JOBS_WORKERS = env_int("JOBS_WORKERS", 2, minimum=1)
JOBS_TIMEOUT_SECONDS = env_int("JOBS_TIMEOUT_SECONDS", 600, minimum=1)
JOBS_RETRY_SECONDS = env_int("JOBS_RETRY_SECONDS", 660, minimum=2)
if JOBS_RETRY_SECONDS <= JOBS_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "JOBS_RETRY_SECONDS doit être plus grand que JOBS_TIMEOUT_SECONDS "
        f"({JOBS_RETRY_SECONDS} ≤ {JOBS_TIMEOUT_SECONDS})."
    )
Q_CLUSTER = {
    "name": "maillage",
    "orm": "default",
    "workers": JOBS_WORKERS,
    "timeout": JOBS_TIMEOUT_SECONDS,
    "retry": JOBS_RETRY_SECONDS,
    "max_attempts": env_int("JOBS_MAX_ATTEMPTS", 3, minimum=1),
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "label": "Tâches de fond",
    # The test suite runs jobs in the test's process (tests/conftest.py: run_jobs).
    "sync": TESTING and not env_bool("JOBS_REAL_WORKER", False),
}

# gunicorn workers of `maillage serve` (its --workers option overrides it).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 3, minimum=1)

# Médecin traitant proposals: the farthest a patient is proposed to a GP who set no
# maximum distance of their own, in km.
GP_MATCH_MAX_KM = env_int("GP_MATCH_MAX_KM", 30, minimum=1)

# SAS interface. The assigning authority of our appointment ids (an OID of ours when we
# have one; empty: a URL under SITE_URL) and the transport of the outbox (INT_R03).
SAS_APPOINTMENT_SYSTEM = env_str("SAS_APPOINTMENT_SYSTEM", "")
SAS_OUTBOX_TRANSPORT = env_str(
    "SAS_OUTBOX_TRANSPORT", "maillage.same_day_care.sas_outbox.ConsoleTransport"
)

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and the browser suite run without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Leaflet's assets come from the django-leaflet wheel. Its Django app is not installed:
# its admin module needs GDAL (GeoDjango), which we do not use (docs/decisions/0002).
STATICFILES_DIRS = [str(Path(importlib.util.find_spec("leaflet").origin).parent / "static")]

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
