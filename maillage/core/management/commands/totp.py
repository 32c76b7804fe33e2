from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.core import twofactor
from maillage.core.models import User


class Command(BaseCommand):
    help = "Mode démonstration uniquement : affiche le code TOTP courant d'un compte."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Commande réservée au mode démonstration (MAILLAGE_DEMO=1) : en production, "
                "le code vient de l'application d'authentification de la personne."
            )
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"Aucun compte {email}.")
        device = twofactor.confirmed_device(user)
        if device is None:
            raise CommandError(f"{email} n'a pas activé la double authentification.")
        self.stdout.write(twofactor.current_code(device))
