from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "maillage.crisis"
    label = "crisis"
    verbose_name = "Crises sanitaires graves"

    def ready(self):
        from maillage.core.audit_trail import register_labels

        from . import activations, alerts, calls, contacts, plan, resources, vulnerable

        for module in (plan, contacts, resources, vulnerable, activations, alerts, calls):
            register_labels(**module.AUDIT_LABELS)

        from maillage.notifications import kinds

        # A crisis alert always goes out on the channels the coordinator chose: nobody
        # can mute it (it asks for an answer, by the crisis app's own answer page).
        kinds.register(
            "crisis.alert", "Alerte de crise (mobilisation des professionnels)",
            channels=(kinds.IN_APP, kinds.EMAIL, kinds.SMS), mandatory=True,
            mandatory_reason="Une alerte de crise doit joindre chacun : elle ne peut pas "
            "être désactivée.",
            answer_url_name="crisis:answer", answer_namespace="maillage.crisis.answer",
        )  # fmt: skip
        kinds.register("crisis.stock", "Stock de crise sous son niveau minimum")
        from . import home_resources  # noqa: F401 (registers its home card)
