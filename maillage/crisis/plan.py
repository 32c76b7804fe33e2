"""The crisis plan: a working draft edited section by section (each save a PlanRevision),
versions approved by the board, compared section by section, exported as a PDF.

Interface used by other parts of the app (keep the signatures): `record_revision`,
`draft`, `append_retex`, `actions_for`.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Cpts, Membership

from . import frame
from .models import PlanRevision, PlanVersion

AUDIT_LABELS: dict = {
    "actions": {"crisis.plan_edit": "Section du plan de crise modifiée",
                "crisis.plan_version": "Version du plan de crise créée",
                "crisis.plan_approve": "Version du plan de crise approuvée",
                "crisis.plan_delivered": "Remise du plan de crise à l'ARS et à la CPAM",
                "crisis.plan_pdf": "Téléchargement du plan de crise (PDF)"},
    "objects": {"crisis.PlanRevision": "Section du plan de crise",
                "crisis.PlanVersion": "Version du plan de crise"},
}  # fmt: skip

# A section is a few pages at most: a longer text is a pasted document, not a section.
MAX_SECTION_CHARS = 20_000
# The yearly update the contract asks for falls due this long after the last approval.
UPDATE_EVERY_DAYS = 365
# The coordinator's home card warns this long before the yearly update falls due.
UPDATE_WARNING_DAYS = 30
APPROVER_ONLY = "Seul un membre du bureau ou du CA peut approuver le plan."


def draft(cpts) -> dict[str, PlanRevision]:
    """The newest revision of each section of the working draft, by section code."""
    newest = {}
    for revision in PlanRevision.objects.for_cpts(cpts).select_related("author"):
        newest[revision.section] = revision  # ordered oldest first: the last one wins
    return newest


@transaction.atomic
def record_revision(*, cpts, section: str, body: str, author, from_retex=None, request=None):
    """Save a new text for one section of the working draft; returns the PlanRevision."""
    if frame.section(section) is None:
        raise ValueError(f"unknown plan section {section!r}")
    revision = PlanRevision.objects.create(
        cpts=cpts, section=section, body=clean_text(body), author=author,
        from_retex=from_retex, created_at=timezone.now(),
    )  # fmt: skip
    audit.record(action="crisis.plan_edit", actor=author, cpts=cpts, obj=revision,
                 request=request, detail={"section": section})  # fmt: skip
    return revision


def append_retex(*, cpts, retex, actor, request=None):
    """A completed RETEX's conclusions go into the draft's "exercises" section (dated), so
    that the plan's next version carries them."""
    current = draft(cpts).get("exercises")
    activation = retex.activation
    paragraph = (f"RETEX du {timezone.localdate():%d/%m/%Y} ({activation.title}) :\n"
                 f"{retex.conclusions.strip()}")  # fmt: skip
    body = f"{current.body.rstrip()}\n\n{paragraph}" if current and current.body else paragraph
    return record_revision(cpts=cpts, section="exercises", body=body, author=actor,
                           from_retex=retex, request=request)  # fmt: skip


def actions_for(cpts, crisis_type: str) -> list[tuple[str, str]]:
    """The actions of the action sheet of `crisis_type` in the newest approved version
    (the working draft if none is approved): [(code "<section>:<index>", text)]."""
    code = frame.sheet_code(crisis_type)
    version = PlanVersion.objects.for_cpts(cpts).filter(approved_at__isnull=False).first()
    if version is not None:
        body = next((s.get("body", "") for s in version.sections if s.get("code") == code), "")
    else:
        revision = draft(cpts).get(code)
        body = revision.body if revision else ""
    actions = []
    for line in body.splitlines():
        if line.strip().startswith("- "):
            actions.append((f"{code}:{len(actions)}", line.strip()[2:].strip()))
    return actions


# ------------------------------------------------------------------ text


