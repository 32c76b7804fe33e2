"""Objects of the alerts tests: an activation and contacts of the contact tree (the
contacts area's pages are not needed to make rows)."""

from maillage.crisis.models import Activation, Contact, ContactSkill
from maillage.territory.models import Commune


def activation(cpts, user, *, kind="exercise", title="Exercice canicule"):
    return Activation.objects.create(cpts=cpts, kind=kind, crisis_type="afflux-malades",
                                     title=title, started_by=user)  # fmt: skip


def contact(cpts, name, *, account=None, profession="10", commune="38053", mobile="+33611111111",
            email="", skills=(), in_cell=False):  # fmt: skip
    row = Contact.objects.create(
        cpts=cpts, name=name, account=account, profession_code=profession, mobile=mobile,
        email=email or (account.email if account else f"{name.lower().replace(' ', '.')}@ex.org"),
        commune=Commune.objects.get(code=commune) if commune else None, in_cell=in_cell)
    for code in skills:
        ContactSkill.objects.create(contact=row, code=code)
    return row


def tree(cpts, gp=None, nurse=None):
    """Two GPs (one with the demo GP's account), a nurse, a town hall in the cell."""
    return {
        "gp": contact(cpts, "Dr Alice Martin", account=gp, skills=["vaccinator"]),
        "gp2": contact(cpts, "Dr Bruno Petit", commune="38509"),
        "nurse": contact(cpts, "Claire Infirmière", account=nurse, profession="60",
                         skills=["home-visits"]),
        "mayor": contact(cpts, "Mairie de Bourgoin", profession="", in_cell=True, mobile=""),
    }
