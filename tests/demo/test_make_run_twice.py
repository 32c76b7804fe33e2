"""`make run` starts the platform every time: its steps (migrate, load-geography, demo;
not serve) run twice on a fresh database, with what a person does in the demo in between
(an RPPS import, a same-day booking, a patient, edits). The second run succeeds and keeps
all of it. Then the README's demo commands run as printed, without MAILLAGE_DEMO.

Real processes of the installed `maillage` script on a temporary SQLite file in a
temporary var directory (MAILLAGE_VAR_DIR, as the Makefile sets it), each bounded in time.
Geography: département 38 only, for speed."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.directory.builders import rpps_file, rpps_id, rpps_line

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("maillage")
HOME = "pays-berjalliens"
STEP_TIMEOUT = 600  # seconds, per command: a loaded two-core machine is slow

# After the first run, as a person would in the demo: a same-day booking by the regulator,
# a patient recorded by the coordination, edits of the CPTS, of the GP's directory entry,
# of a persona's membership, and a withdrawn slot.
ACT = """
import datetime, json
from django.utils import timezone
from maillage.core.models import Cpts, Membership, User
from maillage.directory.models import DirectoryEntry
from maillage.patients.services import patient_create
from maillage.same_day_care.models import Slot
from maillage.same_day_care.services import book, request_create, withdraw_slot
from maillage.territory.models import Commune

cpts = Cpts.objects.get(slug="pays-berjalliens")
user = lambda local: User.objects.get(email=f"{local}@pays-berjalliens.maillage.test")
regulator, coordinator, gp = user("regulation"), user("coordination"), user("medecin")
snp = request_create(cpts=cpts, actor=regulator, origin="regulator", data={
    "last_name": "Durand", "first_name": "Léa", "birth_date": datetime.date(1990, 4, 2),
    "phone": "0611223344", "commune": Commune.objects.get(code="38193"), "reason": "fever",
    "profession_code": "10", "mode": "practice", "urgency": "48h", "home_visit": False})
slot = (Slot.objects.for_cpts(cpts).available().filter(profession_code="10", mode="practice")
        .order_by("start", "pk").first())
appointment = book(slot=slot, snp_request=snp, actor=regulator)
patient = patient_create(cpts=cpts, actor=coordinator, consent_method="oral", data={
    "birth_name": "QUENTRIC", "first_names": "Aziliz", "birth_date": "1971-08-14", "sex": "F",
    "commune": "38053", "phone": "0611223355"})
Cpts.objects.filter(pk=cpts.pk).update(name="CPTS Porte des Alpes", phone="+33465713899")
entry = DirectoryEntry.objects.get(cpts=cpts, account=gp)
entry.notes = "Préfère être appelé après 18 h"
entry.accepts_new_patients = False
entry.save()
Membership.objects.filter(cpts=cpts, user=user("infirmier")).update(title="IDEL, plaies")
withdrawn = (Slot.objects.for_cpts(cpts).available().exclude(professional=gp)
             .exclude(pk=slot.pk).order_by("-start", "pk").first())
withdraw_slot(slot=withdrawn, actor=withdrawn.professional)
print(json.dumps({"slot": slot.pk, "appointment": appointment.pk, "patient": patient.pk,
                  "withdrawn": withdrawn.pk}))
"""

STATE = """
import json
from django.db.models import Count
from django.utils import timezone
from maillage.core.models import Cpts, Membership, User
from maillage.directory.models import DirectoryEntry, Professional
from maillage.patients.models import Patient
from maillage.same_day_care.models import Appointment, Slot

cpts = Cpts.objects.get(slug="pays-berjalliens")
gp = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
entry = DirectoryEntry.objects.get(cpts=cpts, account=gp)
ids = %s
withdrawn = Slot.objects.get(pk=ids["withdrawn"]) if ids else None
print(json.dumps({
    "imported": sorted(Professional.objects.filter(last_name__startswith="IMPORTE", active=True)
                       .values_list("last_name", flat=True)),
    "slots": Slot.objects.count(),
    "duplicates": Slot.objects.values("professional", "start").annotate(n=Count("id"))
                  .filter(n__gt=1).count(),
    "cpts": [cpts.name, cpts.phone],
    "entry": [entry.professional.last_name, entry.notes, entry.accepts_new_patients],
    "nurse_title": Membership.objects.get(cpts=cpts, user__email="infirmier@pays-berjalliens"
                                          ".maillage.test").title,
    "patient": ids and Patient.objects.filter(pk=ids["patient"]).exists(),
    "appointment": ids and [Appointment.objects.get(pk=ids["appointment"]).status,
                            Slot.objects.get(pk=ids["slot"]).status],
    "withdrawn": withdrawn and [withdrawn.status, Slot.objects.filter(
        professional=withdrawn.professional,
        start__date=withdrawn.start.date()).exclude(pk=withdrawn.pk).count()],
}))
"""


def _env(var_dir: Path, **extra) -> dict:
    """The environment of a terminal: none of the test suite's variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILLAGE_TESTING", "MAILLAGE_DEMO", "DATABASE_URL", "SECRET_KEY",
                        "SITE_URL", "DJANGO_SETTINGS_MODULE")}  # fmt: skip
    return {**env, "MAILLAGE_VAR_DIR": str(var_dir), **extra}


