from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        from maillage.territory.services import territory_change_hooks

        from .index import refresh_directory_index

        # A commune added to or removed from a territory changes who is in its directory.
        if refresh_directory_index not in territory_change_hooks:
            territory_change_hooks.append(refresh_directory_index)
