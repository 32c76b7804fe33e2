"""Alerts, the answer page, the live board. PLACEHOLDER of the skeleton: the alerts work
replaces this file."""

from django.http import HttpResponse

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.notifications.answers import AnswerPage


class CrisisAnswerPage(AnswerPage):
    namespace = "maillage.crisis.answer"


@member_view(permissions.see_crisis_board)
def board_view(request, public_id):
    return HttpResponse("Tableau de bord")
