"""The médecin-traitant cards of the home page (core.home): the coordination's queue, the
CPAM lists, a GP's proposals and capacity, a partner's referrals, the board's figures."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import home, permissions
from maillage.directory.models import GP_PROFESSION, DirectoryEntry
from maillage.patients.access import patients_visible_to, record_shown

from .access import requests_visible_to
from .models import CpamImport, CsvUpload, GpCapacity, GpRequest, ImportState, Proposal, Status
from .services import month_start


def _url(name, membership, *args, query=""):
    return reverse(name, args=[membership.cpts.slug, *args]) + (f"?{query}" if query else "")


@home.card("gp_access.requests", permission=permissions.manage_gp_requests, order=10)
def requests_card(membership, request):
    """New requests to qualify and qualified ones no GP was proposed yet: counts only,
    the queue orders them by priority."""
    counts = dict(
        GpRequest.objects.for_cpts(membership.cpts)
        .filter(status__in=[Status.NEW, Status.QUALIFIED, Status.ACCEPTED])
        .values("status").annotate(n=Count("pk")).values_list("status", "n")
    )  # fmt: skip
    figures = [
        home.Figure(label, counts.get(status, 0),
                    _url("gp_access:queue", membership, query=f"statut={status}"))
        for status, label in ((Status.NEW, "nouvelles, à qualifier"),
                              (Status.QUALIFIED, "qualifiées, sans médecin proposé"),
                              (Status.ACCEPTED, "acceptées, à déclarer"))
    ]  # fmt: skip
    return home.Card(
        title="Demandes de médecin traitant",
        count=counts.get(Status.NEW, 0) + counts.get(Status.QUALIFIED, 0),
        figures=figures, empty="Aucune demande en attente.",
        link=_url("gp_access:queue", membership), link_label="File des demandes",
    )  # fmt: skip


@home.card("gp_access.cpam", permission=permissions.manage_gp_requests, order=40)
def cpam_card(membership, request):
    """Lists of the CPAM waiting for their column mapping, and the imports in progress,
    finished or failed (their progress rows, newest first)."""
    uploads = list(
        CsvUpload.objects.filter(cpts=membership.cpts)
        .exclude(imports__state__in=[ImportState.QUEUED, ImportState.RUNNING])
        .order_by("-created_at").values("public_id", "file_name", "created_at")[: home.MAX_ITEMS]
    )  # fmt: skip
    items = [
        home.Item(u["file_name"], _url("gp_access:cpam_mapping", membership, u["public_id"]),
                  f"déposée le {timezone.localtime(u['created_at']):%d/%m à %H:%M}, "
                  "colonnes à faire correspondre")
        for u in uploads
    ]  # fmt: skip
    runs = list(
        CpamImport.objects.filter(cpts=membership.cpts).order_by("-created_at")
        .values("public_id", "file_name", "state", "summary", "created_at", "finished_at")
        [: max(home.MAX_ITEMS - len(items), 0)]
    )  # fmt: skip
    for run in runs:
        when = timezone.localtime(run["finished_at"] or run["created_at"])
        if run["state"] == ImportState.DONE:
            created = (run["summary"] or {}).get("requests_created", 0)
            detail = (f"terminé le {when:%d/%m à %H:%M} : {created} "
                      f"demande{'s' if created > 1 else ''} créée{'s' if created > 1 else ''}")
        elif run["state"] == ImportState.FAILED:
            detail = f"échoué le {when:%d/%m à %H:%M} : rien n'a été enregistré"
        else:
            detail = "import en cours"
        items.append(home.Item(run["file_name"],
                               _url("gp_access:cpam_progress", membership, run["public_id"]),
                               detail))  # fmt: skip
    return home.Card(
        title="Listes de la CPAM", count=len(uploads), items=items,
        empty="Aucune liste en attente.",
        action=_url("gp_access:cpam_upload", membership), action_label="Déposer une liste",
    )  # fmt: skip


def _is_gp(membership) -> bool:
    """A professional who takes part in the médecin-traitant mission: they declared a
    capacity, or their directory entry is a GP's."""
    user, cpts = membership.user, membership.cpts
    return (GpCapacity.objects.filter(cpts=cpts, gp=user).exists()
            or DirectoryEntry.objects.filter(cpts=cpts, account=user,
                                             professional__profession_code=GP_PROFESSION)
            .exists())  # fmt: skip


