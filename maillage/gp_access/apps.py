from django.apps import AppConfig


class GpAccessConfig(AppConfig):
    name = "maillage.gp_access"
    label = "gp_access"
    verbose_name = "Accès au médecin traitant"

    def ready(self):
        from maillage.patients.duplicates import register_resumer

        from . import services

        register_resumer(services.DUPLICATE_PURPOSE, services.resume_after_duplicate_review)
