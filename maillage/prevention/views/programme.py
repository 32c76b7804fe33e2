"""Programme and actions pages: the mission's index (actions by date), the yearly
programme and its themes, and each action's hub page (places, professionals and their
attendance, materials, proof counts and the proofs checklist, links to the other areas)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from maillage.core import audit, permissions, uploads
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form
from maillage.core.models import Membership
from maillage.directory.pickers import MemberPickerField
from maillage.territory.fields import CommuneField
from maillage.territory.services import territory_communes

from .. import actions as action_services
from .. import programme as programme_services
from .. import scoring, vaccination
from ..indicators import action_figures
from ..models import (
    Action,
    ActionKind,
    ActionProfessional,
    ActionStatus,
    Material,
    MaterialKind,
    ProgrammeTheme,
    Sex,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
COUNT_ERRORS = {
    "invalid": "Indiquez un nombre entier (ex. : 120).",
    "min_value": "Un nombre négatif n'a pas de sens ici : indiquez 0 ou plus.",
    "max_value": "Nombre trop grand : 1 000 000 au plus.",
}


def _count(label, *, required=False, help_text=""):
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=1_000_000,
                              help_text=help_text, error_messages=COUNT_ERRORS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))  # fmt: skip


def _when(label):
    return forms.DateTimeField(
        label=label, input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Indiquez la date et l'heure.",
                        "invalid": "Date et heure invalides (ex. : 14/03/2027 09:00)."},
    )  # fmt: skip


def _theme_field(cpts, **kwargs):
    return forms.ModelChoiceField(
        queryset=programme_services.themes_for(cpts), to_field_name="code",
        error_messages={"required": "Choisissez un thème.", "invalid_choice": "Thème inconnu."},
        **kwargs)  # fmt: skip


# The programme -------------------------------------------------------------------------


class ThemeForm(forms.Form):
    label = forms.CharField(label="Intitulé du thème", max_length=200,
                            error_messages={"required": "Indiquez l'intitulé du thème."})
    code = forms.SlugField(
        label="Code (facultatif)", max_length=60, required=False,
        help_text="Lettres sans accent, chiffres et tirets ; tiré de l'intitulé si vide.",
        error_messages={"invalid": "Lettres sans accent, chiffres et tirets seulement."})
    description = forms.CharField(label="Description (facultatif)", required=False,
                                  max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    default_kind = forms.ChoiceField(label="Type d'action habituel", required=False,
                                     choices=[("", "—"), *ActionKind.choices])


class ProgrammeThemeForm(forms.Form):
    objectives = forms.CharField(label="Objectifs", required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    target_sex = forms.ChoiceField(label="Sexe de la population cible", required=False,
                                   choices=[("", "Les deux"), *Sex.choices])
    age_min = forms.IntegerField(label="Âge minimum (facultatif)", required=False, min_value=0,
                                 max_value=120, error_messages={
                                     "min_value": "Âge entre 0 et 120.",
                                     "max_value": "Âge entre 0 et 120.",
                                     "invalid": "Indiquez un âge en années."})  # fmt: skip
    age_max = forms.IntegerField(label="Âge maximum (facultatif)", required=False, min_value=0,
                                 max_value=120, error_messages={
                                     "min_value": "Âge entre 0 et 120.",
                                     "max_value": "Âge entre 0 et 120.",
                                     "invalid": "Indiquez un âge en années."})  # fmt: skip
    communes = forms.ModelMultipleChoiceField(
        label="Communes (aucune : tout le territoire)", required=False, to_field_name="code",
        queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Commune hors du territoire."})
    size_mode = forms.ChoiceField(
        label="Taille de la population cible", widget=forms.RadioSelect, initial="entered",
        choices=[("entered", "Saisie (avec sa source)"),
                 ("computed", "Calculée : population INSEE des communes (tous âges, deux "
                              "sexes seulement)")])  # fmt: skip
    target_size = _count("Taille saisie (facultatif)")
    target_note = forms.CharField(label="Source de la taille", required=False, max_length=300,
                                  help_text="Ex. : ORS Auvergne-Rhône-Alpes 2024, CPAM.")
    objective_rate = forms.DecimalField(
        label="Objectif de couverture en % (facultatif)", required=False, min_value=0,
        max_value=100, decimal_places=2,
        error_messages={"min_value": "Un taux entre 0 et 100 %%.",
                        "max_value": "Un taux entre 0 et 100 %%.",
                        "invalid": "Indiquez un taux (ex. : 61,5).",
                        "max_decimal_places": "Deux décimales au plus."})  # fmt: skip
    objective_count = _count("Objectif en nombre de personnes (facultatif)")

    def __init__(self, *args, cpts, with_theme=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = territory_communes(cpts).order_by("name")
        if with_theme:
            self.fields = {"theme": _theme_field(cpts, label="Thème"), **self.fields}


def _programme_theme_data(form):
    data = {f: form.cleaned_data.get(f) for f in programme_services.PT_FIELDS}
    data["communes"] = list(form.cleaned_data.get("communes") or [])
    return data


@member_view(permissions.see_prevention)
def programme_view(request):
    year_text = request.GET.get("annee", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else (
        programme_services.current_year())
    can_manage = permissions.manage_prevention(request.membership)
    form = None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise Http404
        form = ProgrammeThemeForm(request.POST, cpts=request.cpts, with_theme=True)
        if form.is_valid():
            existing = programme_services.programme_for(request.cpts, year)
            try:
                # The year's programme is created with its first theme, or not at all.
                with transaction.atomic():
                    programme = existing or programme_services.programme_save(
                        cpts=request.cpts, actor=request.user, year=year, request=request)
                    saved = programme_services.programme_theme_save(
                        programme=programme, theme=form.cleaned_data["theme"],
                        actor=request.user, data=_programme_theme_data(form),
                        compute=form.cleaned_data["size_mode"] == "computed", request=request)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Thème ajouté au programme {year} : "
                                          f"{saved.theme.label}.")  # fmt: skip
                return redirect(reverse("prevention:programme", args=[request.cpts.slug])
                                + f"?annee={year}")  # fmt: skip
        status = 400
    elif can_manage:
        form = ProgrammeThemeForm(cpts=request.cpts, with_theme=True)
    programme = programme_services.programme_for(request.cpts, year)
    rows = []
    if programme is not None:
        rows = list(ProgrammeTheme.objects.for_cpts(request.cpts).filter(programme=programme)
                    .select_related("theme").prefetch_related("communes"))  # fmt: skip
    return render(request, "prevention/programme/programme.html", {
        "year": year, "programme": programme, "rows": rows, "form": form,
        "can_manage": can_manage, "years": [year - 1, year + 1],
        "own_themes": programme_services.themes_for(request.cpts).filter(cpts=request.cpts),
    }, status=status)  # fmt: skip


@member_view(permissions.manage_prevention)
def theme_new_view(request):
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme = programme_services.theme_create(
                    cpts=request.cpts, actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Thème créé : {theme.label} (code {theme.code}).")
                return redirect("prevention:programme", cpts_slug=request.cpts.slug)
    else:
        form = ThemeForm()
    return render(request, "prevention/programme/theme_new.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_prevention)
def programme_theme_view(request, public_id):
    row = get_by_public_id(ProgrammeTheme.objects.for_cpts(request.cpts)
                           .select_related("theme", "programme"), public_id)  # fmt: skip
    back = reverse("prevention:programme", args=[request.cpts.slug]) + (
        f"?annee={row.programme.year}")
    if request.method == "POST":
        if request.POST.get("remove"):
            programme_services.programme_theme_remove(programme_theme=row, actor=request.user,
                                                      request=request)  # fmt: skip
            messages.success(request, f"Thème retiré du programme : {row.theme.label}.")
            return redirect(back)
        form = ProgrammeThemeForm(request.POST, cpts=request.cpts)
        if form.is_valid():
            try:
                programme_services.programme_theme_save(
                    programme=row.programme, theme=row.theme, actor=request.user,
                    data=_programme_theme_data(form), programme_theme=row,
                    compute=form.cleaned_data["size_mode"] == "computed", request=request)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Thème enregistré : {row.theme.label}.")
                return redirect(back)
    else:
        initial = {f: getattr(row, f) for f in programme_services.PT_FIELDS}
        initial["communes"] = list(row.communes.all())
        initial["size_mode"] = row.target_source
        form = ProgrammeThemeForm(initial=initial, cpts=request.cpts)
    return render(request, "prevention/programme/programme_theme.html", {
        "row": row, "form": form, "back": back,
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


# Actions -------------------------------------------------------------------------------


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label="Type d'action", choices=ActionKind.choices,
                             error_messages={"required": "Choisissez le type d'action."})
    theme = forms.ModelChoiceField(queryset=None, label="Thème")
    title = forms.CharField(label="Intitulé", max_length=200,
                            error_messages={"required": "Indiquez l'intitulé de l'action."})
    start = _when("Début")
    end = _when("Fin")
    status = forms.ChoiceField(label="État", choices=ActionStatus.choices,
                               initial=ActionStatus.PLANNED)
    structure = forms.CharField(
        label="Structure de l'annuaire (facultatif)", required=False, max_length=200,
        help_text="Nom de l'officine, du cabinet ou de l'établissement, tel qu'à l'annuaire.")
    place = forms.CharField(label="Ou lieu saisi (facultatif)", required=False, max_length=300,
                            help_text="Ex. : salle des fêtes, place du marché.")
    commune = CommuneField(label="Commune", required=False)
    partners = forms.CharField(label="Partenaires (facultatif)", required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    questionnaire = forms.ChoiceField(
        label="Questionnaire (dépistage)", required=False, choices=[],
        help_text="Vide : celui du thème.", error_messages={
            "invalid_choice": "Questionnaire inconnu."})  # fmt: skip
    vaccines = forms.MultipleChoiceField(
        label="Vaccins (campagne de vaccination)", required=False,
        choices=list(vaccination.VACCINES.items()), widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Vaccin inconnu."})
    target_size = _count("Population cible de l'action (facultatif)",
                         help_text="Vide : celle du thème au programme de l'année.")
    objective_rate = ProgrammeThemeForm.base_fields["objective_rate"]
    public = forms.BooleanField(label="Ouverte au public (page sur le site public, inscriptions)",
                                required=False)
    audience = forms.CharField(label="Qui peut venir (facultatif)", required=False,
                               max_length=300, help_text="Ex. : personnes de 45 ans et plus.")
    capacity = forms.IntegerField(
        label="Nombre de places", required=False, min_value=1,
        max_value=action_services.CAPACITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": action_services.CAPACITY_RANGE,
                        "max_value": action_services.CAPACITY_RANGE,
                        "invalid": "Indiquez un nombre entier de places."})  # fmt: skip

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.cpts = cpts
        self.fields["theme"] = _theme_field(cpts, label="Thème")
        self.fields["questionnaire"].choices = [("", "—"), *scoring.choices(cpts)]

    def clean_structure(self):
        name = self.cleaned_data.get("structure", "").strip()
        if not name:
            return None
        rows = action_services.structures_for(self.cpts)
        exact = list(rows.filter(name__iexact=name)[:2])
        found = exact or list(rows.filter(name__icontains=name)[:2])
        if not found:
            raise forms.ValidationError("Aucune structure de l'annuaire ne porte ce nom.")
        if len(found) > 1:
            raise forms.ValidationError("Plusieurs structures portent ce nom : précisez.")
        return found[0]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", action_services.END_BEFORE_START)
        if data.get("public") and not data.get("capacity") and not self.errors.get("capacity"):
            self.add_error("capacity", "Une action ouverte au public indique son nombre de "
                                       "places.")  # fmt: skip
        return data


def _action(request, public_id, queryset=None):
    queryset = queryset if queryset is not None else Action.objects.all()
    return get_by_public_id(queryset.for_cpts(request.cpts), public_id)


def _action_form(request, action):
    if request.method == "POST":
        form = ActionForm(request.POST, cpts=request.cpts)
        if form.is_valid():
            try:
                saved = action_services.action_save(cpts=request.cpts, actor=request.user,
                                                    data=dict(form.cleaned_data), action=action,
                                                    request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Action enregistrée : {saved.title}.")
                return redirect("prevention:action", cpts_slug=request.cpts.slug,
                                public_id=saved.public_id)  # fmt: skip
    elif action is not None:
        initial = {f: getattr(action, f) for f in action_services.ACTION_FIELDS}
        initial["theme"] = action.theme.code
        initial["structure"] = action.structure.name if action.structure_id else ""
        initial["commune"] = action.commune
        form = ActionForm(initial=initial, cpts=request.cpts)
    else:
        initial = {"kind": request.GET.get("type", "")}
        form = ActionForm(initial=initial, cpts=request.cpts)
    return render(request, "prevention/programme/action_form.html", {
        "form": form, "action": action,
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.see_prevention)
def actions_view(request):
    kind = request.GET.get("type", "")
    kind = kind if kind in ActionKind.values else ""
    themes = programme_services.themes_for(request.cpts)
    theme = themes.filter(code=request.GET.get("theme", "")[:60]).first()
    year_text = request.GET.get("annee", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    upcoming, past = action_services.index(request.cpts, kind=kind, theme=theme, year=year)
    return render(request, "prevention/programme/actions.html", {
        "upcoming": upcoming, "past": past, "kinds": ActionKind.choices, "themes": themes,
        "kind": kind, "theme": theme, "year": year or "",
        "can_manage": permissions.manage_prevention(request.membership),
    })  # fmt: skip


@member_view(permissions.manage_prevention)
def action_new_view(request):
    return _action_form(request, None)


@member_view(permissions.manage_prevention)
def action_edit_view(request, public_id):
    return _action_form(request, _action(request, public_id))


class ProfessionalForm(forms.Form):
    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = MemberPickerField(cpts=cpts, label="Professionnel")
        self.fields["role"] = forms.CharField(
            label="Rôle (facultatif)", required=False, max_length=120,
            help_text="Ex. : mesures, accueil, animation.")


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        label="Présent", choices=[("1", "Oui"), ("0", "Non")], coerce=lambda v: v == "1",
        error_messages={"required": "Indiquez si le professionnel était présent."})
    minutes = forms.IntegerField(label="Temps passé (minutes)", required=False, min_value=0,
                                 max_value=24 * 60, error_messages={
                                     "min_value": "Entre 0 et 1 440 minutes.",
                                     "max_value": "Entre 0 et 1 440 minutes (24 h).",
                                     "invalid": "Indiquez un nombre de minutes."})  # fmt: skip


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label="Nature du document", choices=MaterialKind.choices)
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, image, document bureautique ou CSV ; 10 Mo au plus.",
        error_messages={"required": "Choisissez un fichier.",
                        "empty": uploads.EMPTY,
                        "invalid": "Fichier illisible : choisissez-le de nouveau."})  # fmt: skip


class CountsForm(forms.Form):
    informed_count = _count("Personnes informées")
    paper_screened = _count("Dépistées sur papier (hors saisie sur téléphone)")
    paper_referred = _count("Orientées sur papier (hors saisie sur téléphone)")


def _hub_links(request, action):
    """The other areas' pages for this action, by its kind and the caller's rights."""
    m, slug, pid = request.membership, request.cpts.slug, action.public_id
    links = []
    if action.kind == ActionKind.SCREENING and permissions.screen_participants(m):
        links.append(("Saisir les participants (dépistage)",
                      reverse("prevention:screen", args=[slug, pid])))
    if action.public and permissions.check_in_participants(m):
        links.append(("Accueil des inscrits", reverse("prevention:checkin", args=[slug, pid])))
    if action.kind == ActionKind.VACCINATION and permissions.report_doses(m):
        links.append(("Déclarer des doses",
                      reverse("prevention:doses", args=[slug]) + f"?action={pid}"))
    if action.kind == ActionKind.SCREENING and permissions.follow_screening_referrals(m):
        links.append(("Orientations des dépistages positifs",
                      reverse("prevention:followups", args=[slug]) + f"?action={pid}"))
    if permissions.see_prevention_indicators(m):
        links.append(("Indicateurs", reverse("prevention:indicators", args=[slug])
                      + f"?action={pid}"))
    return links


def _hub(request, action, *, professional_form=None, material_form=None, counts_form=None,
         attendance_errors=None, status=200):
    can_manage = permissions.manage_prevention(request.membership)
    figures = action_figures(action)
    professionals = list(ActionProfessional.objects.for_cpts(request.cpts).filter(action=action)
                         .select_related("user").order_by("user__last_name", "pk"))  # fmt: skip
    member_ids = dict(Membership.objects.filter(
        cpts=request.cpts, user_id__in=[p.user_id for p in professionals])
        .values_list("user_id", "public_id"))  # fmt: skip
    for row in professionals:
        row.member_id = member_ids.get(row.user_id, "")
    size, rate, note = action_services.target_of(action)
    context = {
        "action": action, "figures": figures, "checklist": action_services.checklist(
            action, figures), "professionals": professionals,
        "materials": list(Material.objects.filter(action=action).defer("content")),
        "can_manage": can_manage, "links": _hub_links(request, action),
        "target_size": size, "objective_rate": rate, "target_note": note,
        "vaccines": [vaccination.VACCINES.get(v, v) for v in action.vaccines],
        "questionnaire": dict(scoring.choices(request.cpts)).get(action.questionnaire, ""),
        "attendance_errors": attendance_errors or {},
    }
    if can_manage:
        context.update({
            "professional_form": professional_form or ProfessionalForm(cpts=request.cpts),
            "material_form": material_form or MaterialForm(),
            "counts_form": counts_form or CountsForm(initial={
                "informed_count": action.informed_count,
                "paper_screened": action.paper_screened,
                "paper_referred": action.paper_referred}),
        })  # fmt: skip
    return render(request, "prevention/programme/action.html", context, status=status)


def _hub_action(request, public_id):
    return _action(request, public_id, Action.objects.select_related(
        "theme", "commune", "structure", "programme_theme"))


@member_view(permissions.see_prevention)
def action_view(request, public_id):
    return _hub(request, _hub_action(request, public_id))


def _back_to(request, action, anchor=""):
    return redirect(reverse("prevention:action", args=[request.cpts.slug, action.public_id])
                    + anchor)  # fmt: skip


@member_view(permissions.manage_prevention)
@require_POST
def professionals_view(request, public_id):
    """Add a professional, record their attendance, or remove them (`op`)."""
    action = _hub_action(request, public_id)
    op = request.POST.get("op", "add")
    if op == "add":
        form = ProfessionalForm(request.POST, cpts=request.cpts)
        if form.is_valid():
            try:
                action_services.professional_add(
                    action=action, membership=form.cleaned_data["member"], actor=request.user,
                    role=form.cleaned_data["role"], request=request)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "Professionnel ajouté.")
                return _back_to(request, action, "#professionnels")
        return _hub(request, action, professional_form=form, status=400)
    member = Membership.objects.filter(cpts=request.cpts)
    try:
        member = member.get(public_id=request.POST.get("member", ""))
    except (Membership.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    row = ActionProfessional.objects.filter(action=action, user_id=member.user_id).first()
    if row is None:
        raise Http404
    if op == "remove":
        action_services.professional_remove(professional=row, actor=request.user,
                                            request=request)  # fmt: skip
        messages.success(request, "Professionnel retiré de l'action.")
        return _back_to(request, action, "#professionnels")
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            action_services.professional_record(
                professional=row, actor=request.user, attended=form.cleaned_data["attended"],
                minutes=form.cleaned_data["minutes"], request=request)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Présence enregistrée.")
            return _back_to(request, action, "#professionnels")
    errors = [e for errs in form.errors.values() for e in errs]
    return _hub(request, action, attendance_errors={row.pk: " ".join(errors)}, status=400)


@member_view(permissions.manage_prevention)
@require_POST
def counts_view(request, public_id):
    action = _hub_action(request, public_id)
    form = CountsForm(request.POST)
    if form.is_valid():
        action_services.counts_save(action=action, actor=request.user, request=request,
                                    **form.cleaned_data)  # fmt: skip
        messages.success(request, "Comptes enregistrés.")
        return _back_to(request, action, "#preuves")
    return _hub(request, action, counts_form=form, status=400)


@member_view(permissions.manage_prevention)
@require_POST
def material_upload_view(request, public_id):
    action = _hub_action(request, public_id)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = action_services.material_add(
                action=action, actor=request.user, kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"], request=request)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Document ajouté : {material.file_name}.")
            return _back_to(request, action, "#documents")
    return _hub(request, action, material_form=form, status=400)


def _material(request, public_id):
    return get_by_public_id(Material.objects.for_cpts(request.cpts).select_related("action"),
                            public_id)  # fmt: skip


@member_view(permissions.see_prevention)
def material_view(request, public_id):
    material = _material(request, public_id)
    audit.record(action="prevention.material_download", actor=request.user, cpts=request.cpts,
                 obj=material, request=request)  # fmt: skip
    response = HttpResponse(bytes(material.content), content_type=material.content_type)
    name = uploads.safe_file_name(material.file_name)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    from urllib.parse import quote

    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(name)}")  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_view(permissions.manage_prevention)
@require_POST
def material_delete_view(request, public_id):
    material = _material(request, public_id)
    action = material.action
    action_services.material_delete(material=material, actor=request.user, request=request)
    messages.success(request, f"Document supprimé : {material.file_name}.")
    return _back_to(request, action, "#documents")


urls = [
    path("c/<slug:cpts_slug>/prevention/", actions_view, name="actions"),
    path("c/<slug:cpts_slug>/prevention/programme/", programme_view, name="programme"),
    path("c/<slug:cpts_slug>/prevention/themes/nouveau/", theme_new_view, name="theme_new"),
    path("c/<slug:cpts_slug>/prevention/programme/themes/<str:public_id>/",
         programme_theme_view, name="programme_theme"),
    path("c/<slug:cpts_slug>/prevention/actions/nouvelle/", action_new_view, name="action_new"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/", action_view, name="action"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/modifier/", action_edit_view,
         name="action_edit"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/professionnels/",
         professionals_view, name="action_professionals"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/comptes/", counts_view,
         name="action_counts"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/documents/",
         material_upload_view, name="material_upload"),
    path("c/<slug:cpts_slug>/prevention/documents/<str:public_id>/", material_view,
         name="material"),
    path("c/<slug:cpts_slug>/prevention/documents/<str:public_id>/supprimer/",
         material_delete_view, name="material_delete"),
]  # fmt: skip
