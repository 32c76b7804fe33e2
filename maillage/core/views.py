"""Accounts (login with a second factor, invitations), members and the audit trail."""

import time
import uuid

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_ratelimit.core import is_ratelimited

from maillage.core.text import with_article

from . import audit, audit_trail, home, messaging, permissions, services, twofactor
from .access import get_by_public_id, member_view, user_needs_second_factor
from .exports import csv_response
from .filters import AuditEventFilter
from .forms import (
    AcceptInvitationForm,
    InvitationForm,
    LoginForm,
    NewPasswordForm,
    OtpForm,
    ResetRequestForm,
    UnlockForm,
    errors_to_form,
)
from .models import ApiToken, AuditEvent, Cpts, Invitation, Membership

PENDING_USER = "maillage_pending_user"
PENDING_NEXT = "maillage_pending_next"
PENDING_AT = "maillage_pending_at"

User = get_user_model()


def locked_out(request, credentials, *args, **kwargs):
    """Axes lockout response: a page that says what happened and what to do."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "core/locked.html", {"minutes": minutes}, status=429)


def axes_username(request, credentials):
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        value = request.POST.get("email") or request.POST.get("username")
    return (value or "").strip().lower() or None


def _safe_next(request, default="core:home"):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _start_pending(request, user):
    """Remember who passed the password step, for a few minutes, in a fresh session:
    whoever was logged in on this browser before is logged out first."""
    if request.user.is_authenticated:
        logout(request)
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = time.time()


def _pending_user(request):
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if user_id is None:
        return None
    if time.time() - started > settings.LOGIN_PENDING_SECONDS:
        request.session.pop(PENDING_USER, None)
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    revoked = user.sessions_revoked_at if user is not None else None
    if revoked is not None and started < revoked.timestamp():
        # A login left half-way before the account's sessions were ended (second factor
        # reset, password reset): it must start again from the password.
        request.session.pop(PENDING_USER, None)
        return None
    return user


def _finish_login(request, user, device=None):
    """Open the session, mark it verified when a device was used, and audit the login."""
    next_url = request.session.pop(PENDING_NEXT, None)
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_AT, None)
    user.backend = "django.contrib.auth.backends.ModelBackend"
    login(request, user)
    if device is not None:
        otp_login(request, device)
    for membership in Membership.objects.active().filter(user=user).select_related("cpts"):
        audit.record(
            action="auth.login",
            actor=user,
            cpts=membership.cpts,
            request=request,
            detail={"second_factor": device is not None},
        )
    return redirect(next_url or "core:home")


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        user = authenticate(request, email=email, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request, {"email": email})
        if user is None:
            form.add_error(None, "Adresse e-mail ou mot de passe incorrect.")
        else:
            next_url = _safe_next(request, default="")
            _start_pending(request, user)
            request.session[PENDING_NEXT] = next_url
            if twofactor.confirmed_device(user):
                return redirect("core:login_otp")
            if user_needs_second_factor(user):
                return redirect("core:enrol_otp")
            return _finish_login(request, user)
    return render(
        request,
        "core/login.html",
        {"form": form, "next": request.GET.get("next", ""), "demo": twofactor.demo_code_allowed()},
        status=400 if form.errors else 200,
    )


def _otp_failed(request, user):
    # Feed axes, so wrong codes count towards the lockout like wrong passwords.
    user_login_failed.send(sender=__name__, credentials={"email": user.email}, request=request)


@require_http_methods(["GET", "POST"])
def login_otp_view(request):
    """Second step: the TOTP code. Also reached by a logged-in but unverified user."""
    user = _pending_user(request)
    if user is None and request.user.is_authenticated and not request.user.is_verified():
        user = request.user
    if user is None:
        return redirect("core:login")
    device = twofactor.confirmed_device(user)
    if device is None:
        return redirect("core:enrol_otp")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, {"email": user.email}):
            return locked_out(request, {"email": user.email})
        if device.verify_token(form.cleaned_data["code"]):
            return _finish_login(request, user, device)
        _otp_failed(request, user)
        if AxesProxyHandler.is_locked(request, {"email": user.email}):
            return locked_out(request, {"email": user.email})
        form.add_error(
            "code",
            "Code incorrect ou expiré. Saisissez le code affiché maintenant par votre "
            "application (vérifiez l'heure de votre téléphone).",
        )
    return render(
        request,
        "core/login_otp.html",
        {"form": form, "demo": twofactor.demo_code_allowed(), "pending_email": user.email},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def enrol_otp_view(request):
    """Enrol a TOTP application: scan the QR code, type one code to confirm.

    Only for an account without a confirmed device, and only right after its password was
    typed in this browser (the pending login): not from an open session, which could be
    someone else's stolen one after the coordination reset the second factor. Replacing an
    existing device is not done here (a lost phone is reset by the coordination, see
    services.member_second_factor_reset), so a session can never swap someone's device.
    """
    user = _pending_user(request)
    if user is None:
        if request.user.is_authenticated and request.user.is_verified():
            return redirect("core:home")
        if request.user.is_authenticated:
            messages.info(
                request,
                "Pour activer la double authentification, saisissez d'abord votre mot de passe.",
            )
        return redirect("core:login")
    if twofactor.confirmed_device(user):
        return redirect("core:login_otp")
    device = twofactor.pending_device(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            for membership in Membership.objects.active().filter(user=user):
                audit.record(
                    action="auth.totp_enrolled", actor=user, cpts=membership.cpts, request=request
                )
            messages.success(request, "Double authentification activée.")
            return _finish_login(request, user, device)
        _otp_failed(request, user)
        form.add_error(
            "code",
            "Code incorrect. Vérifiez que vous avez scanné le QR code ci-dessus "
            "et saisissez le code affiché maintenant.",
        )
    return render(
        request,
        "core/enrol_otp.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "email": user.email,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def logout_view(request):
    request.session.pop(PENDING_USER, None)
    logout(request)
    messages.info(request, "Vous êtes déconnecté.")
    return redirect("core:login")


def home_view(request):
    """A visitor finds the CPTS's public pages; a member lands on their "Aujourd'hui"
    (with several CPTS, they choose one first)."""
    if not request.user.is_authenticated:
        return render(request, "core/public_home.html",
                      {"cpts_list": list(Cpts.objects.active().order_by("name"))})
    memberships = list(Membership.objects.active().filter(user=request.user).select_related("cpts"))
    if len(memberships) == 1:
        return redirect("core:today", cpts_slug=memberships[0].cpts.slug)
    return render(request, "core/home.html", {"memberships": memberships})


@member_view(permissions.open_home)
def today_view(request):
    """Aujourd'hui: what needs this member now, each mission contributing its cards."""
    cards = home.cards_for(request.membership, request)
    return render(request, "core/today.html", {"cards": cards, "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
def invitation_view(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "core/invitation_invalid.html", {"errors": exc.messages}, status=410)

    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None:
        # Someone who already has an account joins a second CPTS: they log in first.
        if not request.user.is_authenticated or request.user.pk != existing.pk:
            messages.info(
                request,
                f"Un compte existe déjà pour {invitation.email} : connectez-vous pour "
                f"rejoindre {with_article(invitation.cpts.name)}.",
            )
            return redirect(f"/connexion/?next={request.path}")
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=existing, request=request)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("core:home")
            messages.success(request, f"Vous avez rejoint {with_article(invitation.cpts.name)}.")
            return redirect("core:home")
        return render(request, "core/invitation_join.html", {"invitation": invitation})

    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            user = membership.user
            _start_pending(request, user)
            if permissions.requires_two_factor(membership):
                return redirect("core:enrol_otp")
            return _finish_login(request, user)
    return render(
        request,
        "core/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


@member_view(permissions.manage_members)
@require_http_methods(["GET", "POST"])
def members_view(request):
    cpts = request.cpts
    form = InvitationForm(request.POST or None)
    to_replace = None
    if request.method == "POST" and form.is_valid():
        email = services.normalise_email(form.cleaned_data["email"])
        pending = services.pending_invitation(cpts=cpts, email=email)
        # The confirmation names the invitation it replaces: a newer one sent meanwhile
        # by someone else is not cancelled without being shown first.
        confirmed = pending is not None and request.POST.get("remplace") == str(pending.public_id)
        try:
            services.invitation_create(
                cpts=cpts,
                email=email,
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
                invited_by=request.user,
                replace_pending=confirmed,
                request=request,
            )
        except services.PendingInvitationExists as exc:
            to_replace = exc.pending
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Invitation envoyée à {email}.")
            if pending is not None:
                messages.info(
                    request,
                    f"L'invitation précédente (du {_day(pending.created_at)}) est annulée : "
                    "seul le nouveau lien fonctionne.",
                )
            account_note = _existing_account_note(cpts, email)
            if account_note:
                messages.info(request, account_note)
            return redirect("core:members", cpts_slug=cpts.slug)
    members = (
        Membership.objects.active()
        .filter(cpts=cpts)
        .select_related("user")
        .order_by("role", "user__email")
    )
    invitations = list(Invitation.objects.for_cpts(cpts).order_by("-created_at")[:50])
    sent = messaging.delivery_states([f"invitation:{i.public_id}" for i in invitations])
    for invitation in invitations:
        invitation.deliveries = sent.get(f"invitation:{invitation.public_id}", [])
    audit.record(action="members.list", actor=request.user, cpts=cpts, request=request)
    return render(
        request,
        "core/members.html",
        {
            "form": form,
            "members": members,
            "invitations": invitations,
            "locked": services.locked_accounts(cpts),
            "to_replace": to_replace,
            "account_note": (
                _existing_account_note(cpts, to_replace.email) if to_replace else ""
            ),
        },
        status=400 if form.errors else 200,
    )


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def _existing_account_note(cpts, email) -> str:
    kind = services.existing_account(cpts=cpts, email=email)
    if kind == "other":
        return (
            f"{email} a déjà un compte Maillage (membre d'une autre CPTS) : la personne "
            f"rejoindra {with_article(cpts.name)} en se connectant avec ce compte, avec son "
            "mot de passe et sa double authentification actuels."
        )
    if kind == "account":
        return (
            f"{email} a déjà un compte Maillage : la personne acceptera l'invitation en se "
            "connectant avec ce compte."
        )
    return ""


# A coordinator's actions on a member's account ---------------------------------------------

ACCOUNT_ACTIONS = {
    "double-authentification": {
        "service": services.member_second_factor_reset,
        "title": "Réinitialiser la double authentification",
        "button": "Réinitialiser la double authentification",
        "done": "Double authentification de {email} réinitialisée et sessions fermées : "
        "à sa prochaine connexion, après son mot de passe, la personne activera une "
        "nouvelle application.",
    },
    "sessions": {
        "service": services.member_sessions_end,
        "title": "Fermer toutes les sessions",
        "button": "Fermer toutes les sessions",
        "done": "Toutes les sessions de {email} sont fermées.",
    },
    "jetons": {
        "service": services.member_api_tokens_revoke,
        "title": "Révoquer les jetons d'API",
        "button": "Révoquer tous les jetons d'API",
        "done": "Jetons d'API de {email} révoqués.",
    },
}


def _member_or_404(request, public_id) -> Membership:
    """A member of the caller's own CPTS, by the membership's public UUID, or 404."""
    members = Membership.objects.active().filter(cpts=request.cpts).select_related("user")
    return get_by_public_id(members, public_id)


def _account_context(request, membership) -> dict:
    user = membership.user
    return {
        "member": membership,
        "scope": services.member_account_scope(
            cpts=request.cpts, actor=request.user, membership=membership
        ),
        "has_device": twofactor.confirmed_device(user) is not None,
        "needs_device": user_needs_second_factor(user),
        "live_tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
        "is_self": user.pk == request.user.pk,
    }


@member_view(permissions.manage_members)
def member_account_view(request, public_id):
    membership = _member_or_404(request, public_id)
    return render(request, "core/member_account.html", _account_context(request, membership))


@member_view(permissions.manage_members)
@require_http_methods(["GET", "POST"])
def member_account_action_view(request, public_id, action):
    """The confirmation page of one action (GET), and the action itself (POST)."""
    if action not in ACCOUNT_ACTIONS:
        raise Http404
    membership = _member_or_404(request, public_id)
    spec = ACCOUNT_ACTIONS[action]
    context = {**_account_context(request, membership), "action": action, "spec": spec}
    refusal = context["scope"].refusal
    if action == "double-authentification" and context["is_self"]:
        refusal = services.OWN_SECOND_FACTOR_REFUSAL
    context["refusal"] = error = refusal
    if request.method == "POST" and not error:
        try:
            spec["service"](
                cpts=request.cpts, membership=membership, actor=request.user, request=request
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, spec["done"].format(email=membership.user.email))
            if context["is_self"] and action == "sessions":
                return redirect("core:login")
            return redirect("core:member_account", request.cpts.slug, membership.public_id)
    context["error"] = error
    status = 400 if request.method == "POST" else 200
    return render(request, "core/member_account_confirm.html", context, status=status)


@member_view(permissions.manage_members)
@require_POST
def unlock_view(request):
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            services.account_unlock(
                cpts=request.cpts,
                email=form.cleaned_data["email"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Compte {form.cleaned_data['email']} débloqué.")
    else:
        messages.error(request, "Adresse e-mail manquante ou invalide.")
    return redirect("core:members", cpts_slug=request.cpts.slug)


AUDIT_PAGE_SIZE = 50


def _keyset_page(events, request):
    """A page of the trail without counting it (millions of rows): one more row than shown
    tells whether a next page exists."""
    try:
        number = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        number = 1
    offset = (number - 1) * AUDIT_PAGE_SIZE
    rows = list(events[offset : offset + AUDIT_PAGE_SIZE + 1])
    return {"number": number, "has_next": len(rows) > AUDIT_PAGE_SIZE,
            "has_previous": number > 1, "rows": rows[:AUDIT_PAGE_SIZE]}  # fmt: skip


@member_view(permissions.read_audit)
def audit_view(request):
    queryset = AuditEvent.objects.for_cpts(request.cpts).select_related("actor")
    event_filter = AuditEventFilter(request.GET or None, queryset=queryset, cpts=request.cpts)
    if event_filter.is_bound and not event_filter.is_valid():
        status = 400
        events = queryset.none()
    else:
        status = 200
        events = event_filter.qs
    page = _keyset_page(events, request)
    filters = {
        k: str(v)
        for k, v in (
            event_filter.form.cleaned_data if event_filter.is_bound and status == 200 else {}
        ).items()
        if v not in (None, "")
    }
    audit.record(action="audit.read", actor=request.user, cpts=request.cpts, request=request,
                 detail={"filters": filters} if filters else {})  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {"filter": event_filter, "page": page, "lines": _audit_lines(page["rows"]),
         "query": query.urlencode()},
        status=status,
    )  # fmt: skip


def _audit_lines(events):
    return [(event, line) for event, line in zip(events, audit_trail.lines(events), strict=True)]


def _subject_or_404(request, public_id):
    subject = audit_trail.find_subject(request.cpts, public_id)
    if subject is None:
        raise Http404
    return subject


@member_view(permissions.read_audit)
def patient_access_view(request, public_id):
    """Accès au dossier: who read or changed what of one person's data, when, from where;
    to answer their access request (RGPD art. 15)."""
    subject = _subject_or_404(request, public_id)
    # First: the report shows its own opening too.
    audit.record(action="audit.patient_access", actor=request.user, cpts=request.cpts,
                 patient=subject.public_id, request=request)  # fmt: skip
    events = audit_trail.events_about(request.cpts, subject)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/patient_access.html", {
        "subject": subject, "page": page, "lines": _audit_lines(list(page.object_list)),
    })  # fmt: skip


@member_view(permissions.read_audit)
def patient_access_export_view(request, public_id, fmt):
    subject = _subject_or_404(request, public_id)
    if fmt not in ("csv", "pdf"):
        raise Http404
    report = audit_trail.lines(audit_trail.events_about(request.cpts, subject))
    audit.record(action="audit.patient_access_export", actor=request.user, cpts=request.cpts,
                 patient=subject.public_id, request=request,
                 detail={"format": fmt, "count": len(report)})  # fmt: skip
    name = f"acces-dossier-{str(subject.public_id)[:8]}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", audit_trail.CSV_HEADER, audit_trail.csv_rows(report))
    body = audit_trail.access_report_pdf(cpts=request.cpts, subject=subject,
                                         report_lines=report, edited_by=request.user)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


