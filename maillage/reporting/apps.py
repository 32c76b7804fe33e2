from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "maillage.reporting"
    label = "reporting"
    verbose_name = "Contrat ACI et rapport"

    def ready(self):
        # Each area declares what it adds to the platform's registries (audit labels, home
        # cards, periodic jobs) in its own `ready()`.
        from . import budget, contract, funding, home, payments, proofs, report

        for module in (contract, funding, payments, proofs, report, budget, home):
            module.ready()
