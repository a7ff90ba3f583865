"""API of the records app (clause 9 and the audit trail of 4.2).

Records are never deleted: no endpoint offers DELETE; ``POST .../{id}/void/`` voids one with a
reason (the role's delete right). Every record list exports with ``GET .../export/?file_format=``
(csv, xlsx or pdf, the list's filters apply) up to ``EXPORT_INLINE_MAX_ROWS`` rows; longer lists go
through ``POST /export-jobs/``, whose progress shows until the file is ready to download.
Reports are asked for with POST and built by a task (``status``/``progress`` show how far it is).

One module per record type (``assets`` 9 g, ``inspections`` 9 h, ``usage`` 9 i, ``reports`` 9 j
and 9 k, ``images`` 9 l), the trail (``audit``) and ``exports``; the routes are registered here,
in this order.
"""

from __future__ import annotations

from agency.api.routers import register
from records.api.assets import AssetCheckoutViewSet, AssetViewSet
from records.api.audit import AuditEventViewSet
from records.api.exports import ExportJobViewSet
from records.api.images import ImageRecordViewSet
from records.api.inspections import DailyInspectionViewSet, InspectionFollowUpViewSet
from records.api.reports import StatisticsReportViewSet, WorkAssessmentReportViewSet
from records.api.usage import UsageRecordViewSet

register("assets", AssetViewSet)
register("asset-checkouts", AssetCheckoutViewSet)
register("inspections", DailyInspectionViewSet)
register("inspection-follow-ups", InspectionFollowUpViewSet)
register("usage-records", UsageRecordViewSet)
register("statistics-reports", StatisticsReportViewSet)
register("assessment-reports", WorkAssessmentReportViewSet)
register("image-records", ImageRecordViewSet)
register("audit-events", AuditEventViewSet)
register("export-jobs", ExportJobViewSet)
