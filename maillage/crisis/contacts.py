"""The contact tree: who is reached in a crisis, and the alert groups that select them.

A group is "all", "cell", "profession:<RPPS profession code>", "commune:<INSEE code>" or
"skill:<code of crisis/skills.py>".

Interface used by the alerts (keep the signatures): `parse_group`, `group_filter`,
`recipients_for`. The rest writes the tree: the members' contacts kept in step with the
memberships (`sync_members`), the outside contacts (`contact_save`, `contact_archive`),
and reads it for the pages, the printed sheet, the CSV and the yearly test.

Members' contacts and hand edits: `sync_members` fills a member's contact from their
account and directory entry; a field the coordinator changed by hand on that contact is
listed in `Contact.hand_edited` and the sync never writes it again (nor revives a contact
the coordinator archived by hand).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Membership
from maillage.core.text import echo
from maillage.core.validators import validate_phone_fr
from maillage.directory.models import DirectoryEntry, profession_label

from .models import Alert, AlertRecipient, Contact, ContactCategory, ContactSkill
from .skills import SKILLS

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.contacts_sync": "Arbre d'alerte : membres de la CPTS ajoutés ou mis à jour",
        "crisis.contact_create": "Contact de l'arbre d'alerte ajouté",
        "crisis.contact_update": "Contact de l'arbre d'alerte modifié",
        "crisis.contact_archive": "Contact de l'arbre d'alerte archivé",
        "crisis.contacts_export": "Arbre d'alerte exporté (CSV)",
        "crisis.contacts_import": "Contacts extérieurs importés (CSV)",
    },
    "objects": {"crisis.Contact": "Contact de l'arbre d'alerte"},
}

GROUP_KINDS = ("all", "cell", "profession", "commune", "skill")
_DIGITS = re.compile(r"[0-9]+")
_COMMUNE = re.compile(r"[0-9A-Za-z]{2}[0-9]{3}")
# What the sync writes on a member's contact (and so what a hand edit protects).
SYNCED_FIELDS = ("name", "email", "profession_code", "commune", "mobile", "organisation")


def parse_group(value: str) -> tuple[str, str]:
    """("profession", "10") from "profession:10"; ValidationError with a French message
    naming the value otherwise."""
    text = (value or "").strip()
    kind, _, arg = text.partition(":")
    if kind in ("all", "cell") and not arg:
        return kind, ""
    # ASCII only: str.isdigit() also accepts "²" and other scripts' digits.
    if kind == "profession" and _DIGITS.fullmatch(arg) and len(arg) <= 3:
        return kind, arg
    if kind == "commune" and _COMMUNE.fullmatch(arg):
        return kind, arg.upper()
    if kind == "skill" and arg in SKILLS:
        return kind, arg
    raise ValidationError(
        f"Groupe inconnu : {echo(text)}. Groupes possibles : all, cell, profession:<code>, "
        "commune:<code INSEE>, skill:<compétence>."
    )


def group_filter(groups: list[str]) -> Q:
    """One Q selecting the contacts of any of the groups (validated by parse_group)."""
    query = Q(pk__in=[])
    for value in groups:
        kind, arg = parse_group(value)
        if kind == "all":
            return Q()
        if kind == "cell":
            query |= Q(in_cell=True)
        elif kind == "profession":
            query |= Q(profession_code=arg)
        elif kind == "commune":
            query |= Q(commune__code=arg)
        elif kind == "skill":
            query |= Q(skills__code=arg)
    return query


def recipients_for(cpts, groups: list[str]):
    """The active contacts of the CPTS in any of the groups, each once."""
    ids = Contact.objects.for_cpts(cpts).active().filter(group_filter(groups)).values("pk")
    return Contact.objects.filter(pk__in=ids).select_related("account", "commune")


# Reading the tree ------------------------------------------------------------------------


def tree(cpts, groups: list[str] | None = None):
    """The active contacts of the CPTS (of the groups, when given), ordered for the page
    and the printed sheet: by category, then name, skills and commune loaded."""
    contacts = recipients_for(cpts, groups or ["all"])
    return contacts.prefetch_related("skills").order_by("category", "name", "pk")


@dataclass(frozen=True)
class GroupOption:
    value: str
    label: str
    count: int


def group_options(cpts) -> list[GroupOption]:
    """The groups the tree has contacts in, with how many each: what the page's filter
    offers (every option is a valid group for parse_group and the alerts)."""
    active = Contact.objects.for_cpts(cpts).active()
    options = [
        GroupOption("all", "Tous les contacts", active.count()),
        GroupOption("cell", "Cellule de crise", active.filter(in_cell=True).count()),
    ]
    professions = (active.exclude(profession_code="").values("profession_code")
                   .annotate(n=Count("pk")).order_by("profession_code"))  # fmt: skip
    options += [GroupOption(f"profession:{row['profession_code']}",
                            profession_label(row["profession_code"]), row["n"])
                for row in professions if row["profession_code"].isdigit()]  # fmt: skip
    communes = (active.filter(commune__isnull=False).values("commune__code", "commune__name")
                .annotate(n=Count("pk")).order_by("commune__name"))  # fmt: skip
    options += [GroupOption(f"commune:{row['commune__code']}", row["commune__name"], row["n"])
                for row in communes]  # fmt: skip
    skills = dict(ContactSkill.objects.filter(contact__in=active).values("code")
                  .annotate(n=Count("contact", distinct=True))
                  .values_list("code", "n"))  # fmt: skip
    options += [GroupOption(f"skill:{code}", label, skills[code])
                for code, label in SKILLS.items() if code in skills]  # fmt: skip
    return options


def group_label(value: str, options: list[GroupOption]) -> str:
    for option in options:
        if option.value == value:
            return option.label
    kind, arg = parse_group(value)
    if kind == "skill":
        return SKILLS[arg]
    if kind == "profession":
        return profession_label(arg)
    return arg


@dataclass
class TestCheck:
    """The newest yearly test of the tree, and who did not acknowledge it."""

    alert: Alert
    recipients: int
    missing: list[Contact]


def last_test(cpts) -> TestCheck | None:
    alert = Alert.objects.for_cpts(cpts).filter(is_test=True).order_by("-created_at").first()
    if alert is None:
        return None
    rows = AlertRecipient.objects.filter(alert=alert).select_related(
        "contact", "notification")  # fmt: skip
    missing = sorted((r.contact for r in rows
                      if r.notification is None or r.notification.answered_at is None),
                     key=lambda c: (c.name.lower(), c.pk))  # fmt: skip
    return TestCheck(alert=alert, recipients=len(rows), missing=missing)


# Writing the tree ------------------------------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0


def _mobile(value: str) -> str:
    """A directory phone as a contact's mobile: E.164 when it is a valid French number,
    nothing otherwise (an unreachable number is worse than none in a crisis)."""
    try:
        return validate_phone_fr(value).value if value else ""
    except ValidationError:
        return ""


def _member_values(membership, entry) -> dict:
    user = membership.user
    values = {
        "name": user.get_full_name() or user.email,
        "email": user.email,
        "profession_code": "",
        "commune": None,
        "mobile": "",
        "organisation": "",
    }
    if entry is not None:
        professional = entry.professional
        values["profession_code"] = professional.profession_code
        sites = [s for s in professional.sites.all() if s.commune_id is not None]
        site = sites[0] if sites else None
        if site is not None:
            values["commune"] = site.commune
            values["organisation"] = site.name[:200]
        values["mobile"] = _mobile(entry.phone) or (_mobile(site.phone) if site else "")
        if not membership.user.get_full_name():
            values["name"] = str(professional)
    return values


@transaction.atomic
def sync_members(*, cpts, actor, request=None) -> SyncResult:
    """Create or update the contact of every active member of the CPTS (category
    "member"), from their account and, when known, their directory entry (profession,
    local phone correction, commune of their practice site). Idempotent: one contact per
    account (a database constraint). Fields listed in `hand_edited` are left alone.
    Members who left (membership archived) get their contact archived."""
    now = timezone.now()
    result = SyncResult()
    # The CPTS's own people: a funder (CPAM, ARS) is not in the alert tree.
    memberships = list(Membership.objects.filter(cpts=cpts).with_permission(permissions.member)
                       .select_related("user"))  # fmt: skip
    entries = {e.account_id: e for e in DirectoryEntry.objects.filter(
        cpts=cpts, account__isnull=False).select_related("professional")
        .prefetch_related("professional__sites__commune")}  # fmt: skip
    existing = {
        c.account_id: c
        for c in Contact.objects.select_for_update().filter(cpts=cpts, account__isnull=False)
    }
    members = {m.user_id for m in memberships}
    # A contact whose membership row is gone altogether left as well.
    memberships += [
        Membership(user=c.account, cpts=cpts, archived_at=now)
        for account_id, c in existing.items()
        if account_id not in members
    ]
    for membership in memberships:
        contact = existing.get(membership.user_id)
        gone = membership.archived_at is not None or not membership.user.is_active
        if gone:
            if contact is not None and contact.archived_at is None:
                contact.archived_at = now
                contact.updated_at = now
                contact.save(update_fields=["archived_at", "updated_at"])
                result.archived += 1
            continue
        values = _member_values(membership, entries.get(membership.user_id))
        if contact is None:
            Contact.objects.create(cpts=cpts, category=ContactCategory.MEMBER,
                                   account=membership.user,
                                   professional=getattr(entries.get(membership.user_id),
                                                        "professional", None),
                                   created_at=now, updated_at=now, **values)  # fmt: skip
            result.created += 1
            continue
        changed = []
        for field, value in values.items():
            if field in contact.hand_edited:
                continue
            if field == "commune":
                differs = contact.commune_id != (value.pk if value else None)
            else:
                differs = getattr(contact, field) != value
            if differs:
                setattr(contact, field, value)
                changed.append(field)
        if contact.archived_at is not None and "archived_at" not in contact.hand_edited:
            contact.archived_at = None
            changed.append("archived_at")
        if changed:
            contact.updated_at = now
            contact.save(update_fields=[*changed, "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    audit.record(action="crisis.contacts_sync", actor=actor, cpts=cpts, request=request,
                 object_type="crisis.Contact",
                 detail={"created": result.created, "updated": result.updated,
                         "archived": result.archived})  # fmt: skip
    return result


CONTACT_FIELDS = ("category", "name", "organisation", "mobile", "email", "commune",
                  "plan_role", "in_cell", "cell_role", "notes")  # fmt: skip


def check_channels(*, mobile: str, email: str) -> None:
    if not (mobile or "").strip() and not (email or "").strip():
        raise ValidationError({"mobile": "Indiquez au moins un moyen de joindre ce contact : "
                                         "un téléphone mobile ou une adresse e-mail."})  # fmt: skip


@transaction.atomic
def contact_save(*, cpts, actor, data: dict, skills: list[str], contact: Contact | None = None,
                 request=None) -> Contact:  # fmt: skip
    """Create an outside contact, or update any contact. `data` holds CONTACT_FIELDS
    (already cleaned by the form: mobile in E.164); `skills` codes of skills.SKILLS. On a
    member's contact, the synced fields changed here are marked as edited by hand."""
    check_channels(mobile=data.get("mobile", ""), email=data.get("email", ""))
    unknown = [s for s in skills if s not in SKILLS]
    if unknown:
        raise ValidationError({"skills": f"Compétence inconnue : {echo(unknown[0])}."})
    if not data.get("in_cell"):
        data = {**data, "cell_role": ""}
    now = timezone.now()
    creating = contact is None
    if creating:
        if data.get("category") == ContactCategory.MEMBER:
            raise ValidationError({"category": "Les membres de la CPTS sont ajoutés par « Ajouter "
                                               "les membres de la CPTS » : choisissez une autre "
                                               "catégorie."})  # fmt: skip
        contact = Contact(cpts=cpts, created_at=now)
    else:
        contact = Contact.objects.select_for_update().get(pk=contact.pk, cpts=cpts)
        if contact.account_id is not None:
            edited = [f for f in SYNCED_FIELDS if f in data and getattr(contact, f) != data[f]]
            contact.hand_edited = sorted(set(contact.hand_edited) | set(edited))
            # A member's contact stays a member's contact.
            data = {**data, "category": ContactCategory.MEMBER}
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact.updated_at = now
    contact.full_clean(exclude=["account", "professional", "cpts"])
    contact.save()
    current = set(contact.skills.values_list("code", flat=True))
    wanted = set(skills)
    contact.skills.filter(code__in=current - wanted).delete()
    ContactSkill.objects.bulk_create([ContactSkill(contact=contact, code=c)
                                      for c in sorted(wanted - current)])  # fmt: skip
    audit.record(action="crisis.contact_create" if creating else "crisis.contact_update",
                 actor=actor, cpts=cpts, obj=contact, request=request)  # fmt: skip
    return contact


