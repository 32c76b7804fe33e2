from django.contrib import admin

from .models import Delivery, Notification, Preference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "last_error", "claimed_at", "sent_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "cpts", "recipient", "email", "created_at", "read_at"]
    list_filter = ["kind", "cpts"]
    search_fields = ["subject", "email", "recipient__email", "ref"]
    inlines = [DeliveryInline]
    raw_id_fields = ["recipient", "sender"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    raw_id_fields = ["user"]