def clean_text(body) -> str:
    """NUL bytes stripped (PostgreSQL refuses them in text) and line endings unified (a
    browser sends CRLF), so that "unchanged" means the same text whatever sent it."""
    return str(body or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def person_name(user) -> str:
    if user is None:
        return "compte supprimé"
    return user.get_full_name() or user.email


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def check_section_text(body) -> str:
    """The text a person typed for a section, cleaned, or a ValidationError naming `body`."""
    body = clean_text(body).strip()
    if len(body) > MAX_SECTION_CHARS:
        raise ValidationError({"body": (
            f"Le texte d'une section est limité à {_thousands(MAX_SECTION_CHARS)} caractères ; "
            f"celui-ci en compte {_thousands(len(body))}. Raccourcissez-le ou mettez les "
            "annexes longues dans un document à part.")})  # fmt: skip
    return body


# ------------------------------------------------------------------ line diff


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: "same", "added", "removed", or "gap" (`count` unchanged lines
    not shown)."""

    kind: str
    text: str = ""
    count: int = 0


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of both texts, in order: unchanged, removed (from `old`), added (in
    `new`)."""
    a, b = old.splitlines(), new.splitlines()
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", t) for t in a[i1:i2]]
            continue
        lines += [DiffLine("removed", t) for t in a[i1:i2]]
        lines += [DiffLine("added", t) for t in b[j1:j2]]
    return lines


def collapse(lines: list[DiffLine], context: int = 2) -> list[DiffLine]:
    """Long runs of unchanged lines folded into one "gap", keeping `context` lines on the
    side of each change."""
    out: list[DiffLine] = []
    run: list[DiffLine] = []
    changed = False

    def flush(at_end: bool):
        head = run[:context] if changed else []
        tail = run[len(run) - context:] if context and not at_end else []
        if len(run) <= len(head) + len(tail) + 1:
            out.extend(run)
        else:
            out.extend([*head, DiffLine("gap", count=len(run) - len(head) - len(tail)), *tail])

    for line in lines:
        if line.kind == "same":
            run.append(line)
            continue
        if run:
            flush(at_end=False)
            run = []
        changed = True
        out.append(line)
    if run:
        flush(at_end=True)
    return out


# ------------------------------------------------------------------ the draft


def current_revision(cpts, section: str) -> PlanRevision | None:
    return (PlanRevision.objects.for_cpts(cpts).filter(section=section)
            .select_related("author").order_by("-created_at", "-pk").first())  # fmt: skip


@transaction.atomic
def save_section(*, cpts, section: str, body, author, base=None, request=None):
    """The coordinator's edit of one section: a new revision only when the text changed
    (returns None otherwise). `base` is the public id of the revision the editor started
    from ("" for a section never written): if someone saved the section meanwhile, the edit
    is refused rather than silently overwriting their text."""
    if frame.section(section) is None:
        raise ValidationError({"body": "Cette section n'existe pas dans la trame nationale."})
    body = check_section_text(body)
    _lock_plan(cpts)
    current = current_revision(cpts, section)
    if base is not None and str(base) != (str(current.public_id) if current else ""):
        when = timezone.localtime(current.created_at) if current else None
        raise ValidationError({"body": (
            "La section a été modifiée pendant votre saisie"
            + (f" (par {person_name(current.author)} le {when:%d/%m/%Y à %H:%M})" if when else "")
            + " : votre texte n'est pas enregistré. Il est conservé ci-dessous ; reprenez les "
            "modifications sur le texte actuel, affiché dans l'historique.")})  # fmt: skip
    if (current.body if current else "") == body:
        return None
    return record_revision(cpts=cpts, section=section, body=body, author=author,
                           request=request)  # fmt: skip


def _lock_plan(cpts):
    """Serialise the writes of one CPTS's plan (PostgreSQL; SQLite writes one at a time)."""
    list(Cpts.objects.select_for_update().filter(pk=cpts.pk).values_list("pk", flat=True))


def snapshot(cpts) -> list[dict]:
    """The working draft as a version stores it, every section of the frame in order."""
    revisions = draft(cpts)
    rows = []
    for section in frame.sections():
        revision = revisions.get(section.code)
        rows.append({
            "code": section.code, "title": section.title,
            "body": revision.body if revision else "",
            "revision": str(revision.public_id) if revision else "",
            "changed_at": revision.created_at.isoformat() if revision else "",
            "changed_by": person_name(revision.author) if revision else "",
        })  # fmt: skip
    return rows


def _bodies(sections) -> dict[str, str]:
    return {s["code"]: s.get("body", "") for s in sections if s.get("body", "")}


def history(cpts, section: str) -> list[tuple[PlanRevision, list[DiffLine]]]:
    """The revisions of one section, newest first, each with its diff to the one before."""
    revisions = list(PlanRevision.objects.for_cpts(cpts).filter(section=section)
                     .select_related("author", "from_retex__activation"))  # fmt: skip
    rows, before = [], ""
    for revision in revisions:
        rows.append((revision, collapse(line_diff(before, revision.body))))
        before = revision.body
    return rows[::-1]


# ------------------------------------------------------------------ versions


def versions(cpts):
    return PlanVersion.objects.for_cpts(cpts).select_related("approved_by", "created_by")


def newest_version(cpts) -> PlanVersion | None:
    return versions(cpts).order_by("-number").first()


def newest_approved(cpts) -> PlanVersion | None:
    return versions(cpts).filter(approved_at__isnull=False).order_by("-number").first()


def previous_version(version: PlanVersion) -> PlanVersion | None:
    return (versions(version.cpts_id).filter(number__lt=version.number)
            .order_by("-number").first())  # fmt: skip


def baseline_for(version: PlanVersion) -> PlanVersion | None:
    """What a consolidated document reports its changes against: the newest approved
    version before it (the last one the ARS and the CPAM received), else the previous one."""
    earlier = versions(version.cpts_id).filter(number__lt=version.number).order_by("-number")
    return earlier.filter(approved_at__isnull=False).first() or earlier.first()


@transaction.atomic
def create_version(*, cpts, actor, note="", request=None) -> PlanVersion:
    """A snapshot of the working draft, numbered after the newest version; refused when the
    draft is empty or identical to the newest version."""
    note = " ".join(clean_text(note).split())
    if len(note) > 300:
        raise ValidationError({"note": "L'objet de la version est limité à 300 caractères."})
    _lock_plan(cpts)
    sections = snapshot(cpts)
    if not _bodies(sections):
        raise ValidationError("Le plan est vide : rédigez au moins une section avant d'en "
                              "faire une version.")  # fmt: skip
    newest = newest_version(cpts)
    if newest is not None and _bodies(newest.sections) == _bodies(sections):
        raise ValidationError(
            f"Le brouillon est identique à la version {newest.number} : modifiez une section "
            "avant de créer une nouvelle version.")
    number = (newest.number if newest else 0) + 1
    try:
        with transaction.atomic():
            version = PlanVersion.objects.create(
                cpts=cpts, number=number, frame_version=frame.CURRENT, sections=sections,
                note=note, created_at=timezone.now(), created_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError("Une autre version vient d'être créée : rechargez la page.") from exc
    audit.record(action="crisis.plan_version", actor=actor, cpts=cpts, obj=version,
                 request=request, detail={"version": number})  # fmt: skip
    return version


@transaction.atomic
def approve_version(*, version: PlanVersion, actor, request=None) -> bool:
    """A board member approves a version: True when it is now approved by this call, False
    when it already was (nothing changes: an approved version is never changed)."""
    membership = Membership.objects.active().filter(user=actor, cpts_id=version.cpts_id).first()
    if not permissions.approve_crisis_plan(membership):
        raise ValidationError(APPROVER_ONLY)
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.approved_at is not None:
        return False
    newer = (PlanVersion.objects.filter(cpts_id=version.cpts_id, number__gt=version.number,
                                        approved_at__isnull=False)
             .order_by("-number").first())  # fmt: skip
    if newer is not None:
        raise ValidationError(f"La version {newer.number}, plus récente, est déjà approuvée : "
                              f"la version {version.number} est remplacée.")  # fmt: skip
    now = timezone.now()
    # Conditional: of two approvals at once, one only sets the date and the approver.
    if not PlanVersion.objects.filter(pk=version.pk, approved_at__isnull=True).update(
            approved_at=now, approved_by=actor):  # fmt: skip
        return False
    version.approved_at, version.approved_by = now, actor
    audit.record(action="crisis.plan_approve", actor=actor, cpts=version.cpts, obj=version,
                 request=request, detail={"version": version.number})  # fmt: skip
    return True


@transaction.atomic
def record_delivery(*, version: PlanVersion, delivered_on: datetime.date, actor, request=None):
    """The date an approved version was handed to the ARS and the CPAM (a proof for the
    contract); a correction of that date is recorded the same way."""
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.approved_at is None:
        raise ValidationError({"delivered_on": "Seule une version approuvée par le bureau se "
                               "remet à l'ARS et à la CPAM."})  # fmt: skip
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "La date de remise ne peut pas être future."})
    approved_on = timezone.localdate(locked.approved_at)
    if delivered_on < approved_on:
        raise ValidationError({"delivered_on": "La remise ne peut pas précéder l'approbation "
                               f"({approved_on:%d/%m/%Y})."})  # fmt: skip
    PlanVersion.objects.filter(pk=version.pk).update(delivered_on=delivered_on)
    version.delivered_on = delivered_on
    audit.record(action="crisis.plan_delivered", actor=actor, cpts=version.cpts, obj=version,
                 request=request, detail={"version": version.number,
                                          "date": f"{delivered_on:%d/%m/%Y}"})  # fmt: skip


