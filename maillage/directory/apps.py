from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "directory.entry_update": "Modification d'une fiche de l'annuaire",
        "directory.account_link": "Compte d'un membre relié à sa fiche de l'annuaire",
        "directory.export": "Export de l'annuaire",
        "directory.local_create": "Ajout d'un professionnel absent du RPPS",
        "directory.local_structure_create": "Ajout d'une structure absente du FINESS",
        "directory.structure_entry_update": "Modification d'une structure de l'annuaire",
        "diagnostic.local_figure": "Chiffre local du diagnostic",
        "diagnostic.reference": "Densité de référence du diagnostic",
    },
    "objects": {
        "directory.Professional": "Professionnel", "directory.Structure": "Structure",
        "directory.DirectoryEntry": "Fiche de l'annuaire",
        "directory.StructureEntry": "Structure de l'annuaire",
        "directory.ImportRun": "Import",
    },
}  # fmt: skip


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        from maillage.core import jobs
        from maillage.core.audit_trail import register_labels
        from maillage.territory.services import territory_change_hooks

        from .index import queue_refresh

        register_labels(**AUDIT_LABELS)
        # A commune added to or removed from a territory changes who is in its directory:
        # rebuilt by a job once the change commits.
        if queue_refresh not in territory_change_hooks:
            territory_change_hooks.append(queue_refresh)
        jobs.register_label(
            "maillage.directory.index.refresh_job",
            "Mise à jour de l'annuaire après un changement du territoire",
        )
