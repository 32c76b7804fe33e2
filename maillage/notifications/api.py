"""The caller's own notifications: `GET /notifications` (with the unread count) and
`POST /notifications/{id}/read`. A person's messages belong to their account, not to one
CPTS: any member reads theirs (`cpts` only chooses the membership when there are several)."""

import datetime
import uuid

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import ERRORS, WRITE_ERRORS, CptsSlug, choice

from . import services
from .models import Answer, AnswerKind, Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: str
    kind: str
    kind_label: str
    cpts: str | None
    subject: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    answer_kind: choice(AnswerKind.values)
    answer: choice(Answer.values + [""])
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_cpts(obj):
        return obj.cpts.slug if obj.cpts_id else None


class NotificationPage(PageNumberPagination):
    """`{"unread", "count", "results"}` with `?page=` (50 per page)."""

    class Output(Schema):
        unread: int
        count: int
        results: list

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        # A page past the last one is empty, never sliced (an offset past 64 bits fails).
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        items = list(queryset[offset:offset + page_size]) if offset < count else []
        return {"results": items, "count": count, "unread": services.unread_count(request.auth)}


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS},
            summary="Vos notifications (avec le nombre de non lues)")  # fmt: skip
@paginate(NotificationPage, page_size=50)
@api_permission(permissions.member)
def notifications(request, cpts: CptsSlug | None = None):
    api_membership(request, cpts)
    return (Notification.objects.in_app_for(request.auth).select_related("cpts")
            .order_by("-created_at", "-pk"))  # fmt: skip


class ReadOut(Schema):
    id: str
    read_at: datetime.datetime
    unread: int


@router.post("/notifications/{notification_id}/read", response={200: ReadOut, **WRITE_ERRORS},
             summary="Marquer une notification comme lue")  # fmt: skip
@api_permission(permissions.member)
def read(request, notification_id: uuid.UUID, cpts: CptsSlug | None = None):
    api_membership(request, cpts)
    notification = get_by_public_id(Notification.objects.in_app_for(request.auth),
                                    notification_id)  # fmt: skip
    services.mark_read(user=request.auth, public_id=notification.public_id)
    notification.refresh_from_db()
    return {"id": str(notification.public_id), "read_at": notification.read_at,
            "unread": services.unread_count(request.auth)}  # fmt: skip
