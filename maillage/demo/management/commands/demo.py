from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from maillage.demo import marker
from maillage.demo.builder import DEFAULT_SEED, DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = (
        "Construit les CPTS de démonstration (déterministe) et affiche les comptes ; relancée, "
        "elle ajoute ce qui manque sans rien modifier de ce qui a été fait depuis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default=DEFAULT_SEED)

    def handle(self, *args, seed, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Commande réservée au mode démonstration (MAILLAGE_DEMO=1) : elle crée des "
                "comptes au mot de passe publié."
            )
        try:
            accounts = build_demo(seed=seed)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The test suite's database is not one to come back to (settings never read the
        # marker under tests): keep the marker of the developer's own demo intact.
        if not settings.TESTING:
            marker.write(settings.VAR_DIR, settings.DATABASE_URL, site_url=settings.SITE_URL)
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        current = None
        for account in accounts:
            if account.cpts != current:
                current = account.cpts
                self.stdout.write(f"\n  CPTS {current}")
            factor = "TOTP" if account.two_factor else "sans 2FA"
            self.stdout.write(f"    {account.email:<48} {account.role:<13} {factor}")
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            f"\nConnexion : {site}/connexion/ avec l'adresse et le mot de passe,"
            "\npuis le code TOTP, obtenu en mode démonstration par :"
            "\n    .venv/bin/maillage totp coordination@pays-berjalliens.maillage.test"
        )