# ------------------------------------------------------------------ comparing


@dataclass
class SectionChange:
    code: str
    title: str
    body: str
    changed: bool
    lines: list[DiffLine] = field(default_factory=list)
    # The revisions between the two versions: who changed the section, and when.
    revisions: list[PlanRevision] = field(default_factory=list)


def _revision_key(revision):
    return (revision.created_at, revision.pk)


def compare_sections(cpts, old_sections, new_sections, *, until=None) -> list[SectionChange]:
    """Section by section, `old` → `new` (lists of version sections; `old` may be empty):
    the line diff of each changed section and the revisions that made the change."""
    old = {s["code"]: s for s in old_sections or []}
    ids = {s.get("revision") for s in [*old.values(), *new_sections] if s.get("revision")}
    known = {str(r.public_id): r for r in PlanRevision.objects.for_cpts(cpts)
             .filter(public_id__in=ids)}  # fmt: skip
    changes = []
    for section in new_sections:
        before = old.get(section["code"], {})
        changed = before.get("body", "") != section.get("body", "")
        change = SectionChange(code=section["code"], title=section["title"],
                               body=section.get("body", ""), changed=changed)  # fmt: skip
        if changed:
            change.lines = collapse(line_diff(before.get("body", ""), section.get("body", "")))
            start = known.get(before.get("revision", ""))
            end = known.get(section.get("revision", ""))
            rows = PlanRevision.objects.for_cpts(cpts).filter(
                section=section["code"]).select_related("author")
            if end is not None:
                rows = rows.filter(created_at__lte=end.created_at)
            elif until is not None:
                rows = rows.filter(created_at__lte=until)
            change.revisions = [r for r in rows
                                if (start is None or _revision_key(r) > _revision_key(start))
                                and (end is None or _revision_key(r) <= _revision_key(end))]
        changes.append(change)
    return changes


