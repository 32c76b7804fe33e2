"""The daily reminder: one message per professional and CPTS (in the app and by e-mail, as
each one chose) listing how many pathway tasks are late and how many fall due soon. It
carries counts and a link, never patient data: e-mail is not a secure health messaging
channel."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Cpts, Membership
from maillage.notifications.services import notify

from .models import CareTeamMember, ReminderLog, Task

DEFAULT_HORIZON_DAYS = 7


def reminder_counts(*, day: datetime.date, horizon_days: int, cpts=None):
    """(cpts_id, user_id, late, due_soon) for every person with something to do. A task
    nobody holds goes to the référent of the care team."""
    referent = CareTeamMember.objects.filter(
        enrolment_id=OuterRef("enrolment_id"), is_referent=True
    ).values("user_id")[:1]
    tasks = Task.objects.filter(
        status=Task.Status.DUE,
        due_date__lte=day + datetime.timedelta(days=horizon_days),
        enrolment__ended_at__isnull=True,
    )
    if cpts is not None:
        tasks = tasks.filter(cpts=cpts)
    rows = (
        tasks.annotate(recipient=Coalesce("assignee_id", Subquery(referent),
                                          output_field=BigIntegerField()))
        .filter(recipient__isnull=False)
        .values("cpts_id", "recipient")
        .annotate(
            late=Count("pk", filter=Q(due_date__lt=day)),
            soon=Count("pk", filter=Q(due_date__gte=day)),
        )
        .order_by()
    )
    return [(r["cpts_id"], r["recipient"], r["late"], r["soon"]) for r in rows]


def _message(cpts, user, late, soon, horizon_days):
    link = settings.SITE_URL + reverse("pathways:due", args=[cpts.slug])
    lines = [f"Bonjour {user.get_full_name() or user.email},", ""]
    if late:
        lines.append(f"- {late} tâche(s) en retard dans les parcours de vos patients ;")
    if soon:
        lines.append(f"- {soon} tâche(s) à faire dans les {horizon_days} prochains jours.")
    lines += ["", f"Voir le détail sur Maillage : {link}", "",
              "Ce message ne contient aucune donnée de santé."]  # fmt: skip
    subject = f"[{cpts.name}] Parcours : {late} en retard, {soon} à venir"
    return subject, "\n".join(lines), link


@transaction.atomic
def send_reminders(*, day: datetime.date | None = None,
                   horizon_days: int = DEFAULT_HORIZON_DAYS, cpts=None) -> dict:  # fmt: skip
    """Send today's reminders; a second run the same day sends nothing more. Only active
    members of the CPTS get one. The day's log and the messages are written together
    (all or nothing); the workers send them after the commit, retrying failures."""
    day = day or timezone.localdate()
    counts = reminder_counts(day=day, horizon_days=horizon_days, cpts=cpts)
    cpts_ids = {c for c, *_ in counts}
    active = {
        (m.cpts_id, m.user_id): m
        for m in Membership.objects.active().filter(cpts_id__in=cpts_ids).select_related("user")
    }
    cptss = {c.pk: c for c in Cpts.objects.filter(pk__in=cpts_ids)}
    sent, skipped, already = 0, 0, 0
    for cpts_id, user_id, late, soon in counts:
        membership = active.get((cpts_id, user_id))
        if membership is None or not membership.user.email:
            skipped += 1
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(cpts_id=cpts_id, user_id=user_id, day=day,
                                           due_count=soon, late_count=late)  # fmt: skip
        except IntegrityError:
            already += 1
            continue
        subject, body, link = _message(cptss[cpts_id], membership.user, late, soon, horizon_days)
        notify(cpts=cptss[cpts_id], recipients=[membership.user], kind="pathways.reminder",
               subject=subject, body=body, link=link, ref=f"pathway_reminder:{day}")  # fmt: skip
        sent += 1
    return {"sent": sent, "already_sent": already, "skipped": skipped,
            "tasks": sum(late + soon for _c, _u, late, soon in counts)}  # fmt: skip
