from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsOpsConfig(AppConfig):
    name = "accounts_ops"
    verbose_name = _("Account operations (chapters 6-7)")

    def ready(self) -> None:
        # What chapter 7 offers the other chapters: the comment sentiment classifier (7.1) to the
        # evaluation's free-text answers (10.1), and metric sources from the account daily
        # metrics to the account valuation (8.3).
        from accounts_ops import hooks

        hooks.register()
