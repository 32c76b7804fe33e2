from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "snp.request_create": "Demande de soins non programmés créée",
        "snp.request_read": "Lecture d'une demande de soins non programmés",
        "snp.request_criteria": "Délai ou modalité d'une demande modifiés",
        "snp.book": "Réservation d'un rendez-vous",
        "snp.appointment_status": "Issue d'un rendez-vous",
        "snp.appointment_status_undo": "Issue d'un rendez-vous annulée (saisie par erreur)",
        "snp.slots_publish": "Publication de créneaux",
        "snp.slot_withdraw": "Retrait d'un créneau",
        "snp.rota_generate": "Génération de la permanence",
        "snp.rota_swap": "Échange de gardes",
        "snp.unavailability": "Indisponibilité déclarée",
        "snp.ics_feed": "Lecture de l'agenda iCalendar privé",
        "snp.feed_create": "Création d'une adresse d'agenda privé",
        "snp.feed_rotate": "Remplacement d'une adresse d'agenda privé",
        "snp.feed_revoke": "Révocation d'une adresse d'agenda privé",
        "snp.rota_period": "Période de permanence ajoutée",
        "snp.rota_volunteer": "Volontaire de la permanence",
    },
    "objects": {
        "same_day_care.SameDayRequest": "Demande de soins non programmés",
        "same_day_care.Appointment": "Rendez-vous de soins non programmés",
        "same_day_care.Slot": "Créneau", "same_day_care.RotaShift": "Garde",
        "same_day_care.CalendarFeedToken": "Adresse d'agenda privé",
        "same_day_care.RotaPeriod": "Période de permanence",
    },
    "places": {
        "same_day_care.appointments": "Rendez-vous de soins non programmés",
        "same_day_care.ics_feed": "Agenda iCalendar privé",
        "same_day_care.requests": "Demandes de soins non programmés en attente",
        "same_day_care.request_new": "Nouvelle demande de soins non programmés (doublon)",
    },
}  # fmt: skip


class SameDayCareConfig(AppConfig):
    name = "maillage.same_day_care"
    label = "same_day_care"
    verbose_name = "Soins non programmés"

    def ready(self):
        from maillage.core.audit_trail import register_labels, register_subject

        from .access import audit_subject

        register_labels(**AUDIT_LABELS)
        from maillage.notifications import kinds

        # To patients (a phone number, no account): not on anyone's preferences page.
        kinds.register("same_day.confirmation", "Confirmation de rendez-vous au patient",
                       channels=[kinds.SMS], listed=False)
        # Its cards on the members' home page (core.home).
        from . import home, indicators  # noqa: F401

        # Its figures, first activity and rota shifts in the core registries (ACI report,
        # compensation of professionals' time).
        indicators.register_indicators()
        register_subject(audit_subject)

        from maillage.core import jobs

        # Each message is sent right after its booking commits (sas_outbox.queue_sending);
        # this pass retries the failures when their delay is over.
        jobs.register_periodic("sas-outbox", "maillage.same_day_care.sas_outbox.process_due",
                               minutes=1, label="Envoi des rendez-vous au SAS")  # fmt: skip
        jobs.register_label("maillage.same_day_care.sas_outbox.send_due",
                            "Envoi des rendez-vous au SAS")  # fmt: skip