@transaction.atomic
def contact_archive(*, contact: Contact, actor, request=None) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.archived_at is None:
        contact.archived_at = timezone.now()
        if contact.account_id is not None:
            contact.hand_edited = sorted(set(contact.hand_edited) | {"archived_at"})
        contact.save(update_fields=["archived_at", "hand_edited"])
        audit.record(action="crisis.contact_archive", actor=actor, cpts=contact.cpts,
                     obj=contact, request=request)  # fmt: skip
    return contact


CSV_HEADER = ["Catégorie", "Nom", "Structure", "Rôle dans le plan", "Cellule de crise",
              "Rôle dans la cellule", "Profession", "Commune", "Compétences", "Mobile",
              "E-mail", "Notes"]  # fmt: skip


def csv_rows(contacts):
    """The rows of the CSV (text: the exporter neutralises formulas). Mobiles in the
    national grouping: "+33..." would be read as a formula and prefixed."""
    from maillage.core.templatetags.phone import phone_display

    for c in contacts:
        yield [c.get_category_display(), c.name, c.organisation, c.plan_role,
               "oui" if c.in_cell else "non", c.cell_role,
               profession_label(c.profession_code) if c.profession_code else "",
               c.commune.name if c.commune else "",
               ", ".join(SKILLS.get(s.code, s.code) for s in c.skills.all()),
               phone_display(c.mobile), c.email, c.notes]  # fmt: skip