# ------------------------------------------------------------------ state of the plan


@dataclass
class PlanState:
    approved: PlanVersion | None
    newest: PlanVersion | None
    # Versions after the approved one that wait for the board.
    pending: list[PlanVersion]
    # Codes of the sections whose draft differs from the approved version.
    changed: list[str]
    update_due: datetime.date | None
    overdue: bool
    # Revisions written from a RETEX that no approved version carries yet.
    retex_pending: list[PlanRevision]

    @property
    def draft_differs(self) -> bool:
        return bool(self.changed)


def update_due(approved: PlanVersion | None) -> datetime.date | None:
    if approved is None or approved.approved_at is None:
        return None
    return timezone.localdate(approved.approved_at) + datetime.timedelta(days=UPDATE_EVERY_DAYS)


def pending_versions(cpts, approved: PlanVersion | None = None) -> list[PlanVersion]:
    rows = versions(cpts).filter(approved_at__isnull=True)
    if approved is not None:
        rows = rows.filter(number__gt=approved.number)
    return list(rows.order_by("-number"))


def state(cpts, *, today=None) -> PlanState:
    today = today or timezone.localdate()
    approved = newest_approved(cpts)
    current = _bodies(snapshot(cpts))
    approved_bodies = _bodies(approved.sections) if approved else {}
    changed = [s.code for s in frame.sections()
               if current.get(s.code, "") != approved_bodies.get(s.code, "")]
    due = update_due(approved)
    retex = list(PlanRevision.objects.for_cpts(cpts).filter(from_retex__isnull=False)
                 .select_related("author", "from_retex__activation"))  # fmt: skip
    if approved is not None and retex:
        carried = {s["code"]: s.get("revision") for s in approved.sections}
        bases = {str(r.public_id): r for r in PlanRevision.objects.for_cpts(cpts)
                 .filter(public_id__in=[v for v in carried.values() if v])}  # fmt: skip
        retex = [r for r in retex
                 if (base := bases.get(carried.get(r.section) or "")) is None
                 or _revision_key(r) > _revision_key(base)]
    return PlanState(approved=approved, newest=newest_version(cpts),
                     pending=pending_versions(cpts, approved), changed=changed,
                     update_due=due, overdue=due is not None and due < today,
                     retex_pending=retex)  # fmt: skip


