"""The Django admin is the platform operator's tool (superusers), across agencies. It reads
through the named escape hatch; agencies' own admins work in the product's pages."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from agency import sessions
from agency.models import Agency, Membership, TaskOutbox, TenantModel, client_model


class TenantAdmin(admin.ModelAdmin):
    list_select_related = ("agency",)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # rows are created inside an agency, in the product or through the API

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_queryset(self, request):
        return self.model.dangerously_all_agencies.all()

    def get_readonly_fields(self, request, obj=None):
        return ("agency", "created_at", "updated_at", "created_by", "updated_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if issubclass(related, TenantModel):
            kwargs["queryset"] = related.dangerously_all_agencies.select_related("agency")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "language", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


class MembershipForm(forms.ModelForm):
    """The client is chosen from every agency's clients (the model the clients app registered)."""

    class Meta:
        model = Membership
        fields = ("user", "agency", "role", "client_id", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_field = Membership._meta.get_field("client_id")
        self.fields["client_id"] = forms.ModelChoiceField(
            queryset=client_model().dangerously_all_agencies.select_related("agency"),
            required=False,
            label=model_field.verbose_name,
            help_text=model_field.help_text,
            initial=self.instance.client_id,
        )

    def clean_client_id(self):
        client = self.cleaned_data.get("client_id")
        return client.pk if client is not None else None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "agency", "role", "client", "is_active")
    list_filter = ("role", "agency")
    search_fields = ("user__username", "agency__name")
    autocomplete_fields = ("user",)


class SentFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("no", _("Not sent yet")), ("yes", _("Sent"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


@admin.register(TaskOutbox)
class TaskOutboxAdmin(admin.ModelAdmin):
    """What the outbox holds (agency.outbox): rows the relay has not sent yet show their last error.
    Read-only; a row naming a task that no longer exists can be deleted here."""

    list_display = ("pk", "task", "agency", "created_at", "sent_at", "attempts", "last_error")
    list_filter = (SentFilter, "task")
    search_fields = ("task", "last_error")
    list_select_related = ("agency",)
    readonly_fields = ("task", "kwargs", "agency", "created_at", "sent_at", "attempts", "last_error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Sign out everywhere (every session and personal API token)"))
def sign_out_everywhere_action(modeladmin, request, queryset):
    sessions.sign_out_everywhere(*queryset)
    modeladmin.message_user(request, _("People signed out everywhere: %(count)d.") % {"count": queryset.count()})


# The platform admin's own tool for people: Django's user admin with the sign-out-everywhere action.
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    actions = [*UserAdmin.actions, sign_out_everywhere_action]