# Importing outside contacts ------------------------------------------------------------

IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_ROWS = 2_000
# Columns read, by their header (the export's headers, so an exported file comes back).
IMPORT_COLUMNS = {"catégorie": "category", "nom": "name", "structure": "organisation",
                  "rôle dans le plan": "plan_role", "cellule de crise": "in_cell",
                  "rôle dans la cellule": "cell_role", "commune": "commune",
                  "compétences": "skills", "mobile": "mobile", "e-mail": "email",
                  "notes": "notes"}  # fmt: skip
IMPORT_LIMITS = {"name": 200, "organisation": 200, "plan_role": 200, "cell_role": 200,
                 "notes": 500, "email": 254}  # fmt: skip


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped_members: int = 0


def _cell_text(value: str) -> str:
    """A cell as typed, without the quote the export puts before a would-be formula."""
    value = (value or "").replace("\x00", "").strip()
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Fichier illisible : enregistrez-le en CSV (UTF-8).")


def _import_row(number: int, row: dict, categories: dict, skills_by_label: dict):
    """(data, skills) of one line, or ValidationError messages naming the line."""
    from django.core.validators import validate_email

    from maillage.territory.communes import resolve_commune

    errors = []
    category = categories.get(row.get("category", "").lower())
    if category is None:
        errors.append(f"catégorie inconnue « {echo(row.get('category', ''))} »")
    data = {
        "category": category,
        "in_cell": row.get("in_cell", "").lower() in ("oui", "1", "x", "yes"),
    }
    for field, limit in IMPORT_LIMITS.items():
        data[field] = row.get(field, "")
        if len(data[field]) > limit:
            errors.append(f"{field_label(field)} trop long ({limit} caractères au plus)")
    if not data["name"]:
        errors.append("nom manquant")
    mobile = row.get("mobile", "")
    try:
        data["mobile"] = validate_phone_fr(mobile).value if mobile else ""
    except ValidationError as exc:
        data["mobile"] = ""
        errors.append(exc.messages[0][0].lower() + exc.messages[0][1:])
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors.append(f"adresse e-mail invalide « {echo(data['email'])} »")
    if not data["mobile"] and not data["email"] and not errors:
        errors.append("ni mobile ni e-mail : indiquez au moins un moyen de le joindre")
    data["commune"] = None
    if row.get("commune"):
        try:
            data["commune"] = resolve_commune(row["commune"])
        except ValidationError as exc:
            errors.append(f"commune : {exc.messages[0]}")
    skills = []
    for label in filter(None, (s.strip() for s in row.get("skills", "").split(","))):
        code = skills_by_label.get(label.lower())
        if code is None:
            errors.append(f"compétence inconnue « {echo(label)} »")
        elif code not in skills:
            skills.append(code)
    if errors:
        raise ValidationError([f"Ligne {number} : {e}." for e in errors])
    return data, skills


