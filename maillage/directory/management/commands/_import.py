"""Shared body of `import-rpps` and `import-finess`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from maillage.core.models import Cpts
from maillage.directory.importing import FileKindError
from maillage.directory.models import ImportRun
from maillage.directory.services import record_import_run


class ImportCommand(BaseCommand):
    kind = ""
    label = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier à importer")
        parser.add_argument("--cpts", help="limiter aux communes du territoire de cette CPTS")
        parser.add_argument("--json", action="store_true", help="résumé JSON sur une ligne")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--force",
            action="store_true",
            help="désactiver les absents même s'ils sont très nombreux",
        )

    def importer(self, path, cpts, progress, force):
        raise NotImplementedError

    def handle(self, *args, path, cpts, json, no_progress, force, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        tenant = None
        if cpts:
            tenant = Cpts.objects.active().filter(slug=cpts).first()
            if tenant is None:
                raise CommandError(f"CPTS inconnue : {cpts}")
        bar = tqdm(
            unit=" lignes",
            desc=self.label,
            file=sys.stderr,
            disable=no_progress or json and not sys.stderr.isatty(),
        )
        try:
            report = self.importer(file, tenant, bar.update, force)
        except FileKindError as exc:
            raise CommandError(str(exc)) from exc
        except (OSError, DatabaseError) as exc:
            # Batches already written stay (each is whole); the run is recorded as incomplete.
            ImportRun.objects.create(
                kind=self.kind,
                cpts=tenant,
                file_name=file.name,
                complete=False,
                summary={"error": str(exc)[:500]},
            )
            raise CommandError(
                f"Import interrompu ({exc.__class__.__name__}) : les lots déjà écrits sont "
                "complets ; corrigez le fichier et relancez, rien ne sera dupliqué."
            ) from exc
        finally:
            bar.close()
        record_import_run(kind=self.kind, cpts=tenant, file_name=file.name, report=report)
        if json:
            self.stdout.write(report.as_json())
            return
        self.stdout.write(
            f"{report.read} lignes lues : {report.created} créés, {report.updated} mis à jour, "
            f"{report.unchanged} inchangés, {report.deactivated} désactivés, "
            f"{report.rejected} lignes rejetées, {report.skipped} hors territoire."
        )
        for error in report.errors[:50]:
            where = f"ligne {error['line']}" if error["line"] else "fichier"
            self.stdout.write(f"  {where} : {error['reason']}")
        if len(report.errors) > 50:
            self.stdout.write(f"  … et {len(report.errors) - 50} autres (voir --json)")
