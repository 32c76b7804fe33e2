"""Pages of the contract: its overview (created from a template when there is none), the
edit of its dates and amounts (one form, all-or-nothing), indicators and the figures the
CPAM supplies."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from maillage.core import permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form

from .. import access, status
from .. import contract as services
from .. import missions as mission_rules
from ..models import (
    ContractIndicator,
    Direction,
    IndicatorSource,
    MissionCode,
    Rule,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "Indiquez la date.", "invalid": "Date invalide (ex. : 30/06/2022)."}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _amount_field(label, *, required=True):
    return forms.CharField(label=label, required=required, max_length=40,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                           error_messages={"required": "Indiquez le montant."})  # fmt: skip


class CreateForm(forms.Form):
    template = forms.ChoiceField(label="Modèle de départ", choices=list(services.TEMPLATES.items()),
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choisissez un modèle.",
                                                 "invalid_choice": "Modèle inconnu."})  # fmt: skip
    signed_on = forms.DateField(label="Date de signature du contrat", input_formats=DATE_FORMATS,
                                widget=DATE_WIDGET, error_messages=DATE_ERRORS)  # fmt: skip


def _tree(contract):
    missions = []
    for mission in (contract.missions.prefetch_related(
            "years", "actions", "proofs", "indicators__years__tiers", "indicators__figures",
            "indicators__action").order_by("pk")):  # fmt: skip
        indicators = list(mission.indicators.all())
        actions = [{"action": a, "indicators": [i for i in indicators if i.action_id == a.pk],
                    "proofs": [p for p in mission.proofs.all() if p.action_id == a.pk]}
                   for a in mission.actions.all()]  # fmt: skip
        loose = [i for i in indicators if i.action_id is None]
        missions.append({"mission": mission, "label": mission_rules.label(mission.code),
                         "mandatory": mission_rules.mandatory(mission.code),
                         "actions": actions, "loose": loose,
                         "years": list(mission.years.all())})  # fmt: skip
    return missions


@member_view(permissions.see_contract)
def contract_view(request):
    contract = access.contract_of(request.cpts)
    access.audit_read(request, "reporting.contract")
    can_manage = permissions.manage_contract(request.membership)
    if contract is None:
        form = None
        if can_manage:
            form = CreateForm(initial={"template": "standard",
                                       "signed_on": request.cpts.aci_signed_on})  # fmt: skip
        return render(request, "reporting/contract/empty.html",
                      {"form": form, "can_manage": can_manage})  # fmt: skip
    return render(request, "reporting/contract/overview.html", {
        "contract": contract, "missions": _tree(contract), "can_manage": can_manage,
        "warnings": status.warnings(contract),
        "template_label": services.TEMPLATES.get(contract.template, ""),
    })  # fmt: skip


@member_view(permissions.manage_contract)
@require_POST
def contract_create_view(request):
    form = CreateForm(request.POST)
    if form.is_valid():
        try:
            services.apply_template(cpts=request.cpts, template=form.cleaned_data["template"],
                                    signed_on=form.cleaned_data["signed_on"],
                                    actor=request.user, request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Contrat créé : vérifiez et ajustez chaque montant.")
            return redirect("reporting:contract", cpts_slug=request.cpts.slug)
    return render(request, "reporting/contract/empty.html",
                  {"form": form, "can_manage": True}, status=400)  # fmt: skip


# -- edit ----------------------------------------------------------------------------


class ContractEditForm(forms.Form):
    signed_on = forms.DateField(label="Date de signature", input_formats=DATE_FORMATS,
                                widget=DATE_WIDGET, error_messages=DATE_ERRORS)  # fmt: skip
    size_class = forms.TypedChoiceField(
        label="Taille ACI",
        coerce=int,
        choices=[(n, f"Taille {n}") for n in range(1, 5)],
        error_messages={"required": "Choisissez la taille.", "invalid_choice": "Taille de 1 à 4."},
    )
    operating_grant = _amount_field("Financement du fonctionnement (EUR par an)")

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.layout = []
        for mission in contract.missions.prefetch_related("years").order_by("pk"):
            row = {"mission": mission, "label": mission_rules.label(mission.code),
                   "included": None, "years": []}  # fmt: skip
            if not mission_rules.mandatory(mission.code):
                name = f"m_{mission.code}_included"
                self.fields[name] = forms.BooleanField(label="Retenue au contrat", required=False)
                self.initial.setdefault(name, mission.included)
                row["included"] = name
            amounts = {y.year: y for y in mission.years.all()}
            for year in range(1, contract.years + 1):
                names = []
                for part, label in (("fixed", "part fixe"), ("variable", "part variable")):
                    name = f"m_{mission.code}_y{year}_{part}"
                    self.fields[name] = _amount_field(
                        f"{row['label']}, année {year}, {label} (EUR)"
                    )
                    if year in amounts:
                        self.initial.setdefault(name, getattr(amounts[year], part))
                    names.append(name)
                row["years"].append((year, self[names[0]], self[names[1]]))
            if row["included"]:
                row["included"] = self[row["included"]]
            self.layout.append(row)

    def payload(self):
        """The form as the API's payload, and which form field each payload key names."""
        data = self.cleaned_data
        payload = {"signed_on": data["signed_on"], "size_class": data["size_class"],
                   "operating_grant": data["operating_grant"], "missions": []}  # fmt: skip
        names = {}
        for row in self.layout:
            mission = row["mission"]
            code = mission.code
            if row["included"] is not None and not data.get(f"m_{code}_included"):
                continue
            index = len(payload["missions"])
            years = []
            for y_index, (year, _fixed, _variable) in enumerate(row["years"]):
                years.append({"year": year, "fixed": data.get(f"m_{code}_y{year}_fixed"),
                              "variable": data.get(f"m_{code}_y{year}_variable")})  # fmt: skip
                for part in ("fixed", "variable"):
                    names[f"missions[{index}].years[{y_index}].{part}"] = f"m_{code}_y{year}_{part}"
            payload["missions"].append({"code": code, "started_on": mission.started_on,
                                        "years": years})  # fmt: skip
        return payload, names


