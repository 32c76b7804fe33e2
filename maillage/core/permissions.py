"""Who may do what: every permission of the platform, defined once.

A permission is a predicate on a Membership (the caller's role in one CPTS), passed as a
callable wherever it is checked: `@member_view(permissions.manage_territory)` in a view,
`permissions.see_patients(membership)` in an API or a service, `can.see_patients` in a
template (see `core.context_processors`). No role is compared anywhere else, and no
permission is named by a string, so `grep permissions.<name>` finds every place it is used.

Object-level rules (the care team of one pathway, the organiser of one meeting) combine
these predicates with the object in the app that owns it; the patient's need-to-know rule
lives in `patients.access`.

`REGISTRY` lists them all with a French label: docs/permissions.md is generated from it
(`python -m maillage.core.permissions > docs/permissions.md`, kept in step by a test) and
the URL x role test checks every page and API operation against it.
"""

from dataclasses import dataclass

from .roles import Role

ALL_ROLES = frozenset(Role)
# A funder (a CPAM or ARS contact) sees the contract and its report, nothing of the
# territory, the directory or the missions: the CPTS's own people are everyone else.
MEMBER_ROLES = ALL_ROLES - {Role.FUNDER}
_C, _P, _R, _A, _B, _F = (Role.COORDINATOR, Role.PROFESSIONAL, Role.REGULATOR, Role.PARTNER,
                          Role.BOARD, Role.FUNDER)  # fmt: skip


@dataclass(frozen=True)
class Permission:
    """A role-based predicate: `permission(membership)` is True for the roles listed."""

    name: str
    label: str
    roles: frozenset

    def __call__(self, membership) -> bool:
        return membership is not None and membership.role in self.roles

    def __repr__(self) -> str:
        return f"<Permission {self.name}>"


REGISTRY: dict[str, Permission] = {}


def _define(name: str, label: str, *roles) -> Permission:
    permission = Permission(name=name, label=label, roles=frozenset(roles))
    REGISTRY[name] = permission
    return permission


# fmt: off
member = _define(
    "member", "Consulter le territoire, l'annuaire, le diagnostic et les indicateurs agrégés",
    *MEMBER_ROLES)
open_home = _define(
    "open_home", "Ouvrir sa page « Aujourd'hui » et ses messages", *ALL_ROLES)
see_patients = _define(
    "see_patients",
    "Voir des données de patients (sur besoin d'en connaître ; double authentification)",
    _C, _P, _R, _A)
see_all_patients = _define(
    "see_all_patients", "Voir tous les patients de la CPTS (sans autorisation individuelle)", _C)
manage_territory = _define(
    "manage_territory",
    "Modifier le territoire, l'identité de la CPTS, l'annuaire local et le diagnostic", _C)
manage_members = _define(
    "manage_members",
    "Inviter des membres, débloquer un compte, fermer ses sessions, révoquer ses jetons, "
    "réinitialiser sa double authentification", _C)
read_audit = _define(
    "read_audit", "Lire le journal d'audit et les accès au dossier d'un patient", _C)
resolve_duplicates = _define(
    "resolve_duplicates", "Voir les doublons probables de patients et fusionner les fiches", _C)
follows_own_referrals_only = _define(
    "follows_own_referrals_only",
    "Ne suivre que les demandes de médecin traitant qu'on a soi-même adressées (ou "
    "rattachées par la coordination après vérification d'un doublon)", _A)
refer_patient = _define(
    "refer_patient", "Adresser un patient pour un médecin traitant (créer une demande)",
    _C, _P, _A)
manage_gp_requests = _define(
    "manage_gp_requests",
    "Traiter les demandes de médecin traitant : qualification, propositions, priorités, "
    "import CPAM", _C)
answer_gp_proposals = _define(
    "answer_gp_proposals",
    "Répondre aux propositions de patients et déclarer sa disponibilité (médecin)", _P)
record_same_day_request = _define(
    "record_same_day_request", "Enregistrer une demande de soins non programmés et réserver",
    _C, _R, _P, _A)
publish_slots = _define(
    "publish_slots", "Publier ses créneaux de soins non programmés et ses gardes", _P)
see_appointments = _define(
    "see_appointments", "Voir les rendez-vous de soins non programmés", _C, _R, _P, _A)
follow_appointments = _define(
    "follow_appointments",
    "Enregistrer l'issue de tout rendez-vous de soins non programmés (le professionnel "
    "enregistre celle des siens)", _C, _R)
follow_same_day_requests = _define(
    "follow_same_day_requests",
    "Suivre la liste des demandes de soins non programmés encore sans rendez-vous", _C, _R)
manage_rota = _define(
    "manage_rota", "Organiser la permanence (périodes, tours de garde, publication)", _C)
search_sas_slots = _define(
    "search_sas_slots", "Interroger les créneaux de la CPTS au format du SAS (FHIR)", _C, _R)
enrol_patients = _define(
    "enrol_patients", "Inclure un patient dans un parcours", _C, _P)
coordinate_pathways = _define(
    "coordinate_pathways",
    "Superviser tous les parcours : tâches en retard, réattribution, fin de parcours", _C)
set_attending_gp = _define(
    "set_attending_gp", "Renseigner le médecin traitant d'un patient", _C, _P)
