from django.apps import AppConfig

AUDIT_LABELS = {
    "actions": {
        "patient.create": "Création de la fiche",
        "patient.update": "Modification de la fiche",
        "patient.read": "Lecture de la fiche",
        "patient.list": "Affichage dans une liste",
        "patient.consent": "Recueil du consentement",
        "patient.merge": "Fusion de fiches en double",
        "patient.attending_gp": "Médecin traitant renseigné",
        "patient.duplicate_shown": "Affiché comme doublon probable",
        "patient.duplicate_match": "Identité saisie correspondant à la fiche (non montrée)",
        "patient.duplicate_compare": "Comparaison d'un doublon probable",
        "patient.cpam_match": "Correspondance avec une liste de la CPAM",
        "duplicate_review.open": "Doublon probable à vérifier",
        "duplicate_review.read": "Lecture d'un doublon à vérifier",
        "duplicate_review.resolve": "Décision sur un doublon",
    },
    "objects": {
        "patients.Patient": "Fiche patient",
        "patients.DuplicateReview": "Doublon à vérifier",
        "patients.Consent": "Consentement",
    },
    "places": {"patients.picker": "Suggestions de patients (recherche par nom)",
               "duplicate_warning": "Avertissement de doublon",
               "duplicate_review": "Vérification d'un doublon"},
    "fields": {
        "birth_name": "nom de naissance", "used_name": "nom utilisé", "first_names": "prénoms",
        "birth_date": "date de naissance", "sex": "sexe", "birth_place_code": "lieu de naissance",
        "nir": "NIR", "phone": "téléphone", "email": "e-mail", "address": "adresse",
        "commune": "commune", "ald": "ALD", "ald_detail": "détail de l'ALD", "c2s": "C2S",
        "ame": "AME", "isolated": "isolement", "disability": "handicap", "pregnant": "grossesse",
        "chronic_treatment": "traitement chronique", "needs_home_visits": "visites à domicile",
    },
}  # fmt: skip


class PatientsConfig(AppConfig):
    name = "maillage.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self):
        from maillage.core.audit_trail import register_labels, register_subject

        from .access import audit_subject

        register_labels(**AUDIT_LABELS)
        # Its cards on the members' home page (core.home).
        from . import home  # noqa: F401
        register_subject(audit_subject)
