from django.apps import AppConfig


class SameDayCareConfig(AppConfig):
    name = "maillage.same_day_care"
    label = "same_day_care"
    verbose_name = "Soins non programmés"
