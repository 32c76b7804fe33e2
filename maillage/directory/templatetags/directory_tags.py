from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    return mapping.get(key, 0)


@register.filter
def density_of(commune_row, group):
    return commune_row.density(group)


@register.filter
def profession_group(code):
    from maillage.directory.diagnostic import group_label

    return group_label(code)
