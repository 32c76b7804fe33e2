import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from maillage.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Supprime les événements du journal d'audit plus anciens que la durée de conservation "
        "(AUDIT_RETENTION_DAYS, 3 ans par défaut, 1 an au moins). À lancer chaque nuit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compte sans supprimer")

    def handle(self, *args, dry_run=False, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} événement(s) antérieur(s) au "
                              f"{timezone.localtime(cutoff):%d/%m/%Y} à supprimer.")  # fmt: skip
            return
        deleted = 0
        # In batches, so a large first purge neither locks the table for long nor needs
        # the memory of every id at once.
        while True:
            with transaction.atomic():
                ids = list(old.order_by("at").values_list("pk", flat=True)[:5000])
                if not ids:
                    break
                deleted += AuditEvent.objects.filter(pk__in=ids).delete()[0]
        self.stdout.write(f"{deleted} événement(s) antérieur(s) au "
                          f"{timezone.localtime(cutoff):%d/%m/%Y} supprimé(s).")  # fmt: skip
