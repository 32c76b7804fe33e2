"""Activations, the crisis log, RETEX, public notice, proofs. PLACEHOLDER of the skeleton:
the activation work replaces this file."""

from django.http import HttpResponse

from maillage.core import permissions
from maillage.core.access import member_view


@member_view(permissions.manage_crisis)
def activation_view(request, public_id):
    return HttpResponse("Activation")
