"""The patients card of the home page (core.home): duplicates waiting for the
coordination. A count: the review page shows the names to compare."""

from django.urls import reverse

from maillage.core import home, permissions

from .models import DuplicateReview


@home.card("patients.duplicates", permission=permissions.resolve_duplicates, order=50)
def duplicates_card(membership, request):
    count = DuplicateReview.objects.filter(cpts=membership.cpts,
                                           status=DuplicateReview.Status.OPEN).count()
    return home.Card(title="Doublons à vérifier", count=count,
                     empty="Aucun doublon à vérifier.",
                     link=reverse("patients:reviews", args=[membership.cpts.slug]),
                     link_label="Vérifier les doublons")  # fmt: skip