@member_view(permissions.manage_contract)
def contract_edit_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        # Nothing to edit yet: the overview offers to create the contract.
        return redirect("reporting:contract", cpts_slug=request.cpts.slug)
    form = ContractEditForm(request.POST or None, contract=contract, initial={
        "signed_on": contract.signed_on, "size_class": contract.size_class,
        "operating_grant": contract.operating_grant})  # fmt: skip
    if request.method == "POST":
        if form.is_valid():
            payload, names = form.payload()
            try:
                services.save_payload(cpts=request.cpts, payload=payload, actor=request.user,
                                      request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, ValidationError(
                    {names.get(k, k): v for k, v in exc.message_dict.items()}))  # fmt: skip
            else:
                messages.success(request, "Contrat enregistré.")
                return redirect("reporting:contract", cpts_slug=request.cpts.slug)
        return render(request, "reporting/contract/edit.html",
                      {"form": form, "contract": contract}, status=400)  # fmt: skip
    return render(request, "reporting/contract/edit.html", {"form": form, "contract": contract})


# -- indicators ----------------------------------------------------------------------


def _registry_choices():
    from maillage.core import indicators as registry

    groups = {}
    for entry in sorted(registry.REGISTRY.values(), key=lambda e: e.label):
        code = mission_rules.REGISTRY_MISSIONS.get(entry.mission)
        if code is None:
            continue
        groups.setdefault(mission_rules.label(code), []).append(
            (entry.code, f"{entry.label} ({entry.unit})")
        )
    return [("", "—")] + sorted(groups.items())


