from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsOpsConfig(AppConfig):
    name = "accounts_ops"
    verbose_name = _("Account operations (chapters 6-7)")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "direction": "6.1 account direction",
        "profile": "6.2 profile changes",
        "pinned": "6.3 pinned videos and boosts",
        "inbox": "6.4 private messages, auto-replies and the inbox",
        "local": "6.5 group-buy deals and POI links",
        "promotion": "6.6 promotion",
        "ads": "6.7 ads and creator campaigns",
        "comments": "7.1 comments and public opinion",
        "conversations": "6.4 and 7.1 the one inbox: conversations per fan, saved replies",
        "hot_topics": "7.2 hot topics and content plans",
        "audience": "7.3 audience snapshots and persona reports",
        "ip_persona": "7.4 the IP persona",
        "metrics": "platform data in: account and video daily metrics",
        "imports": "platform data in: the bulk endpoints' queue and file imports",
    }

    def ready(self) -> None:
        # What chapter 7 offers the other chapters: the comment sentiment classifier (7.1) to the
        # evaluation's free-text answers (10.1), and metric sources from the account daily
        # metrics to the account valuation (8.3).
        from accounts_ops import hooks
        from accounts_ops.services.metrics_rollups import connect_rollups

        hooks.register()
        connect_rollups()
