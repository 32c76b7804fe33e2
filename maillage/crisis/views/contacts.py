"""The contact tree's pages: the list with its group filters and the yearly check, the
members' sync, an outside contact's form, the printable sheet and the CSV."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_object_for_member, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.core.text import plural_s
from maillage.core.validators import validate_phone_fr
from maillage.directory.models import profession_label
from maillage.territory.fields import CommuneField

from .. import contacts as tree
from ..models import Contact, ContactCategory
from ..skills import SKILLS

MAX_GROUPS = 20


class ContactForm(forms.Form):
    category = forms.ChoiceField(
        label="Catégorie",
        choices=[c for c in ContactCategory.choices if c[0] != ContactCategory.MEMBER],
        error_messages={"required": "Choisissez la catégorie du contact.",
                        "invalid_choice": "Catégorie inconnue."})  # fmt: skip
    name = forms.CharField(
        label="Nom", max_length=200, error_messages={"required": "Indiquez le nom du contact."}
    )
    organisation = forms.CharField(label="Structure (facultatif)", max_length=200,
                                   required=False,
                                   help_text="Ex. : Centre hospitalier Pierre Oudot, Mairie "
                                             "de Four.")  # fmt: skip
    mobile = forms.CharField(
        label="Téléphone mobile", max_length=30, required=False,
        help_text="Ex. : 06 12 34 56 78. Un mobile ou une adresse e-mail au moins.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))  # fmt: skip
    email = forms.EmailField(
        label="E-mail",
        required=False,
        max_length=254,
        error_messages={"invalid": "Adresse e-mail invalide (ex. : prenom.nom@exemple.fr)."},
    )
    commune = CommuneField(label="Commune (facultatif)", required=False)
    skills = forms.MultipleChoiceField(
        label="Compétences", required=False, choices=list(SKILLS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Compétence inconnue."})  # fmt: skip
    plan_role = forms.CharField(label="Rôle dans le plan (facultatif)", max_length=200,
                                required=False,
                                help_text="Ex. : référent SSE suppléant, lien avec la "
                                          "mairie.")  # fmt: skip
    in_cell = forms.BooleanField(label="Membre de la cellule de crise", required=False)
    cell_role = forms.CharField(
        label="Rôle dans la cellule (facultatif)",
        max_length=200,
        required=False,
        help_text="Ex. : pilotage, logistique, communication.",
    )
    notes = forms.CharField(
        label="Notes (facultatif)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, member=False, **kwargs):
        super().__init__(*args, **kwargs)
        if member:
            # A member's category is not chosen: the sync keeps it.
            del self.fields["category"]

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        return validate_phone_fr(value).value if value else ""

    def clean(self):
        data = super().clean()
        if "mobile" in data and "email" in data and not data["mobile"] and not data["email"]:
            self.add_error("mobile", "Indiquez au moins un moyen de joindre ce contact : un "
                                     "téléphone mobile ou une adresse e-mail.")  # fmt: skip
        return data


def _groups(request) -> tuple[list[str], str]:
    """The groups asked for in the query string (several: any of them), and an error."""
    values = [v for v in request.GET.getlist("groupe") if v.strip()][:MAX_GROUPS]
    try:
        return [":".join(tree.parse_group(v)).rstrip(":") for v in values], ""
    except ValidationError as exc:
        return [], exc.messages[0]


@member_view(permissions.see_crisis_board)
def contacts_view(request):
    cpts = request.cpts
    groups, error = _groups(request)
    options = tree.group_options(cpts)
    contacts = list(tree.tree(cpts, groups or None))
    sections = []
    for contact in contacts:
        if not sections or sections[-1][0] != contact.category:
            sections.append((contact.category, contact.get_category_display(), []))
        sections[-1][2].append(contact)
    for contact in contacts:
        contact.skill_labels = [SKILLS.get(s.code, s.code) for s in contact.skills.all()]
        contact.profession = profession_label(contact.profession_code) if (
            contact.profession_code) else ""  # fmt: skip
    chosen = [(g, tree.group_label(g, options)) for g in groups]
    check = tree.last_test(cpts) if permissions.manage_crisis(request.membership) else None
    kinds = (
        ("Groupes", ("all", "cell")),
        ("Professions", ("profession",)),
        ("Communes", ("commune",)),
        ("Compétences", ("skill",)),
    )
    option_groups = [(legend, [o for o in options if o.value.partition(":")[0] in prefixes])
                     for legend, prefixes in kinds]  # fmt: skip
    return render(request, "crisis/contacts_list.html", {
        "sections": sections, "count": len(contacts), "groups": groups,
        "option_groups": [(legend, found) for legend, found in option_groups if found],
        "chosen": chosen, "error": error, "check": check,
        "query": request.GET.urlencode(),
    }, status=400 if error else 200)  # fmt: skip


@member_view(permissions.manage_crisis)
@require_POST
def contacts_sync_view(request):
    result = tree.sync_members(cpts=request.cpts, actor=request.user, request=request)
    messages.success(request, (
        f"Membres de la CPTS : {result.created} contact{plural_s(result.created)} "
        f"ajouté{plural_s(result.created)}, {result.updated} mis à jour, {result.archived} "
        f"archivé{plural_s(result.archived)} (départs), {result.unchanged} "
        f"inchangé{plural_s(result.unchanged)}."))  # fmt: skip
    return redirect("crisis:contacts", cpts_slug=request.cpts.slug)


def _form_view(request, contact):
    member = contact is not None and contact.account_id is not None
    if request.method == "POST":
        form = ContactForm(request.POST, member=member)
        if form.is_valid():
            data = dict(form.cleaned_data)
            skills = data.pop("skills")
            try:
                saved = tree.contact_save(
                    cpts=request.cpts,
                    actor=request.user,
                    data=data,
                    skills=skills,
                    contact=contact,
                    request=request,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Contact enregistré : {saved.name}.")
                return redirect("crisis:contacts", cpts_slug=request.cpts.slug)
    else:
        initial = {}
        if contact is not None:
            initial = {f: getattr(contact, f) for f in tree.CONTACT_FIELDS}
            initial["skills"] = list(contact.skills.values_list("code", flat=True))
        form = ContactForm(initial=initial, member=member)
    return render(request, "crisis/contacts_form.html", {
        "form": form, "contact": contact, "member": member,
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_crisis)
def contact_new_view(request):
    return _form_view(request, None)


def _contact(request, public_id):
    return get_object_for_member(Contact.objects.select_related("commune"),
                                 request.membership, public_id)  # fmt: skip


@member_view(permissions.manage_crisis)
def contact_view(request, public_id):
    return _form_view(request, _contact(request, public_id))


@member_view(permissions.manage_crisis)
@require_POST
def contact_archive_view(request, public_id):
    contact = tree.contact_archive(contact=_contact(request, public_id), actor=request.user,
                                   request=request)  # fmt: skip
    messages.success(request, f"Contact archivé : {contact.name}. Il ne reçoit plus les alertes.")
    return redirect("crisis:contacts", cpts_slug=request.cpts.slug)


@member_view(permissions.see_crisis_board)
def contacts_print_view(request):
    contacts = list(tree.tree(request.cpts))
    sections = []
    for contact in contacts:
        contact.skill_labels = [SKILLS.get(s.code, s.code) for s in contact.skills.all()]
        if not sections or sections[-1][0] != contact.category:
            sections.append((contact.category, contact.get_category_display(), []))
        sections[-1][2].append(contact)
    return render(request, "crisis/contacts_print.html", {
        "sections": sections, "count": len(contacts), "printed_at": timezone.localtime(),
    })  # fmt: skip


@member_view(permissions.see_crisis_board)
def contacts_csv_view(request):
    contacts = tree.tree(request.cpts)
    audit.record(action="crisis.contacts_export", actor=request.user, cpts=request.cpts,
                 object_type="crisis.Contact", request=request)  # fmt: skip
    day = timezone.localdate().isoformat()
    response = csv_response(f"arbre-alerte-{request.cpts.slug}-{day}.csv", tree.CSV_HEADER,
                            tree.csv_rows(contacts))  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV des contacts extérieurs",
        help_text="Les colonnes de l'export : Catégorie, Nom, Structure, Mobile, E-mail, "
        "Commune, Compétences (séparées par des virgules), Rôle dans le plan, Cellule de crise "
        "(oui/non), Rôle dans la cellule, Notes. Les lignes des membres sont ignorées.",
        error_messages={"required": "Choisissez un fichier CSV.",
                        "empty": "Le fichier est vide."})  # fmt: skip


@member_view(permissions.manage_crisis)
def contacts_import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(tree.IMPORT_MAX_BYTES + 1)
        try:
            result = tree.import_contacts(cpts=request.cpts, actor=request.user,
                                          content=content, request=request)  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, (
                f"Import terminé : {result.created} contact{plural_s(result.created)} "
                f"ajouté{plural_s(result.created)}, {result.updated} mis à jour"
                + (f", {result.skipped_members} ligne{plural_s(result.skipped_members)} de "
                   "membre ignorée" + plural_s(result.skipped_members)
                   if result.skipped_members else "") + "."))  # fmt: skip
            return redirect("crisis:contacts", cpts_slug=request.cpts.slug)
    return render(request, "crisis/contacts_import.html", {
        "form": form, "errors": errors[:50], "more": max(len(errors) - 50, 0),
    }, status=400 if request.method == "POST" else 200)  # fmt: skip
