import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Sert la plateforme avec gunicorn (serveur WSGI de production, statiques via WhiteNoise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MAILLAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="nombre de processus (par défaut WEB_CONCURRENCY, sinon 3)",
        )

    def handle(self, *args, bind, workers, **options):
        # WEB_CONCURRENCY is a typed setting: a bad value already stopped the start.
        workers = settings.WEB_CONCURRENCY if workers is None else workers
        if workers < 1:
            raise CommandError(f"--workers doit être un entier positif, pas {workers}.")
        # WhiteNoise serves the collected, hashed files: collect them first (quick when fresh).
        call_command("collectstatic", interactive=False, verbosity=0)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "maillage.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"Maillage sur http://{bind}/ (Ctrl+C pour arrêter)")
        sys.stdout.flush()
        os.execv(sys.executable, command)  # noqa: S606 (replaces this process)
