"""The demo's contact tree and resources for one CPTS: its members, eight outside
contacts (hospital, EHPAD, town halls of its two largest communes, Centre 15, SDIS, civil
protection, ARS delegation), a crisis cell of about eight, three sites and six stocks (one
below its minimum). Called by the demo builder: `build(cpts, coordinator)`.

Idempotent in the demo's way: what is missing is created, nothing existing is changed
(a contact, a site or a stock edited since keeps its edits). Phone numbers are in the
demo's fictional series (06 12 34 57.., and 04 65 71.. which ARCEP reserves for
fiction); addresses end in .test.
"""

from __future__ import annotations

from django.db import transaction

from maillage.core.models import Membership
from maillage.core.roles import Role
from maillage.territory.services import territory_communes

from . import contacts, resources
from .models import Contact, ContactSkill, Site, Stock

# (category, name, organisation, plan role, cell role or "", skills, mobile)
OUTSIDE = (
    ("hospital", "Urgences du centre hospitalier", "Centre hospitalier", "Lien avec l'hôpital",
     "Hôpital", ["emergency", "triage"], "+33612345701"),
    ("ehpad", "Cadre de santé de l'EHPAD", "EHPAD Les Tilleuls", "Résidents vulnérables", "",
     ["home-visits"], "+33612345702"),
    ("centre_15", "Médecin régulateur du Centre 15", "SAMU 38", "Régulation médicale",
     "Centre 15", ["triage", "emergency"], "+33465710115"),
    ("fire", "Officier de permanence du SDIS", "SDIS 38", "Secours et logistique",
     "Sapeurs-pompiers", ["logistics", "nrbc"], "+33465710118"),
    ("civil_protection", "Responsable de l'antenne locale", "Protection civile",
     "Bénévoles et matériel", "", ["logistics", "driver", "psychological"], "+33612345705"),
    ("ars", "Délégation départementale", "ARS Auvergne-Rhône-Alpes", "Autorité sanitaire",
     "ARS", [], "+33465710106"),
)  # fmt: skip

# The cell's seats among the members: the coordinator, the first board member, the first
# GP and the first nurse to have joined (by role, or by RPPS profession code).
CELL_SEATS = {Role.COORDINATOR: "Référente SSE", Role.BOARD: "Suppléant du référent SSE",
              "10": "Médecins", "60": "Infirmiers"}  # fmt: skip
MEMBER_SKILLS = {"10": ["vaccinator", "emergency"],
                 "60": ["vaccinator", "home-visits", "wound-care"],
                 "21": ["pharmacy-supply", "vaccinator"]}  # fmt: skip

SITES = (
    ("Gymnase municipal", "gymnase", 300),
    ("Salle des fêtes", "salle polyvalente", 150),
    ("Maison de santé", "maison de santé pluriprofessionnelle", 40),
)
# (item, unit, quantity, minimum, holder, site index or None); the vaccines are below.
STOCKS = (
    ("Masques FFP2", "boîtes de 20", 120, 40, "Pharmacie du centre", 2),
    ("Masques chirurgicaux", "boîtes de 50", 200, 50, "Coordination de la CPTS", 2),
    ("Gants nitrile", "boîtes de 100", 80, 20, "Coordination de la CPTS", 2),
    ("Vaccins grippe", "doses", 15, 60, "Pharmacie du centre", None),
    ("Oxygène médical", "bouteilles", 6, 4, "Prestataire de santé à domicile", None),
    ("Groupe électrogène", "unités", 1, 1, "Mairie", 0),
)


def _email(name: str, slug: str) -> str:
    local = "".join(ch if ch.isalnum() else "." for ch in name.lower()).strip(".")
    return f"{local[:40]}@{slug}.crise.test"


def _members(cpts, coordinator, had_members: set) -> None:
    """Seats in the cell and skills, only on the member contacts this build made."""
    seated = set()
    memberships = (Membership.objects.active().filter(cpts=cpts).select_related("user")
                   .order_by("created_at", "pk"))  # fmt: skip
    for membership in memberships:
        if membership.user_id in had_members:
            continue
        contact = Contact.objects.filter(cpts=cpts, account=membership.user).first()
        if contact is None:
            continue
        seat = membership.role if membership.role in CELL_SEATS else contact.profession_code
        if membership.user == coordinator:
            seat = Role.COORDINATOR
        if seat in CELL_SEATS and seat not in seated:
            seated.add(seat)
            contact.in_cell, contact.cell_role = True, CELL_SEATS[seat]
            if seat in (Role.COORDINATOR, Role.BOARD):
                contact.plan_role = CELL_SEATS[seat]
            contact.save(update_fields=["in_cell", "cell_role", "plan_role"])
        skills = MEMBER_SKILLS.get(contact.profession_code, [])
        ContactSkill.objects.bulk_create([ContactSkill(contact=contact, code=s) for s in skills],
                                         ignore_conflicts=True)  # fmt: skip


@transaction.atomic
def build(cpts, coordinator) -> None:
    had_members = set(Contact.objects.filter(cpts=cpts, account__isnull=False)
                      .values_list("account", flat=True))  # fmt: skip
    contacts.sync_members(cpts=cpts, actor=coordinator)
    _members(cpts, coordinator, had_members)
    communes = list(territory_communes(cpts).order_by("-population", "code")[:3])
    if not communes:
        return
    rows = [(*row, communes[0]) for row in OUTSIDE]
    rows += [("town_hall", f"Mairie de {c.name}", "Mairie / CCAS", "Lien avec la commune",
              "Mairie" if i == 0 else "", ["logistics"], f"+3346571020{i + 1}", c)
             for i, c in enumerate(communes[:2])]  # fmt: skip
    for category, name, organisation, plan_role, cell_role, skills, mobile, commune in rows:
        if Contact.objects.filter(cpts=cpts, category=category, name=name).exists():
            continue
        contact = Contact.objects.create(
            cpts=cpts, category=category, name=name, organisation=organisation,
            plan_role=plan_role, in_cell=bool(cell_role), cell_role=cell_role, mobile=mobile,
            email=_email(name, cpts.slug), commune=commune)  # fmt: skip
        ContactSkill.objects.bulk_create([ContactSkill(contact=contact, code=s) for s in skills])
    sites = []
    for index, (name, kind, capacity) in enumerate(SITES):
        site = Site.objects.filter(cpts=cpts, name=name).first()
        if site is None:
            site = resources.site_save(cpts=cpts, actor=coordinator, data={
                "name": name, "kind": kind, "capacity": capacity,
                "commune": communes[index % len(communes)],
                "contact": "Accueil de la mairie"})  # fmt: skip
        sites.append(site)
    for item, unit, quantity, minimum, holder, site_index in STOCKS:
        if Stock.objects.filter(cpts=cpts, item=item, holder=holder).exists():
            continue
        resources.stock_save(cpts=cpts, actor=coordinator, data={
            "item": item, "unit": unit, "quantity": quantity, "minimum": minimum,
            "holder": holder, "site": sites[site_index] if site_index is not None else None,
        })  # fmt: skip
