"""The personalised care plan (PPS, plan personnalisé de santé) of a patient: one plain
data structure built once, rendered as a printable page, a PDF and (fhir.py) FHIR.

The PPS belongs to the patient, not to one enrolment: a patient may follow several
pathways. A viewer sees only the enrolments they may see (access.enrolments_visible_to),
and reaches the PPS at all only as a coordinator of the CPTS or as a member of the care
team of one of the patient's live enrolments; anyone else gets 404.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from maillage.core import audit, pdf, permissions
from maillage.core.access import get_by_public_id
from maillage.directory.models import PROFESSIONS, DirectoryEntry
from maillage.patients.models import Patient

from .access import enrolments_visible_to
from .models import CareTeamMember, ResultKind, Task, decimal_fr

RESULTS_WINDOW_DAYS = 365  # "recent results": the last twelve months


# ------------------------------------------------------------------ access


def patient_documents(membership, public_id, *, action: str, request=None):
    """The patient and the enrolments the caller may see, or 404; the read is audited
    under `action` ("pathway.pps_read", "pathway.pps_pdf", "pathway.fhir_export")."""
    patient = get_by_public_id(
        Patient.objects.filter(cpts=membership.cpts).select_related("commune", "attending_gp"),
        public_id,
    )
    enrolments = list(
        enrolments_visible_to(membership)
        .filter(patient=patient)
        .select_related("template")
        .prefetch_related(
            Prefetch(
                "team",
                queryset=CareTeamMember.objects.select_related("user").order_by(
                    "-is_referent", "pk"
                ),
            ),  # fmt: skip
        )
    )
    live = [e for e in enrolments if e.ended_at is None]
    # Ended enrolments stay readable by their former team through their own page, but
    # the PPS is the current plan: it opens only through a live enrolment (or to the
    # coordinators, who see every pathway of the CPTS).
    if not enrolments or (not permissions.coordinate_pathways(membership) and not live):
        raise Http404
    enrolments.sort(key=lambda e: (e.ended_at is not None, e.enrolled_on, e.pk))
    audit.record(action=action, actor=membership.user, cpts=membership.cpts, obj=patient,
                 request=request,
                 detail={"enrolments": [str(e.public_id) for e in enrolments]})  # fmt: skip
    return patient, enrolments


# ------------------------------------------------------------------ data


@dataclass
class Contact:
    """A professional as the PPS shows them, with what the directory knows."""

    user_id: int
    public_id: str
    name: str
    first_name: str
    last_name: str
    profession: str = ""
    phone: str = ""
    email: str = ""
    national_id: str = ""  # idNat_PS (8 + RPPS, 0 + ADELI) when the account is in the directory


@dataclass
class TeamLine:
    contact: Contact
    role: str
    is_referent: bool


@dataclass
class PlannedAction:
    task: Task
    title: str
    profession: str  # the profession the step expects ("Orthoptiste")
    assignee: str  # who holds the task, when someone does
    due_date: datetime.date
    late: bool


@dataclass
class ResultLine:
    task: Task
    title: str
    done_on: datetime.date
    value: str  # "7,2 %", "grade 1", "normal", or "" when the step records no result
    note: str
    by: str


@dataclass
class PathwayPlan:
    enrolment: object
    name: str
    version: int
    enrolled_on: datetime.date
    ended_on: datetime.date | None
    team: list[TeamLine] = field(default_factory=list)
    planned: list[PlannedAction] = field(default_factory=list)
    results: list[ResultLine] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)  # every task, for the FHIR export


@dataclass
class Pps:
    patient: Patient
    cpts_name: str
    attending_gp: Contact | None
    pathways: list[PathwayPlan]
    contacts: dict[int, Contact]  # user pk -> contact, everyone the plan names
    today: datetime.date
    edited_at: datetime.datetime
    edited_by: str

    @property
    def sex_label(self) -> str:
        return self.patient.get_sex_display()

    @property
    def commune_label(self) -> str:
        commune = self.patient.commune
        return f"{commune.name} ({commune.code})" if commune else ""


def result_text(task: Task) -> str:
    kind = task.step.result_kind if task.step_id else ResultKind.NONE
    if task.result_number is not None:
        number = decimal_fr(task.result_number)
        if kind == ResultKind.GRADE:
            return f"grade {number}"
        unit = task.step.unit if task.step_id else ""
        return f"{number} {unit}".strip()
    if task.result_bool is not None:
        return "normal" if task.result_bool else "anormal"
    return ""


def _contacts(cpts, users) -> dict[int, Contact]:
    """Contacts of these accounts, enriched by the CPTS's directory entries (profession,
    local phone or e-mail correction, national identifier)."""
    users = {u.pk: u for u in users if u is not None}
    entries = {
        e.account_id: e
        for e in DirectoryEntry.objects.filter(cpts=cpts, account_id__in=users)
        .select_related("professional")
        .prefetch_related("professional__sites")
    }
    contacts = {}
    for pk, user in users.items():
        entry = entries.get(pk)
        professional = entry.professional if entry else None
        sites = list(professional.sites.all()) if professional else []
        contacts[pk] = Contact(
            user_id=pk,
            public_id=str(user.public_id),
            name=user.get_full_name() or user.email,
            first_name=user.first_name or (professional.first_name if professional else ""),
            last_name=user.last_name or (professional.last_name if professional else ""),
            profession=professional.profession if professional else "",
            phone=(entry.phone if entry else "") or next((s.phone for s in sites if s.phone), ""),
            email=(entry.email if entry else "") or user.email,
            national_id=professional.national_id if professional else "",
        )
    return contacts


def profession_of(task: Task) -> str:
    code = task.profession_code or (task.step.profession_code if task.step_id else "")
    return PROFESSIONS.get(code, code)


def build_pps(*, patient, enrolments, viewer, cpts, now=None) -> Pps:
    """Everything the PPS shows, in display order; one query per kind of row."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tasks = list(
        Task.objects.filter(enrolment__in=enrolments)
        .select_related("step", "assignee", "completed_by")
        .order_by("due_date", "pk")
    )
    users = [patient.attending_gp]
    for enrolment in enrolments:
        users += [m.user for m in enrolment.team.all()]
    for task in tasks:
        users += [task.assignee, task.completed_by]
    contacts = _contacts(cpts, users)
    since = today - datetime.timedelta(days=RESULTS_WINDOW_DAYS)
    pathways = []
    for enrolment in enrolments:
        own = [t for t in tasks if t.enrolment_id == enrolment.pk]
        done = sorted(
            (t for t in own if t.status == Task.Status.DONE and t.completed_on
             and t.completed_on >= since),
            key=lambda t: (t.completed_on, t.pk), reverse=True,
        )  # fmt: skip
        pathways.append(PathwayPlan(
            enrolment=enrolment,
            name=enrolment.template.name,
            version=enrolment.template.version,
            enrolled_on=enrolment.enrolled_on,
            ended_on=timezone.localdate(enrolment.ended_at) if enrolment.ended_at else None,
            team=[TeamLine(contact=contacts[m.user_id], role=m.role, is_referent=m.is_referent)
                  for m in enrolment.team.all()],
            planned=[PlannedAction(task=t, title=t.title, profession=profession_of(t),
                                   assignee=contacts[t.assignee_id].name if t.assignee_id
                                   else "", due_date=t.due_date, late=t.due_date < today)
                     for t in own if t.status == Task.Status.DUE],
            results=[ResultLine(task=t, title=t.title, done_on=t.completed_on,
                                value=result_text(t), note=t.result_note,
                                by=contacts[t.completed_by_id].name if t.completed_by_id else "")
                     for t in done],
            tasks=own,
        ))  # fmt: skip
    return Pps(
        patient=patient,
        cpts_name=cpts.name,
        attending_gp=contacts.get(patient.attending_gp_id),
        pathways=pathways,
        contacts=contacts,
        today=today,
        edited_at=timezone.localtime(now),
        edited_by=viewer.get_full_name() or viewer.email,
    )


