"""The crisis plan: the draft section by section, its versions, their comparison, the
board's approval, the delivery to the ARS and the CPAM, the consolidated PDF."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_object_for_member, member_view
from maillage.core.forms import errors_to_form

from .. import frame, plan
from ..models import Contact, PlanVersion, Site, Stock

# ------------------------------------------------------------------ forms


class SectionText(forms.CharField):
    """Text of a section: NUL bytes are stripped rather than refused (a paste from a word
    processor may carry them); the length rule is the service's."""

    def to_python(self, value):
        return super().to_python(plan.clean_text(value) if value is not None else value)


class SectionForm(forms.Form):
    body = SectionText(label="Texte de la section", required=False, strip=False,
                       widget=forms.Textarea(attrs={"rows": 16}))  # fmt: skip


class VersionForm(forms.Form):
    note = forms.CharField(
        label="Objet de la version (facultatif)", required=False, max_length=300,
        help_text="Ex. : mise à jour annuelle 2026, intégration du RETEX de l'exercice "
                  "canicule.",
        error_messages={"max_length": "L'objet de la version est limité à 300 caractères."},
    )  # fmt: skip


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label="Remis à l'ARS et à la CPAM le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de remise.",
                        "invalid": "Date invalide (attendu : jj/mm/aaaa)."},
    )  # fmt: skip


# ------------------------------------------------------------------ helpers


def _plan_url(request, name="crisis:plan", *args):
    return reverse(name, args=[request.cpts.slug, *args])


def _get_version(request, public_id) -> PlanVersion:
    return get_object_for_member(plan.versions(request.cpts), request.membership, public_id)


def _status(version: PlanVersion, approved: PlanVersion | None) -> str:
    if version.approved_at is not None:
        return "approved"
    if approved is not None and approved.number > version.number:
        return "superseded"
    return "pending"


# ------------------------------------------------------------------ the plan


@member_view(permissions.see_crisis_plan)
def plan_view(request):
    cpts = request.cpts
    state = plan.state(cpts)
    revisions = plan.draft(cpts)
    retex = {}
    for revision in state.retex_pending:
        retex.setdefault(revision.section, []).append(revision)
    sections = [{
        "section": section, "revision": revisions.get(section.code),
        "changed": state.approved is not None and section.code in state.changed,
        "retex": retex.get(section.code, []),
    } for section in frame.sections()]  # fmt: skip
    titles = {s.code: s.title for s in frame.sections()}
    return render(request, "crisis/plan_page.html", {
        "state": state, "sections": sections,
        "changed_titles": [titles[c] for c in state.changed],
        "cell": Contact.objects.for_cpts(cpts).active().filter(in_cell=True)
        .order_by("name", "pk"),
        "sites": Site.objects.for_cpts(cpts).filter(archived_at__isnull=True).count(),
        "stocks": Stock.objects.for_cpts(cpts).filter(archived_at__isnull=True).count(),
        "today": timezone.localdate(),
    })  # fmt: skip


@member_view(permissions.manage_crisis)
@require_http_methods(["GET", "POST"])
def section_view(request, code):
    section = frame.section(code)
    if section is None:
        raise Http404
    current = plan.current_revision(request.cpts, code)
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                saved = plan.save_section(
                    cpts=request.cpts, section=code, body=form.cleaned_data["body"],
                    author=request.user, base=request.POST.get("base"), request=request,
                )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                done = f"Section « {section.title} » enregistrée."
                messages.success(request, done if saved else
                                 "Texte inchangé : rien n'est enregistré.")  # fmt: skip
                return redirect(f"{_plan_url(request)}#section-{code}")
    else:
        form = SectionForm(initial={"body": current.body if current else ""})
    return render(request, "crisis/plan_section.html", {
        "section": section, "form": form, "current": current,
        "base": str(current.public_id) if current else "",
        "history": plan.history(request.cpts, code),
    }, status=400 if form.errors else 200)  # fmt: skip


# ------------------------------------------------------------------ versions


@member_view(permissions.see_crisis_plan)
def versions_view(request):
    approved = plan.newest_approved(request.cpts)
    rows = [(v, _status(v, approved)) for v in plan.versions(request.cpts).order_by("-number")]
    return render(request, "crisis/plan_versions.html", {"rows": rows, "approved": approved})


