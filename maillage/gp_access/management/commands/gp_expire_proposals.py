from django.core.management.base import BaseCommand

from maillage.core.models import Cpts
from maillage.gp_access.services import expire_overdue_proposals


class Command(BaseCommand):
    help = (
        "Fait expirer les propositions restées sans réponse du médecin après le délai "
        "(GP_PROPOSAL_RESPONSE_DAYS) : le patient retourne dans la liste d'attente et "
        "disparaît des pages de ce médecin. Les pages des propositions le font aussi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cpts", help="une seule CPTS (slug)")

    def handle(self, *args, cpts=None, **options):
        cptses = Cpts.objects.active()
        if cpts:
            cptses = cptses.filter(slug=cpts)
        total = sum(expire_overdue_proposals(cpts=c) for c in cptses)
        self.stdout.write(f"{total} proposition(s) expirée(s).")
