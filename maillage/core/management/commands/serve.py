import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# How long the children get to finish what they are doing once asked to stop (a request
# in flight, a job): past it they are killed. A job killed that way is handed back to a
# worker later by the broker (jobs are idempotent, docs/decisions/0011).
STOP_GRACE_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Sert la plateforme avec gunicorn (serveur WSGI de production, statiques via "
        "WhiteNoise) et lance à côté un worker de la file de tâches ; Ctrl+C arrête les deux."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MAILLAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="nombre de processus web (par défaut WEB_CONCURRENCY, sinon 3)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="ne pas lancer de worker (les workers tournent ailleurs : `maillage worker`)",
        )

    def handle(self, *args, bind, workers, no_worker, **options):
        # WEB_CONCURRENCY is a typed setting: a bad value already stopped the start.
        workers = settings.WEB_CONCURRENCY if workers is None else workers
        if workers < 1:
            raise CommandError(f"--workers doit être un entier positif, pas {workers}.")
        # WhiteNoise serves the collected, hashed files: collect them first (quick when fresh).
        call_command("collectstatic", interactive=False, verbosity=0)
        web = [
            sys.executable, "-m", "gunicorn", "maillage.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--access-logfile", "-",
        ]  # fmt: skip
        self.stdout.write(f"Maillage sur http://{bind}/ (Ctrl+C pour arrêter)")
        sys.stdout.flush()
        if no_worker:
            os.execv(sys.executable, web)  # noqa: S606 (replaces this process)
        self.supervise({
            "serveur web": web,
            "worker": [sys.executable, "-m", "maillage.cli", "worker"],
        })  # fmt: skip

    def supervise(self, commands: dict[str, list[str]]) -> None:
        """Run the children until a signal asks to stop, or one of them ends: then stop
        the others. A child that ended on its own is a failure (exit status 1), so that a
        service manager restarts the whole."""
        asked = []

        def on_signal(signum, frame):
            asked.append(signum)

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        children = {}
        try:
            for name, command in commands.items():
                # Each child leads its own process group: a Ctrl+C reaches this process only,
                # which stops the children in order, and a child that will not stop is
                # killed with its own children (gunicorn's, the cluster's workers).
                children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
            ended = None
            while not asked and ended is None:
                ended = next((n for n, p in children.items() if p.poll() is not None), None)
                time.sleep(0.2)
        finally:
            _stop(children.values())
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if ended is not None and not asked:
            code = children[ended].returncode
            raise CommandError(
                f"Le {ended} s'est arrêté (code {code}) : tout est arrêté. Voir les messages "
                "ci-dessus."
            )


def _stop(processes) -> None:
    processes = list(processes)
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    # A child that died on its own (killed, crashed) may have left its own children
    # behind (a gunicorn worker, the cluster's sentinel): they go with it, and this
    # command ends only once they are gone (a service manager may restart it at once).
    groups = [process.pid for process in processes]
    for group in groups:
        _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while any(_group_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.1)
    for group in groups:
        if _group_alive(group):
            _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, signum) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(group: int) -> bool:
    """Whether a process of this group still runs (zombies do not count: an orphan's
    parent may never reap it). Read from /proc where there is one."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state, ppid, pgrp.
        if fields[2] == str(group) and fields[0] != "Z":
            return True
    return False