class IndicatorForm(forms.Form):
    mission = forms.ChoiceField(label="Mission", error_messages={
        "required": "Choisissez la mission.", "invalid_choice": "Mission inconnue."})  # fmt: skip
    action = forms.ChoiceField(label="Action", required=False,
                               error_messages={"invalid_choice": "Action inconnue."})  # fmt: skip
    label = forms.CharField(label="Intitulé", max_length=300,
                            error_messages={"required": "Indiquez l'intitulé."})  # fmt: skip
    definition = forms.CharField(label="Définition", required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    source = forms.ChoiceField(label="Source", choices=IndicatorSource.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choisissez la source."})  # fmt: skip
    registry_code = forms.ChoiceField(
        label="Indicateur calculé (si la source est Maillage)",
        required=False,
        error_messages={"invalid_choice": "Choisissez un indicateur de la liste."},
    )
    unit = forms.CharField(label="Unité", max_length=40, required=False)
    baseline = forms.CharField(label="Valeur de référence", required=False, max_length=40,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    direction = forms.ChoiceField(label="Sens", choices=Direction.choices)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        included = list(contract.missions.filter(included=True).order_by("pk"))
        self.fields["mission"].choices = [(m.code, mission_rules.label(m.code)) for m in included]
        self.fields["action"].choices = [("", "— aucune —")] + [
            (str(a.public_id), f"{mission_rules.label(m.code)} · {a.title}")
            for m in included for a in m.actions.all()]  # fmt: skip
        self.fields["registry_code"].choices = _registry_choices()
        self.year_rows = []
        for year in range(1, contract.years + 1):
            p = f"y{year}_"
            self.fields[p + "rule"] = forms.ChoiceField(
                label=f"Année {year} : règle",
                required=False,
                choices=[("", "Ne paie rien cette année"), *Rule.choices],
            )
            self.fields[p + "tiers"] = forms.CharField(
                label=f"Année {year} : paliers",
                required=False,
                max_length=2000,
                help_text="Une ligne par palier : seuil → montant (ex. 55 → 2500).",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[p + "target"] = forms.CharField(
                label=f"Année {year} : cible",
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[p + "amount"] = _amount_field(f"Année {year} : montant à la cible (EUR)",
                                                      required=False)  # fmt: skip
            self.fields[p + "pro_rata"] = forms.BooleanField(
                label=f"Année {year} : au prorata de l'atteinte", required=False
            )
            self.year_rows.append(
                (year, [self[p + n] for n in ("rule", "tiers", "target", "amount", "pro_rata")])
            )

    def split(self):
        data = dict(self.cleaned_data)
        years = {y: {k: data.get(f"y{y}_{k}") for k in
                     ("rule", "tiers", "target", "amount", "pro_rata")}
                 for y in range(1, self.contract.years + 1)}  # fmt: skip
        return data, years


def _indicator_initial(indicator):
    initial = {"mission": indicator.mission.code,
               "action": str(indicator.action.public_id) if indicator.action else "",
               "label": indicator.label, "definition": indicator.definition,
               "source": indicator.source, "registry_code": indicator.registry_code,
               "unit": indicator.unit, "baseline": indicator.baseline,
               "direction": indicator.direction}  # fmt: skip
    for rule in indicator.years.prefetch_related("tiers"):
        p = f"y{rule.year}_"
        initial[p + "rule"] = rule.rule
        initial[p + "tiers"] = "\n".join(f"{t.threshold.normalize():f} → {t.amount}"
                                         for t in rule.tiers.all())  # fmt: skip
        initial[p + "target"] = rule.target
        initial[p + "amount"] = rule.amount
        initial[p + "pro_rata"] = rule.pro_rata
    return initial


def _indicator_page(request, contract, indicator=None):
    if indicator is None:
        wanted = request.GET.get("mission", "")
        initial = {"mission": wanted if wanted in MissionCode.values else "",
                   "source": IndicatorSource.CPAM, "direction": Direction.HIGHER}  # fmt: skip
    else:
        initial = _indicator_initial(indicator)
    form = IndicatorForm(request.POST or None, contract=contract, initial=initial)
    if request.method == "POST":
        if request.POST.get("delete") and indicator is not None:
            services.indicator_delete(indicator=indicator, actor=request.user, request=request)
            messages.success(request, "Indicateur supprimé.")
            return redirect("reporting:contract", cpts_slug=request.cpts.slug)
        if form.is_valid():
            data, years = form.split()
            try:
                saved = services.indicator_save(contract=contract, data=data, years_data=years,
                                                indicator=indicator, actor=request.user,
                                                request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Indicateur « {saved.label} » enregistré.")
                return redirect("reporting:contract", cpts_slug=request.cpts.slug)
        status_code = 400
    else:
        status_code = 200
    return render(request, "reporting/contract/indicator_form.html",
                  {"form": form, "indicator": indicator, "contract": contract},
                  status=status_code)  # fmt: skip


def _contract_or_404(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        raise Http404
    return contract


def _indicator_or_404(contract, public_id):
    return get_by_public_id(ContractIndicator.objects.filter(mission__contract=contract)
                            .select_related("mission", "action"), public_id)  # fmt: skip


@member_view(permissions.manage_contract)
def indicator_new_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        return redirect("reporting:contract", cpts_slug=request.cpts.slug)
    return _indicator_page(request, contract)


@member_view(permissions.manage_contract)
def indicator_edit_view(request, public_id):
    contract = _contract_or_404(request)
    return _indicator_page(request, contract, _indicator_or_404(contract, public_id))


class FigureForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Année du contrat",
        coerce=int,
        error_messages={
            "required": "Choisissez l'année.",
            "invalid_choice": "Année hors du contrat.",
        },
    )
    value = forms.CharField(label="Valeur", max_length=40,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                            error_messages={"required": "Indiquez la valeur : sans elle, cet "
                                            "indicateur n'a ni source ni valeur."})  # fmt: skip
    dated = forms.DateField(label="Date du chiffre", input_formats=DATE_FORMATS,
                            widget=DATE_WIDGET, error_messages=DATE_ERRORS)  # fmt: skip
    document = forms.CharField(
        label="Document source",
        max_length=300,
        help_text="Courrier, tableau de bord CPAM, compte rendu…",
        error_messages={"required": "Indiquez le document source."},
    )
    file = forms.FileField(label="Fichier (facultatif)", required=False)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"Année {y}") for y in range(1, contract.years + 1)]


@member_view(permissions.manage_contract)
def indicator_figure_view(request, public_id):
    from django.utils import timezone

    from .. import years as contract_years

    contract = _contract_or_404(request)
    indicator = _indicator_or_404(contract, public_id)
    if indicator.source == IndicatorSource.COMPUTED:
        messages.info(request, "Cet indicateur est calculé par Maillage : pas de chiffre à saisir.")
        return redirect("reporting:contract", cpts_slug=request.cpts.slug)
    current = contract_years.year_of(contract, timezone.localdate()) or 1
    form = FigureForm(request.POST or None, request.FILES or None, contract=contract,
                      initial={"year": current, "dated": timezone.localdate()})  # fmt: skip
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.figure_save(indicator=indicator, year=data["year"], value=data["value"],
                                     dated=data["dated"], document=data["document"],
                                     file=data.get("file"), actor=request.user,
                                     request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "Chiffre enregistré.")
                return redirect("reporting:contract", cpts_slug=request.cpts.slug)
        status_code = 400
    return render(request, "reporting/contract/figure.html",
                  {"form": form, "indicator": indicator,
                   "figures": indicator.figures.order_by("year")}, status=status_code)  # fmt: skip


urls = [
    path("c/<slug:cpts_slug>/contrat/", contract_view, name="contract"),
    path("c/<slug:cpts_slug>/contrat/creer/", contract_create_view, name="contract_create"),
    path("c/<slug:cpts_slug>/contrat/modifier/", contract_edit_view, name="contract_edit"),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/nouveau/", indicator_new_view, name="indicator_new"
    ),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/<uuid:public_id>/",
        indicator_edit_view,
        name="indicator_edit",
    ),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/<uuid:public_id>/chiffre/",
        indicator_figure_view,
        name="indicator_figure",
    ),
]
