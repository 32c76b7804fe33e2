# Same-day care hardening: one live appointment per request (a constraint, after
# cancelling the duplicates the old code could make), and private agenda feed tokens.

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def cancel_duplicate_live_appointments(apps, schema_editor):
    """A request booked twice before the constraint keeps its latest appointment; the
    earlier ones are cancelled (their future slots freed), each with an audit event."""
    Appointment = apps.get_model("same_day_care", "Appointment")
    AuditEvent = apps.get_model("core", "AuditEvent")
    now = django.utils.timezone.now()
    live = Appointment.objects.exclude(status="cancelled")
    doubled = (
        live.values("request_id").annotate(n=Count("id")).filter(n__gt=1)
        .values_list("request_id", flat=True)
    )
    for request_id in list(doubled):
        _latest, *older = live.filter(request_id=request_id).select_related("slot").order_by(
            "-booked_at", "-pk"
        )
        for appointment in older:
            appointment.status = "cancelled"
            appointment.note = "Annulé : la demande avait un rendez-vous plus récent."
            appointment.status_changed_at = now
            appointment.save(update_fields=["status", "note", "status_changed_at"])
            slot = appointment.slot
            if slot.start > now and slot.status == "booked":
                slot.status = "free"
                slot.save(update_fields=["status"])
            AuditEvent.objects.create(
                cpts_id=appointment.cpts_id, action="snp.appointment_status",
                object_type="same_day_care.Appointment", object_id=appointment.public_id,
                detail={"status": "cancelled", "reason": "duplicate of a later appointment"},
            )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_cpts_finess_phone'),
        ('same_day_care', '0003_slot_professional_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarFeedToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(cancel_duplicate_live_appointments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'cancelled'), _negated=True), fields=('request',), name='appointment_one_per_request'),
        ),
        migrations.AddField(
            model_name='calendarfeedtoken',
            name='cpts',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.cpts'),
        ),
        migrations.AddField(
            model_name='calendarfeedtoken',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='calendarfeedtoken',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('cpts', 'user'), name='calendar_feed_one_live'),
        ),
    ]
