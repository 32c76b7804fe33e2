"""The real worker: `maillage worker` and `maillage serve` as separate processes on their own
SQLite database (a temporary file, whatever database the suite runs on, as in
test_multiworker_rate_limit.py): a job queued by another process is run by the worker, and
SIGTERM stops everything cleanly."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

MAILLAGE = Path(sys.executable).with_name("maillage")
ROOT = Path(__file__).resolve().parents[2]


def write_marker(path):
    """The job: leaves a file naming the process that ran it."""
    Path(path).write_text(str(os.getpid()))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("worker")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILLAGE_TESTING", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # fmt: skip
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'maillage.sqlite3'}",
        MAILLAGE_VAR_DIR=str(tmp),
        STATIC_ROOT=str(tmp / "static"),
        MAILLAGE_DEMO="1",
        JOBS_REAL_WORKER="1",
        JOBS_WORKERS="1",
        PYTHONPATH=str(ROOT),  # the job above is found by the worker
    )
    subprocess.run([MAILLAGE, "migrate", "--no-input", "-v0"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    env["_TMP"] = str(tmp)
    return env


def _enqueue_marker(env, name) -> Path:
    marker = Path(env["_TMP"]) / name
    code = ("from maillage.core import jobs; "
            f"jobs.enqueue('tests.core.test_jobs_worker_process.write_marker', {str(marker)!r})")
    subprocess.run([MAILLAGE, "shell", "-c", code], env=env, check=True, capture_output=True)
    return marker


def _wait_for(predicate, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while not predicate():
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise AssertionError(f"gave up waiting (exit {process.poll()}):\n{log.read()}")
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(env, args, tmp_name):
    log = open(Path(env["_TMP"]) / tmp_name, "w+")  # noqa: SIM115 (closed by the test)
    run_env = {k: v for k, v in env.items() if k != "_TMP"}
    process = subprocess.Popen([MAILLAGE, *args], env=run_env, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    return process, log


def test_the_worker_runs_a_queued_job_and_stops_on_sigterm(env):
    marker = _enqueue_marker(env, "worker-marker")  # queued before the worker starts
    process, log = _start(env, ["worker"], "worker.log")
    try:
        _wait_for(marker.exists, process, log)
        assert int(marker.read_text()) not in (os.getpid(), process.pid)  # a cluster worker
        second = _enqueue_marker(env, "worker-marker-2")  # and one queued while it runs
        _wait_for(second.exists, process, log)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        log.seek(0)
        output = log.read()
        log.close()
    assert "Worker arrêté." in output
    assert "Traceback" not in output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _answers(port):
    def check():
        try:
            return _get(port, "/healthz")[0] == 200
        except OSError:
            return False

    return check


def test_serve_runs_the_web_server_and_a_worker_and_sigterm_stops_both(env):
    port = _free_port()
    process, log = _start(env, ["serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                          "serve.log")  # fmt: skip
    try:
        _wait_for(_answers(port), process, log)
        marker = _enqueue_marker(env, "serve-marker")
        _wait_for(marker.exists, process, log)
        # The worker's first heartbeat: the full health check sees both.
        _wait_for(lambda: json.loads(_get(port, "/healthz/full")[1])["worker"] == "ok",
                  process, log)  # fmt: skip
        children = _children(process.pid)
        assert len(children) == 2  # gunicorn's master and the worker
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert not any(_alive(pid) for pid in children)
        assert not _answers(port)()
    finally:
        if process.poll() is None:
            process.kill()
        log.close()


@pytest.mark.parametrize("dies", ["worker", "serveur web"])
def test_serve_stops_everything_and_fails_when_one_child_dies(env, dies):
    port = _free_port()
    process, log = _start(env, ["serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                          "serve-dies.log")  # fmt: skip
    try:
        _wait_for(_answers(port), process, log)
        children = _children(process.pid)
        is_worker = {pid: "maillage.cli" in Path(f"/proc/{pid}/cmdline").read_text()
                     for pid in children}  # fmt: skip
        victim = next(pid for pid in children if is_worker[pid] == (dies == "worker"))
        everyone = [*children, *(g for pid in children for g in _children(pid))]
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=60) == 1
        assert not any(_alive(pid) for pid in everyone)  # grandchildren included
        assert not _answers(port)()
        log.seek(0)
        assert f"Le {dies} s'est arrêté" in log.read()
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
