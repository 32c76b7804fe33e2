"""The public médecin-traitant form's limit (5 valid requests an hour from one address)
holds against the real server: `maillage serve` with 3 gunicorn workers, each request on
a fresh connection, so that different processes answer and only a cache they share can
count. Invalid submissions (400 with the errors) do not count.

The server runs on its own SQLite database, migrated and with the demo CPTS, in a
temporary directory; it believes X-Forwarded-For from one trusted proxy, as behind a
reverse proxy, so the test speaks for a client address of its choosing.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest
from django_ratelimit.core import _get_window

from maillage.gp_access.forms import PublicRequestForm

MAILLAGE = Path(sys.executable).with_name("maillage")
FORM = "/medecin-traitant/pays-berjalliens/"
LIMIT = 5
HOUR = 3600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client_address(subnet: str = "198.51.100") -> str:
    """An address whose rate-limit window (django-ratelimit staggers them by key) does not
    end during the test, so that every submission falls in the same hour."""
    now = int(time.time())
    for last in range(1, 255):
        address = f"{subnet}.{last}"
        if _get_window(address, HOUR) - now > 600:
            return address
    raise AssertionError("no address with a window far enough from its end")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("multiworker")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILLAGE_TESTING", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # fmt: skip
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'maillage.sqlite3'}",
        MAILLAGE_VAR_DIR=str(tmp),
        STATIC_ROOT=str(tmp / "static"),
        MAILLAGE_DEMO="1",
        TRUST_X_FORWARDED_FOR="true",
        TRUSTED_PROXY_COUNT="1",
        # gunicorn's access log with the worker's pid: which process answered.
        GUNICORN_CMD_ARGS="--access-logformat '%(p)s \"%(r)s\" %(s)s'",
    )
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["load-geography", "--departements", "38", "--no-progress"],
        ["demo"],
    ):
        subprocess.run([MAILLAGE, *command], env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(tmp / "server.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [MAILLAGE, "serve", "--workers", "3", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 45
    while True:
        try:
            status, _, _ = _request(port, "GET", "/healthz")
            if status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise AssertionError(f"maillage serve did not start:\n{log.read()}")
        time.sleep(0.2)
    try:
        yield port, tmp / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _request(port, method, path, body=None, headers=None):
    """One request on its own connection (closed after it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers={"Connection": "close",
                                                              **(headers or {})})  # fmt: skip
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie", ""), response.read().decode()
    finally:
        connection.close()


class Person:
    """Someone who opens the form, fills it in and sends it a little later."""

    def __init__(self, port, address, n):
        self.port, self.address, self.n = port, address, n
        # Each request comes through "the proxy", after whatever the client forged.
        self.forwarded = f"203.0.113.{n}, {address}"
        status, cookie, page = _request(port, "GET", FORM,
                                        headers={"X-Forwarded-For": self.forwarded})  # fmt: skip
        assert status == 200
        self.cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        self.fields = {
            name: unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="(csrfmiddlewaretoken|started)" value="([^"]+)"',
                page,
            )
        }
        assert set(self.fields) == {"csrfmiddlewaretoken", "started"}

    def send(self, *, valid=True):
        data = {
            **self.fields,
            "birth_name": f"Multiprocessus{self.n}",
            "first_names": "Camille",
            "birth_date": "1961-04-12",
            "sex": "F",
            "commune": "38053",
            "phone": f"06 12 34 56 {self.n:02d}",
            "consent": "on" if valid else "",
            "website": "",
        }
        status, _, page = _request(
            self.port, "POST", FORM, body=urllib.parse.urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": f"csrftoken={self.cookie}", "X-Forwarded-For": self.forwarded},
        )  # fmt: skip
        return status, page


def test_the_sixth_valid_request_of_the_hour_is_refused_whichever_worker_answers(server):
    port, log = server
    address = _client_address()
    people = [Person(port, address, n) for n in range(1, 14)]
    # The form refuses a submission sent sooner than this after it was displayed.
    time.sleep(PublicRequestForm.MIN_SECONDS + 0.5)

    invalid = [people[i].send(valid=False) for i in range(3)]
    assert [status for status, _ in invalid] == [400] * 3
    assert all("Votre accord est nécessaire" in unescape(page) for _, page in invalid)

    accepted = [people[3 + i].send() for i in range(LIMIT)]
    assert [status for status, _ in accepted] == [200] * LIMIT, "invalid ones were counted"
    assert all("Votre demande est enregistrée" in unescape(page) for _, page in accepted)

    refused = [person.send() for person in people[3 + LIMIT :]]
    assert [status for status, _ in refused] == [429] * len(refused)
    assert all("Trop de demandes" in unescape(page) for _, page in refused)

    # Several processes answered the posts: the count is not one worker's memory. (A
    # worker writes its access log line just after answering: wait for the last ones.)
    expected = 3 + LIMIT + len(refused)
    deadline = time.monotonic() + 10
    while True:
        posts = re.findall(r"^<(\d+)> \"POST " + re.escape(FORM), log.read_text(), re.M)
        if len(posts) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(posts) == expected, log.read_text()[-3000:]
    assert len(set(posts)) >= 2, f"one worker answered every request: {posts}"


def test_simultaneous_requests_get_no_more_than_the_limit_between_them(server):
    """Requests answered at the same time by different workers: between them, no more
    than the limit gets through (test_shared_cache checks the increment itself under
    heavier contention)."""
    port, _ = server
    address = _client_address("192.0.2")
    people = [Person(port, address, n) for n in range(20, 32)]
    time.sleep(PublicRequestForm.MIN_SECONDS + 0.5)
    with ThreadPoolExecutor(len(people)) as pool:
        statuses = sorted(status for status, _ in pool.map(lambda p: p.send(), people))
    assert statuses == [200] * LIMIT + [429] * (len(people) - LIMIT)
