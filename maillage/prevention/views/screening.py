"""Screening at the event, on a phone: the entry form of an action's participants (with
the team's anonymous list), a participant's result with the measures taken after it, and
the coordinator's editor of the CPTS's own questionnaires.

Area: screening.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form
from maillage.territory.fields import CommuneField

from .. import participants as participant_service
from .. import questionnaires, scoring
from ..models import Action, ActionKind, ActionStatus, Participant, Questionnaire

LIST_MAX = 300
YES_NO = [("yes", "Oui"), ("no", "Non")]
SHIPPED_FIELDS = {"sex", "age", "commune"}


def _number(label, *, decimal=False, help_text=""):
    """A text input with the phone's number keyboard: an <input type="number"> in a French
    browser turns a typed "2,3" into 23 (seen on Chromium), a silent tenfold error on a
    glucose; the service reads the comma."""
    attrs = {"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off",
             "size": "6"}
    return forms.CharField(label=label, required=False, max_length=12, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _radio(label, choices):
    return forms.ChoiceField(label=label, required=False, choices=choices,
                             widget=forms.RadioSelect(attrs={"class": "big-choice"}))


class EntryForm(forms.Form):
    """One participant. Every field is optional for the form: the screening service says
    what is missing or implausible, with the same words as the API."""

    sex = _radio("Sexe", [("F", "Femme"), ("M", "Homme")])
    age = _number("Âge (ans)")
    commune = CommuneField(label="Commune de résidence", required=False,
                           help_text="Celle du lieu de l'action, à changer si besoin.")

    def __init__(self, *args, questionnaire, definition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.item_fields = {}
        if questionnaire == "findrisc":
            self.fields["height_cm"] = _number("Taille (cm)")
            self.fields["weight_kg"] = _number("Poids (kg)", decimal=True)
            self.fields["waist_cm"] = _number("Tour de taille (cm)", decimal=True,
                                              help_text="Mesuré au niveau du nombril.")
            for name, label in scoring.FINDRISC_QUESTIONS.items():
                self.fields[name] = _radio(label, YES_NO)
            self.fields["family_history"] = _radio("Du diabète dans la famille ?",
                                                   list(scoring.FAMILY_HISTORY.items()))
        elif questionnaire == "glycemie":
            self.fields["glucose_g_l"] = _number("Glycémie capillaire (g/L)", decimal=True)
            self.fields["fasting"] = _radio("À jeun ?", YES_NO)
        elif questionnaire == "tension":
            self.fields["systolic"] = _number("Systolique (mmHg)")
            self.fields["diastolic"] = _number("Diastolique (mmHg)")
        elif definition:
            for item in definition["items"]:
                name = f"q_{item['code']}"
                self.item_fields[item["code"]] = name
                self.fields[name] = _radio(item["label"], [
                    (o["code"], o["label"]) for o in item["options"]])

    def answers(self) -> dict:
        data = self.cleaned_data
        if self.item_fields:
            return {code: data.get(name) or None for code, name in self.item_fields.items()}
        return {name: (data.get(name) or None) for name in self.fields
                if name not in SHIPPED_FIELDS}

    def show_errors(self, exc: ValidationError):
        if hasattr(exc, "error_dict") and self.item_fields:
            exc = ValidationError({self.item_fields.get(k, k): v
                                   for k, v in exc.message_dict.items()})
        errors_to_form(self, exc)


class GlucoseForm(forms.Form):
    glucose_g_l = _number("Glycémie capillaire (g/L)", decimal=True,
                          help_text="Par exemple 1,05 ou 2,3.")
    fasting = _radio("À jeun ?", YES_NO)


class PressureForm(forms.Form):
    systolic = _number("Systolique (mmHg)")
    diastolic = _number("Diastolique (mmHg)")


def _action(request, public_id):
    return get_by_public_id(Action.objects.for_cpts(request.cpts).select_related(
        "commune", "theme"), public_id)  # fmt: skip


def _questionnaire_of(action):
    return action.questionnaire or action.theme.questionnaire or "findrisc"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _headline(participant, result) -> str:
    """"Score 15 : risque élevé — glycémie capillaire à faire"."""
    step = _lower_first(scoring.NextStep(result.next_step).label)
    if result.score is not None:
        return f"Score {result.score} : {result.risk_label} — {step}"
    return f"{result.risk_label[:1].upper()}{result.risk_label[1:]} — {step}"


def _team_list(action):
    rows = list(action.participants.select_related("commune").order_by("-entered_at", "-pk")[
        :LIST_MAX])  # fmt: skip
    for row in rows:
        row.step_label = scoring.NextStep(row.next_step).label if row.next_step in \
            scoring.NextStep.values else ""
    return rows


@member_view(permissions.screen_participants)
@require_http_methods(["GET", "POST"])
def screen_view(request, public_id):
    """The entry form of a screening action (one participant after the other) and the
    team's anonymous list of who was entered."""
    action = _action(request, public_id)
    code = _questionnaire_of(action)
    definition = questionnaires.definition_of(request.cpts, code) \
        if code not in scoring.SHIPPED else None
    closed = ""
    if action.kind != ActionKind.SCREENING:
        closed = "Cette action n'est pas une journée de dépistage : on n'y saisit pas de " \
                 "participants."
    elif action.status == ActionStatus.CANCELLED:
        closed = "Cette action est annulée : on n'y saisit plus de participants."
    elif code not in scoring.SHIPPED and definition is None:
        closed = "Le questionnaire de cette action n'existe plus : choisissez-en un autre."
    form = EntryForm(request.POST or None, questionnaire=code, definition=definition,
                     initial={"commune": action.commune})  # fmt: skip
    duplicate = None
    status = 200
    if request.method == "POST" and not closed:
        if form.is_valid():
            try:
                participant = participant_service.enter(
                    action=action, actor=request.user, sex=form.cleaned_data["sex"] or None,
                    age=form.cleaned_data["age"], commune=form.cleaned_data["commune"],
                    questionnaire=code, answers=form.answers(),
                    confirm_duplicate=request.POST.get("confirm_duplicate") == "1",
                    request=request)  # fmt: skip
            except participant_service.DuplicateSuspected as exc:
                duplicate = exc.existing
                status = 409
            except ValidationError as exc:
                form.show_errors(exc)
            else:
                return redirect("prevention:participant", request.cpts.slug,
                                participant.public_id)
        if form.errors:
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "prevention/screening/screen.html", {
        "action": action, "form": form, "questionnaire_label": dict(
            scoring.choices(request.cpts)).get(code, code),
        "closed": closed, "duplicate": duplicate, "duplicate_message":
            participant_service.DUPLICATE_MESSAGE, "rows": _team_list(action),
        "total": action.participants.count(),
    }, status=status)  # fmt: skip


