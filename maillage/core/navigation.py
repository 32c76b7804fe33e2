"""The main navigation: grouped by mission, and tailored to the caller's role.

A link is shown only when the caller may open it: the permission is read from the view
the URL resolves to (the one `member_view` declared), so a link can never lead its role
to a 404; `show` narrows it further to the roles the page is meant for (a regulator may
open the pathways list, which is always empty for them). URL names only: core still
imports no mission.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import resolve, reverse

from . import permissions


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    # Any of these permissions (besides the view's own) shows the link; empty: the view's.
    show: tuple = ()


@dataclass(frozen=True)
class Group:
    label: str
    links: tuple


P = permissions
GROUPS = (
    Group("Territoire et annuaire", (
        Link("Territoire", "territory:territory", (P.manage_territory, P.see_mission_indicators)),
        Link("Annuaire", "directory:directory"),
        Link("Structures", "directory:structures"),
        Link("Diagnostic", "directory:diagnostic"),
    )),
    Group("Médecin traitant", (
        Link("Demandes", "gp_access:queue", (P.manage_gp_requests, P.refer_patient)),
        Link("Nouvelle demande", "gp_access:create"),
        Link("Mes propositions", "gp_access:my_proposals"),
        Link("Ma disponibilité", "gp_access:capacity"),
        Link("Propositions aux médecins", "gp_access:batch"),
        Link("Import CPAM", "gp_access:cpam_upload"),
        Link("Priorités", "gp_access:priority"),
        Link("Indicateurs", "gp_access:indicators"),
    )),
    Group("Soins non programmés", (
        Link("Nouvelle demande", "same_day_care:request_new"),
        Link("Rendez-vous SNP", "same_day_care:appointments"),
        Link("Mes créneaux", "same_day_care:slots"),
        Link("Mes gardes", "same_day_care:my_rota"),
        Link("Permanence", "same_day_care:rota"),
        Link("Indicateurs", "same_day_care:indicators"),
    )),
    Group("Parcours", (
        Link("À faire", "pathways:due", (P.enrol_patients,)),
        Link("Patients inclus", "pathways:enrolments", (P.enrol_patients,)),
        Link("Inclure un patient", "pathways:enrol"),
        Link("Concertation", "pathways:meetings", (P.enrol_patients,)),
        Link("Modèles", "pathways:editor_list", (P.edit_pathway_templates,)),
        Link("Indicateurs", "pathways:indicators"),
    )),
    Group("Prévention", (
        Link("Actions", "prevention:actions"),
        Link("Programme", "prevention:programme"),
        Link("Déclarer des doses", "prevention:doses"),
        Link("Orientations", "prevention:followups"),
        Link("Indicateurs", "prevention:indicators"),
        Link("Taux du contrat", "prevention:rates"),
        Link("Questionnaires", "prevention:questionnaires"),
    )),
    Group("Crise", (
        Link("Crises et exercices", "crisis:index"),
        Link("Plan de crise", "crisis:plan"),
        Link("Arbre d'alerte", "crisis:contacts"),
        Link("Lieux", "crisis:sites"),
        Link("Stocks", "crisis:stocks"),
        Link("Personnes vulnérables", "crisis:register"),
        Link("Mes appels", "crisis:my_calls"),
        Link("Preuves (ACI)", "crisis:proofs", (P.manage_crisis, P.see_mission_indicators)),
    )),
    Group("Contrat ACI", (
        Link("Contrat", "reporting:contract"),
        Link("Missions", "reporting:missions"),
        Link("Indicateurs", "reporting:indicators"),
        Link("Versements", "reporting:payments"),
        Link("Prévisions", "reporting:forecast"),
        Link("Preuves", "reporting:proofs"),
        Link("Rapport annuel", "reporting:reports"),
        Link("Budget", "reporting:budget"),
    )),
    Group("Administration", (
        Link("Membres", "core:members"),
        Link("Journal d'audit", "core:audit"),
        Link("Doublons à vérifier", "patients:reviews"),
        Link("Messages envoyés", "notifications:sent", (P.follow_notifications,)),
        Link("Tâches de fond", "core:jobs"),
    )),
)  # fmt: skip


@dataclass
class NavLink:
    label: str
    url: str
    current: bool = False


@dataclass
class NavGroup:
    label: str
    links: list
    current: bool = False


def _allowed(link: Link, membership, url: str) -> bool:
    view_permission = getattr(resolve(url).func, "permission", None)
    if view_permission is None or not view_permission(membership):
        return False
    return not link.show or any(p(membership) for p in link.show)


def for_membership(membership, path: str = "") -> tuple[NavLink, list[NavGroup]]:
    """The home link and the groups of links this member may open (empty groups left
    out); `path` marks the current page."""
    slug = membership.cpts.slug
    home = NavLink("Aujourd'hui", reverse("core:today", args=[slug]))
    home.current = path == home.url
    groups = []
    for group in GROUPS:
        links = []
        for link in group.links:
            url = reverse(link.url_name, args=[slug])
            if _allowed(link, membership, url):
                links.append(NavLink(link.label, url, current=path == url))
        if links:
            groups.append(NavGroup(group.label, links, any(x.current for x in links)))
    return home, groups
