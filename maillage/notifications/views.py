"""A person's messages (their bell, their list, their preferences) and, for whoever sent
messages in a CPTS, their delivery status."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from maillage.core import permissions
from maillage.core.access import get_by_public_id, member_view, user_needs_second_factor

from . import answers, services
from .models import Delivery, Notification

PAGE = 30


def account_view(view):
    """A page of the person's own account, outside any CPTS: logged in, with the second
    factor done when their roles require it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user_needs_second_factor(request.user) and not request.user.is_verified():
            return redirect("core:login_otp")
        return view(request, *args, **kwargs)

    return wrapper


def _with_answer_links(rows):
    for n in rows:
        n.answer_url = answers.answer_url(n) if n.answer_kind else ""
    return rows


@account_view
def inbox_view(request):
    rows = (Notification.objects.in_app_for(request.user).select_related("cpts")
            .order_by("-created_at", "-pk"))  # fmt: skip
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    _with_answer_links(page.object_list)
    return render(request, "notifications/inbox.html", {"page": page})


@account_view
@require_POST
def mark_read_view(request, public_id):
    notification = get_by_public_id(Notification.objects.in_app_for(request.user), public_id)
    services.mark_read(user=request.user, public_id=notification.public_id)
    if request.htmx:
        notification.refresh_from_db()
        _with_answer_links([notification])
        return render(request, "notifications/_item.html", {"n": notification, "oob_bell": True})
    return redirect("notifications:inbox")


@account_view
@require_POST
def mark_all_read_view(request):
    count = services.mark_read(user=request.user)
    messages.success(request, f"{count} notification(s) marquée(s) comme lue(s)." if count
                     else "Aucune notification non lue.")  # fmt: skip
    return redirect("notifications:inbox")


@account_view
def preferences_view(request):
    if request.method == "POST":
        enabled = {v for v in request.POST.getlist("on") if isinstance(v, str)}
        services.preferences_save(user=request.user, enabled=enabled)
        messages.success(request, "Vos préférences sont enregistrées.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html",
                  {"rows": services.preferences_of(request.user)})  # fmt: skip


def _sent_rows(request):
    rows = Notification.objects.for_cpts(request.cpts)
    if not permissions.follow_notifications(request.membership):
        rows = rows.filter(sender=request.user)
    return rows


@member_view(permissions.member)
def sent_view(request):
    rows = (_sent_rows(request).select_related("recipient")
            .prefetch_related("deliveries").order_by("-created_at", "-pk"))  # fmt: skip
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/sent.html", {
        "page": page, "all": permissions.follow_notifications(request.membership)})


@member_view(permissions.follow_notifications)
@require_POST
def retry_view(request, public_id):
    delivery = get_by_public_id(Delivery.objects.for_cpts(request.cpts), public_id)
    if services.retry_by_hand(delivery=delivery):
        messages.success(request, "L'envoi est remis dans la file d'attente.")
    else:
        messages.info(request, "Cet envoi n'est ni en échec ni bloqué : rien à relancer.")
    return redirect("notifications:sent", cpts_slug=request.cpts.slug)
