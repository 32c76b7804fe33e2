"""Call campaigns over the vulnerable register: creating one from a live activation, its
progress for the coordination, and each caller's own calls ("Mes appels", phone first).
Need-to-know and audit: crisis/access.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import permissions
from maillage.core.access import get_object_for_member, member_view
from maillage.core.forms import errors_to_form
from maillage.core.models import Membership
from maillage.directory.pickers import MemberPickerField, member_label
from maillage.territory.models import Commune

from .. import calls as services
from .. import vulnerable
from ..access import calls_visible_to, get_call, record_calls_shown
from ..handoffs import HELP_MODES
from ..models import (
    Activation,
    CallCampaign,
    CallOutcome,
    Contact,
    ContactCategory,
    VulnerablePerson,
)


class CampaignForm(forms.Form):
    title = forms.CharField(label="Intitulé de la campagne", max_length=200,
                            error_messages={"required": "Indiquez l'intitulé de la campagne."})
    communes = forms.MultipleChoiceField(
        label="Communes (aucune cochée : toutes)", required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Commune inconnue du registre."},
    )  # fmt: skip
    criteria = forms.MultipleChoiceField(
        label="Critères (aucun coché : tous)", required=False,
        choices=list(vulnerable.CRITERIA.items()), widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Critère inconnu."},
    )  # fmt: skip
    callers = forms.MultipleChoiceField(
        label="Appelants", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Appelant inconnu : ajoutez-le par son nom."},
    )  # fmt: skip

    def __init__(self, *args, cpts, communes, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = [(c.code, c.name) for c in communes]
        self.candidates = {str(m.public_id): m for m in candidates}
        self.fields["callers"].choices = [(key, member_label(m))
                                          for key, m in self.candidates.items()]  # fmt: skip
        self.fields["add_caller"] = MemberPickerField(
            cpts=cpts, scope="care_team", required=False, label="Ajouter un appelant",
            help_text="Nom, e-mail ou RPPS d'un professionnel ou de la coordination, puis "
                      "« Ajouter ».",
        )  # fmt: skip

    def clean_add_caller(self):
        member = self.cleaned_data.get("add_caller")
        if member is not None and not permissions.call_vulnerable(member):
            raise ValidationError("Seuls les professionnels et la coordination appellent les "
                                  "personnes vulnérables.")
        return member


def _live_activation(request, public_id):
    return get_object_for_member(Activation.objects, request.membership, public_id)


@member_view(permissions.manage_crisis)
@require_http_methods(["GET", "POST"])
def campaign_new_view(request, public_id):
    """A call campaign for the live activation `public_id`: one call per active register
    person matching the filters, shared among the callers ticked (each person's referent
    first when they call)."""
    activation = _live_activation(request, public_id)
    cpts = request.cpts
    register = VulnerablePerson.objects.for_cpts(cpts).active()
    communes = Commune.objects.filter(pk__in=register.values("commune")).order_by("name")
    callers = services.callers_of(cpts)
    referents = set(register.values_list("referent_id", flat=True))
    posted = request.method == "POST"
    chosen = request.POST.getlist("callers") if posted else []
    candidates = [m for m in callers if m.user_id in referents or m.pk == request.membership.pk
                  or str(m.public_id) in chosen]  # fmt: skip
    known = {str(m.public_id) for m in candidates}
    extra = [key for key in chosen if key not in known]
    if extra:  # added by name on an earlier round
        candidates += list(callers.filter(public_id__in=[k for k in extra if _is_uuid(k)]))
    title = f"{activation.prefix}Appels des personnes vulnérables – {activation.title}"
    initial = {"title": title[:200],
               "callers": [str(m.public_id) for m in candidates]}  # fmt: skip
    form = CampaignForm(request.POST if posted else None, cpts=cpts, communes=communes,
                        candidates=candidates, initial=initial)  # fmt: skip
    adding = posted and "add" in request.POST
    if posted:
        form.is_valid()
    added = form.cleaned_data.get("add_caller") if posted else None
    if added is not None:
        data = request.POST.copy()
        data.setlist("callers", list(dict.fromkeys([*chosen, str(added.public_id)])))
        data["add_caller"], data["add_caller_search"] = "", ""
        if added not in candidates:
            candidates.append(added)
        form = CampaignForm(data, cpts=cpts, communes=communes, candidates=candidates)
        form.is_valid()
        adding = True
    if posted and not adding and form.is_valid():
        picked = [form.candidates[key].user for key in form.cleaned_data["callers"]]
        try:
            campaign = services.campaign_create(
                activation=activation, actor=request.user, title=form.cleaned_data["title"],
                callers=picked, criteria=form.cleaned_data["criteria"], request=request,
                communes=list(communes.filter(code__in=form.cleaned_data["communes"])),
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Campagne créée : {campaign.calls.count()} appel(s) "
                                      "à passer.")
            return redirect("crisis:campaign", cpts.slug, campaign.public_id)
    return render(request, "crisis/calls_campaign_new.html", {
        "activation": activation, "form": form, "live": activation.ended_at is None,
        "register_size": register.count(),
    }, status=400 if posted and form.errors else 200)  # fmt: skip


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@member_view(permissions.manage_crisis)
def campaign_view(request, public_id):
    """A campaign's progress and its calls, each open call reassignable."""
    campaign = get_object_for_member(CallCampaign.objects.select_related("activation"),
                                     request.membership, public_id)  # fmt: skip
    calls = list(calls_visible_to(request.membership).filter(campaign=campaign)
                 .select_related("person__patient", "person__commune", "caller", "outcome_by")
                 .order_by("person__commune__name", "person__patient__birth_name", "pk"))
    record_calls_shown(request.membership, calls, request=request, where="crisis.campaign")
    callers = {c.caller_id: c.caller for c in calls if c.caller_id}
    callers.setdefault(request.user.pk, request.user)
    return render(request, "crisis/calls_campaign.html", {
        "campaign": campaign, "activation": campaign.activation, "calls": calls,
        "progress": services.progress(calls_visible_to(request.membership)
                                      .filter(campaign=campaign)),
        "callers": sorted(callers.values(), key=lambda u: (u.last_name, u.first_name, u.pk)),
        "open_outcomes": services.OPEN_OUTCOMES,
    })  # fmt: skip


