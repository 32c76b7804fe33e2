"""Call campaigns over the vulnerable register. PLACEHOLDER of the skeleton: the register
work replaces this file."""

from django.http import HttpResponse

from maillage.core import permissions
from maillage.core.access import member_view


@member_view(permissions.manage_crisis)
def campaign_new_view(request, public_id):
    """A new call campaign for the activation `public_id`."""
    return HttpResponse("Nouvelle campagne d'appels")
