from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsOpsConfig(AppConfig):
    name = "accounts_ops"
    verbose_name = _("Account operations (chapters 6-7)")