@member_view(permissions.manage_crisis)
@require_POST
def call_reassign_view(request, public_id):
    call = get_call(request.membership, public_id, request=request)
    member = Membership.objects.active().filter(
        cpts=request.cpts, user__public_id=request.POST.get("caller")
        if _is_uuid(request.POST.get("caller")) else None).select_related("user").first()
    try:
        if member is None:
            raise ValidationError("Choisissez un appelant.")
        services.reassign(call=call, actor=request.user, caller=member.user, request=request)
    except services.StaleCall:
        messages.warning(request, "Cet appel a déjà un résultat : il n'est plus réattribué.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Appel de {call.person.patient.display_name} confié à "
                                  f"{member.user.get_full_name() or member.user.email}.")
    return redirect("crisis:campaign", request.cpts.slug, call.campaign.public_id)


def _my_open_calls(membership):
    return (calls_visible_to(membership).filter(
        caller=membership.user, outcome__in=services.OPEN_OUTCOMES,
        campaign__closed_at__isnull=True, campaign__activation__ended_at__isnull=True)
        .select_related("person__patient", "person__commune", "campaign__activation")
        .prefetch_related("person__criteria")
        .order_by("attempts", "person__commune__name", "person__patient__birth_name", "pk"))


def _my_recent_calls(membership):
    return (calls_visible_to(membership).filter(
        caller=membership.user, campaign__closed_at__isnull=True,
        campaign__activation__ended_at__isnull=True)
        .exclude(outcome__in=services.OPEN_OUTCOMES)
        .select_related("person__patient", "campaign__activation")
        .order_by("-outcome_at", "-pk")[:20])  # fmt: skip


