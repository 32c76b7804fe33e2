"""The crisis cards of the members' home page (core.home)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from maillage.core import home, permissions

from . import plan

# -- plan --


def _url(name, membership, *args):
    return reverse(name, args=[membership.cpts.slug, *args])


@home.card("crisis.plan_update", permission=permissions.manage_crisis, order=60)
def plan_update_card(membership, request):
    """The coordinator: the yearly update of the plan when it falls due within a month or is
    late, or the plan that has no approved version yet; nothing otherwise."""
    approved = plan.newest_approved(membership.cpts)
    link = _url("crisis:plan", membership)
    if approved is None:
        return home.Card(title="Plan de crise", count=1, items=[home.Item(
            "Aucune version approuvée", link,
            "Rédigez le plan, créez une version et faites-la approuver par le bureau.",
            late=True)], link=link, link_label="Ouvrir le plan")  # fmt: skip
    due = plan.update_due(approved)
    today = timezone.localdate()
    if due - today > datetime.timedelta(days=plan.UPDATE_WARNING_DAYS):
        return None
    late = due < today
    return home.Card(title="Plan de crise", count=1, items=[home.Item(
        f"Plan de crise : mise à jour annuelle due le {due:%d/%m/%Y}", link,
        ("en retard" if late else f"version {approved.number} approuvée le "
         f"{timezone.localdate(approved.approved_at):%d/%m/%Y}"), late=late)],
        link=link, link_label="Ouvrir le plan")  # fmt: skip


@home.card("crisis.plan_approval", permission=permissions.approve_crisis_plan, order=60)
def plan_approval_card(membership, request):
    """The board: versions of the plan waiting for its approval."""
    waiting = plan.pending_versions(membership.cpts, plan.newest_approved(membership.cpts))
    if not waiting:
        return None
    items = [home.Item(f"Version {v.number} du plan de crise",
                       _url("crisis:plan_version", membership, v.public_id),
                       f"créée le {timezone.localdate(v.created_at):%d/%m/%Y}"
                       + (f" : {v.note}" if v.note else ""))
             for v in waiting[: home.MAX_ITEMS]]  # fmt: skip
    return home.Card(title="Plan de crise à approuver", count=len(waiting), items=items,
                     link=_url("crisis:plan_versions", membership),
                     link_label="Versions du plan")  # fmt: skip
