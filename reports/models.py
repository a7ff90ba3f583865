"""The conformance reports' rows: each clause's result kept per client and month, a client's
conformance frozen for a period (the monthly snapshot) and the PDF report built from it. Written by
``reports.services``, read by ``reports.selectors``.

A result is computed by the clause's check (``agency.conformance``) and kept, so the conformance
matrix, a client's conformance and the agency overview read rows instead of running every check on
every view. It is recomputed when its evidence changes: a write to a table the clause reads marks
it stale in the writer's transaction (``reports.evidence``) and the outbox sends the refresh
(``reports.tasks.conformance_refresh_task``). The monthly snapshot freezes a month's rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from agency.conformance_shown import clauses_shown_to_clients
from agency.constraints import on_field
from agency.models import AllAgenciesManager, TenantManager, TenantModel, TenantQuerySet
from clients.models import Client


class ConformanceSnapshot(TenantModel):
    """A client's conformance with the standard for one period, frozen as it was evaluated, so a
    past month's report can be reproduced exactly. Made monthly by a scheduled task."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="conformance_snapshots")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    results = models.JSONField(_("results"), help_text=_("One entry per clause: status, summary, evidence."))
    met = models.PositiveSmallIntegerField(_("clauses met"), default=0)
    not_met = models.PositiveSmallIntegerField(_("clauses not met"), default=0)

    class Meta:
        ordering = ["-period_start", "client_id"]
        # The table it has had since the model lived in the tenant core (agency), kept with its rows.
        db_table = "agency_conformancesnapshot"
        verbose_name = _("conformance snapshot")
        verbose_name_plural = _("conformance snapshots")
        constraints = [
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["client", "period_start", "period_end"],
                    name="snapshot_one_per_period",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "period_start"], name="snapshot_agency_period")]

    name_related = ("client",)

    def __str__(self) -> str:
        return f"{self.client} {self.period_start:%Y-%m}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ConformanceReportQuerySet(TenantQuerySet):
    def visible_to(self, actor):
        """A client person sees only the reports built for the client, and of those only the ones
        that hold no clause their agency has hidden from its clients since (the PDF is fixed when
        built; the choice may change). Staff see every report of the agency."""
        qs = super().visible_to(actor)
        if not actor.is_client_person:
            return qs
        shown = clauses_shown_to_clients(actor.agency)
        qs = qs.filter(for_client=True)
        if connections[qs.db].vendor == "postgresql":
            return qs.filter(clauses__contained_by=shown)
        # The embedded SQLite has no containment of JSON: the client's few reports are read here.
        withheld = [pk for pk, held in qs.values_list("pk", "clauses") if not set(held) <= set(shown)]
        return qs.exclude(pk__in=withheld)


class ConformanceReport(TenantModel):
    """A conformance report (PDF) for a client and period, built by a task with visible progress.

    Built for the staff it holds every clause; built for the client (``for_client``: asked by a
    client person, or by staff who tick it) it holds only the clauses the agency shows its clients
    (``agency.conformance_shown``), and only such a report reaches client people. ``clauses``
    records what the PDF holds, so a report holding a clause hidden after it was built is withheld
    from them."""

    for_client = models.BooleanField(
        _("built for the client"),
        default=False,
        help_text=_("Holds only the clauses the agency shows its clients; only such a report reaches client people."),
    )
    clauses = models.JSONField(
        _("clauses"), default=list, blank=True, help_text=_("The clauses the PDF holds, recorded when it is built.")
    )

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="conformance_reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="conformance/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    snapshot = models.ForeignKey(ConformanceSnapshot, on_delete=models.SET_NULL, null=True, blank=True)

    objects = TenantManager.from_queryset(ConformanceReportQuerySet)()
    dangerously_all_agencies = AllAgenciesManager.from_queryset(ConformanceReportQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        db_table = "agency_conformancereport"
        verbose_name = _("conformance report")
        verbose_name_plural = _("conformance reports")
        indexes = [models.Index(fields=["agency", "client", "created_at"], name="report_agency_client_created")]

    name_related = ("client",)

    def __str__(self) -> str:
        return f"{self.client} {self.period_start}..{self.period_end} ({self.language})"


class ResultState(models.TextChoices):
    FRESH = "fresh", _("Fresh")
    # Evidence written since it was computed (or never computed): pages evaluate it afresh.
    STALE = "stale", _("Stale")
    # Claimed by a refresh that is computing it; a write meanwhile marks it stale again, and the
    # refresh then leaves it stale (its figures were read before that write).
    COMPUTING = "computing", _("Computing")


class ConformanceResult(TenantModel):
    """One clause's result for one client and one month (T/CASME clauses 4-10, as checked by the
    registry of clause checks): derived from the chapter apps' rows, never entered by anyone."""

    # Derived figures, rewritten whenever their evidence changes: the trail records the evidence.
    audit_trail = False
    # Served through the conformance pages and the API's evaluate action and snapshots, which
    # read these rows; a row on its own is an intermediate figure.
    api_exposed = False

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    clause_id = models.CharField(_("clause"), max_length=8)
    month = models.DateField(_("month"), help_text=_("The first day of the month the result is for."))
    state = models.CharField(_("state"), max_length=10, choices=ResultState.choices, default=ResultState.STALE)
    status = models.CharField(_("status"), max_length=20, blank=True)
    result = models.JSONField(
        _("result"), default=dict, help_text=_("Status, summary and evidence, with the words in every language.")
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    valid_until = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("When the clock alone may change the result (the day ends, a deadline passes)."),
    )
    frozen = models.BooleanField(_("frozen"), default=False, help_text=_("Kept by the month's snapshot."))

    class Meta:
        ordering = ["client_id", "month", "clause_id"]
        verbose_name = _("conformance result")
        verbose_name_plural = _("conformance results")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "month", "clause_id"], name="conformance_result_one_per_month"
            ),
        ]
        indexes = [models.Index(fields=["agency", "clause_id", "state"], name="conformance_result_clause")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.clause_id} {self.month:%Y-%m}"