def _participant(request, public_id):
    return get_by_public_id(Participant.objects.for_cpts(request.cpts).select_related(
        "action", "commune"), public_id)  # fmt: skip


def _follow_up(participant):
    try:
        return participant.follow_up
    except Participant.follow_up.RelatedObjectDoesNotExist:
        return None


def _render_participant(request, participant, *, glucose_form=None, pressure_form=None,
                        status=200):
    try:
        result = participant_service.result_of(participant)
    except ValidationError:
        result = None  # answers stored before a rule changed: show what is stored
    code = participant.questionnaire
    wants_glucose = code in ("findrisc", "glycemie") or any(
        m.get("kind") == "glucose" for m in participant.measures or [])
    wants_pressure = code == "tension" or any(
        m.get("kind") == "bp" for m in participant.measures or [])
    glucose_first = result is not None and result.next_step == scoring.NextStep.GLUCOSE
    if wants_glucose:
        glucose_form = glucose_form or GlucoseForm()
        if glucose_first and not glucose_form.is_bound:
            # The glucose is what comes next: the meter's reading is typed without a tap.
            glucose_form.fields["glucose_g_l"].widget.attrs["autofocus"] = True
    return render(request, "prevention/screening/participant.html", {
        "participant": participant, "action": participant.action, "result": result,
        "headline": _headline(participant, result) if result else "",
        "glucose_form": glucose_form if wants_glucose else None,
        "pressure_form": (pressure_form or PressureForm()) if wants_pressure else None,
        "follow_up": _follow_up(participant),
        "may_follow": permissions.follow_screening_referrals(request.membership),
        "questionnaire_label": dict(scoring.choices(request.cpts)).get(code, code),
        "measures": participant.measures or [],
    }, status=status)  # fmt: skip


