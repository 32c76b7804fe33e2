"""Picking a member of the CPTS (a professional) by name, e-mail or RPPS, with
suggestions as one types, instead of a select listing every member.

Same combobox as the commune and patient pickers (maillage.js): a visible text input
(`<name>_search`) and a hidden input `<name>` receiving the chosen member's public id.
Without JavaScript the typed text is searched: one match is that member, several ask for
more. Members of a CPTS number in the hundreds at most: they are matched in Python on
accent-free names, the same way on SQLite and PostgreSQL.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse

from maillage.core import permissions
from maillage.core.models import Membership
from maillage.territory.models import search_key

from .models import GP_PROFESSION, GP_SPECIALTIES, DirectoryEntry

SEARCH_MAX = 100
SUGGESTION_LIMIT = 10


def general_practitioners(cpts):
    """The members who can be a patient's médecin traitant: active professional members
    whose account is linked to a general practitioner's entry of this CPTS's directory."""
    return (
        Membership.objects.active().filter(cpts=cpts).professionals()
        .filter(user__directory_entries__cpts=cpts,
                user__directory_entries__professional__profession_code=GP_PROFESSION,
                user__directory_entries__professional__specialty_code__in=GP_SPECIALTIES)
        .distinct()
    )  # fmt: skip


# Which members a picker offers (?scope=): its suggestions and its field agree.
SCOPES = {
    "gps": general_practitioners,
    "professionals": lambda cpts: Membership.objects.active().filter(cpts=cpts).professionals(),
    # The CPTS's own people: a funder (CPAM, ARS) is never offered.
    "members": lambda cpts: Membership.objects.active().filter(cpts=cpts)
    .with_permission(permissions.member),
    # Who may be in a patient's care team (pathways.services.proposed_team).
    "care_team": lambda cpts: Membership.objects.active().filter(cpts=cpts)
    .with_permission(permissions.see_patients),
}


def member_label(membership) -> str:
    user = membership.user
    name = user.get_full_name() or user.email
    return f"{name} ({membership.title})" if membership.title else name


def search_members(queryset, text: str, *, limit: int = SUGGESTION_LIMIT) -> list[Membership]:
    """Members of `queryset` whose name or e-mail contains every typed word (accents and
    case ignored), or whose directory entry has this RPPS (11 digits)."""
    text = (text or "").strip()
    if not text or len(text) > SEARCH_MAX or "\x00" in text:
        return []
    queryset = queryset.select_related("user")
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 11:
        accounts = DirectoryEntry.objects.filter(
            account__isnull=False, professional__national_id__in=[digits, "8" + digits]
        ).values("account_id")
        return list(queryset.filter(user_id__in=accounts).order_by("user__last_name")[:limit])
    words = search_key(text).split()
    if not words or sum(len(w) for w in words) < 2:
        return []
    found = []
    for membership in queryset.order_by("user__last_name", "user__first_name", "pk"):
        user = membership.user
        haystack = search_key(f"{user.first_name} {user.last_name} {user.email}")
        if all(word in haystack for word in words):
            found.append(membership)
            if len(found) >= limit:
                break
    return found


class MemberPickerInput(forms.Widget):
    template_name = "directory/widgets/member_picker.html"

    def __init__(self, attrs=None, *, cpts_slug="", scope="professionals"):
        super().__init__(attrs)
        self.cpts_slug, self.scope = cpts_slug, scope

    def value_from_datadict(self, data, files, name):
        return {"id": (data.get(name) or "").strip(),
                "text": (data.get(f"{name}_search") or "").strip()}  # fmt: skip

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def format_value(self, value):
        if isinstance(value, Membership):
            return {"id": str(value.public_id), "text": member_label(value)}
        return value if isinstance(value, dict) else {"id": "", "text": ""}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        chosen = self.format_value(value)
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update({
            "input_id": input_id, "text_name": f"{name}_search",
            "text_value": chosen.get("text", "")[:SEARCH_MAX], "id_value": chosen.get("id", ""),
            "suggest_url": reverse("directory:member_suggestions", args=[self.cpts_slug])
            + f"?scope={self.scope}&field={name}_search",
            "htmx_src": static("django_htmx/htmx-2.min.js"),
        })  # fmt: skip
        return context


class MemberPickerField(forms.Field):
    """A member of `cpts` within `scope`, picked by name, e-mail or RPPS; cleans to a
    Membership."""

    widget = MemberPickerInput
    default_error_messages = {
        "required": "Choisissez un professionnel (nom, e-mail ou RPPS).",
        "unknown": "Aucun professionnel de la CPTS ne correspond.",
        "several": "Plusieurs professionnels correspondent : choisissez dans la liste ou "
                   "précisez (prénom, e-mail ou RPPS).",
        "too_long": f"Recherche trop longue ({SEARCH_MAX} caractères au plus).",
    }  # fmt: skip

    def __init__(self, *, cpts, scope="professionals", **kwargs):
        kwargs.setdefault("help_text", "Nom, e-mail ou numéro RPPS (11 chiffres).")
        super().__init__(**kwargs)
        self.queryset = SCOPES[scope](cpts)
        self.widget.cpts_slug, self.widget.scope = cpts.slug, scope

    def to_python(self, value):
        if isinstance(value, Membership):
            return value
        value = value if isinstance(value, dict) else {"id": "", "text": str(value or "")}
        if value.get("id"):
            found = self.queryset.filter(public_id=value["id"]) if _uuid(value["id"]) else None
            member = found.select_related("user").first() if found is not None else None
            if member is None:
                raise ValidationError(self.error_messages["unknown"], code="unknown")
            return member
        text = value.get("text", "")
        if not text:
            return None
        if len(text) > SEARCH_MAX or "\x00" in text:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        matches = search_members(self.queryset, _without_title(text), limit=2)
        if not matches:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if len(matches) > 1:
            raise ValidationError(self.error_messages["several"], code="several")
        return matches[0]

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


def _without_title(text: str) -> str:
    # A suggestion writes "Julien Perrin (Médecin généraliste)": the title is not searched.
    return text.split(" (", 1)[0] if text.endswith(")") else text


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
