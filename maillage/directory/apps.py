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
        from maillage.core.audit_trail import register_labels
        from maillage.territory.services import territory_change_hooks

        from .index import refresh_directory_index

        register_labels(**AUDIT_LABELS)
        # A commune added to or removed from a territory changes who is in its directory.
        if refresh_directory_index not in territory_change_hooks:
            territory_change_hooks.append(refresh_directory_index)
