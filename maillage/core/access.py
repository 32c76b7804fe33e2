"""Tenant-scoped access helpers: the only way views reach domain data.

Every helper takes the caller's Membership and raises Http404 for anything outside
that membership's CPTS, so an outsider cannot even learn that an object exists.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from . import permissions
from .models import Membership


def get_membership(user, cpts_slug: str) -> Membership:
    """The caller's active membership in the CPTS named by the URL, or 404."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.active()
        .select_related("cpts", "user")
        .filter(user=user, cpts__slug=cpts_slug)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def scoped(queryset, membership: Membership):
    """Restrict any queryset of a tenant model (one with a `cpts` field) to the caller's CPTS."""
    return queryset.filter(cpts=membership.cpts)


def get_by_public_id(queryset, public_id):
    """One object of an already-scoped queryset by public UUID, or 404 (also for a
    malformed UUID)."""
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def get_object_for_member(queryset, membership: Membership, public_id):
    """One object of the caller's CPTS by public UUID, or 404."""
    return get_by_public_id(scoped(queryset, membership), public_id)


def user_needs_second_factor(user) -> bool:
    """True when any of the user's active memberships gives access to patient data."""
    return any(
        permissions.requires_two_factor(m) for m in Membership.objects.active().filter(user=user)
    )


def member_view(permission: permissions.Permission = permissions.member):
    """Decorator for views under /c/<cpts_slug>/.

    Loads the caller's membership (404 outside it), enforces the second factor for
    roles that see patient data, then the permission (a predicate of core.permissions):
    a member without it gets 404 too, so protected pages are invisible rather than
    forbidden. The permission is kept on the view for the URL x role test.
    """
    if not callable(permission):
        raise TypeError("member_view takes a predicate of core.permissions")

    def decorator(view):
        @wraps(view)
        def wrapper(request, cpts_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A fragment request whose session expired: reload the whole page.
                    current = request.htmx.current_url_abs_path or ""
                    return HttpResponseClientRedirect(
                        f"{resolve_url(settings.LOGIN_URL)}?next={current}"
                    )
                return redirect_to_login(request.get_full_path())
            membership = get_membership(request.user, cpts_slug)
            if permissions.requires_two_factor(membership) and not request.user.is_verified():
                return redirect("core:login_otp")
            if not permission(membership):
                raise Http404
            request.membership = membership
            request.cpts = membership.cpts
            return view(request, *args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorator
