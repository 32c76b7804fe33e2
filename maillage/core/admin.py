from django.contrib import admin

from .models import AuditEvent, Cpts, Invitation, Membership, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "last_name"]
    exclude = ["password"]


@admin.register(Cpts)
class CptsAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "aci_signed_on", "archived_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cpts", "role", "archived_at"]
    list_filter = ["cpts", "role"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cpts", "role", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "cpts", "actor_email", "action", "object_type", "object_id", "ip"]
    list_filter = ["cpts", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
