from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "pathway.read": "Lecture d'un parcours",
        "pathway.enrol": "Inclusion dans un parcours",
        "pathway.end": "Fin d'un parcours",
        "pathway.note_add": "Note de coordination",
        "pathway.task_complete": "Résultat ou action enregistré",
        "pathway.task_reassign": "Tâche réattribuée",
        "pathway.pps_read": "Lecture du PPS",
        "pathway.pps_pdf": "Téléchargement du PPS (PDF)",
        "pathway.fhir_export": "Export FHIR du parcours",
        "pathway.meeting_create": "Réunion de concertation planifiée",
        "pathway.meeting_invite": "Invitation à une réunion de concertation",
        "pathway.meeting_case_add": "Dossier inscrit à une réunion de concertation",
        "pathway.meeting_read": "Lecture d'un dossier de réunion de concertation",
        "pathway.meeting_attendance": "Présences d'une réunion de concertation",
        "pathway.meeting_held": "Réunion de concertation tenue",
        "pathway.meeting_cancel": "Réunion de concertation annulée",
        "pathway.decision": "Décision de réunion de concertation",
        "pathway.template_create": "Création d'un modèle de parcours",
        "pathway.template_draft": "Nouvelle version de modèle de parcours",
        "pathway.template_update": "Modification d'un brouillon de parcours",
        "pathway.template_discard": "Abandon d'un brouillon de parcours",
        "pathway.template_step": "Étape d'un brouillon de parcours",
        "pathway.template_step_delete": "Suppression d'une étape de brouillon",
        "pathway.template_publish": "Publication d'un modèle de parcours",
    },
    "objects": {
        "pathways.Enrolment": "Parcours d'un patient", "pathways.Task": "Tâche du parcours",
        "pathways.CoordinationNote": "Note de coordination",
        "pathways.PathwayTemplate": "Modèle de parcours", "pathways.Meeting": "Réunion",
        "pathways.MeetingCase": "Dossier de réunion", "pathways.CaseDecision": "Décision",
    },
    "places": {
        "pathways.due": "À faire et en retard (parcours)",
        "pathways.enrolments": "Liste des parcours",
        "pathways.enrol": "Inclusion dans un parcours",
        "pathways.enrol_search": "Recherche pour une inclusion",
        "pathways.meeting_case_picker": "Choix d'un dossier de réunion",
    },
}  # fmt: skip


class PathwaysConfig(AppConfig):
    name = "maillage.pathways"
    label = "pathways"
    verbose_name = "Parcours pluriprofessionnels"

    def ready(self):
        from maillage.core.audit_trail import register_labels

        register_labels(**AUDIT_LABELS)

        from maillage.core import jobs

        # 07:00 in Paris, summer and winter: before the day's first consultations.
        jobs.register_periodic(
            "pathway-reminders", "maillage.pathways.jobs.send_daily_reminders",
            cron="0 7 * * *", label="Rappels quotidiens des parcours",
        )  # fmt: skip
        from maillage.notifications import kinds

        kinds.register("pathways.reminder", "Rappel quotidien des tâches de parcours")
        kinds.register("pathways.event_alert", "Événement signalé pour un patient de votre équipe")
        # Its cards on the members' home page (core.home).
        from . import home, indicators  # noqa: F401

        # Its figures, first activity and meeting attendance in the core registries (ACI
        # report, compensation of professionals' time).
        indicators.register_indicators()