# ------------------------------------------------------------------ indicators


def _delivered(cpts, period):
    from maillage.core.indicators import Value

    first, last = period
    version = (PlanVersion.objects.for_cpts(cpts)
               .filter(approved_at__isnull=False, delivered_on__range=(first, last))
               .order_by("-delivered_on", "-number").first())  # fmt: skip
    if version is None:
        return Value(0)
    return Value(1, note=f"version {version.number} remise le {version.delivered_on:%d/%m/%Y}")


def _updated(cpts, period):
    from maillage.core.indicators import Value

    first, last = period
    count = PlanVersion.objects.for_cpts(cpts).filter(
        approved_at__date__range=(first, last)).count()
    return Value(count)


def register_indicators():
    """Called from the app's ready(): the plan's proofs for the contract."""
    from maillage.core import indicators

    indicators.register(
        "crisis.plan_delivered", mission="crisis",
        label="Plan de crise remis à l'ARS et à la CPAM",
        definition="1 si une version du plan approuvée par le bureau a été remise à l'ARS et "
        "à la CPAM pendant la période (date de remise enregistrée), 0 sinon ; la note donne "
        "la version et la date.", unit="oui (1) / non (0)", compute=_delivered,
    )  # fmt: skip
    indicators.register(
        "crisis.plan_updated", mission="crisis",
        label="Mises à jour du plan de crise approuvées",
        definition="Nombre de versions du plan de crise approuvées par le bureau pendant la "
        "période (la mise à jour annuelle du contrat).", compute=_updated,
    )  # fmt: skip


# ------------------------------------------------------------------ the PDF


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value:%d/%m/%Y}"


