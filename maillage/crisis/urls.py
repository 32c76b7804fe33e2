from django.urls import path  # noqa: F401

app_name = "crisis"

# Each area adds its pages in its own block (plan, contacts, resources, register,
# activations, alerts, calls); pages of a CPTS live under c/<cpts_slug>/crise/.
urlpatterns = [
    # -- plan --
    # -- contacts --
    # -- resources --
    # -- register (vulnerable) --
    # -- calls --
    # -- activations, log, RETEX, proofs --
    # -- alerts and answers --
]
