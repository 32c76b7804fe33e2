import datetime

import django_filters
from django import forms
from django.utils import timezone

from . import audit_trail
from .models import AuditEvent, Membership


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not 2000 <= day.year <= 2999:
                self.add_error(name, "Date hors de la période du journal (années 2000 à 2999).")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "La date de fin est avant la date de début : "
                                    "inversez-les ou corrigez l'une d'elles.")  # fmt: skip
        return data


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit trail page; choices come from the caller's CPTS and from the
    labels the apps register (no scan of the trail to build them)."""

    actor = django_filters.ChoiceFilter(label="Auteur", field_name="actor_email", choices=[],
                                       empty_label="Tous les auteurs")
    action = django_filters.ChoiceFilter(label="Action", choices=[],
                                        empty_label="Toutes les actions")
    object_type = django_filters.ChoiceFilter(label="Type d'objet", choices=[],
                                             empty_label="Tous les types")
    patient = django_filters.UUIDFilter(
        label="Personne concernée (identifiant)", field_name="patient",
        error_messages={"invalid": "Identifiant de personne invalide."},
    )  # fmt: skip
    # Days in local time turned into bounds on `at`, so the (cpts, at) index serves them.
    since = django_filters.DateFilter(
        label="Depuis le", method="filter_since", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Date invalide (JJ/MM/AAAA)."},
    )  # fmt: skip
    until = django_filters.DateFilter(
        label="Jusqu'au", method="filter_until", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Date invalide (JJ/MM/AAAA)."},
    )  # fmt: skip

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_local_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_local_midnight(value + datetime.timedelta(days=1)))

    class Meta:
        model = AuditEvent
        form = AuditFilterForm
        fields = ["actor", "action", "object_type", "patient", "since", "until"]

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        emails = (
            Membership.objects.filter(cpts=cpts)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
        self.filters["actor"].extra["choices"] = [(e, e) for e in emails]
        self.filters["action"].extra["choices"] = sorted(
            audit_trail.ACTIONS.items(), key=lambda kv: kv[1]
        )
        self.filters["object_type"].extra["choices"] = sorted(
            audit_trail.OBJECTS.items(), key=lambda kv: kv[1]
        )
