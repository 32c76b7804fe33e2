from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "maillage.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from maillage.core import jobs

        from . import kinds

        # core's messages (core does not import this app; it names `notify` by its path).
        kinds.register("core.invitation", "Invitation à rejoindre une CPTS",
                       channels=[kinds.EMAIL], mandatory=True, secret_link=True, listed=False)
        kinds.register("core.password_reset", "Nouveau mot de passe", channels=[kinds.EMAIL],
                       mandatory=True, secret_link=True, listed=False,
                       mandatory_reason="Message de sécurité de votre compte.")
        kinds.register("notifications.test", "Message de test de la coordination")
        # Retries after a failure, and deliveries whose job was lost.
        jobs.register_periodic("notifications-sweep", "maillage.notifications.delivery.sweep",
                               minutes=1, label="Relance des notifications en échec")
