from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """One search box over every app's rows (issue 22): clients, platform accounts, videos and video
    projects, comments and private messages, influencers and the records that hold text, within
    what the person may see (each model's ``visible_to``, then the role's view permission). On
    PostgreSQL the text is found by any part of a word through the apps' trigram indexes
    (``agency.db.indexes.TrigramIndex``); on SQLite by a plain ``icontains``."""

    name = "search"
    verbose_name = _("Search")
    # The topics every layer of this app is split by (docs/architecture.md), with what each serves.
    topics = {
        "search": "one search box over every app's rows, within what the person may see (issue 22)",
    }
