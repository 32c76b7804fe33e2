"""Small text helpers shared by the apps."""

ECHO_LIMIT = 40


def echo(value, limit: int = ECHO_LIMIT) -> str:
    """A value typed by someone, as an error message may repeat it: one line, at most
    `limit` characters (a pasted 5 000-character text is not worth repeating in full, and
    would widen the page)."""
    text = " ".join(str(value if value is not None else "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
