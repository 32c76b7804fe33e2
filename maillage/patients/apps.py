from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "maillage.patients"
    label = "patients"
    verbose_name = "Patients"
