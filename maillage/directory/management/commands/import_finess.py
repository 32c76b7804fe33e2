from maillage.directory.finess import import_finess

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Importe l'extraction FINESS etalab (établissements et géolocalisation)."
    kind = "finess"
    label = "FINESS"

    def importer(self, path, cpts, progress, force):
        return import_finess(path, cpts=cpts, progress=progress, force=force)
