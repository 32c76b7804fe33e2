"""Home cards of the contract: for the coordinator, the proofs still missing when the
report is near; for the coordinator, the board and the funders, this year's money.
No card at all while the CPTS has no contract."""

from django.urls import reverse
from django.utils import formats

from maillage.core import home, permissions

from . import access, proofs


def _euros(amount) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} EUR"


@home.card("reporting.proofs_missing", permission=permissions.manage_contract, order=50)
def proofs_missing_card(membership, request):
    """Shown only from proofs.WARN_BEFORE before the report's due date (or once late),
    when proofs are missing."""
    contract = access.contract_of(membership.cpts)
    if contract is None:
        return None
    watch = proofs.watch(contract)
    if watch is None:
        return None
    link = reverse("reporting:proofs", args=[membership.cpts.slug]) + f"?annee={watch.year}"
    items = [home.Item(label=s.requirement.label,
                       url=f"{link}#preuve-{s.requirement.public_id}",
                       detail=f"{s.have} / {s.expected} {s.counts}".strip())
             for s in watch.missing[:home.MAX_ITEMS]]  # fmt: skip
    count = len(watch.missing)
    return home.Card(title="Preuves manquantes pour le rapport", count=count, items=items,
                     text=f"{count} preuve(s) manquent, rapport de l'année {watch.year} attendu "
                          f"le {watch.due:%d/%m/%Y}.",
                     link=link, link_label="Voir les preuves")  # fmt: skip


@home.card("reporting.contract", permission=permissions.see_contract, order=90)
def contract_card(membership, request):
    """This contract year's money: expected, received, at risk."""
    from . import funding

    contract = access.contract_of(membership.cpts)
    if contract is None:
        return None
    try:
        forecast = funding.forecast(contract)
    except NotImplementedError:
        # The forecast is not written yet: no card rather than a wrong one.
        return None
    if forecast is None:
        return None
    link = reverse("reporting:forecast", args=[membership.cpts.slug])
    return home.Card(
        title=f"Contrat ACI · année {forecast.year}",
        figures=[home.Figure(label="Attendu cette année", value=_euros(forecast.expected)),
                 home.Figure(label="Reçu", value=_euros(forecast.received)),
                 home.Figure(label="À risque", value=_euros(forecast.at_risk))],
        link=link, link_label="Voir les prévisions",
    )  # fmt: skip


def ready():
    # The cards register when this module is imported (AppConfig.ready imports it).
    pass