@member_view(permissions.screen_participants)
def participant_view(request, public_id):
    """A participant's score and decision, shown right after the entry, with the measure
    forms the decision asks for."""
    return _render_participant(request, _participant(request, public_id))


@member_view(permissions.screen_participants)
@require_POST
def participant_measure_view(request, public_id):
    participant = _participant(request, public_id)
    kind = request.POST.get("kind")
    form = GlucoseForm(request.POST) if kind == "glucose" else PressureForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        if kind == "glucose":
            participant = participant_service.add_measure(
                participant=participant, actor=request.user, kind="glucose",
                value=data.get("glucose_g_l"), fasting=data.get("fasting") or None,
                request=request)  # fmt: skip
        else:
            participant = participant_service.add_measure(
                participant=participant, actor=request.user, kind="bp",
                value=(data.get("systolic"), data.get("diastolic")), request=request)
    except ValidationError as exc:
        errors_to_form(form, exc)
        forms_ = {"glucose_form": form} if kind == "glucose" else {"pressure_form": form}
        return _render_participant(request, participant, status=400, **forms_)
    return redirect("prevention:participant", request.cpts.slug, participant.public_id)


# The coordinator's own questionnaires ---------------------------------------------------

BAND_ROWS = questionnaires.MAX_BANDS
STEP_CHOICES = [("", "—")] + [(v, label) for v, label in scoring.NextStep.choices]


class QuestionnaireForm(forms.Form):
    label = forms.CharField(label="Intitulé", max_length=200, error_messages={
        "required": "Donnez un intitulé au questionnaire."})
    items = forms.CharField(
        label="Questions, une par ligne", widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Écrivez la question, puis chaque réponse avec ses points, séparées par "
                  "« | ». Exemple : <code>Fumez-vous ? | Oui = 2 | Non = 0</code>")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(BAND_ROWS):
            self.fields[f"band_{n}_from"] = forms.IntegerField(
                label=f"Niveau {n + 1} : à partir du score", required=False, min_value=0,
                max_value=10_000, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"invalid": "Un nombre entier.",
                                "min_value": "Un nombre positif ou nul."})
            self.fields[f"band_{n}_label"] = forms.CharField(
                label=f"Niveau {n + 1} : risque", required=False, max_length=200)
            self.fields[f"band_{n}_next_step"] = forms.ChoiceField(
                label=f"Niveau {n + 1} : suite à donner", required=False, choices=STEP_CHOICES)

    def band_rows(self):
        return [(self[f"band_{n}_from"], self[f"band_{n}_label"], self[f"band_{n}_next_step"])
                for n in range(BAND_ROWS)]

    def bands(self):
        rows = []
        data = self.cleaned_data
        for n in range(BAND_ROWS):
            start, label = data.get(f"band_{n}_from"), data.get(f"band_{n}_label") or ""
            step = data.get(f"band_{n}_next_step") or ""
            if start is None and not label.strip() and not step:
                continue
            rows.append({"from": start, "label": label, "next_step": step})
        return rows


def _initial(row):
    initial = {"label": row.label, "items": questionnaires.items_text(
        row.definition.get("items", []))}
    for n, band in enumerate(row.definition.get("bands", [])):
        initial.update({f"band_{n}_from": band["from"], f"band_{n}_label": band["label"],
                        f"band_{n}_next_step": band["next_step"]})
    return initial


