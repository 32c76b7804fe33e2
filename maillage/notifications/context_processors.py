from .services import unread_count


def bell(request):
    """The unread count of the bell in the page header (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": unread_count(user)}
