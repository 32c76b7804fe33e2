"""The demo CPTS's crisis plan: a draft written section by section through the real
service, then version 1 approved by the board. Built once."""

from __future__ import annotations

TEXTS = {
    "context": (
        "La CPTS couvre les communes de la communauté d'agglomération (environ 45 000 "
        "habitants), avec un centre hospitalier à Bourgoin-Jallieu, quatre EHPAD et deux "
        "sites industriels classés Seveso.\n"
        "Risques connus : inondations de la Bourbre, canicule, accident sur l'A43, "
        "épidémies hivernales."
    ),
    "referent": (
        "Référente SSE : la coordinatrice de la CPTS (joignable 24 h/24 pendant une "
        "activation).\n"
        "Suppléant : le médecin généraliste co-président."
    ),
    "cell": (
        "La cellule réunit la coordination, les co-présidents, un infirmier, un "
        "pharmacien, le SDIS, la protection civile, le Centre 15, les mairies et la "
        "délégation de l'ARS.\n"
        "Lieu : salle du conseil de la maison de santé. Lieu de repli : mairie de "
        "Bourgoin-Jallieu.\n"
        "Convocation : alerte Maillage (SMS, e-mail, application), puis appel du référent."
    ),
    "sheet-afflux-blesses": (
        "- Convoquer la cellule et informer le Centre 15\n"
        "- Recenser les médecins et infirmiers disponibles\n"
        "- Ouvrir des créneaux de soins non programmés supplémentaires"
    ),
    "sheet-afflux-malades": (
        "- Convoquer la cellule\n"
        "- Appeler les personnes vulnérables du registre\n"
        "- Publier le message au public (où consulter, conseils)\n"
        "- Renforcer la permanence des soins non programmés"
    ),
    "sheet-risque-infectieux": (
        "- Convoquer la cellule\n"
        "- Recenser les vaccinateurs disponibles\n"
        "- Ouvrir un centre de vaccination (gymnase municipal)\n"
        "- Vérifier les stocks de masques et de vaccins"
    ),
    "sheet-nrbc": (
        "- Convoquer la cellule et se mettre à disposition de la préfecture\n"
        "- Relayer les consignes de mise à l'abri"
    ),
    "sheet-offre-de-soins": (
        "- Convoquer la cellule\n"
        "- Recenser les cabinets et pharmacies ouverts\n"
        "- Réorienter les patients des cabinets fermés"
    ),
    "continuity": (
        "Les patients vulnérables inscrits au registre de la CPTS (avec leur consentement) "
        "sont appelés par leur professionnel référent ou par la coordination. Ce registre "
        "complète le registre canicule de chaque mairie et n'y est jamais fusionné."
    ),
    "communication": (
        "Interne : alertes Maillage et main courante.\n"
        "Externe : point quotidien avec l'ARS et les mairies.\n"
        "Public : message sur la page publique de la CPTS, affiches en officine."
    ),
    "resources": "Voir l'inventaire des lieux et des stocks tenu dans Maillage.",
    "exercises": (
        "Un exercice par an (alerte de la cellule et appel du registre), suivi d'un RETEX."
    ),
    "update": "Mise à jour annuelle avant le 31 mars, validée par le bureau.",
}


def build(cpts, coordinator, board) -> None:
    """Write the draft, make version 1, have the board approve it and record that it was
    handed to the ARS and the CPAM. Once: a CPTS that has any version is left alone."""
    from django.utils import timezone

    from . import plan
    from .models import PlanVersion

    if PlanVersion.objects.for_cpts(cpts).exists():
        return
    for section, body in TEXTS.items():
        plan.save_section(cpts=cpts, section=section, body=body, author=coordinator)
    version = plan.create_version(
        cpts=cpts, actor=coordinator, note="Première version, conforme à la trame nationale")
    plan.approve_version(version=version, actor=board)
    plan.record_delivery(version=version, delivered_on=timezone.localdate(), actor=coordinator)
