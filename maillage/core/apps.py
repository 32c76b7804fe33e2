from django.apps import AppConfig

# The French words of the audit trail for this app's events (see core.audit_trail).
AUDIT_LABELS = {
    "actions": {
        "account.unlock": "Déblocage d'un compte",
        "account.second_factor_reset": "Réinitialisation de la double authentification",
        "account.sessions_end": "Fermeture des sessions d'un compte",
        "account.api_tokens_revoke": "Révocation des jetons d'API d'un compte",
        "auth.password_reset_request": "Demande de nouveau mot de passe",
        "auth.password_reset": "Nouveau mot de passe choisi",
        "api_token.create": "Création d'un jeton d'API",
        "audit.read": "Lecture du journal d'audit",
        "audit.patient_access": "Lecture des accès au dossier d'une personne",
        "audit.patient_access_export": "Export des accès au dossier d'une personne",
        "audit.api_read": "Lecture du journal d'audit par l'API",
        "auth.login": "Connexion",
        "auth.totp_enrolled": "Activation de la double authentification",
        "invitation.accept": "Acceptation d'une invitation",
        "invitation.create": "Invitation d'un membre",
        "members.list": "Lecture de la liste des membres",
    },
    "objects": {
        "core.User": "Compte", "core.Invitation": "Invitation", "core.Cpts": "CPTS",
        "core.Membership": "Adhésion", "core.ApiToken": "Jeton d'API",
    },
    "places": {"core.today": "Page d'accueil « Aujourd'hui »"},
}  # fmt: skip


class CoreConfig(AppConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self):
        from .audit_trail import register_labels

        register_labels(**AUDIT_LABELS)

        from . import jobs

        # The running cluster's proof of life (GET /healthz/full).
        jobs.register_periodic("heartbeat", "maillage.core.jobs.heartbeat", minutes=1,
                               label="Signal de vie du worker")  # fmt: skip
        jobs.register_periodic("audit-purge", "maillage.core.audit.purge_expired_job",
                               cron="15 3 * * *", label="Purge du journal d'audit")  # fmt: skip
