"""The follow-up of positive screenings: the list (per action, per status, without news
for 30 days), one follow-up (identity with consent, médecin traitant, referral, seen or
lost, diabetes pathway) and its referral letter (PDF).

Pages under /c/ are no-store (core NoStoreMiddleware); each identity shown is audited
through maillage.patients.access."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from maillage.core import permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form
from maillage.directory.pickers import MemberPickerField
from maillage.patients.access import get_patient, patients_visible_to, record_shown
from maillage.patients.duplicates import DuplicateUnderReview, create_patient_as_member
from maillage.patients.forms import ConsentForm, PatientForm
from maillage.patients.pickers import PatientPickerField
from maillage.patients.services import DuplicateSuspected

from .. import followup as service
from .. import letters
from ..models import Action, FollowUpStatus

PATIENT_KEYS = ("birth_name", "used_name", "first_names", "birth_date", "sex", "nir", "phone",
                "email", "commune", "ald", "ald_detail", "c2s", "isolated")  # fmt: skip


# -- forms ------------------------------------------------------------------------------


class IdentityForm(PatientForm):
    """What the follow-up needs, no more: names, birth date, sex, contact, commune and
    the situations that weigh in the médecin-traitant queue (ALD, C2S, isolement)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in PATIENT_KEYS:
                del self.fields[name]


class PickForm(forms.Form):
    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"] = PatientPickerField(membership=membership,
                                                    label="Patient déjà enregistré")  # fmt: skip


