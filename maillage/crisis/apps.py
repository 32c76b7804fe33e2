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
        # The crisis cards of the home page; the indicators and attendance of the plan and
        # of the proofs.
        from . import home, home_activations, home_calls, home_resources, proofs  # noqa: F401

        plan.register_indicators()
        proofs.register_indicators()

        from maillage.core import public_notices

        from .activations import public_notices as activation_notices

        public_notices.register(activation_notices)

        from maillage.core.jobs import register_periodic

        register_periodic("crisis-escalation", "maillage.crisis.escalation.run", minutes=1,
                          label="Relance des alertes de crise sans réponse")  # fmt: skip