def _run(args, env, *, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=STEP_TIMEOUT, check=False,
    )  # fmt: skip
    if check and result.returncode != 0:
        pytest.fail(f"maillage {' '.join(args)} failed ({result.returncode}):\n"
                    f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")  # fmt: skip
    return result


def _make_run_steps(var_dir: Path) -> str:
    """The Makefile's run target, without serve (MAILLAGE_DEMO=1 as it sets it)."""
    env = _env(var_dir, MAILLAGE_DEMO="1", SITE_URL="http://127.0.0.1:8000")
    _run(["migrate", "--no-input", "-v0"], env)
    _run(["load-geography", "--departements", "38", "--no-progress"], env)
    return _run(["demo"], env).stdout


def _shell(code: str, var_dir: Path) -> dict:
    """Python in a `maillage shell` of that database, in another terminal: no variable
    but the var directory (the demo marker makes it demo mode)."""
    out = _run(["shell", "--no-imports", "-v0", "-c", code], _env(var_dir)).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("make-run") / "var"
    first_output = _make_run_steps(var_dir)
    before = _shell(STATE % "None", var_dir)
    # Nine GPs of Bourgoin-Jallieu whose RPPS numbers sort before the demo's: the import
    # that made the second `make run` die on the directory entry of the demo GP.
    extract = rpps_file(var_dir / "extraction.txt", [
        rpps_line(identifier=rpps_id(n), last_name=f"IMPORTE{n}", first_name="Zoé")
        for n in range(1, 10)
    ])  # fmt: skip
    _run(["import-rpps", str(extract), "--cpts", HOME], _env(var_dir))
    acted = _shell(ACT, var_dir)
    after_acts = _shell(STATE % json.dumps(acted), var_dir)
    second_output = _make_run_steps(var_dir)
    after = _shell(STATE % json.dumps(acted), var_dir)
    return {"var_dir": var_dir, "first": first_output, "second": second_output,
            "before": before, "after_acts": after_acts, "after": after}  # fmt: skip


def test_second_make_run_succeeds_and_prints_the_demo_accounts(runs):
    for output in (runs["first"], runs["second"]):
        assert "coordination@pays-berjalliens.maillage.test" in output
        assert "bureau@vals-du-dauphine.maillage.test" in output
        assert "Maillage-demo-2026" in output


def test_second_make_run_keeps_the_rpps_import(runs):
    assert runs["after_acts"]["imported"] == [f"IMPORTE{n}" for n in range(1, 10)]
    assert runs["after"]["imported"] == runs["after_acts"]["imported"]


def test_second_make_run_keeps_the_booking_and_the_patient(runs):
    assert runs["after"]["appointment"] == ["booked", "booked"]
    assert runs["after"]["patient"] is True


def test_second_make_run_keeps_the_edits(runs):
    after = runs["after"]
    assert after["cpts"] == ["CPTS Porte des Alpes", "+33465713899"]
    assert after["entry"] == ["PERRIN", "Préfère être appelé après 18 h", False]
    assert after["nurse_title"] == "IDEL, plaies"
    # The withdrawn slot stays withdrawn, and its day is not filled again.
    assert after["withdrawn"][0] == "withdrawn"
    assert after["withdrawn"] == runs["after_acts"]["withdrawn"]


def test_second_make_run_the_same_day_adds_no_slot_and_no_duplicate(runs):
    assert runs["before"]["slots"] > 500
    assert runs["after"]["slots"] == runs["after_acts"]["slots"] == runs["before"]["slots"]
    assert runs["before"]["duplicates"] == runs["after"]["duplicates"] == 0


def _readme_demo_commands() -> list[str]:
    """The `.venv/bin/maillage …` lines of the README's shell blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith(".venv/bin/maillage ")]  # fmt: skip


def test_readme_demo_commands_work_as_printed_without_maillage_demo(runs):
    commands = _readme_demo_commands()
    shown = {shlex.split(c)[1] for c in commands}
    assert {"totp", "token"} <= shown, commands
    for command in commands:
        args = shlex.split(command)[1:]
        result = _run(args, _env(runs["var_dir"]), check=False)
        assert result.returncode == 0, (command, result.stderr[-2000:])
        assert "ImproperlyConfigured" not in result.stderr
        last = result.stdout.strip().splitlines()[-1]
        if args[0] == "totp":
            assert re.fullmatch(r"\d{6}", last), result.stdout
        if args[:2] == ["token", "create"]:
            assert last.startswith("mlg_"), result.stdout


def test_another_database_is_not_in_demo_mode(runs, tmp_path):
    """The marker names the demo's database: pointed at another one (production), the
    configuration stays strict and a missing SECRET_KEY stops the command in one line."""
    env = _env(runs["var_dir"], DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}")
    result = _run(["totp", "coordination@pays-berjalliens.maillage.test"], env, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration invalide : SECRET_KEY doit être définie (hors DEBUG et MAILLAGE_DEMO)."
    ]