def _town_halls(cpts, communes):
    halls = {}
    for contact in Contact.objects.for_cpts(cpts).active().filter(
            category=ContactCategory.TOWN_HALL, commune__in=communes).order_by("name"):
        halls.setdefault(contact.commune_id, contact)
    return halls


def _my_calls_page(request, *, errors=None, status=200):
    membership = request.membership
    calls = list(_my_open_calls(membership))
    recent = list(_my_recent_calls(membership))
    record_calls_shown(membership, calls + recent, request=request, where="crisis.my_calls")
    halls = _town_halls(request.cpts, {c.person.commune_id for c in calls})
    today = timezone.localdate()
    errors = errors or {}
    for call in calls:
        call.age = call.person.patient.age(today)
        call.criteria_labels = vulnerable.criteria_labels(
            c.code for c in call.person.criteria.all())
        call.may_report = call.attempts >= services.MAYOR_AFTER_ATTEMPTS
        call.town_hall = halls.get(call.person.commune_id)
        call.error = errors.get(call.pk, "")
    return render(request, "crisis/calls_mine.html", {
        "calls": calls, "recent": recent, "help_modes": HELP_MODES,
        "mayor_after": services.MAYOR_AFTER_ATTEMPTS,
    }, status=status)  # fmt: skip


@member_view(permissions.call_vulnerable)
def my_calls_view(request):
    """The caller's calls still to make in live campaigns: name, phone, criteria, notes,
    one tap per outcome."""
    return _my_calls_page(request)


def _int(value, default=-1):
    """A small count posted back by the page; anything else (text, a huge number that a
    database column could not even compare) is `default`."""
    try:
        number = int(str(value)[:6])
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= 10_000 else default


@member_view(permissions.call_vulnerable)
@require_POST
def call_outcome_view(request, public_id):
    """Record a call's outcome from "Mes appels": only the caller it is assigned to (or
    the coordination); a call recorded meanwhile by someone else is not overwritten."""
    call = get_call(request.membership, public_id, request=request)
    outcome = request.POST.get("outcome", "")
    help_mode = request.POST.get("help_mode", "practice")
    if outcome.startswith(CallOutcome.NEEDS_HELP + ":"):
        outcome, help_mode = outcome.split(":", 1)
    try:
        services.record_outcome(
            call=call, actor=request.user, outcome=outcome,
            seen_outcome=request.POST.get("seen_outcome", ""),
            seen_attempts=_int(request.POST.get("seen_attempts")),
            note=request.POST.get("note", "")[:500], help_mode=help_mode,
            phone=(request.POST.get("phone") or call.person.patient.phone)[:30],
            origin=request.membership.role, request=request,
        )  # fmt: skip
    except services.StaleCall as exc:
        stored = exc.call
        who = stored.outcome_by.get_full_name() or stored.outcome_by.email \
            if stored.outcome_by else "quelqu'un d'autre"
        messages.warning(request, f"L'appel de {call.person.patient.display_name} vient d'être "
                                  f"enregistré par {who} : {stored.get_outcome_display()} "
                                  f"({stored.attempts} tentative(s)). Rien n'a été modifié.")
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        text = " ".join(m for messages_ in errors.values() for m in messages_)
        if call.caller_id == request.user.pk:
            return _my_calls_page(request, errors={call.pk: text}, status=400)
        messages.error(request, text)
    else:
        messages.success(request, _done_message(call, outcome))
    if request.POST.get("next") == "campaign" and permissions.manage_crisis(request.membership):
        return redirect("crisis:campaign", request.cpts.slug, call.campaign.public_id)
    return redirect(reverse("crisis:my_calls", args=[request.cpts.slug]))


def _done_message(call, outcome):
    name = call.person.patient.display_name
    return {
        CallOutcome.FINE: f"{name} : joint(e), va bien.",
        CallOutcome.NEEDS_HELP: f"{name} : demande de soins non programmés créée (voir "
                                "« Appels faits » ci-dessous).",
        CallOutcome.NOT_REACHED: f"{name} : non joint(e), à rappeler.",
        CallOutcome.MAYOR: f"{name} : signalé(e) à la mairie.",
    }.get(outcome, "Appel enregistré.")