# ------------------------------------------------------------------ PDF


def pdf_filename(pps: Pps) -> str:
    """No patient name in the file name: it shows in download lists and mail subjects."""
    return f"pps-{pps.today:%Y-%m-%d}.pdf"


def _date(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def render_pdf(pps: Pps) -> bytes:
    """The PPS as an A4 PDF built with reportlab's platypus (flowing tables)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    style = pdf.styles()
    width = style.width

    def para(value, st=style.body):
        return pdf.para(value, st)

    def table(header, rows, widths, empty):
        return pdf.grid(header, rows, widths, style=style, empty=empty)

    patient = pps.patient
    story = [
        para("Plan personnalisé de santé (PPS)", style.title),
        para(pps.cpts_name, style.small),
        para("Patient", style.h2),
    ]
    identity = [
        ("Nom de naissance", patient.birth_name),
        ("Nom utilisé", patient.used_name or "—"),
        ("Prénoms", patient.first_names),
        ("Date de naissance", _date(patient.birth_date)),
        ("Sexe", pps.sex_label),
        ("Commune", pps.commune_label or "—"),
        ("Médecin traitant", _contact_line(pps.attending_gp) if pps.attending_gp
         else "Non renseigné"),
    ]  # fmt: skip
    facts = Table([[para(k, style.head), para(v)] for k, v in identity],
                  colWidths=[0.3 * width, 0.7 * width])  # fmt: skip
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey)]))  # fmt: skip
    story.append(facts)
    for plan in pps.pathways:
        heading = f"{plan.name} (version {plan.version})"
        status = f"Inclus le {_date(plan.enrolled_on)}"
        if plan.ended_on:
            status += f" ; parcours terminé le {_date(plan.ended_on)}"
        story += [para(heading, style.h2), para(status)]
        story += [para("Équipe de soins", style.h3), table(
            ["Nom", "Rôle", "Contact"],
            [[line.contact.name + (" (référent)" if line.is_referent else ""),
              " · ".join(x for x in (line.role, line.contact.profession) if x),
              " · ".join(x for x in (line.contact.phone, line.contact.email) if x)]
             for line in plan.team],
            [0.32, 0.3, 0.38], "Aucun membre.",
        )]  # fmt: skip
        story += [para("Actions prévues", style.h3), table(
            ["Action", "Profession", "Confié à", "Échéance"],
            [[a.title, a.profession or "—", a.assignee or "—",
              _date(a.due_date) + (" — en retard" if a.late else "")] for a in plan.planned],
            [0.4, 0.2, 0.2, 0.2], "Aucune action prévue.",
        )]  # fmt: skip
        story.append(KeepTogether([para("Résultats des 12 derniers mois", style.h3), table(
            ["Date", "Examen ou action", "Résultat", "Par"],
            [[_date(r.done_on), r.title,
              "; ".join(x for x in (r.value, r.note) if x) or "fait", r.by]
             for r in plan.results],
            [0.15, 0.4, 0.25, 0.2], "Aucun résultat enregistré.",
        )]))  # fmt: skip
    if not pps.pathways:
        story.append(para("Aucun parcours."))
    story += [
        Spacer(1, 6 * mm),
        para(f"Édité le {pps.edited_at:%d/%m/%Y à %H:%M} par {pps.edited_by}.", style.small),
    ]
    return pdf.build(
        story, title="Plan personnalisé de santé", author=pps.cpts_name,
        footer=f"PPS — {patient.display_name} — édité le {pps.edited_at:%d/%m/%Y}",
    )  # fmt: skip


def _contact_line(contact: Contact) -> str:
    return " · ".join(x for x in (contact.name, contact.phone, contact.email) if x)
