from django.core.management.base import BaseCommand

from maillage.same_day_care.sas_outbox import process_due


class Command(BaseCommand):
    help = (
        "Envoie au SAS les notifications de rendez-vous en attente (INT_R03), en un passage ; "
        "le worker (`maillage worker`, ou `maillage serve`) le fait à chaque réservation et "
        "réessaie les échecs chaque minute."
    )

    def add_arguments(self, parser):
        # Kept so that scripts written for the former loop still run: it is one pass now.
        parser.add_argument("--once", action="store_true", help="Un seul passage (toujours).")

    def handle(self, *args, **options):
        stats = process_due()
        self.stdout.write(
            f"SAS : {stats['sent']} envoyé(s), {stats['failed']} en échec "
            f"(réessai plus tard), {stats['pending']} en attente."
        )
