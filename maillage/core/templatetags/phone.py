"""Phone numbers as people read and dial them: `{{ number|tel }}` renders a `tel:` link
shown in the French national grouping (06 12 34 56 04), whether the number is stored in
E.164 (+33612345604) or as typed; anything that does not parse is shown as it is."""

import phonenumbers
from django import template
from django.utils.html import format_html

register = template.Library()


def _parse(value):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


@register.filter
def phone_display(value) -> str:
    """06 12 34 56 04 (national format, digits grouped by two)."""
    number = _parse(value)
    if number is None:
        return str(value or "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def tel(value):
    """A `tel:` link to the number, shown as phone_display; plain text if it does not
    parse (an empty value gives an empty string)."""
    number = _parse(value)
    if number is None:
        return str(value or "")
    dial = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return format_html('<a href="tel:{}" class="tel">{}</a>', dial, shown)
