from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "production"
    verbose_name = _("Video production (chapter 5)")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "projects": "5 video projects and their stages",
        "scripts": "5.1 scripts and storyboards",
        "shoots": "5.2 shoots and clips",
        "post": "5.3 post-production steps and cuts",
        "review": "5 the client's review and approval",
        "publishing": "5 publishing to the platform",
    }
