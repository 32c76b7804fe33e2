import django_filters
from django import forms

from .models import AuditEvent, Membership


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit trail page; choices come from the caller's CPTS only."""

    actor = django_filters.ChoiceFilter(label="Auteur", field_name="actor_email", choices=[])
    action = django_filters.ChoiceFilter(label="Action", choices=[])
    object_type = django_filters.CharFilter(label="Type d'objet", lookup_expr="icontains")
    object_id = django_filters.UUIDFilter(label="Identifiant d'objet")
    since = django_filters.DateFilter(
        label="Depuis le",
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label="Jusqu'au",
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        emails = (
            Membership.objects.filter(cpts=cpts)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
        self.filters["actor"].extra["choices"] = [(e, e) for e in emails]
        actions = (
            AuditEvent.objects.for_cpts(cpts)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct()
        )
        self.filters["action"].extra["choices"] = [(a, a) for a in actions]
