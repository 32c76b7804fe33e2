"""The prevention follow-up cards of the members' home page (core.home): counts with a
link, no names (a list would add nothing and would have to audit each person)."""

from django.urls import reverse

from maillage.core import home, permissions

from .models import FollowUp, FollowUpStatus


@home.card("prevention.followups_to_refer", permission=permissions.manage_prevention, order=45)
def to_refer_card(membership, request):
    """The coordinator: positive screenings nobody has addressed to a doctor yet."""
    count = FollowUp.objects.for_cpts(membership.cpts).filter(
        status=FollowUpStatus.TO_REFER).count()
    if not count:
        return None
    link = reverse("prevention:followups", args=[membership.cpts.slug]) + "?statut=to_refer"
    return home.Card(title="Dépistages positifs à adresser", count=count,
                     text=f"{count} personne(s) dépistée(s) positive(s) à orienter vers un "
                          "médecin.", link=link, link_label="Voir les orientations")  # fmt: skip


@home.card("prevention.followups_to_confirm", permission=permissions.follow_screening_referrals,
           order=45)
def to_confirm_card(membership, request):
    """The GP: patients addressed to them after a screening, to confirm once seen."""
    count = FollowUp.objects.for_cpts(membership.cpts).filter(
        gp=membership.user, status=FollowUpStatus.REFERRED).count()
    if not count:
        return None
    link = reverse("prevention:followups", args=[membership.cpts.slug]) + "?statut=referred"
    return home.Card(title="Patients adressés après un dépistage", count=count,
                     text="Indiquez si vous les avez vus et si le résultat est confirmé.",
                     link=link, link_label="Voir et confirmer")  # fmt: skip
