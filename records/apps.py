from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Operation records (chapter 9)")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "assets": "9 g asset management",
        "inspections": "9 h daily inspections",
        "usage": "9 i usage records",
        "reports": "9 j data statistics and 9 k work assessment reports",
        "images": "9 l image records",
        "audit": "4.2 the audit trail",
        "exports": "9 exports of every record type",
    }

    def ready(self) -> None:
        from agency import answer_cache, history
        from records import audit
        from records.selectors.audit import values_as_they_stood
        from records.selectors.reports import autodiscover

        autodiscover()  # every app's report sections (9 j, 9 k)
        # The apps below records judge a past period through the trail without importing it (4.1).
        history.register_reader(values_as_they_stood)

        # The database keeps the trail (PostgreSQL and SQLite): its triggers are made after every
        # migrate; on SQLite they are dropped before it, as a rebuilt table would lose them anyway.
        pre_migrate.connect(audit.on_pre_migrate, sender=self, dispatch_uid="records-audit-triggers-before")
        post_migrate.connect(audit.on_post_migrate, sender=self, dispatch_uid="records-audit-triggers")
        # Written by the database itself, past the answer cache's write tracking: never cached.
        answer_cache.written_by_database.add(audit.AUDIT_TABLE)
