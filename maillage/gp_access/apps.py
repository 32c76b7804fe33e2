from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "gp_request.create": "Demande de médecin traitant créée",
        "gp_request.transition": "Changement d'état de la demande de médecin traitant",
        "gp_request.note": "Note sur la demande de médecin traitant",
        "gp_request.cpam_upload": "Dépôt d'une liste de la CPAM",
        "gp_request.cpam_preview": "Aperçu d'une liste de la CPAM",
        "gp_request.cpam_import": "Import d'une liste de la CPAM",
        "gp_batch.create": "Calcul d'un lot de propositions",
        "gp_batch.send": "Envoi d'un lot de propositions aux médecins",
        "gp_batch.discard": "Abandon d'un lot de propositions",
        "gp_capacity.update": "Disponibilité d'un médecin",
        "gp_priority.update": "Règles de priorité",
        "gp_proposal.expire": "Proposition expirée sans réponse",
    },
    "objects": {
        "gp_access.GpRequest": "Demande de médecin traitant",
        "gp_access.Proposal": "Proposition à un médecin",
        "gp_access.ProposalBatch": "Lot de propositions",
        "gp_access.GpCapacity": "Disponibilité d'un médecin",
        "gp_access.CsvUpload": "Liste de la CPAM",
    },
    "places": {
        "gp_access.queue": "File des demandes de médecin traitant",
        "gp_access.batch": "Propositions aux médecins",
        "gp_access.my_proposals": "Mes propositions (médecin)",
        "gp_access.request": "Demande de médecin traitant",
        "gp_access.cpam_preview": "Aperçu d'une liste de la CPAM",
        "api.gp_requests": "API : demandes de médecin traitant",
    },
}  # fmt: skip


class GpAccessConfig(AppConfig):
    name = "maillage.gp_access"
    label = "gp_access"
    verbose_name = "Accès au médecin traitant"

    def ready(self):
        from maillage.core.audit_trail import register_labels
        from maillage.patients.duplicates import register_resumer

        from . import services
        from .models import Status

        register_labels(**AUDIT_LABELS)
        from maillage.notifications import kinds

        kinds.register("gp_access.proposals", "Patients proposés (médecin traitant)")
        # Its cards on the members' home page (core.home).
        from . import home, indicators  # noqa: F401

        # Its figures and first activity in the indicator registry (the ACI report).
        indicators.register_indicators()
        # The states a request moves between ("De : nouvelle · Vers : qualifiée (...)").
        register_labels(places={status.value: status.label.lower() for status in Status})
        register_resumer(services.DUPLICATE_PURPOSE, services.resume_after_duplicate_review)

        from maillage.core import jobs

        jobs.register_periodic("gp-expire-proposals", "maillage.gp_access.jobs.expire_proposals",
                               cron="0 6 * * *",
                               label="Expiration des propositions sans réponse")  # fmt: skip
