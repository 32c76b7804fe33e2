import datetime

from django.core.management.base import BaseCommand, CommandError

from maillage.core.models import Cpts
from maillage.pathways.reminders import DEFAULT_HORIZON_DAYS, send_reminders


class Command(BaseCommand):
    help = (
        "Rappel quotidien des parcours : un e-mail par professionnel avec le nombre de tâches "
        "en retard et à venir (sans donnée de santé). Le worker l'envoie chaque jour à 7 h."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=DEFAULT_HORIZON_DAYS,
            help="Horizon des tâches « à venir », en jours (défaut : 7).",
        )  # fmt: skip
        parser.add_argument("--cpts", help="Limiter à une CPTS (son identifiant court).")
        parser.add_argument("--date", help="Jour de référence AAAA-MM-JJ (défaut : aujourd'hui).")

    def handle(self, *args, days: int, cpts: str | None, date: str | None, **options):
        if not 0 <= days <= 90:
            raise CommandError("--days doit être compris entre 0 et 90.")
        scope = None
        if cpts:
            scope = Cpts.objects.filter(slug=cpts).first()
            if scope is None:
                raise CommandError(f"CPTS inconnue : {cpts}.")
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"Date invalide : {date} (attendu AAAA-MM-JJ).") from exc
        stats = send_reminders(day=day, horizon_days=days, cpts=scope)
        self.stdout.write(
            f"Rappels : {stats['sent']} envoyé(s), {stats['already_sent']} déjà envoyé(s) "
            f"aujourd'hui, {stats['skipped']} sans destinataire actif ; "
            f"{stats['tasks']} tâche(s) concernée(s)."
        )
