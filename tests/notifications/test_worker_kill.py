"""A real worker (`maillage qcluster`, django-q2 on the ORM broker) killed with SIGKILL in
the middle of sending 300 text messages: another worker finishes the run, no message is
handed to the gateway twice, and none is lost. A delivery the dead worker had claimed is
left "sending" (at most one per worker process) and put back in the queue by hand, as a
person would after checking the gateway's log: then each message went out exactly once.

The workers run on their own database, committed to (SQLite in a temporary directory, or
a database created on the PostgreSQL server the suite runs on), with the console backend
that appends one line per delivery to a file (maillage.notifications.sms.FileSms).
"""

import collections
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

MAILLAGE = Path(sys.executable).with_name("maillage")
MESSAGES = 300
WORKERS = 2

SETUP = """
from maillage.core.models import Cpts
from maillage.notifications.services import Recipient, notify
cpts = Cpts.objects.create(slug="essai", name="CPTS d'essai")
notify(cpts=cpts, kind="notifications.test", channels=["sms"], subject="Essai",
       body="Message d'essai", recipients=[Recipient(phone=f"+336{i:08d}") for i in range({n})])
"""

STATE = """
import json
from maillage.notifications.models import Delivery
from django_q.models import OrmQ
print(json.dumps({"deliveries": {str(d.public_id): d.status for d in Delivery.objects.all()},
                  "queued": OrmQ.objects.count()}))
"""

BY_HAND = """
from maillage.notifications.delivery import deliver
from maillage.notifications.models import Delivery
from maillage.notifications.services import retry_by_hand
for public_id in {ids!r}:
    delivery = Delivery.objects.get(public_id=public_id)
    retry_by_hand(delivery=delivery)
    deliver([delivery.pk])
"""


def _postgres_database(url: str):
    """A new database on the suite's PostgreSQL server; returns (url, drop)."""
    import psycopg

    name = f"maillage_kill_{uuid.uuid4().hex[:8]}"
    base, _, _ = url.rpartition("/")
    admin = f"{base}/postgres"

    def run(sql):
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    run(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith(("postgres://", "postgresql://")):
        url, drop = _postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'maillage.sqlite3'}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILLAGE_TESTING", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # fmt: skip
    sms_file = tmp_path / "sms.log"
    env.update(
        DATABASE_URL=url, MAILLAGE_VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"),
        MAILLAGE_DEMO="1", JOBS_REAL_WORKER="1", JOBS_WORKERS=str(WORKERS),
        JOBS_TIMEOUT_SECONDS="10", JOBS_RETRY_SECONDS="12",
        SMS_BACKEND="maillage.notifications.sms.FileSms", SMS_FILE=str(sms_file),
        SMS_FILE_DELAY_SECONDS="0.01",
    )  # fmt: skip
    subprocess.run([MAILLAGE, "migrate", "--no-input", "-v0"], env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    try:
        yield env, sms_file, tmp_path
    finally:
        if drop is not None:
            drop()


def _shell(env, code) -> str:
    done = subprocess.run([MAILLAGE, "shell", "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _worker(env, tmp_path, name):
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed by the caller)
    # Its own process group: SIGKILL reaches the cluster's every process at once, as
    # when a machine or a container dies.
    process = subprocess.Popen([MAILLAGE, "qcluster"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    return process, log


def _lines(sms_file) -> list[str]:
    if not sms_file.exists():
        return []
    return [line.split("\t")[0] for line in sms_file.read_text().splitlines() if line]


def _state(env) -> dict:
    return json.loads(_shell(env, STATE).strip().splitlines()[-1])


def test_a_worker_killed_mid_run_loses_nothing_and_sends_nothing_twice(world):
    env, sms_file, tmp_path = world
    _shell(env, SETUP.replace("{n}", str(MESSAGES)))
    assert _state(env)["queued"] == 1  # one job, that queues the chunks from the worker

    first, first_log = _worker(env, tmp_path, "first")
    deadline = time.monotonic() + 120
    while len(_lines(sms_file)) < MESSAGES // 5:
        assert first.poll() is None and time.monotonic() < deadline, "the worker never sent"
        time.sleep(0.02)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=20)
    first_log.close()
    sent_before = len(_lines(sms_file))
    assert sent_before < MESSAGES, "killed too late: the run was over"

    second, second_log = _worker(env, tmp_path, "second")
    try:
        deadline = time.monotonic() + 150
        while True:
            state = _state(env)
            statuses = collections.Counter(state["deliveries"].values())
            if state["queued"] == 0 and statuses["pending"] == 0:
                break
            assert time.monotonic() < deadline, f"not finished: {statuses}, {state['queued']}"
            time.sleep(1)
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=20)
        second_log.close()

    lines = collections.Counter(_lines(sms_file))
    assert max(lines.values()) == 1, "a message was handed to the gateway twice"
    deliveries = state["deliveries"]
    stuck = [pk for pk, status in deliveries.items() if status == "sending"]
    assert len(stuck) <= WORKERS
    assert all(deliveries[pk] == "sent" for pk in lines if pk not in stuck)
    assert {pk for pk, status in deliveries.items() if status == "sent"} <= set(lines)
    # By hand: the stuck ones the gateway never received go back in the queue.
    _shell(env, BY_HAND.format(ids=[pk for pk in stuck if pk not in lines]))
    lines = collections.Counter(_lines(sms_file))
    assert set(lines) == set(deliveries) and len(deliveries) == MESSAGES
    assert set(lines.values()) == {1}