class GpForm(forms.Form):
    """"A un médecin traitant ?": the known one, a member, a name typed by hand, or none."""

    choice = forms.ChoiceField(label="La personne a-t-elle un médecin traitant ?",
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choisissez une réponse."})  # fmt: skip
    gp_name = forms.CharField(label="Nom du médecin (hors CPTS)", max_length=200,
                              required=False)  # fmt: skip

    def __init__(self, *args, cpts, attending=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attending = attending
        choices = []
        if attending is not None:
            name = attending.get_full_name() or attending.email
            choices.append(("attending", f"Oui, son médecin traitant connu : Dr {name}"))
        choices += [("member", "Oui, un médecin membre de la CPTS"),
                    ("name", "Oui, un médecin hors de la CPTS (nom saisi)"),
                    ("none", "Non, aucun médecin traitant")]  # fmt: skip
        self.fields["choice"].choices = choices
        self.fields["member"] = MemberPickerField(cpts=cpts, scope="gps", required=False,
                                                  label="Médecin membre de la CPTS")  # fmt: skip

    def clean(self):
        data = super().clean()
        choice = data.get("choice")
        if choice == "member" and not data.get("member"):
            self.add_error("member", "Choisissez le médecin parmi les membres de la CPTS.")
        if choice == "name" and not (data.get("gp_name") or "").strip():
            self.add_error("gp_name", "Indiquez le nom du médecin.")
        return data

    def gp(self):
        choice = self.cleaned_data["choice"]
        if choice == "attending":
            return self.attending, ""
        if choice == "member":
            return self.cleaned_data["member"].user, ""
        if choice == "name":
            return None, self.cleaned_data["gp_name"]
        return None, ""


class SeenForm(forms.Form):
    seen_on = forms.DateField(label="Vu le", widget=forms.DateInput(attrs={"type": "date"},
                                                                    format="%Y-%m-%d"),
                              error_messages={"invalid": "Date invalide.",
                                              "required": "Indiquez la date de la "
                                                          "consultation."})  # fmt: skip
    outcome = forms.ChoiceField(label="Résultat", widget=forms.RadioSelect,
                                choices=service.Outcome.CHOICES,
                                error_messages={"required": "Indiquez si le médecin a confirmé "
                                                            "le résultat."})  # fmt: skip


# -- pages ------------------------------------------------------------------------------


@member_view(permissions.follow_screening_referrals)
@require_GET
def followups_view(request):
    """Per action and status, with the counts (to refer, referred, seen, lost) and the
    follow-ups without news for 30 days."""
    membership = request.membership
    queryset = service.visible_to(membership)
    actions = list(Action.objects.for_cpts(request.cpts)
                   .filter(participants__follow_up__in=queryset).distinct()
                   .order_by("-start"))  # fmt: skip
    chosen = request.GET.get("action", "")
    action = next((a for a in actions if str(a.public_id) == chosen), None)
    if action is not None:
        queryset = queryset.filter(participant__action=action)
    counts = service.counts(queryset)
    status = request.GET.get("statut", "")
    if status in FollowUpStatus.values:
        queryset = queryset.filter(status=status)
    stale = request.GET.get("sans_nouvelles") == "1"
    if stale:
        queryset = queryset.open().filter(updated_at__lt=service.stale_before())
    page = Paginator(queryset.select_related("participant__action", "participant__patient",
                                             "participant__commune", "gp")
                     .order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    visible = set(patients_visible_to(membership).filter(
        pk__in=[r.participant.patient_id for r in rows if r.participant.patient_id])
        .values_list("pk", flat=True))  # fmt: skip
    shown = []
    for row in rows:
        patient = row.participant.patient
        row.shown_patient = patient if patient is not None and patient.pk in visible else None
        if row.shown_patient is not None:
            shown.append(patient)
    record_shown(membership, shown, request=request, where="prevention.followups")
    return render(request, "prevention/followup/list.html", {
        "page": page, "rows": rows, "counts": counts, "actions": actions, "action": action,
        "status": status, "stale": stale, "statuses": FollowUpStatus.choices,
        "stale_days": service.STALE_DAYS,
    })  # fmt: skip


def _show_patient(membership, follow_up, request):
    """The identity, through the need-to-know helper (one audit row), or None when the
    caller may not see it."""
    patient = follow_up.participant.patient
    if patient is None:
        return None
    try:
        return get_patient(membership, patient.public_id, request=request,
                           purpose="prevention.followup_read",
                           detail={"via": "prevention.followup"})  # fmt: skip
    except Http404:
        return None


@member_view(permissions.follow_screening_referrals)
@require_http_methods(["GET", "POST"])
def followup_view(request, public_id):
    membership = request.membership
    follow_up = service.get_follow_up(membership, public_id)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    may_refer = service.can_refer(membership, follow_up)
    may_confirm = service.can_confirm(membership, follow_up)
    if step and not {"identity": may_refer, "pick": may_refer, "decline": may_refer,
                     "gp": may_refer, "seen": may_confirm,
                     "lost": service.can_mark_lost(membership),
                     "pathway": may_confirm}.get(step, False):  # fmt: skip
        raise Http404
    identity = IdentityForm(request.POST if step == "identity" else None)
    consent = ConsentForm(request.POST if step == "identity" else None)
    pick = PickForm(request.POST if step == "pick" else None, membership=membership)
    patient = follow_up.participant.patient
    attending = patient.attending_gp if patient is not None else None
    gp_form = GpForm(request.POST if step == "gp" else None, cpts=request.cpts,
                     attending=attending)  # fmt: skip
    seen = SeenForm(request.POST if step == "seen" else None,
                    initial={"seen_on": timezone.localdate()})  # fmt: skip
    candidates, step_error = [], ""
    try:
        if step == "identity" and identity.is_valid() and consent.is_valid():
            data = {k: identity.cleaned_data.get(k) for k in PATIENT_KEYS}
            try:
                created = create_patient_as_member(
                    membership=membership, data=data,
                    consent_method=consent.cleaned_data["consent_method"],
                    confirm_not_duplicate=consent.cleaned_data["confirm_duplicate"],
                    purpose="prevention.followup", request=request,
                )  # fmt: skip
            except DuplicateUnderReview as exc:
                step_error = exc.messages[0]
            except DuplicateSuspected as exc:
                candidates = exc.candidates
                identity.add_error(None, exc.messages)
            else:
                service.attach_patient(follow_up=follow_up, patient=created, actor=request.user,
                                       request=request)  # fmt: skip
                messages.success(request, "Identité enregistrée, avec le consentement.")
                return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "pick":
            chosen = request.POST.get("candidate")
            if chosen:
                found = get_by_public_id(patients_visible_to(membership), chosen)
            else:
                found = pick.cleaned_data["patient"] if pick.is_valid() else None
            if found is not None:
                service.attach_patient(follow_up=follow_up, patient=found, actor=request.user,
                                       request=request)  # fmt: skip
                messages.success(request, "Patient rattaché à ce dépistage.")
                return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "gp" and gp_form.is_valid():
            gp, gp_name = gp_form.gp()
            try:
                service.refer(follow_up=follow_up, actor=request.user, gp=gp, gp_name=gp_name,
                              request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(gp_form, exc)
            else:
                messages.success(request, "Personne adressée à son médecin traitant."
                                 if follow_up.has_gp else
                                 "Demande ajoutée à la file « médecin traitant », avec sa "
                                 "priorité.")  # fmt: skip
                return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "seen" and seen.is_valid():
            try:
                service.record_seen(follow_up=follow_up, actor=request.user,
                                    seen_on=seen.cleaned_data["seen_on"],
                                    outcome=seen.cleaned_data["outcome"],
                                    request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(seen, exc)
            else:
                messages.success(request, "Consultation enregistrée.")
                return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "decline":
            service.decline(follow_up=follow_up, actor=request.user, request=request)
            messages.success(request, "Refus de la personne enregistré.")
            return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "lost":
            service.mark_lost(follow_up=follow_up, actor=request.user, request=request)
            messages.success(request, "Personne notée perdue de vue.")
            return redirect("prevention:followup", request.cpts.slug, follow_up.public_id)
        elif step == "pathway":
            return redirect(service.propose_pathway(follow_up=follow_up, actor=request.user,
                                                    request=request))  # fmt: skip
    except ValidationError as exc:
        step_error = " ".join(exc.messages)
    shown = _show_patient(membership, follow_up, request)
    failed = bool(step_error or identity.errors or consent.errors or pick.errors
                  or gp_form.errors or seen.errors)  # fmt: skip
    participant = follow_up.participant
    return render(request, "prevention/followup/detail.html", {
        "follow_up": follow_up, "participant": participant, "patient": shown,
        "has_identity": participant.patient_id is not None,
        "identity": identity, "consent": consent, "pick": pick, "gp_form": gp_form,
        "seen": seen, "candidates": candidates, "step_error": step_error,
        "measures": [service.measure_text(m) for m in participant.measures or []
                     if isinstance(m, dict)],
        "may_refer": may_refer, "may_confirm": may_confirm,
        "may_mark_lost": service.can_mark_lost(membership),
        "may_propose_pathway": may_confirm and service.can_propose_pathway(follow_up),
        "outcome_label": service.Outcome.LABELS.get(follow_up.outcome, ""),
        "S": FollowUpStatus,
    }, status=400 if failed else 200)  # fmt: skip


@member_view(permissions.follow_screening_referrals)
@require_GET
def followup_letter_view(request, public_id):
    """The referral letter for the GP (PDF), once the person is addressed to one."""
    membership = request.membership
    follow_up = service.get_follow_up(membership, public_id)
    if not follow_up.has_gp or follow_up.participant.patient_id is None:
        raise Http404
    # The letter names the person: the read is audited like a page showing them.
    if _show_patient(membership, follow_up, request) is None:
        raise Http404
    author = request.user.get_full_name() or request.user.email
    content = letters.letter_pdf(follow_up, author=author)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="orientation-depistage-{str(follow_up.public_id)[:8]}.pdf"')
    response["Cache-Control"] = "no-store"
    return response


urls = [
    path("c/<slug:cpts_slug>/prevention/orientations/", followups_view, name="followups"),
    path("c/<slug:cpts_slug>/prevention/orientations/<str:public_id>/", followup_view,
         name="followup"),
    path("c/<slug:cpts_slug>/prevention/orientations/<str:public_id>/courrier.pdf",
         followup_letter_view, name="followup_letter"),
]