@member_view(permissions.manage_crisis)
@require_http_methods(["GET", "POST"])
def version_new_view(request):
    cpts = request.cpts
    form = VersionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            version = plan.create_version(cpts=cpts, actor=request.user, request=request,
                                          note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors_to_form(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(request, f"Version {version.number} créée : elle attend "
                             "l'approbation du bureau.")  # fmt: skip
            return redirect("crisis:plan_version", cpts.slug, version.public_id)
    newest = plan.newest_version(cpts)
    changes = [c for c in plan.compare_sections(cpts, newest.sections if newest else [],
                                                plan.snapshot(cpts)) if c.changed]  # fmt: skip
    return render(request, "crisis/plan_version_new.html", {
        "form": form, "newest": newest, "changes": changes, "error": error,
    }, status=400 if form.errors or error else 200)  # fmt: skip


def _render_version(request, version, *, delivery_form=None, status=200):
    approved = plan.newest_approved(request.cpts)
    previous = plan.previous_version(version)
    status_code = _status(version, approved)
    return render(request, "crisis/plan_version.html", {
        "version": version, "status": status_code, "previous": previous,
        "delivery_form": delivery_form or DeliveryForm(
            initial={"delivered_on": version.delivered_on or timezone.localdate()}),
        # A refused delivery shows its reason even on a version that is not approved.
        "show_delivery": permissions.manage_crisis(request.membership) and (
            status_code == "approved" or delivery_form is not None),
    }, status=status)  # fmt: skip


@member_view(permissions.see_crisis_plan)
def version_view(request, public_id):
    return _render_version(request, _get_version(request, public_id))


@member_view(permissions.see_crisis_plan)
def compare_view(request):
    """Two versions section by section; by default the newest (or `to`) against the one
    before it."""
    cpts = request.cpts
    every = list(plan.versions(cpts).order_by("-number"))
    to = (_get_version(request, request.GET["to"]) if request.GET.get("to")
          else every[0] if every else None)  # fmt: skip
    old = (_get_version(request, request.GET["from"]) if request.GET.get("from")
           else plan.previous_version(to) if to else None)  # fmt: skip
    if to is not None and old is not None and old.number > to.number:
        old, to = to, old
    changes = []
    if to is not None:
        changes = plan.compare_sections(cpts, old.sections if old else [], to.sections,
                                        until=to.created_at)  # fmt: skip
    return render(request, "crisis/plan_compare.html", {
        "versions": every, "old": old, "to": to, "changes": changes,
        "changed": sum(1 for c in changes if c.changed),
    })  # fmt: skip


@member_view(permissions.approve_crisis_plan)
@require_POST
def approve_view(request, public_id):
    version = _get_version(request, public_id)
    try:
        done = plan.approve_version(version=version, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done:
            messages.success(request, f"Version {version.number} approuvée : c'est désormais "
                             "le plan de la CPTS.")  # fmt: skip
        else:
            version.refresh_from_db()
            messages.info(request, f"La version {version.number} était déjà approuvée "
                          f"(le {timezone.localdate(version.approved_at):%d/%m/%Y}) : "
                          "rien n'a changé.")  # fmt: skip
    return redirect("crisis:plan_version", request.cpts.slug, version.public_id)


@member_view(permissions.manage_crisis)
@require_POST
def delivered_view(request, public_id):
    version = _get_version(request, public_id)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            plan.record_delivery(version=version, delivered_on=form.cleaned_data["delivered_on"],
                                 actor=request.user, request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Remise de la version {version.number} à l'ARS et à la "
                             f"CPAM enregistrée ({version.delivered_on:%d/%m/%Y}).")  # fmt: skip
            return redirect("crisis:plan_version", request.cpts.slug, version.public_id)
    return _render_version(request, version, delivery_form=form, status=400)


@member_view(permissions.see_crisis_plan)
def pdf_view(request, public_id):
    version = _get_version(request, public_id)
    body = plan.render_pdf(version)
    audit.record(action="crisis.plan_pdf", actor=request.user, cpts=request.cpts, obj=version,
                 request=request, detail={"version": version.number})  # fmt: skip
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{plan.pdf_filename(version)}"'
    return response
