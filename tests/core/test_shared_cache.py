"""The cache shared by every worker (database by default, Redis when REDIS_URL is set),
and the public médecin-traitant form's limit counted in it: valid submissions only, per
client address as core.http reads it."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from maillage.core.cache import TABLE, DatabaseCache
from maillage.gp_access.models import GpRequest
from tests.utils import text

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PUBLIC = reverse("gp_access:public", args=["pays-berjalliens"])


@pytest.fixture(autouse=True)
def _empty_cache(db):
    # Inside the test's transaction: the rows come back afterwards.
    cache.clear()


def submission(n, **extra):
    data = {
        "birth_name": f"Limite{n}",
        "first_names": "Jules",
        "birth_date": "1970-06-01",
        "sex": "M",
        "commune": "38053",
        "phone": "06 11 22 33 44",
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 30, salt="gp-public-form"),
    }
    data.update(extra)
    return data


def test_the_default_cache_is_the_database_table_made_by_the_migrations():
    assert settings.CACHES["default"]["BACKEND"] == "maillage.core.cache.DatabaseCache"
    assert settings.CACHES["default"]["LOCATION"] == TABLE
    assert TABLE in connection.introspection.table_names()
    cache.set("shared-cache-probe", {"a": 1}, 60)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608
        assert cursor.fetchone()[0] >= 1
    assert cache.get("shared-cache-probe") == {"a": 1}


def test_lockouts_are_rows_of_the_database_every_worker_reads():
    from axes.handlers.proxy import AxesProxyHandler

    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert type(AxesProxyHandler.get_implementation()).__name__ == "AxesDatabaseHandler"


def test_an_increment_keeps_the_counter_expiry_instead_of_the_default_timeout():
    """Django's generic incr() re-sets the key with the default 5 minutes: an hourly
    limit would forget its count."""
    cache.add("hourly-counter", 0, 3600)
    assert cache.incr("hourly-counter") == 1
    assert cache.incr("hourly-counter", 4) == 5
    assert cache.decr("hourly-counter") == 4
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {TABLE} WHERE cache_key = %s",  # noqa: S608
            [cache.make_key("hourly-counter")],
        )
        expires = DatabaseCache._expires(connection, cursor.fetchone()[0])
    assert expires > timezone.now() + timedelta(minutes=55)


def test_an_increment_of_a_missing_or_expired_counter_is_an_error():
    with pytest.raises(ValueError):
        cache.incr("never-created")
    cache.set("expired-counter", 3, 60)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET expires = %s WHERE cache_key = %s",  # noqa: S608
            [timezone.now() - timedelta(seconds=1), cache.make_key("expired-counter")],
        )
    with pytest.raises(ValueError):
        cache.incr("expired-counter")


def test_invalid_submissions_do_not_count_toward_the_limit(client):
    for n in range(8):
        response = client.post(PUBLIC, submission(n, consent=""))
        assert response.status_code == 400
        assert "Votre accord est nécessaire" in text(response)
    statuses = [client.post(PUBLIC, submission(n)).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert GpRequest.objects.filter(patient__birth_name__startswith="Limite").count() == 5


def test_over_the_limit_the_form_answers_429_with_its_french_page_and_records_nothing(client):
    for n in range(5):
        assert client.post(PUBLIC, submission(n)).status_code == 200
    response = client.post(PUBLIC, submission(99))
    assert response.status_code == 429
    assert "Trop de demandes depuis cette connexion" in text(response)
    assert not GpRequest.objects.filter(patient__birth_name="Limite99").exists()
    # Reading the form stays possible.
    assert client.get(PUBLIC).status_code == 200


def test_the_limit_is_per_client_address(client):
    for n in range(5):
        assert client.post(PUBLIC, submission(n), REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.post(PUBLIC, submission(5), REMOTE_ADDR="192.0.2.10").status_code == 429
    assert client.post(PUBLIC, submission(6), REMOTE_ADDR="192.0.2.11").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, settings):
    """Without a declared proxy the header is the client's own text: ignored."""
    settings.TRUST_X_FORWARDED_FOR = False
    for n in range(5):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        assert client.post(PUBLIC, submission(n), **forged).status_code == 200
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.200"}
    assert client.post(PUBLIC, submission(5), **forged).status_code == 429


def test_behind_a_trusted_proxy_the_limit_follows_the_address_the_proxy_saw(client, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):
        # Whatever the client forged on the left, the proxy appended the real address.
        header = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}, 198.51.100.7"}
        assert client.post(PUBLIC, submission(n), **proxy, **header).status_code == 200
    header = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.post(PUBLIC, submission(5), **proxy, **header).status_code == 429
    # Another person behind the same proxy is not blocked.
    header = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert client.post(PUBLIC, submission(6), **proxy, **header).status_code == 200


COUNTING_PROCESS = """
import sys, time, django
django.setup()
from django.core.cache import cache
key, start, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
cache.add(key, 0, 3600)
time.sleep(max(0, start - time.time()))
for _ in range(count):
    cache.incr(key)
"""


@pytest.fixture
def shared_database_url(tmp_path, django_db_setup, django_db_blocker):
    """A database other processes can open: the test database on PostgreSQL; on SQLite
    (whose test database lives in this process's memory) a file with the cache table."""
    from urllib.parse import quote

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            return (f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}"
                    f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}")  # fmt: skip
    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, check=True,
                   env=_process_env(url))  # fmt: skip
    return url


def _process_env(database_url):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="maillage.settings",
               MAILLAGE_TESTING="1")  # fmt: skip
    return env


def test_increments_from_several_processes_are_never_lost(shared_database_url):
    """Four processes increment one counter 150 times each, all starting at once: with a
    read-then-write increment (Django's generic one) they overwrite each other's."""
    key = f"contended-{uuid.uuid4().hex}"
    start = time.time() + 4  # after every process has loaded Django
    env = _process_env(shared_database_url)
    processes = [
        subprocess.Popen([sys.executable, "-c", COUNTING_PROCESS, key, str(start), "150"],
                         cwd=ROOT, env=env)  # fmt: skip
        for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0] * 4
    read = subprocess.run(
        [sys.executable, "-c", "import django, sys; django.setup(); "
         "from django.core.cache import cache; print(cache.get(sys.argv[1])); "
         "cache.delete(sys.argv[1])", key],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert read.stdout.strip() == "600"
