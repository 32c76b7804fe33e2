"""The pathway cards of the home page (core.home): a professional's tasks, the
coordination's late tasks, the board's figures."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import home, permissions
from maillage.patients.access import record_shown

from .access import tasks_visible_to
from .models import CareTeamMember, Enrolment, Meeting, Task

# A professional's card shows what is late and what is due within a week.
HORIZON_DAYS = 7


def _url(name, membership, *args):
    return reverse(name, args=[membership.cpts.slug, *args])


@home.card("pathways.my_tasks", permission=permissions.enrol_patients, order=40)
def my_tasks_card(membership, request):
    """The professional's tasks (theirs, and those nobody holds in the teams they are the
    référent of), late first: the same rule as the "à faire" page."""
    user = membership.user
    teams = CareTeamMember.objects.filter(user=user, enrolment__cpts=membership.cpts)
    if not teams.exists():
        return None  # in no care team (the coordination has its own card)
    today = timezone.localdate()
    referent_of = teams.filter(is_referent=True).values("enrolment_id")
    tasks = (
        tasks_visible_to(membership).open()
        .filter(enrolment__ended_at__isnull=True,
                due_date__lte=today + datetime.timedelta(days=HORIZON_DAYS))
        .filter(Q(assignee=user) | Q(assignee__isnull=True, enrolment_id__in=referent_of))
    )  # fmt: skip
    count = tasks.count()
    shown = list(tasks.select_related("step", "enrolment__patient")
                 .order_by("due_date", "pk")[: home.MAX_ITEMS])  # fmt: skip
    record_shown(membership, [t.enrolment.patient for t in shown], request=request,
                 where="core.today")  # fmt: skip
    items = [home.Item(f"{t.title} · {t.enrolment.patient.display_name}",
                       _url("pathways:enrolment", membership, t.enrolment.public_id),
                       (f"en retard depuis le {t.due_date:%d/%m}" if t.due_date < today
                        else f"à faire avant le {t.due_date:%d/%m}"), late=t.due_date < today)
             for t in shown]  # fmt: skip
    return home.Card(title="Mes tâches de parcours", count=count, items=items,
                     empty="Aucune tâche en retard ni pour les 7 prochains jours.",
                     link=_url("pathways:due", membership), link_label="Tout ce qui est à faire")


def _late_count(cpts) -> int:
    """Late tasks of the CPTS, read from the (cpts, status, due_date) index alone: ending
    an enrolment cancels its open tasks (services.end), so an open task is always in a
    live enrolment and no join is needed."""
    return Task.objects.filter(cpts=cpts, status=Task.Status.DUE,
                               due_date__lt=timezone.localdate()).count()


@home.card("pathways.late", permission=permissions.coordinate_pathways, order=30)
def late_card(membership, request):
    """Counts only: the "à faire" page lists the late tasks with their reassignment."""
    late = _late_count(membership.cpts)
    active = Enrolment.objects.filter(cpts=membership.cpts, ended_at__isnull=True).count()
    url = _url("pathways:due", membership)
    return home.Card(title="Parcours", count=late, figures=[
        home.Figure("tâches en retard", late, url),
        home.Figure("patients suivis", active, _url("pathways:enrolments", membership)),
    ], empty="Aucune tâche en retard.", link=url, link_label="Tâches en retard")  # fmt: skip


@home.card("pathways.figures", permission=permissions.see_mission_indicators, order=82)
def figures_card(membership, request):
    """Aggregates only (no patient): what the board follows."""
    active = Enrolment.objects.filter(cpts=membership.cpts, ended_at__isnull=True)
    late = _late_count(membership.cpts)
    meetings = Meeting.objects.filter(
        cpts=membership.cpts, status=Meeting.Status.PLANNED,
        starts_at__gte=timezone.now(),
        starts_at__lt=timezone.now() + datetime.timedelta(days=30)).count()  # fmt: skip
    card = home.Card(title="Parcours", figures=[
        home.Figure("patients suivis", active.count()),
        home.Figure("tâches en retard", late),
        home.Figure("réunions de concertation dans les 30 jours", meetings),
    ])  # fmt: skip
    if permissions.see_pathway_indicators(membership):
        card.link, card.link_label = _url("pathways:indicators", membership), "Indicateurs"
    return card
