from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Operation records (chapter 9)")

    def ready(self) -> None:
        from agency import answer_cache
        from records import audit, selectors

        selectors.autodiscover()  # every app's report sections (9 j, 9 k)

        # PostgreSQL: the database keeps the trail (triggers installed after every migrate).
        post_migrate.connect(audit.on_post_migrate, sender=self, dispatch_uid="records-audit-triggers")
        # Written by the database itself, past the answer cache's write tracking: never cached.
        answer_cache.written_by_database.add(audit.AUDIT_TABLE)
        # Other databases: the application keeps it from model signals (no bulk writes).
        pre_save.connect(audit.on_pre_save, dispatch_uid="records-audit-pre-save")
        post_save.connect(audit.on_post_save, dispatch_uid="records-audit-post-save")
        post_delete.connect(audit.on_post_delete, dispatch_uid="records-audit-post-delete")
