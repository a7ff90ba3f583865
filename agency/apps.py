from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agencies and tenancy")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from agency import (
            answer_cache,
            conformance,
            conformance_shown,  # noqa: F401  (declares the agency's setting of what clients see)
            distribution,
            partitions,
            rls,
            today,
        )

        conformance.autodiscover()
        today.autodiscover()
        # Before every migrate: the crossing role; after: row-level security on every tenant table
        # (agency.rls).
        pre_migrate.connect(rls.on_pre_migrate, sender=self, dispatch_uid="agency-crossing-role")
        # After every migrate: tenant tables' keys start with agency_id, ready for Citus (agency.distribution).
        post_migrate.connect(distribution.on_post_migrate, sender=self, dispatch_uid="agency-distribution-ready")
        post_migrate.connect(rls.on_post_migrate, sender=self, dispatch_uid="agency-row-level-security")
        # After every migrate: the monthly partitions of the months ahead (agency.partitions).
        post_migrate.connect(partitions.on_post_migrate, sender=self, dispatch_uid="agency-monthly-partitions")
        # `check --database`: the key that signs the tenant context is the one migrate stored.
        from django.core.checks import Tags, register

        register(rls.context_key_check, Tags.database)
        # Every statement passes the answer cache's write tracking (agency.answer_cache).
        connection_created.connect(answer_cache.install, dispatch_uid="agency-answer-cache")
        # At sign-in, the person's chosen language goes into their session (agency.middleware).
        from django.contrib.auth.signals import user_logged_in

        from agency.middleware import remember_language_at_login

        user_logged_in.connect(remember_language_at_login, dispatch_uid="agency-person-language")
