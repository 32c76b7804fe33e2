from maillage.directory.rpps import import_rpps

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Importe l'extraction Annuaire Santé PS_LibreAcces_Personne_activite (RPPS/ADELI)."
    kind = "rpps"
    label = "RPPS"

    def importer(self, path, cpts, progress, force):
        return import_rpps(path, cpts=cpts, progress=progress, force=force)
