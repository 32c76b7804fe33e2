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


# No elision before h: an aspirated h (Hauts-de-Seine) keeps "de".
_VOWELS = tuple("aeiouyAEIOUYàâéèêëîïôöûüÀÂÉÈÊËÎÏÔÖÛÜ")


def with_article(name: str) -> str:
    """A CPTS's name as a French sentence needs it: "la CPTS des Pays Berjalliens" (the
    name starts with the feminine noun CPTS), anything else as it is."""
    name = (name or "").strip()
    if name[:4].upper() == "CPTS" and (len(name) == 4 or not name[4].isalpha()):
        return f"la {name}"
    return name


def of(name: str) -> str:
    """"de" before a name, with its article and elision: "de la CPTS des Pays
    Berjalliens", "d'Isère", "de Bourgoin-Jallieu"."""
    phrase = with_article(name)
    if phrase.startswith("la "):
        return f"de {phrase}"
    if phrase.startswith(_VOWELS):
        return f"d'{phrase}"
    return f"de {phrase}"


def plural_s(count) -> str:
    """The French plural mark: 0 and 1 are singular ("0 habitant", "1,5 kilomètre"),
    2 and more plural."""
    try:
        return "s" if abs(float(count)) >= 2 else ""
    except (TypeError, ValueError):
        return "s"