@home.card("gp_access.proposals", permission=permissions.answer_gp_proposals, order=10)
def proposals_card(membership, request):
    """Patients proposed to this GP and waiting for their answer (past the deadline they
    are no longer theirs to answer)."""
    waiting = (
        Proposal.objects.filter(cpts=membership.cpts, gp=membership.user,
                                state=Proposal.State.PENDING)
        .filter(Q(respond_by__isnull=True) | Q(respond_by__gte=timezone.now()))
    )  # fmt: skip
    if not waiting.exists() and not _is_gp(membership):
        return None
    count = waiting.count()
    proposals = list(waiting.select_related("request__patient__commune")
                     .order_by("respond_by", "pk")[: home.MAX_ITEMS])  # fmt: skip
    visible = set(patients_visible_to(membership)
                  .filter(pk__in=[p.request.patient_id for p in proposals])
                  .values_list("pk", flat=True))  # fmt: skip
    shown = [p for p in proposals if p.request.patient_id in visible]
    url = _url("gp_access:my_proposals", membership)
    items = []
    for proposal in shown:
        patient = proposal.request.patient
        detail = [f"{patient.age()} ans", patient.commune.name if patient.commune_id else ""]
        if proposal.respond_by:
            detail.append(f"répondre avant le {timezone.localtime(proposal.respond_by):%d/%m}")
        items.append(home.Item(patient.display_name, url, " · ".join(d for d in detail if d)))
    record_shown(membership, [p.request.patient for p in shown], request=request,
                 where="core.today")  # fmt: skip
    return home.Card(
        title="Patients proposés", count=count, items=items,
        empty="Aucune proposition en attente de votre réponse.",
        link=url, link_label="Répondre aux propositions",
    )  # fmt: skip


@home.card("gp_access.capacity", permission=permissions.answer_gp_proposals, order=30)
def capacity_card(membership, request):
    capacity = GpCapacity.objects.filter(cpts=membership.cpts, gp=membership.user).first()
    if capacity is None and not _is_gp(membership):
        return None
    today = timezone.localdate()
    if capacity is None:
        text = "Vous n'avez pas encore dit combien de nouveaux patients vous acceptez."
    elif capacity.is_paused(today):
        text = f"En pause jusqu'au {capacity.paused_until:%d/%m/%Y} : aucune proposition."
    else:
        used = Proposal.objects.filter(
            cpts=membership.cpts, gp=membership.user, sent_at__gte=month_start(today),
            state__in=[Proposal.State.PENDING, Proposal.State.ACCEPTED]).count()  # fmt: skip
        left = max(0, capacity.monthly_new_patients - used)
        per_month = f"{capacity.monthly_new_patients} par mois"
        text = (f"Encore {left} nouveau{'x' if left > 1 else ''} patient{'s' if left > 1 else ''}"
                f" ce mois-ci ({per_month})." if left else
                f"Plus de place ce mois-ci : les propositions reprennent le mois prochain "
                f"({per_month}).")  # fmt: skip
    return home.Card(title="Ma disponibilité", text=text,
                     link=_url("gp_access:capacity", membership),
                     link_label="Modifier ma disponibilité")  # fmt: skip


@home.card("gp_access.referrals", permission=permissions.follows_own_referrals_only, order=10)
def referrals_card(membership, request):
    """A partner follows the requests they referred: the latest ones and their state."""
    referrals = requests_visible_to(membership)
    count = referrals.open().count()
    latest = list(referrals.select_related("patient").order_by("-status_changed_at", "-pk")
                  [: home.MAX_ITEMS])  # fmt: skip
    record_shown(membership, [r.patient for r in latest], request=request, where="core.today")
    items = [home.Item(r.patient.display_name, _url("gp_access:request", membership, r.public_id),
                       f"{r.get_status_display()} depuis le "
                       f"{timezone.localtime(r.status_changed_at):%d/%m/%Y}")
             for r in latest]  # fmt: skip
    card = home.Card(title="Mes demandes de médecin traitant", count=count, items=items,
                     empty="Vous n'avez adressé aucun patient.",
                     link=_url("gp_access:queue", membership), link_label="Toutes mes demandes")
    if permissions.refer_patient(membership):
        card.action = _url("gp_access:create", membership)
        card.action_label = "Adresser un patient"
    return card


@home.card("gp_access.figures", permission=permissions.see_mission_indicators, order=80)
def figures_card(membership, request):
    """Aggregates only (no patient): what the board follows."""
    year_ago = timezone.now() - timezone.timedelta(days=365)
    figures = GpRequest.objects.for_cpts(membership.cpts).aggregate(
        open=Count("pk", filter=Q(status__in=[Status.NEW, Status.QUALIFIED, Status.PROPOSED,
                                              Status.ACCEPTED])),
        assigned=Count("pk", filter=Q(assigned_at__gte=year_ago)),
    )  # fmt: skip
    return home.Card(
        title="Médecin traitant", figures=[
            home.Figure("demandes en cours", figures["open"]),
            home.Figure("patients ayant trouvé un médecin traitant (12 mois)",
                        figures["assigned"]),
        ], link=_url("gp_access:indicators", membership), link_label="Indicateurs",
    )  # fmt: skip
