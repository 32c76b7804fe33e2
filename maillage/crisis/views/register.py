"""The vulnerable register: list, registration, a person's page (edit, withdrawal of
consent), the coordination's CSV export. Need-to-know and audit: crisis/access.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.core.models import Membership
from maillage.directory.pickers import MemberPickerField
from maillage.patients.pickers import PatientPickerField
from maillage.territory.fields import CommuneField
from maillage.territory.models import Commune

from .. import vulnerable
from ..access import get_person, record_people_shown, register_visible_to

CRITERIA_CHOICES = list(vulnerable.CRITERIA.items())
LIST_MAX = 500


class PersonForm(forms.Form):
    """A registration or its update. The patient is picked by name on a new one only."""

    consent_on = forms.DateField(
        label="Consentement recueilli le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Sans consentement, la personne ne peut pas être inscrite.",
        error_messages={"required": vulnerable.NO_CONSENT,
                        "invalid": "Date du consentement illisible (JJ/MM/AAAA)."},
    )  # fmt: skip
    consent_by = forms.ChoiceField(
        label="Consentement donné par", choices=vulnerable.ConsentBy.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": vulnerable.NO_CONSENT + " Indiquez qui l'a donné.",
                        "invalid_choice": "Choisissez qui a donné son consentement."},
    )  # fmt: skip
    criteria = forms.MultipleChoiceField(
        label="Critères de vulnérabilité", choices=CRITERIA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un critère de vulnérabilité.",
                        "invalid_choice": "Critère inconnu."},
    )  # fmt: skip
    commune = CommuneField(label="Commune", required=False,
                           help_text="Laissez vide pour la commune de résidence du patient.")
    notes = forms.CharField(
        label="Consignes (accès au logement, contact d'un proche) — facultatif",
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, membership, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        if new:
            fields["patient"] = PatientPickerField(membership=membership, label="Patient")
        fields["referent"] = MemberPickerField(
            cpts=membership.cpts, scope="care_team", label="Professionnel référent",
            help_text="Le professionnel qui connaît la personne (nom, e-mail ou RPPS). Il "
                      "voit son inscription ; la coordination voit tout le registre.",
        )  # fmt: skip
        self.fields = {**fields, **self.fields}
        self.order_fields(["patient", "consent_on", "consent_by", "criteria", "referent",
                           "commune", "notes"])  # fmt: skip


def _service_args(form, patient):
    data = form.cleaned_data
    commune = data.get("commune") or (patient.commune if patient is not None else None)
    return {"referent_membership": data["referent"], "commune": commune,
            "consent_on": data["consent_on"], "consent_by": data["consent_by"],
            "criteria": data["criteria"], "notes": data.get("notes", "")}  # fmt: skip


def _filters(request, visible):
    """The commune and criterion filters of the list, from the query string."""
    commune = (request.GET.get("commune") or "").strip()[:5]
    criterion = (request.GET.get("critere") or "").strip()[:40]
    people = visible
    if commune:
        people = people.filter(commune__code=commune)
    if criterion in vulnerable.CRITERIA:
        people = people.filter(criteria__code=criterion)
    else:
        criterion = ""
    return people.distinct(), commune, criterion


@member_view(permissions.keep_vulnerable_register)
def register_view(request):
    """The register: the coordination sees everyone, a professional the people they are
    the referent of. Each person listed is audited."""
    visible = register_visible_to(request.membership)
    people, commune, criterion = _filters(request, visible)
    total = people.count()
    shown = list(people.order_by("commune__name", "patient__birth_name", "pk")[:LIST_MAX])
    record_people_shown(request.membership, shown, request=request, where="crisis.register")
    today = timezone.localdate()
    for person in shown:
        person.age = person.patient.age(today)
        person.criteria_labels = vulnerable.criteria_labels(c.code for c in person.criteria.all())
    communes = Commune.objects.filter(
        pk__in=visible.values("commune")).order_by("name").only("code", "name")
    return render(request, "crisis/register_list.html", {
        "people": shown, "total": total, "cut": total > len(shown),
        "communes": communes, "criteria": CRITERIA_CHOICES,
        "commune": commune, "criterion": criterion,
        "is_coordination": permissions.see_all_patients(request.membership),
    })  # fmt: skip


def _own_membership(request):
    return Membership.objects.select_related("user").get(pk=request.membership.pk)


@member_view(permissions.keep_vulnerable_register)
@require_http_methods(["GET", "POST"])
def register_new_view(request):
    """Register a patient the caller may see, with consent, criteria and a referent (the
    professional registering is proposed as referent)."""
    membership = request.membership
    initial = {"consent_by": vulnerable.ConsentBy.PERSON}
    if not permissions.see_all_patients(membership):
        initial["referent"] = _own_membership(request)
    form = PersonForm(request.POST or None, membership=membership, initial=initial)
    existing = None
    if request.method == "POST" and form.is_valid():
        patient = form.cleaned_data["patient"]
        try:
            person = vulnerable.register_create(
                cpts=request.cpts, actor=request.user, patient=patient, request=request,
                **_service_args(form, patient))  # fmt: skip
        except vulnerable.AlreadyRegistered as exc:
            existing = exc.person
            visible = register_visible_to(membership).filter(pk=existing.pk).exists()
            if visible:
                record_people_shown(membership, [existing], request=request,
                                    where="crisis.register_new")  # fmt: skip
            form.add_error("patient", "Ce patient est déjà inscrit au registre."
                           + ("" if visible else " Son référent ou la coordination peut "
                                                 "modifier son inscription."))
            existing = existing if visible else None
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{patient.display_name} est inscrit(e) au registre.")
            return redirect("crisis:register_person", request.cpts.slug, person.public_id)
    return render(request, "crisis/register_new.html", {"form": form, "existing": existing},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.keep_vulnerable_register)
@require_http_methods(["GET", "POST"])
def register_person_view(request, public_id):
    """A person's registration: read it, correct it (referent, criteria, commune,
    consent), or withdraw them when consent is withdrawn."""
    person = get_person(request.membership, public_id, request=request)
    referent = Membership.objects.filter(cpts=request.cpts, user=person.referent).select_related(
        "user").first()  # fmt: skip
    codes = [c.code for c in person.criteria.all()]
    initial = {"consent_on": person.consent_on, "consent_by": person.consent_by,
               "criteria": codes, "commune": person.commune, "notes": person.notes,
               "referent": referent}  # fmt: skip
    form = PersonForm(request.POST or None, membership=request.membership, new=False,
                      initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            vulnerable.register_update(person=person, actor=request.user, request=request,
                                       **_service_args(form, person.patient))  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Inscription mise à jour.")
            if register_visible_to(request.membership).filter(pk=person.pk).exists():
                return redirect("crisis:register_person", request.cpts.slug, person.public_id)
            return redirect("crisis:register", request.cpts.slug)
    return render(request, "crisis/register_person.html", {
        "person": person, "patient": person.patient, "form": form,
        "criteria_labels": vulnerable.criteria_labels(codes),
        "consent_by_label": vulnerable.ConsentBy.LABELS.get(person.consent_by, ""),
        "age": person.patient.age(), "calls": person.calls.select_related(
            "campaign__activation", "caller").order_by("-pk")[:20],
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.keep_vulnerable_register)
@require_POST
def register_archive_view(request, public_id):
    person = get_person(request.membership, public_id, request=request)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Cochez la case qui confirme le retrait du consentement.")
        return redirect("crisis:register_person", request.cpts.slug, person.public_id)
    vulnerable.register_archive(person=person, actor=request.user, request=request,
                                reason=(request.POST.get("reason") or "")[:300])  # fmt: skip
    messages.success(request, f"{person.patient.display_name} est retiré(e) du registre "
                              "(consentement retiré).")
    return redirect("crisis:register", request.cpts.slug)


@member_view(permissions.manage_crisis)
def register_export_view(request):
    """The coordination's CSV of the whole active register (formulas neutralised), every
    person in it audited. Never sent to the mayor's register: it is the CPTS's own."""
    if not permissions.see_all_patients(request.membership):
        from django.http import Http404

        raise Http404
    people = list(register_visible_to(request.membership).order_by(
        "commune__name", "patient__birth_name", "pk"))  # fmt: skip
    record_people_shown(request.membership, people, request=request,
                        where="crisis.register_export", action="crisis.register_export")
    response = csv_response(f"registre-vulnerables-{request.cpts.slug}.csv",
                            vulnerable.EXPORT_HEADER, vulnerable.export_rows(people))
    response["Cache-Control"] = "no-store"
    return response

