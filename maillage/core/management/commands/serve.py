import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Sert la plateforme avec gunicorn (serveur WSGI de production, statiques via WhiteNoise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MAILLAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3))
        )

    def handle(self, *args, bind, workers, **options):
        if workers is None:
            raw = os.environ.get("WEB_CONCURRENCY", "3")
            if not raw.isdigit() or int(raw) < 1:
                raise CommandError(f"WEB_CONCURRENCY doit être un entier positif, pas {raw!r}.")
            workers = int(raw)
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
