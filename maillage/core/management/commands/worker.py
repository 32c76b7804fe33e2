import signal
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Lance un worker de la file de tâches (envois, outbox du SAS, rappels, imports) au "
        "premier plan ; Ctrl+C ou SIGTERM l'arrêtent proprement. `maillage serve` en lance "
        "un avec le serveur web."
    )

    def handle(self, *args, **options):
        from django_q.cluster import Cluster

        from maillage.core import jobs

        names = jobs.ensure_schedules()
        # The first heartbeat as soon as a worker takes it: /healthz/full says "ok" from
        # the start, not after the scheduler's first pass (about 30 s later).
        jobs.enqueue("maillage.core.jobs.heartbeat")
        self.stdout.write(
            f"Worker : {len(names)} tâche(s) périodique(s) planifiée(s) (Ctrl+C pour arrêter)."
        )
        self.stdout.flush()
        # The cluster's own handlers (set in Cluster()) stop the sentinel, which lets the
        # running jobs finish and hands the queued ones back, on SIGTERM and SIGINT.
        cluster = Cluster()
        stopping = False
        handlers = {}

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            handlers[signum](signum, frame)

        for signum in (signal.SIGTERM, signal.SIGINT):
            handlers[signum] = signal.getsignal(signum)
            signal.signal(signum, stop)
        try:
            try:
                cluster.start()
            except RuntimeError as exc:
                raise CommandError(f"Le worker n'a pas démarré : {exc}") from None
            # Stay in the foreground while the cluster runs: a sentinel that dies without
            # being asked to is a failure (non-zero exit, so `maillage serve` notices).
            while cluster.sentinel.is_alive():
                time.sleep(0.5)
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        if not stopping and cluster.sentinel.exitcode != 0:
            raise CommandError(
                f"Le worker s'est arrêté de façon inattendue (code {cluster.sentinel.exitcode})."
            )
        self.stdout.write("Worker arrêté.")
