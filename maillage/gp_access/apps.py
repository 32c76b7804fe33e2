from django.apps import AppConfig


class GpAccessConfig(AppConfig):
    name = "maillage.gp_access"
    label = "gp_access"
    verbose_name = "Accès au médecin traitant"
