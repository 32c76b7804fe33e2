from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "maillage.prevention"
    label = "prevention"
    verbose_name = "Prévention"

    def ready(self):
        # Each area declares what it adds to the platform's registries (audit labels,
        # notification kinds, indicators, attendance, periodic jobs, public notices, home
        # cards) in its own `ready()`.
        from . import actions, followup, indicators, participants, registrations, vaccination

        for module in (actions, participants, followup, registrations, vaccination, indicators):
            module.ready()