def field_label(field: str) -> str:
    return str(Contact._meta.get_field(field).verbose_name).capitalize()


@transaction.atomic
def import_contacts(*, cpts, actor, content: bytes, request=None) -> ImportResult:
    """Create or update outside contacts from a CSV (the export's columns; `;` or `,`),
    all or nothing: any bad line stops the import with every error, each naming its line.
    A line of a member's contact is skipped (members come from the sync); an outside
    contact of the same category and name is updated."""
    import csv

    if len(content) > IMPORT_MAX_BYTES:
        raise ValidationError(f"Fichier trop gros : {IMPORT_MAX_BYTES // 1_000_000} Mo au plus.")
    text = _decode(content).replace("\x00", "")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError("Fichier vide : la première ligne doit nommer les colonnes.")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [_cell_text(h).lower() for h in next(reader)]
    columns = {i: IMPORT_COLUMNS[h] for i, h in enumerate(header) if h in IMPORT_COLUMNS}
    missing = [h for h in ("catégorie", "nom") if h not in header]
    if missing or not ({"mobile", "e-mail"} & set(header)):
        raise ValidationError("Colonnes attendues : Catégorie, Nom, et Mobile ou E-mail (puis, "
                              "au choix : Structure, Commune, Compétences, Rôle dans le plan, "
                              "Cellule de crise, Rôle dans la cellule, Notes).")  # fmt: skip
    categories = {}
    for value, label in ContactCategory.choices:
        categories[value] = categories[str(label).lower()] = value
    skills_by_label = {**{c: c for c in SKILLS}, **{v.lower(): c for c, v in SKILLS.items()}}
    parsed, errors, result = [], [], ImportResult()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if number - 1 > IMPORT_MAX_ROWS:
            raise ValidationError(f"Trop de lignes : {IMPORT_MAX_ROWS} contacts au plus.")
        row = {field: _cell_text(cells[i]) for i, field in columns.items() if i < len(cells)}
        if categories.get(row.get("category", "").lower()) == ContactCategory.MEMBER:
            result.skipped_members += 1
            continue
        try:
            parsed.append(_import_row(number, row, categories, skills_by_label))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    existing = {
        (c.category, c.name.lower()): c
        for c in Contact.objects.for_cpts(cpts).active().filter(account__isnull=True)
    }
    for data, skills in parsed:
        contact = existing.get((data["category"], data["name"].lower()))
        saved = contact_save(cpts=cpts, actor=actor, data=data, skills=skills, contact=contact,
                             request=request)  # fmt: skip
        existing[(saved.category, saved.name.lower())] = saved
        if contact is None:
            result.created += 1
        else:
            result.updated += 1
    audit.record(action="crisis.contacts_import", actor=actor, cpts=cpts, request=request,
                 object_type="crisis.Contact",
                 detail={"created": result.created, "updated": result.updated})  # fmt: skip
    return result
