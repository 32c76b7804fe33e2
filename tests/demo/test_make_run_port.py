"""`make run PORT=8001` serves on another port: the server binds it, and the demo records
the address (SITE_URL) that the printed URL and the e-mails' links use. Read from the
Makefile's dry run (`make -n`): nothing is started."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _run_recipe(*variables: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", *variables], cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return [line for line in result.stdout.splitlines() if "/maillage " in line]


def _step(lines: list[str], command: str) -> str:
    (line,) = [line for line in lines if f"/maillage {command}" in line]
    return line


def test_make_run_serves_on_port_8000_by_default():
    lines = _run_recipe()
    assert "--bind 127.0.0.1:8000" in _step(lines, "serve")
    assert "SITE_URL=http://127.0.0.1:8000 " in _step(lines, "demo")


def test_make_run_port_serves_on_that_port_and_the_demo_records_its_address():
    lines = _run_recipe("PORT=8001")
    assert "--bind 127.0.0.1:8001" in _step(lines, "serve")
    assert "SITE_URL=http://127.0.0.1:8001 " in _step(lines, "serve")
    assert "SITE_URL=http://127.0.0.1:8001 " in _step(lines, "demo")
    assert [step for step in ("migrate", "load-geography", "demo", "serve")
            if "MAILLAGE_DEMO=1" not in _step(lines, step)] == []  # fmt: skip
