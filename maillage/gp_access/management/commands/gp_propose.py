import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from maillage.core.models import Cpts
from maillage.gp_access.services import propose_batch


class Command(BaseCommand):
    help = "Calcule un lot de propositions patients → médecins (brouillon à valider)."

    def add_arguments(self, parser):
        parser.add_argument("--cpts", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, cpts, json: bool, **options):
        tenant = Cpts.objects.active().filter(slug=cpts).first()
        if tenant is None:
            raise CommandError(f"CPTS inconnue : {cpts}")
        batch = propose_batch(cpts=tenant, actor=None)
        summary = {"batch": str(batch.public_id), **batch.stats}
        if json:
            self.stdout.write(jsonlib.dumps(summary))
        else:
            self.stdout.write(
                f"Lot {batch.public_id} : {batch.stats['proposed']} proposition(s) pour "
                f"{batch.stats['waiting']} patient(s) en attente et {batch.stats['gps']} "
                "médecin(s) disponibles. À valider dans la page « Propositions »."
            )
