"""French in templates: `{{ cpts.name|de }}` ("de la CPTS des…", "d'Isère"),
`{{ cpts.name|article }}` ("la CPTS des…"), `habitant{{ n|plural_fr }}` (0 and 1 are
singular in French, unlike Django's `pluralize`)."""

from django import template

from maillage.core import text

register = template.Library()


@register.filter(name="de")
def de(name) -> str:
    return text.of(str(name or ""))


@register.filter
def article(name) -> str:
    return text.with_article(str(name or ""))


@register.filter
def plural_fr(count) -> str:
    return text.plural_s(count)
