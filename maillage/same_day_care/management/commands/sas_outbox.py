import time

from django.core.management.base import BaseCommand, CommandError

from maillage.same_day_care.sas_outbox import process_due


class Command(BaseCommand):
    help = (
        "Envoie au SAS les notifications de rendez-vous en attente (INT_R03) ; "
        "les échecs sont réessayés plus tard."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis quitter.")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Secondes entre deux passages."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        if interval <= 0:
            raise CommandError("--interval doit être positif.")
        while True:
            stats = process_due()
            if once or stats["sent"] or stats["failed"]:
                self.stdout.write(
                    f"SAS : {stats['sent']} envoyé(s), {stats['failed']} en échec "
                    f"(réessai plus tard), {stats['pending']} en attente."
                )
            if once:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return
