"""Accès au médecin traitant: public form, work queue, request file, proposals, the GP's
phone pages, priority rules and indicators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.core.models import Cpts
from maillage.core.public_forms import rate_limited
from maillage.core.text import echo
from maillage.patients.access import patients_visible_to, record_shown
from maillage.patients.duplicates import DuplicateUnderReview, create_patient_as_member
from maillage.patients.forms import ConsentForm
from maillage.patients.models import Consent, DuplicateReview
from maillage.patients.services import (
    DuplicateSuspected,
    consent_record,
    find_duplicates,
    patient_create,
    patient_merge,
)

from . import cpam_import, indicators, services
from .access import get_request, requests_visible_to
from .forms import (
    AnswerForm,
    CapacityForm,
    PriorityForm,
    PublicRequestForm,
    RequestForm,
    TransitionForm,
)
from .models import (
    CpamImport,
    CsvUpload,
    GpCapacity,
    ImportState,
    Origin,
    Proposal,
    ProposalBatch,
    Status,
)
from .priority import weights_for

# What a request adds to the patient (kept with a duplicate under review).
REQUEST_KEYS = ("origin", "message", "carer_name", "carer_relation", "carer_phone")
PATIENT_KEYS = ("birth_name", "used_name", "first_names", "birth_date", "sex",
                "birth_place_code", "nir", "phone", "email", "address", "commune", "ald",
                "ald_detail", "c2s", "ame", "isolated", "disability", "pregnant",
                "chronic_treatment", "needs_home_visits")  # fmt: skip


# Public form ----------------------------------------------------------------------------


# A person asks for themselves or a relative: a few requests an hour from one address is
# plenty, and more is a bot filling the work queue (core.public_forms counts valid posts).
PUBLIC_FORM_RATE = "5/h"


def _public_form_limited(request, *, increment: bool) -> bool:
    return rate_limited(request, group="gp_access.public_request", rate=PUBLIC_FORM_RATE,
                        increment=increment)  # fmt: skip


@require_http_methods(["GET", "POST"])
def public_request_view(request, cpts_slug):
    cpts = get_object_or_404(Cpts.objects.active(), slug=cpts_slug)

    def limited():
        return render(request, "gp_access/public_limited.html", {"cpts": cpts}, status=429)

    if request.method == "POST" and _public_form_limited(request, increment=False):
        return limited()
    form = PublicRequestForm(request.POST or None, initial={"started": PublicRequestForm.stamp()})
    if request.method == "POST" and form.is_valid():
        if _public_form_limited(request, increment=True):
            return limited()
        data = form.cleaned_data
        try:
            # The patient and the request together, or neither.
            with transaction.atomic():
                patient = patient_create(
                    cpts=cpts, actor=None, data={k: data.get(k) for k in PATIENT_KEYS},
                    consent_method=Consent.Method.CARER if data["for_someone_else"]
                    else Consent.Method.ONLINE,
                    request=request, allow_duplicate=True,
                )  # fmt: skip
                services.request_create(
                    cpts=cpts, actor=None, patient=patient,
                    origin=Origin.CARER if data["for_someone_else"] else Origin.PUBLIC_FORM,
                    message=data["message"], carer_name=data["carer_name"],
                    carer_relation=data["carer_relation"], carer_phone=data["carer_phone"],
                    request=request,
                )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return render(request, "gp_access/public_thanks.html", {"cpts": cpts})
    form.restamp()
    return render(request, "gp_access/public_form.html", {"cpts": cpts, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


# Coordinator and referrers -------------------------------------------------------------


@member_view(permissions.see_patients)
def queue_view(request):
    membership = request.membership
    status = request.GET.get("statut", "")
    queryset = requests_visible_to(membership).select_related("patient", "patient__commune")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    elif permissions.manage_gp_requests(membership):
        queryset = queryset.filter(
            status__in=[Status.NEW, Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED]
        )
    queryset = queryset.order_by("-priority_score", "created_at", "pk")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_shown(membership, [r.patient for r in page.object_list], request=request,
                 where="gp_access.queue")  # fmt: skip
    manages = permissions.manage_gp_requests(membership)
    counts = indicators.status_counts(request.cpts) if manages else {}
    reviews = DuplicateReview.objects.filter(cpts=request.cpts, status=DuplicateReview.Status.OPEN)
    return render(request, "gp_access/queue.html", {
        "page": page, "status": status, "statuses": Status.choices, "counts": counts,
        "open_reviews": reviews.count() if permissions.resolve_duplicates(membership) else 0,
        "my_reviews": reviews.filter(submitted_by=request.user, purpose=services.DUPLICATE_PURPOSE)
        .count(),
        "now": timezone.now(), "is_coordinator": manages,
    })  # fmt: skip


@member_view(permissions.refer_patient)
@require_http_methods(["GET", "POST"])
def request_create_view(request):
    default_origin = services.default_origin(request.membership)
    form = RequestForm(request.POST or None, initial={"origin": default_origin})
    consent = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and consent.is_valid():
        data = form.cleaned_data
        extra = {k: data[k] for k in REQUEST_KEYS}
        held = None
        try:
            # The patient and the request together, or neither. A probable duplicate stops
            # before anything but its audit rows (and review) is written: they are kept.
            with transaction.atomic():
                try:
                    patient = create_patient_as_member(
                        membership=request.membership,
                        data={k: data.get(k) for k in PATIENT_KEYS},
                        consent_method=consent.cleaned_data["consent_method"],
                        confirm_not_duplicate=consent.cleaned_data["confirm_duplicate"],
                        purpose=services.DUPLICATE_PURPOSE, payload=extra, request=request,
                    )  # fmt: skip
                except (DuplicateUnderReview, DuplicateSuspected) as exc:
                    held = exc
                else:
                    gp_request = services.request_create(
                        cpts=request.cpts, actor=request.user, patient=patient,
                        request=request, **extra,
                    )  # fmt: skip
            if isinstance(held, DuplicateUnderReview):
                messages.info(request, held.messages[0])
                return redirect("gp_access:queue", request.cpts.slug)
            if held is not None:
                raise held
        except DuplicateSuspected as exc:
            form.add_error(None, exc.messages)
            consent.fields["confirm_duplicate"].widget.attrs["autofocus"] = True
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Demande enregistrée.")
            return redirect("gp_access:request", request.cpts.slug, gp_request.public_id)
    return render(request, "gp_access/request_form.html", {"form": form, "consent": consent},
                  status=400 if form.errors or consent.errors else 200)  # fmt: skip


@member_view(permissions.see_patients)
@require_http_methods(["GET", "POST"])
def request_view(request, public_id):
    gp_request = get_request(request.membership, public_id, request=request)
    is_coordinator = permissions.manage_gp_requests(request.membership)
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "consent":
        if not is_coordinator:
            raise Http404
        try:
            consent_record(
                patient=gp_request.patient,
                method=request.POST.get("method", ""),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Consentement enregistré.")
        return redirect("gp_access:request", request.cpts.slug, gp_request.public_id)
    if request.method == "POST":
        if not is_coordinator:
            raise Http404
        if form.is_valid():
            try:
                if form.cleaned_data["to_status"] == Status.ASSIGNED:
                    services.declare_assigned(gp_request=gp_request, actor=request.user,
                                              request=request)  # fmt: skip
                else:
                    services.transition(
                        gp_request=gp_request, to_status=form.cleaned_data["to_status"],
                        actor=request.user, reason=form.cleaned_data["reason"], request=request,
                    )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "État de la demande mis à jour.")
                return redirect("gp_access:request", request.cpts.slug, gp_request.public_id)
    duplicates = list(find_duplicates(request.cpts, {
        "birth_name": gp_request.patient.birth_name,
        "first_names": gp_request.patient.first_names,
        "birth_date": gp_request.patient.birth_date, "nir": gp_request.patient.nir,
    }, exclude=gp_request.patient)) if permissions.resolve_duplicates(
        request.membership) else []  # fmt: skip
    record_shown(request.membership, duplicates, request=request, where="gp_access.request",
                 action="patient.duplicate_shown")  # fmt: skip
    return render(request, "gp_access/request.html", {
        "gp_request": gp_request, "patient": gp_request.patient, "form": form,
        "transitions": gp_request.transitions.select_related("actor"),
        "allowed": [(s.value, s.label) for s in Status if s in gp_request.allowed_transitions()],
        "missing": services.missing_for_qualification(gp_request),
        "duplicates": duplicates, "is_coordinator": is_coordinator,
        "proposals": gp_request.proposals.select_related("gp"),
        "consents": gp_request.patient.consents.filter(withdrawn_at__isnull=True),
        "consent_methods": Consent.Method.choices,
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.resolve_duplicates)
@require_POST
def merge_view(request, public_id):
    """Merge a probable duplicate (given by `duplicate`) into this request's patient."""
    gp_request = get_request(request.membership, public_id, request=request)
    duplicate = get_by_public_id(patients_visible_to(request.membership),
                                 request.POST.get("duplicate", ""))  # fmt: skip
    try:
        patient_merge(keep=gp_request.patient, duplicate=duplicate, actor=request.user,
                      request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Fiches fusionnées : l'historique est conservé.")
    return redirect("gp_access:request", request.cpts.slug, gp_request.public_id)


# Proposals -----------------------------------------------------------------------------


@member_view(permissions.manage_gp_requests)
@require_http_methods(["GET", "POST"])
def batch_view(request):
    cpts = request.cpts
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "compute":
                services.propose_batch(cpts=cpts, actor=request.user, request=request)
                messages.success(request, "Lot de propositions calculé : vérifiez-le.")
            elif action in ("send", "discard"):
                batch = get_by_public_id(ProposalBatch.objects.filter(cpts=cpts),
                                         request.POST.get("batch", ""))  # fmt: skip
                if action == "send":
                    sent = services.batch_send(batch=batch, actor=request.user, request=request)
                    messages.success(request, f"{sent} proposition(s) envoyée(s) aux médecins.")
                else:
                    services.batch_discard(batch=batch, actor=request.user, request=request)
                    messages.info(request, "Lot abandonné.")
            else:
                messages.error(request, "Action inconnue.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("gp_access:batch", cpts.slug)
    services.expire_overdue_proposals(cpts=cpts)
    batch = ProposalBatch.objects.filter(cpts=cpts, state=ProposalBatch.State.DRAFT).first()
    proposals = list(
        batch.proposals.filter(state=Proposal.State.DRAFT)
        .select_related("request__patient__commune", "gp")
        .order_by("-request__priority_score", "request__created_at")
        if batch else []
    )  # fmt: skip
    pending = list(
        Proposal.objects.filter(cpts=cpts, state=Proposal.State.PENDING)
        .select_related("request__patient", "gp").order_by("sent_at", "pk")
    )  # fmt: skip
    record_shown(request.membership, [p.request.patient for p in proposals + pending],
                 request=request, where="gp_access.batch")  # fmt: skip
    return render(request, "gp_access/batch.html", {
        "batch": batch, "proposals": proposals, "pending": pending,
        "capacities": GpCapacity.objects.filter(cpts=cpts).select_related("gp",
                                                                          "practice_commune"),
        "remaining": services.remaining_capacity(cpts),
    })  # fmt: skip


@member_view(permissions.answer_gp_proposals)
@require_http_methods(["GET", "POST"])
def my_proposals_view(request):
    """The GP's phone page: patients proposed to them, accept or decline. Only proposals
    of a sent batch appear, and a patient only while the GP's grant holds."""
    services.expire_overdue_proposals(cpts=request.cpts)
    form, answered = None, None
    if request.method == "POST":
        answered = get_by_public_id(
            Proposal.objects.filter(cpts=request.cpts, gp=request.user,
                                    state__in=Proposal.SENT_STATES),
            request.POST.get("proposal", ""),
        )  # fmt: skip
        form = AnswerForm(request.POST)
        if form.is_valid():
            accept = form.cleaned_data["answer"] == "accept"
            try:
                services.proposal_respond(
                    proposal=answered, gp=request.user, accept=accept,
                    reason=form.cleaned_data["reason"], request=request,
                )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "Merci : proposition acceptée." if accept else
                                 "Refus enregistré : le patient retourne dans la liste "
                                 "d'attente.")  # fmt: skip
                return redirect("gp_access:my_proposals", request.cpts.slug)
    proposals = services.proposals_of(request.membership)
    for proposal in proposals:
        proposal.form = form if answered is not None and proposal.pk == answered.pk else None
    record_shown(request.membership, [p.request.patient for p in proposals if p.visible],
                 request=request, where="gp_access.my_proposals")  # fmt: skip
    return render(request, "gp_access/my_proposals.html", {"proposals": proposals},
                  status=400 if form is not None and form.errors else 200)  # fmt: skip



@member_view(permissions.answer_gp_proposals)
@require_http_methods(["GET", "POST"])
def capacity_view(request):
    """The GP says how many new patients a month they take: two taps on a phone."""
    capacity = GpCapacity.objects.filter(cpts=request.cpts, gp=request.user).first()
    initial = {"monthly_new_patients": 2}
    if capacity:
        initial = {f: getattr(capacity, f) for f in ("monthly_new_patients", "max_distance_km",
                                                     "min_age", "max_age", "home_visits",
                                                     "paused_until")}  # fmt: skip
        initial["practice_commune"] = capacity.practice_commune.code
    form = CapacityForm(request.POST or None, initial=initial)
    quick = request.POST.get("quick")
    if request.method == "POST" and quick and capacity:
        data = {}
        if quick == "more":
            data["monthly_new_patients"] = capacity.monthly_new_patients + 1
        elif quick == "less":
            data["monthly_new_patients"] = max(0, capacity.monthly_new_patients - 1)
        elif quick == "pause":
            data["paused_until"] = timezone.localdate() + timezone.timedelta(days=30)
        elif quick == "resume":
            data["paused_until"] = None
        services.capacity_update(cpts=request.cpts, gp=request.user, actor=request.user,
                                 data=data, request=request)  # fmt: skip
        messages.success(request, "Disponibilité mise à jour.")
        return redirect("gp_access:capacity", request.cpts.slug)
    if request.method == "POST" and not quick and form.is_valid():
        data = dict(form.cleaned_data)
        commune = data["practice_commune"]  # the field found it (name, postal or INSEE code)
        if commune is None:
            form.add_error("practice_commune",
                           f"Commune inconnue : {echo(data['practice_commune'])}.")
        else:
            data["practice_commune"] = commune
            try:
                services.capacity_update(
                    cpts=request.cpts,
                    gp=request.user,
                    actor=request.user,
                    data=data,
                    request=request,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "Disponibilité enregistrée.")
                return redirect("gp_access:capacity", request.cpts.slug)
    remaining = services.remaining_capacity(request.cpts).get(request.user.pk)
    return render(request, "gp_access/capacity.html", {
        "form": form, "capacity": capacity, "remaining": remaining,
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.manage_gp_requests)
@require_http_methods(["GET", "POST"])
def priority_view(request):
    weights = weights_for(request.cpts)
    form = PriorityForm(request.POST or None, weights=weights)
    if request.method == "POST" and form.is_valid():
        services.set_priority_weights(
            cpts=request.cpts, actor=request.user, weights=form.cleaned_data, request=request
        )
        messages.success(request, "Règles de priorité enregistrées ; scores recalculés.")
        return redirect("gp_access:priority", request.cpts.slug)
    return render(request, "gp_access/priority.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.member)
def indicators_view(request):
    """Aggregates only: open to every member, the board included."""
    data = indicators.compute(request.cpts)
    if request.GET.get("format") == "csv":
        return csv_response(f"medecin-traitant-{request.cpts.slug}.csv",
                            ["Indicateur", "Valeur"], indicators.as_rows(data))  # fmt: skip
    return render(request, "gp_access/indicators.html", {"data": data})


# CPAM lists --------------------------------------------------------------------------


@member_view(permissions.manage_gp_requests)
@require_http_methods(["GET", "POST"])
def cpam_upload_view(request):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choisissez un fichier CSV."
        else:
            raw = upload.read(cpam_import.MAX_BYTES + 1)
            try:
                cpam_import.read_csv(raw)
            except cpam_import.CsvFileError as exc:
                error = str(exc)
            else:
                stored = CsvUpload.objects.create(
                    cpts=request.cpts,
                    uploaded_by=request.user,
                    file_name=upload.name[:200],
                    content=raw,
                )
                audit.record(
                    action="gp_request.cpam_upload",
                    actor=request.user,
                    cpts=request.cpts,
                    obj=stored,
                    request=request,
                )
                return redirect("gp_access:cpam_mapping", request.cpts.slug, stored.public_id)
    return render(request, "gp_access/cpam_upload.html", {"error": error},
                  status=400 if error else 200)  # fmt: skip


def _posted_mapping(post, width):
    mapping = {}
    for name in cpam_import.FIELDS:
        value = post.get(f"col_{name}", "")
        mapping[name] = int(value) if value.isdigit() and int(value) < width else None
    return mapping


@member_view(permissions.manage_gp_requests)
@require_http_methods(["GET", "POST"])
def cpam_mapping_view(request, public_id):
    stored = get_by_public_id(CsvUpload.objects.filter(cpts=request.cpts), public_id)
    parsed = cpam_import.read_csv(bytes(stored.content))
    if request.method == "POST":
        mapping = _posted_mapping(request.POST, len(parsed.header))
    else:
        mapping = cpam_import.guess_mapping(parsed.header)
    problems = cpam_import.check_mapping(mapping, len(parsed.header))
    results = [] if problems else cpam_import.preview(parsed, mapping)
    line_errors = [r for r in results if r.errors]
    action = request.POST.get("action")
    if request.method == "POST" and action == "abandon":
        stored.delete()
        messages.info(request, "Import abandonné : le fichier a été supprimé.")
        return redirect("gp_access:queue", request.cpts.slug)
    if request.method == "POST" and action == "import" and not problems and not line_errors:
        # The lines are checked again and imported by a job; the page follows its progress.
        run = cpam_import.start_import(cpts=request.cpts, actor=request.user, upload=stored,
                                       mapping=mapping, total=len(parsed.rows))  # fmt: skip
        return redirect("gp_access:cpam_progress", request.cpts.slug, run.public_id)
    live = stored.imports.filter(state__in=[ImportState.QUEUED, ImportState.RUNNING]).first()
    if live is not None:
        return redirect("gp_access:cpam_progress", request.cpts.slug, live.public_id)
    shown = results[:15]
    # The preview shows people of the list: the file's reading is audited, and every
    # line matching a recorded patient is audited on that patient.
    audit.record(action="gp_request.cpam_preview", actor=request.user, cpts=request.cpts,
                 obj=stored, request=request,
                 detail={"lines": [r.line for r in shown]})  # fmt: skip
    record_shown(request.membership, cpam_import.known_patients(request.cpts, shown),
                 request=request, where="gp_access.cpam_preview")  # fmt: skip
    fields = [(name, label, required, mapping.get(name))
              for name, (label, required, _w) in cpam_import.FIELDS.items()]  # fmt: skip
    return render(
        request,
        "gp_access/cpam_mapping.html",
        {
            "stored": stored,
            "header": list(enumerate(parsed.header)),
            "fields": fields,
            "problems": problems,
            "line_errors": line_errors[:100],
            "error_count": len(line_errors),
            "rows": shown,
            "total": len(parsed.rows),
        },
        status=400 if request.method == "POST" and (problems or line_errors) else 200,
    )


@member_view(permissions.manage_gp_requests)
@require_GET
def cpam_progress_view(request, public_id):
    """The progress of an import, then its outcome. The fragment polls itself with htmx
    every 2 s while the job is queued or running, and no longer once it has finished."""
    run = get_by_public_id(CpamImport.objects.filter(cpts=request.cpts), public_id)
    context = {
        "run": run,
        "summary": cpam_import.summary_text(run.summary) if run.state == ImportState.DONE else "",
        "percent": round(100 * run.processed / run.total) if run.total else 0,
    }
    if request.htmx:
        return render(request, "gp_access/_cpam_progress.html", context)
    return render(request, "gp_access/cpam_progress.html", context)
