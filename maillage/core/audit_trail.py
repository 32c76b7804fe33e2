"""Reading the audit trail: French labels, the subjects of events, and the access report
of one person ("who read or changed my record?", RGPD article 15).

Core knows no mission: each app registers the labels of its actions, its objects and its
pages (`register_labels`, from its AppConfig.ready) and, when it holds people's identities,
how to find one of them by public id (`register_subject`). A test checks that every action
written anywhere in the code has a label.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from .models import AuditEvent

ACTIONS: dict[str, str] = {}
OBJECTS: dict[str, str] = {}
PLACES: dict[str, str] = {}
FIELDS: dict[str, str] = {}  # the names of fields listed as "changed"
DETAILS = {
    "via": "Page", "reason": "Motif", "from": "De", "to": "Vers", "changed": "Champs modifiés",
    "email": "Adresse e-mail", "role": "Rôle", "count": "Nombre", "status": "Statut",
    "method": "Mode", "second_factor": "Double authentification", "name": "Nom",
    "note": "Commentaire", "decision": "Décision", "purpose": "Pour", "candidates": "Candidats",
    "file": "Fichier", "lines": "Lignes", "gp": "Médecin", "meeting": "Réunion",
    "enrolment": "Parcours", "enrolments": "Parcours", "step": "Étape", "value": "Valeur",
    "template": "Modèle", "version": "Version", "slot": "Créneau", "review": "Doublon",
    "communes": "Communes", "merged": "Fiche fusionnée", "kind": "Type", "sent": "Envoyées",
    "filters": "Filtres", "format": "Format", "patient": "Patient",
    "duplicate_confirmed": "Autre personne confirmée malgré un doublon probable",
    "attempts_cleared": "Échecs effacés", "origin": "Origine", "series": "Série",
    "shifts": "Gardes", "uncovered": "Sans volontaire", "participants": "Participants",
    "added": "Ajoutés", "present": "Présents", "tasks": "Tâches", "cancelled_tasks":
    "Tâches annulées", "based_on": "D'après la version", "applied_to_existing":
    "Appliqué aux patients inclus", "slug": "Code", "with": "Avec", "events": "Événements",
}  # fmt: skip


def register_labels(*, actions=None, objects=None, places=None, fields=None) -> None:
    ACTIONS.update(actions or {})
    OBJECTS.update(objects or {})
    PLACES.update(places or {})
    FIELDS.update(fields or {})


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def object_label(code: str) -> str:
    if not code:
        return ""
    if code in OBJECTS:
        return OBJECTS[code]
    from django.apps import apps

    try:
        return str(apps.get_model(code)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return code


def _value(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{DETAILS.get(k, k)} : {_value(v)}" for k, v in value.items())
    text = str(value)
    try:
        return str(uuid.UUID(text))[:8]  # a reference, shortened as on the pages
    except ValueError:
        return PLACES.get(text, text)


def describe(detail: dict) -> str:
    """The detail of an event as a French sentence fragment, never a Python dict."""
    if not detail:
        return ""
    parts = []
    for key, value in detail.items():
        if value in (None, "", [], {}):
            continue
        if key == "changed" and isinstance(value, list):
            value = [FIELDS.get(v, v) for v in value]
        parts.append(f"{DETAILS.get(key, key.replace('_', ' '))} : {_value(value)}")
    return " · ".join(parts)


# Subjects ------------------------------------------------------------------------------


@dataclass
class Subject:
    """A person whose record the trail is asked about."""

    public_id: uuid.UUID
    label: str  # "DUPONT Marie, née le 02/03/1950"
    kind: str  # "Patient", "Demande de soins non programmés"
    # Every record of the same person whose events belong in the report (records merged
    # into this one, submissions that led to it).
    related: list = field(default_factory=list)

    @property
    def ids(self) -> list:
        return [self.public_id, *self.related]


_RESOLVERS = []


def register_subject(resolver) -> None:
    """`resolver(cpts, public_id) -> Subject | None`."""
    _RESOLVERS.append(resolver)


def find_subject(cpts, public_id) -> Subject | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    for resolver in _RESOLVERS:
        found = resolver(cpts, public_id)
        if found is not None:
            return found
    return None


def events_about(cpts, subject: Subject, events=None):
    """Every event of this CPTS (of `events`, when given) about this person, newest first.

    One record: one range of the patient index. Several (merged records): one range per
    record, put together, rather than `patient IN (...)`, which SQLite without statistics
    answers by walking the CPTS's whole trail in date order."""
    events = (events if events is not None else AuditEvent.objects.all()).for_cpts(cpts)
    parts = [events.filter(patient=public_id).select_related("actor").order_by()
             for public_id in subject.ids]  # fmt: skip
    if len(parts) == 1:
        return parts[0].order_by("-at", "-id")
    return parts[0].union(*parts[1:], all=True).order_by("-at", "-id")


@dataclass
class Line:
    at: datetime.datetime
    actor: str
    action: str
    what: str
    ip: str


def lines(events) -> list[Line]:
    out = []
    for event in events:
        who = event.actor_email or "Système (tâche automatique ou formulaire public)"
        if event.actor is not None and event.actor.get_full_name():
            who = f"{event.actor.get_full_name()} ({event.actor_email})"
        what = " · ".join(x for x in (object_label(event.object_type),
                                      describe(event.detail)) if x)  # fmt: skip
        out.append(Line(at=timezone.localtime(event.at), actor=who,
                        action=action_label(event.action), what=what, ip=event.ip or "—"))
    return out


CSV_HEADER = ["Date", "Heure", "Par", "Action", "Objet et détail", "Adresse IP"]


def csv_rows(report_lines):
    for line in report_lines:
        yield [f"{line.at:%d/%m/%Y}", f"{line.at:%H:%M:%S}", line.actor, line.action,
               line.what, line.ip]  # fmt: skip


def access_report_pdf(*, cpts, subject: Subject, report_lines, edited_by) -> bytes:
    """The access report as a PDF, to answer the person's request."""
    from reportlab.platypus import Spacer

    from . import pdf

    style = pdf.styles()
    now = timezone.localtime()
    story = [
        pdf.para("Accès au dossier", style.title),
        pdf.para(cpts.name, style.small),
        pdf.para(f"{subject.kind} : {subject.label}", style.h2),
        pdf.para(
            f"Toutes les lectures et modifications des données de cette personne "
            f"enregistrées par Maillage ({len(report_lines)} événement(s)), de la plus "
            "récente à la plus ancienne : qui, quand, depuis quelle adresse, pour quoi.",
            style.body,
        ),
        Spacer(1, 3),
        pdf.grid(
            ["Date", "Par", "Action", "Objet et détail", "Adresse IP"],
            [[f"{x.at:%d/%m/%Y %H:%M}", x.actor, x.action, x.what, x.ip]
             for x in report_lines],
            [0.14, 0.25, 0.2, 0.29, 0.12], style=style, empty="Aucun accès enregistré.",
        ),  # fmt: skip
        Spacer(1, 8),
        pdf.para(f"Édité le {now:%d/%m/%Y à %H:%M} par {edited_by}.", style.small),
    ]
    return pdf.build(story, title="Accès au dossier", author=cpts.name,
                     footer=f"Accès au dossier — {subject.label} — {now:%d/%m/%Y}")  # fmt: skip