def _save_questionnaire(request, form, row=None):
    """Build and save the definition; the form shows what is wrong, nothing is saved then."""
    try:
        definition = questionnaires.build(items_text_value=form.cleaned_data["items"],
                                          bands=form.bands())
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None
    label = form.cleaned_data["label"].strip()
    try:
        with transaction.atomic():
            if row is None:
                taken = set(Questionnaire.objects.for_cpts(request.cpts).values_list(
                    "code", flat=True)) | set(scoring.SHIPPED)  # fmt: skip
                code = questionnaires._code(label, taken)
                row = Questionnaire.objects.create(
                    cpts=request.cpts, code=code, label=label, definition=definition,
                    created_by=request.user)  # fmt: skip
                what = "prevention.questionnaire_create"
            else:
                row.label, row.definition = label, definition
                row.save(update_fields=["label", "definition"])
                what = "prevention.questionnaire_update"
            audit.record(action=what, actor=request.user, cpts=request.cpts, obj=row,
                         request=request, detail={"code": row.code})
    except IntegrityError:
        form.add_error("label", "Un questionnaire porte déjà ce nom : choisissez-en un autre.")
        return None
    return row


@member_view(permissions.manage_prevention)
@require_http_methods(["GET", "POST"])
def questionnaires_view(request):
    """The CPTS's own questionnaires, and the form to define a new one."""
    form = QuestionnaireForm(request.POST or None, initial={
        "band_0_from": 0, "band_0_next_step": scoring.NextStep.NONE})
    if request.method == "POST" and form.is_valid():
        row = _save_questionnaire(request, form)
        if row is not None:
            messages.success(request, f"Questionnaire « {row.label} » enregistré.")
            return redirect("prevention:questionnaire", request.cpts.slug, row.public_id)
    rows = Questionnaire.objects.for_cpts(request.cpts).order_by("archived_at", "label")
    return render(request, "prevention/screening/questionnaires.html", {
        "form": form, "rows": rows, "shipped": scoring.SHIPPED,
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.manage_prevention)
@require_http_methods(["GET", "POST"])
def questionnaire_view(request, public_id):
    """One of the CPTS's questionnaires: a preview as the team will see it, its editor,
    and its archiving."""
    row = get_by_public_id(Questionnaire.objects.for_cpts(request.cpts), public_id)
    if request.method == "POST" and request.POST.get("archive") in ("1", "0"):
        row.archived_at = timezone.now() if request.POST["archive"] == "1" else None
        row.save(update_fields=["archived_at"])
        audit.record(action="prevention.questionnaire_archive", actor=request.user,
                     cpts=request.cpts, obj=row, request=request,
                     detail={"archived": row.archived_at is not None})
        messages.success(request, "Questionnaire archivé." if row.archived_at
                         else "Questionnaire remis en service.")
        return redirect("prevention:questionnaire", request.cpts.slug, row.public_id)
    form = QuestionnaireForm(request.POST or None, initial=_initial(row))
    if request.method == "POST" and form.is_valid():
        if _save_questionnaire(request, form, row) is not None:
            messages.success(request, "Questionnaire mis à jour.")
            return redirect("prevention:questionnaire", request.cpts.slug, row.public_id)
    try:
        definition = questionnaires.validate(row.definition)
    except ValidationError:
        definition = None
    return render(request, "prevention/screening/questionnaire.html", {
        "row": row, "form": form, "definition": definition,
    }, status=400 if form.errors else 200)  # fmt: skip


urls = [
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/depistage/", screen_view,
         name="screen"),
    path("c/<slug:cpts_slug>/prevention/participants/<str:public_id>/", participant_view,
         name="participant"),
    path("c/<slug:cpts_slug>/prevention/participants/<str:public_id>/mesure/",
         participant_measure_view, name="participant_measure"),
    path("c/<slug:cpts_slug>/prevention/questionnaires/", questionnaires_view,
         name="questionnaires"),
    path("c/<slug:cpts_slug>/prevention/questionnaires/<str:public_id>/", questionnaire_view,
         name="questionnaire"),
]
