"""API authentication (bearer tokens, browser session) and the caller's identity."""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from . import permissions
from .access import user_needs_second_factor
from .api_types import ERRORS, CptsSlug, choice
from .models import ApiToken, Membership
from .roles import Role


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class VerifiedSession(SessionAuth):
    """The browser session, accepted only once the second factor is done where required."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if user_needs_second_factor(user) and not user.is_verified():
            return None
        return user


API_AUTH = [BearerToken(), VerifiedSession()]


class UnknownCpts(Http404):
    """404 naming the `cpts` parameter: the caller is not a member of such a CPTS (or it
    does not exist; the two are not told apart)."""


def api_permission(permission: permissions.Permission):
    """Declare the permission of an API operation (a predicate of core.permissions), as
    `member_view` does for pages: `api_membership` refuses a member without it with 404,
    and the URL x role test reads it from the operation."""
    if not callable(permission):
        raise TypeError("api_permission takes a predicate of core.permissions")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.api_permission = permission
            return view(request, *args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorator


def api_membership(request, cpts: str | None = None) -> Membership:
    """The membership an API call acts under: the only one, or the one named by `cpts`;
    404 when it lacks the operation's declared permission."""
    memberships = Membership.objects.active().filter(user=request.auth).select_related("cpts")
    if cpts:
        membership = memberships.filter(cpts__slug=cpts).first()
        if membership is None:
            raise UnknownCpts(cpts)
    else:
        rows = list(memberships[:2])
        if not rows:
            raise Http404
        if len(rows) > 1:
            raise ValidationError(
                {"cpts": "Vous êtes membre de plusieurs CPTS : précisez `cpts`."}
            )
        membership = rows[0]
    if not getattr(request, "api_permission", permissions.member)(membership):
        raise Http404
    return membership


router = Router(tags=["compte"])


class MeOut(Schema):
    email: str
    cpts: str
    role: choice(Role.values)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="L'appelant, sa CPTS et son rôle")
@api_permission(permissions.member)
def me(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    return {"email": request.auth.email, "cpts": membership.cpts.slug, "role": membership.role}