def _changed_at(value: str) -> str:
    try:
        return _date(datetime.datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return ""


def pdf_filename(version: PlanVersion) -> str:
    return f"plan-de-crise-v{version.number}.pdf"


def render_pdf(version: PlanVersion) -> bytes:
    """The yearly consolidated document for the ARS and the CPAM: a title page, the table
    of contents, every section, and what changed since the baseline version.

    The table of contents gives page numbers: a first build records the page on which each
    section starts, a second one prints them (its lines take the same room either way)."""
    pages: dict[str, int] = {}
    render = _story(version, pages)
    story, footer, title = render()
    from maillage.core import pdf

    pdf.build(story, title=title, author=version.cpts.name, footer=footer)
    story, footer, title = render()
    return pdf.build(story, title=title, author=version.cpts.name, footer=footer)


def _story(version: PlanVersion, pages: dict[str, int]):
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

    from maillage.core import pdf

    class Mark(Flowable):
        """Invisible: notes the page it lands on."""

        def __init__(self, key):
            super().__init__()
            self.key, self.width, self.height = key, 0, 0

        def draw(self):
            pages[self.key] = self.canv.getPageNumber()

    cpts = version.cpts
    baseline = baseline_for(version)
    changes = [c for c in compare_sections(cpts, baseline.sections if baseline else [],
                                           version.sections, until=version.created_at)
               if c.changed]  # fmt: skip
    approved = version.approved_at is not None
    status = (f"Approuvée le {_date(version.approved_at)} par {person_name(version.approved_by)}"
              if approved else "VERSION NON APPROUVÉE par le bureau")  # fmt: skip
    appendix = (f"Modifications depuis la version {baseline.number}" if baseline
                else "Modifications : première version du plan")  # fmt: skip

    def render():
        style = pdf.styles()

        def para(value, st=style.body):
            return pdf.para(value, st)

        story = [Spacer(1, 40 * mm), para(cpts.name, style.h2),
                 para("Plan de gestion des situations sanitaires exceptionnelles", style.title),
                 para(f"Version {version.number}"
                      + ("" if approved else " — version non approuvée"), style.h2)]
        facts = [("Créée le", f"{_date(version.created_at)} par "
                  f"{person_name(version.created_by)}"),
                 ("Approbation", status),
                 ("Remise à l'ARS et à la CPAM",
                  _date(version.delivered_on) or "non enregistrée"),
                 ("Objet de la version", version.note or "—"),
                 ("Trame nationale", f"version {version.frame_version}")]  # fmt: skip
        table = Table([[para(k, style.head), para(v)] for k, v in facts],
                      colWidths=[0.35 * style.width, 0.65 * style.width])  # fmt: skip
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 10 * mm), table, PageBreak(), para("Sommaire", style.h2)]
        entries = [(s["code"], f"{i}. {s['title']}") for i, s in enumerate(version.sections, 1)]
        entries.append(("appendix", f"Annexe — {appendix}"))
        toc = Table([[para(label), para(str(pages.get(code, "")), style.body)]
                     for code, label in entries],
                    colWidths=[0.88 * style.width, 0.12 * style.width])  # fmt: skip
        toc.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("ALIGN", (1, 0), (1, -1), "RIGHT")]))  # fmt: skip
        story += [toc, PageBreak()]
        for i, section in enumerate(version.sections, 1):
            story += [Mark(section["code"]), para(f"{i}. {section['title']}", style.h2)]
            body = section.get("body", "")
            if not body:
                story.append(para("Section non rédigée.", style.small))
            for line in body.splitlines():
                story.append(para(line, style.body) if line.strip() else Spacer(1, 2 * mm))
            if section.get("changed_by"):
                story.append(para(f"Dernière modification le "
                                  f"{_changed_at(section.get('changed_at', ''))} par "
                                  f"{section['changed_by']}.", style.small))  # fmt: skip
        story += [PageBreak(), Mark("appendix"), para(f"Annexe — {appendix}", style.h2)]
        if baseline is None:
            story.append(para("Aucune version antérieure : toutes les sections sont nouvelles."))
        else:
            story.append(pdf.grid(
                ["Section", "Modifiée le", "Par"],
                [[c.title,
                  ", ".join(dict.fromkeys(_date(r.created_at) for r in c.revisions)) or "—",
                  ", ".join(dict.fromkeys(person_name(r.author) for r in c.revisions)) or "—"]
                 for c in changes],
                [0.5, 0.25, 0.25], style=style,
                empty="Aucune section n'a changé depuis cette version.",
            ))  # fmt: skip
        footer = (f"{cpts.name} — plan de crise, version {version.number}"
                  + ("" if approved else " (non approuvée)"))
        return story, footer, f"Plan de crise — version {version.number}"

    return render
