from django.core.management.base import BaseCommand, CommandError

from maillage.core.models import User
from maillage.core.services import api_token_create


class Command(BaseCommand):
    help = "Jetons d'API : `token create EMAIL` crée un jeton et l'affiche sur la dernière ligne."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("email")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, action, email, name, **options):
        if len(name) > 100:
            raise CommandError("Le nom du jeton est limité à 100 caractères.")
        user = User.objects.filter(email=email.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif {email}.")
        raw = api_token_create(user=user, name=name)
        self.stdout.write(
            f"Jeton créé pour {user.email}. Il ne sera plus affiché : conservez-le. "
            "Usage : Authorization: Bearer <jeton>"
        )
        self.stdout.write(raw)
