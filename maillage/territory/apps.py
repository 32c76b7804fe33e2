from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "territory.add": "Ajout de communes au territoire",
        "territory.remove": "Retrait de communes du territoire",
        "cpts.contract_date": "Date de signature de l'ACI",
        "cpts.identity": "Identité de la CPTS pour le SAS",
    },
    "objects": {"territory.TerritoryChange": "Modification du territoire"},
}


class TerritoryConfig(AppConfig):
    name = "maillage.territory"
    label = "territory"
    verbose_name = "Territoire"

    def ready(self):
        from maillage.core.audit_trail import register_labels

        register_labels(**AUDIT_LABELS)