edit_pathway_templates = _define(
    "edit_pathway_templates", "Créer et modifier les modèles de parcours", _C)
organise_meetings = _define(
    "organise_meetings", "Planifier une réunion de concertation", _C, _P)
see_pathway_indicators = _define(
    "see_pathway_indicators", "Voir les indicateurs des parcours", _C, _B)
see_jobs = _define(
    "see_jobs", "Voir les tâches de fond en échec de la CPTS (envois, imports) et les relancer",
    _C)
follow_notifications = _define(
    "follow_notifications",
    "Voir l'état d'envoi de tous les messages de la CPTS et relancer un envoi en échec", _C)
see_mission_indicators = _define(
    "see_mission_indicators",
    "Suivre sur sa page d'accueil les indicateurs agrégés des missions (sans patient)", _B)
see_crisis_plan = _define(
    "see_crisis_plan", "Consulter le plan de crise et ses versions", *MEMBER_ROLES)
manage_crisis = _define(
    "manage_crisis",
    "Préparer et conduire la réponse aux crises : plan, arbre d'alerte, ressources, "
    "activation, alertes, main courante, RETEX", _C)
approve_crisis_plan = _define(
    "approve_crisis_plan", "Approuver une version du plan de crise (bureau, CA)", _B)
see_crisis_board = _define(
    "see_crisis_board",
    "Suivre le tableau de bord d'une crise (qui est joint, qui a répondu, qui est disponible)",
    _C, _B)
write_crisis_log = _define(
    "write_crisis_log", "Écrire dans la main courante d'une crise en cours", _C, _P)
keep_vulnerable_register = _define(
    "keep_vulnerable_register",
    "Tenir le registre des personnes vulnérables (le professionnel : ses patients dont il est "
    "le référent)", _C, _P)
call_vulnerable = _define(
    "call_vulnerable",
    "Appeler les personnes vulnérables d'une campagne (le professionnel : les appels qui lui "
    "sont confiés)", _C, _P)
see_prevention = _define(
    "see_prevention", "Consulter le programme de prévention et ses actions", *MEMBER_ROLES)
manage_prevention = _define(
    "manage_prevention",
    "Organiser la prévention : programme, thèmes, actions, preuves, événements publics, "
    "questionnaires, taux du contrat", _C)
screen_participants = _define(
    "screen_participants", "Saisir les participants d'un dépistage et leurs mesures", _C, _P)
check_in_participants = _define(
    "check_in_participants", "Accueillir les inscrits d'un événement de prévention (émargement)",
    _C, _P)
report_doses = _define(
    "report_doses", "Déclarer les doses de vaccin données (officine, cabinet)", _C, _P)
follow_screening_referrals = _define(
    "follow_screening_referrals",
    "Suivre les orientations après un dépistage positif (le médecin : celles qui lui sont "
    "adressées)", _C, _P)
see_prevention_indicators = _define(
    "see_prevention_indicators", "Voir les indicateurs de la prévention", _C, _B)
see_contract = _define(
    "see_contract",
    "Consulter le contrat ACI, l'état des missions, les versements, les indicateurs, les "
    "preuves et le rapport annuel", _C, _B, _F)
manage_contract = _define(
    "manage_contract",
    "Tenir le contrat ACI : montants, indicateurs, état des missions, versements reçus, "
    "chiffres de la CPAM, preuves, commentaires et versions du rapport", _C)
see_budget = _define(
    "see_budget", "Voir les dépenses par mission face aux financements reçus", _C, _B)
manage_budget = _define(
    "manage_budget", "Saisir ou importer les dépenses par mission (comptabilité)", _C, _B)
reads_audited = _define(
    "reads_audited",
    "Ses consultations du contrat, des indicateurs, des preuves et du rapport sont tracées "
    "au journal d'audit (financeur)", _F)
# Reference data open to the public (no account needed): every role has it too.
search_communes = _define(
    "search_communes", "Chercher une commune par son nom (ouvert à tous, sans compte)",
    *ALL_ROLES)
# fmt: on

ROLE_LABELS = {role: role.label for role in Role}


def requires_two_factor(membership) -> bool:
    """Whoever may see patient data logs in with a second factor."""
    return see_patients(membership)


def for_membership(membership) -> dict[str, bool]:
    """Every permission's answer for one membership (templates read it as `can`)."""
    return {name: permission(membership) for name, permission in REGISTRY.items()}


def markdown_table() -> str:
    """The table of docs/permissions.md."""
    roles = list(Role)
    lines = [
        "# Qui peut faire quoi",
        "",
        "Tableau généré depuis `maillage/core/permissions.py` "
        "(`python -m maillage.core.permissions > docs/permissions.md`) ; un test vérifie "
        "qu'il est à jour et que chaque page et chaque opération de l'API le respecte. "
        "Une personne extérieure à la CPTS reçoit 404 partout. Les règles propres à un objet "
        "(l'équipe de soins d'un parcours, l'organisateur d'une réunion, l'autorisation "
        "d'accès à un patient) s'ajoutent à ce tableau.",
        "",
        "| Permission | Code | " + " | ".join(ROLE_LABELS[r] for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for name, permission in REGISTRY.items():
        cells = " | ".join("oui" if r in permission.roles else "—" for r in roles)
        lines.append(f"| {permission.label} | `{name}` | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