# Forgotten password ------------------------------------------------------------------------

# Counted on valid requests only, per address typed and per client address; the answer is
# the same whether the address has an account or not.
RESET_RATE_PER_ADDRESS = "3/h"
RESET_RATE_PER_IP = "20/h"


def _typed_email(group, request) -> str:
    return services.normalise_email(request.POST.get("email", ""))


def _reset_rate_limited(request) -> bool:
    limited = False
    for group, key, rate in (
        ("core.password_reset.email", _typed_email, RESET_RATE_PER_ADDRESS),
        ("core.password_reset.ip", "ip", RESET_RATE_PER_IP),
    ):
        # Both counters move on every request, whichever is already over its limit.
        limited |= is_ratelimited(
            request, group=group, key=key, rate=rate, method="POST", increment=True
        )
    return limited


def reset_validity() -> str:
    """How long a reset link works, in words ("1 heure", "30 minutes")."""
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class _ResetPages:
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "validity": reset_validity()}


class PasswordResetRequestView(_ResetPages, auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "core/password_reset_form.html"
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def form_valid(self, form):
        if _reset_rate_limited(self.request):
            return render(self.request, "core/password_reset_limited.html", status=429)
        # Links point to the configured site address, never to the Host header of the
        # request (which a sender could forge).
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "validity": reset_validity(),
        }
        for user in form.get_users(form.cleaned_data["email"]):
            services.password_reset_requested(user=user, request=self.request)
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(_ResetPages, auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(_ResetPages, auth_views.PasswordResetConfirmView):
    """The e-mailed link: choose a new password. Nobody is logged in afterwards."""

    form_class = NewPasswordForm
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")
    post_reset_login = False
    # Django moves the token from the URL to the session, then shows this word instead.
    reset_url_token = "nouveau"  # noqa: S105 (a URL word, not a secret)

    def get_user(self, uidb64):
        # The link carries the account's public UUID (see ResetRequestForm.send_mail).
        try:
            return User.objects.get(public_id=uuid.UUID(uidb64), is_active=True)
        except (ValueError, User.DoesNotExist):
            return None

    def form_valid(self, form):
        try:
            services.password_reset_complete(
                user=form.user, password=form.cleaned_data["new_password1"], request=self.request
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def render_to_response(self, context, **kwargs):
        if not self.validlink:
            kwargs["status"] = 410
        elif context.get("form") is not None and context["form"].errors:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class PasswordResetCompleteView(_ResetPages, auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
