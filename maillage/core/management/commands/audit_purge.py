from django.core.management.base import BaseCommand
from django.utils import timezone

from maillage.core.audit import purge_expired


class Command(BaseCommand):
    help = (
        "Supprime les événements du journal d'audit plus anciens que la durée de conservation "
        "(AUDIT_RETENTION_DAYS, 3 ans par défaut, 1 an au moins). Le worker le fait chaque nuit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compte sans supprimer")

    def handle(self, *args, dry_run=False, **options):
        count, cutoff = purge_expired(dry_run=dry_run)
        day = f"{timezone.localtime(cutoff):%d/%m/%Y}"
        if dry_run:
            self.stdout.write(f"{count} événement(s) antérieur(s) au {day} à supprimer.")
        else:
            self.stdout.write(f"{count} événement(s) antérieur(s) au {day} supprimé(s).")
