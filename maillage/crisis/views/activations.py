"""The crisis hub, activation, the main courante, the public notice, the end and the RETEX,
the proofs for the contract.

Who does what: the coordination (manage_crisis) activates, ticks the plan's actions,
writes the public notice, ends and writes the RETEX; professionals (write_crisis_log) open
the activation page to read the main courante and write in it (entries and corrections),
as the coordination does. Every member sees the hub and the proofs (aggregates only).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import permissions
from maillage.core.access import get_by_public_id, get_object_for_member, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form

from .. import activations as services
from .. import plan, proofs
from ..alerts import CHANNELS
from ..models import Activation, ActivationKind, Authority, CrisisType, Retex

CHANNEL_LABELS = {"inapp": "Dans l'application", "email": "E-mail", "sms": "SMS"}

# Forms ------------------------------------------------------------------------------


class ActivateForm(forms.Form):
    kind = forms.ChoiceField(
        label="Nature", choices=ActivationKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choisissez : crise, vigilance ou exercice.",
                        "invalid_choice": "Nature inconnue : crise, vigilance ou exercice."},
    )  # fmt: skip
    crisis_type = forms.ChoiceField(
        label="Type de crise (trame nationale)",
        choices=[("", "— choisir —"), *CrisisType.choices],
        error_messages={"required": "Choisissez le type de crise.",
                        "invalid_choice": "Type de crise inconnu."},
    )  # fmt: skip
    title = forms.CharField(label="Intitulé", max_length=services.TITLE_MAX, required=False,
                            help_text="Ex. : Canicule juillet, inondation de la vallée.")
    trigger_authority = forms.ChoiceField(
        label="Décision de", required=False, choices=[("", "— choisir —"), *Authority.choices],
        error_messages={"invalid_choice": "Autorité inconnue : ARS, préfet ou ministre."},
    )  # fmt: skip
    trigger_reference = forms.CharField(
        label="Référence de la décision", max_length=services.REFERENCE_MAX, required=False,
        help_text="Numéro de l'arrêté ou du message de l'ARS.")  # fmt: skip
    trigger_on = forms.DateField(
        label="Date de la décision", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide."})  # fmt: skip
    public_notice = forms.CharField(
        label="Message au public (facultatif)", required=False, max_length=services.NOTICE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affiché sur la page publique de la CPTS tant que la crise ou la vigilance "
                  "dure (jamais pour un exercice) : où se faire soigner, conseils.")  # fmt: skip
    convene_cell = forms.BooleanField(label="Convoquer la cellule de crise", required=False,
                                      initial=True)  # fmt: skip
    cell_channels = forms.MultipleChoiceField(
        label="Canaux de la convocation", required=False, initial=list(CHANNELS),
        choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Canal inconnu : %(value)s."})  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("convene_cell") and not cleaned.get("cell_channels"):
            self.add_error("cell_channels", "Choisissez au moins un canal pour convoquer la "
                                            "cellule.")  # fmt: skip
        return cleaned


class EntryForm(forms.Form):
    text = forms.CharField(
        label="Nouvelle entrée", max_length=services.ENTRY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez l'entrée de la main courante.",
                        "max_length": f"{services.ENTRY_MAX} caractères au plus."})  # fmt: skip


class NoticeForm(forms.Form):
    public_notice = forms.CharField(
        label="Message au public", required=False, max_length=services.NOTICE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Laisser vide pour le retirer de la page publique.",
        error_messages={"max_length": f"{services.NOTICE_MAX} caractères au plus."})


class RetexForm(forms.Form):
    what_worked = forms.CharField(label="Ce qui a fonctionné", required=False,
                                  max_length=services.RETEX_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    what_failed = forms.CharField(label="Ce qui n'a pas fonctionné", required=False,
                                  max_length=services.RETEX_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    conclusions = forms.CharField(
        label="Conclusions pour le plan", max_length=services.RETEX_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Elles entrent dans le brouillon du plan (section « Exercices et RETEX »).",
        error_messages={"required": "Écrivez les conclusions pour le plan."})  # fmt: skip


def _service_errors(form, exc: ValidationError):
    """The service names the decision "trigger": it is said next to its first field."""
    if hasattr(exc, "error_dict") and "trigger" in exc.error_dict:
        exc = ValidationError({("trigger_authority" if k == "trigger" else k): v
                               for k, v in exc.error_dict.items()})  # fmt: skip
    errors_to_form(form, exc)


# Hub and activation -----------------------------------------------------------------


@member_view(permissions.see_crisis_plan)
def index_view(request):
    rows = Activation.objects.for_cpts(request.cpts).select_related("started_by")
    live = list(rows.live().order_by("-started_at"))
    past = list(rows.filter(ended_at__isnull=False).order_by("-started_at")[:50])
    return render(request, "crisis/activation_index.html", {"live": live, "past": past})


@member_view(permissions.manage_crisis)
def activate_view(request):
    form = ActivateForm()
    refused = False
    if request.method == "POST":
        data = request.POST.copy()
        # The refusal offers a vigilance or an exercise in one click, keeping what was typed.
        switch = data.get("switch_kind")
        if switch in (ActivationKind.VIGILANCE, ActivationKind.EXERCISE):
            data["kind"] = switch
        form = ActivateForm(data)
        if form.is_valid():
            d = form.cleaned_data
            try:
                activation = services.activate(
                    cpts=request.cpts, actor=request.user, kind=d["kind"],
                    crisis_type=d["crisis_type"], title=d["title"],
                    trigger_authority=d["trigger_authority"],
                    trigger_reference=d["trigger_reference"], trigger_on=d["trigger_on"],
                    public_notice=d["public_notice"], convene_cell=d["convene_cell"],
                    cell_channels=d["cell_channels"], request=request,
                )  # fmt: skip
            except ValidationError as exc:
                _service_errors(form, exc)
                refused = services.TRIGGER_REFUSED in " ".join(
                    form.errors.get("trigger_authority", []))
            else:
                _say_convened(request, activation)
                return redirect("crisis:board", request.cpts.slug, activation.public_id)
    return render(request, "crisis/activation_new.html", {"form": form, "refused": refused},
                  status=400 if form.errors else 200)  # fmt: skip


def _say_convened(request, activation):
    label = activation.get_kind_display().split(" (")[0]
    if activation.convened is not None:
        count = activation.convened.recipients.count()
        messages.success(request, f"{label} activée ; cellule convoquée : {count} membre(s) "
                                  "alerté(s).")  # fmt: skip
    elif activation.convene_error:
        messages.warning(request, f"{label} activée, mais personne n'a été convoqué : "
                                  f"{activation.convene_error}")  # fmt: skip
    else:
        messages.success(request, f"{label} activée.")


def _activation(request, public_id) -> Activation:
    return get_object_for_member(Activation.objects.select_related("started_by", "ended_by"),
                                 request.membership, public_id)  # fmt: skip


def _page(request, activation, *, entry_form=None, notice_form=None, correction=None,
          status=200):  # fmt: skip
    entries = list(activation.log.select_related("author", "corrects").order_by("at", "pk"))
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    done = {e.plan_action: e for e in entries if e.plan_action}
    actions = [{"code": code, "text": text, "done": done.get(code)}
               for code, text in plan.actions_for(activation.cpts, activation.crisis_type)]
    retex = Retex.objects.filter(activation=activation).first()
    return render(request, "crisis/activation_detail.html", {
        "activation": activation, "entries": entries, "corrected": corrected,
        "actions": actions, "retex": retex, "live": activation.ended_at is None,
        "can_manage": permissions.manage_crisis(request.membership),
        "entry_form": entry_form or EntryForm(),
        "notice_form": notice_form or NoticeForm(
            initial={"public_notice": activation.public_notice}),
        "correction": correction or {},
    }, status=status)  # fmt: skip


@member_view(permissions.write_crisis_log)
def activation_view(request, public_id):
    return _page(request, _activation(request, public_id))


@member_view(permissions.write_crisis_log)
@require_POST
def log_entry_view(request, public_id):
    activation = _activation(request, public_id)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            services.add_entry(activation=activation, actor=request.user,
                               text=form.cleaned_data["text"], request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Entrée ajoutée à la main courante.")
            return redirect("crisis:activation", request.cpts.slug, activation.public_id)
    return _page(request, activation, entry_form=form, status=400)


@member_view(permissions.write_crisis_log)
@require_POST
def log_correct_view(request, public_id, entry_id):
    activation = _activation(request, public_id)
    entry = get_by_public_id(activation.log.all(), entry_id)
    text = request.POST.get("text", "")
    try:
        services.correct_entry(entry=entry, actor=request.user, text=text, request=request)
    except ValidationError as exc:
        return _page(request, activation, status=400, correction={
            "entry": entry.public_id, "text": text[: services.ENTRY_MAX],
            "error": " ".join(exc.messages)})  # fmt: skip
    messages.success(request, "Correction ajoutée à la main courante (l'entrée d'origine est "
                              "conservée).")  # fmt: skip
    return redirect("crisis:activation", request.cpts.slug, activation.public_id)


@member_view(permissions.manage_crisis)
@require_POST
def action_done_view(request, public_id):
    activation = _activation(request, public_id)
    try:
        services.action_done(activation=activation, actor=request.user,
                             code=request.POST.get("action", ""), request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Action notée comme faite dans la main courante.")
    return redirect("crisis:activation", request.cpts.slug, activation.public_id)


@member_view(permissions.manage_crisis)
@require_POST
def notice_view(request, public_id):
    activation = _activation(request, public_id)
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            services.set_notice(activation=activation, actor=request.user,
                                text=form.cleaned_data["public_notice"], request=request)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            if activation.is_exercise:
                messages.success(request, "Message enregistré. C'est un exercice : il n'est "
                                          "pas affiché sur la page publique.")  # fmt: skip
            elif form.cleaned_data["public_notice"]:
                messages.success(request, "Message affiché sur la page publique de la CPTS.")
            else:
                messages.success(request, "Message retiré de la page publique.")
            return redirect("crisis:activation", request.cpts.slug, activation.public_id)
    return _page(request, activation, notice_form=form, status=400)


@member_view(permissions.manage_crisis)
@require_POST
def end_view(request, public_id):
    activation = _activation(request, public_id)
    was_live = activation.ended_at is None
    services.end(activation=activation, actor=request.user, request=request)
    if was_live:
        messages.success(request, "Activation terminée : les relances sont arrêtées. "
                                  "Complétez le RETEX.")  # fmt: skip
    return redirect("crisis:retex", request.cpts.slug, activation.public_id)


@member_view(permissions.manage_crisis)
def retex_view(request, public_id):
    activation = _activation(request, public_id)
    retex = Retex.objects.filter(activation=activation).first()
    initial = {}
    if retex is not None:
        initial = {"what_worked": retex.what_worked, "what_failed": retex.what_failed,
                   "conclusions": retex.conclusions}  # fmt: skip
    form = RetexForm(initial=initial)
    if request.method == "POST":
        form = RetexForm(request.POST)
        if form.is_valid():
            try:
                services.complete_retex(activation=activation, actor=request.user,
                                        request=request, **form.cleaned_data)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "RETEX enregistré ; ses conclusions sont dans le "
                                          "brouillon du plan.")  # fmt: skip
                return redirect("crisis:activation", request.cpts.slug, activation.public_id)
    return render(request, "crisis/activation_retex.html", {
        "activation": activation, "retex": retex, "form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


# Proofs for the contract --------------------------------------------------------------


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("annee", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@member_view(permissions.see_crisis_plan)
def proofs_view(request):
    year = _year(request)
    this_year = timezone.localdate().year
    return render(request, "crisis/proofs_year.html", {
        "proofs": proofs.year_proofs(request.cpts, year), "year": year,
        "years": list(range(this_year, this_year - 6, -1)),
        "can_manage": permissions.manage_crisis(request.membership),
    })  # fmt: skip


@member_view(permissions.see_crisis_plan)
def proofs_export_view(request, fmt):
    year = _year(request)
    data = proofs.year_proofs(request.cpts, year)
    name = f"preuves-crise-{request.cpts.slug}-{year}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", proofs.CSV_HEADER, proofs.csv_rows(data))
    if fmt == "pdf":
        from django.http import HttpResponse

        response = HttpResponse(proofs.pdf(request.cpts, data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise Http404

