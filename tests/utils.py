import html


def text(response) -> str:
    """The response body as a person reads it (HTML entities decoded)."""
    return html.unescape(response.content.decode())
