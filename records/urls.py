from django.urls import path

from records.views import assets, audit, common, exports, images, inspections, reports, usage

app_name = "records"

urlpatterns = [
    path("", common.RecordsHomeView.as_view(), name="index"),
    path("assets/", assets.AssetListView.as_view(), name="asset-list"),
    path("assets/new/", assets.AssetCreateView.as_view(), name="asset-create"),
    path("assets/<int:pk>/", assets.AssetDetailView.as_view(), name="asset-detail"),
    path("assets/<int:pk>/edit/", assets.AssetUpdateView.as_view(), name="asset-update"),
    path("assets/<int:pk>/<str:name>/", assets.AssetActionView.as_view(), name="asset-action"),
    path("inspections/", inspections.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", inspections.InspectionDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/<str:name>/", inspections.InspectionActionView.as_view(), name="inspection-action"),
    path("follow-ups/", inspections.FollowUpListView.as_view(), name="follow-up-list"),
    path("usage/", usage.UsageListView.as_view(), name="usage-list"),
    path("usage/new/", usage.UsageCreateView.as_view(), name="usage-create"),
    path("statistics/", reports.StatisticsListView.as_view(), name="statistics-list"),
    path("statistics/new/", reports.StatisticsCreateView.as_view(), name="statistics-create"),
    path("statistics/<int:pk>/", reports.StatisticsDetailView.as_view(), name="statistics-detail"),
    path("statistics/<int:pk>/file.<str:fmt>", reports.StatisticsFileView.as_view(), name="statistics-file"),
    path("assessments/", reports.AssessmentListView.as_view(), name="assessment-list"),
    path("assessments/new/", reports.AssessmentCreateView.as_view(), name="assessment-create"),
    path("assessments/<int:pk>/", reports.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("assessments/<int:pk>/file.<str:fmt>", reports.AssessmentFileView.as_view(), name="assessment-file"),
    path("images/", images.ImageListView.as_view(), name="image-list"),
    path("images/new/", images.ImageCreateView.as_view(), name="image-create"),
    path("images/<int:pk>/", images.ImageDetailView.as_view(), name="image-detail"),
    path("images/<int:pk>/<str:which>/", images.ImageFileView.as_view(), name="image-file"),
    path("audit/", audit.AuditListView.as_view(), name="audit-list"),
    path("exports/", exports.ExportListView.as_view(), name="export-list"),
    path("exports/new/", exports.ExportCreateView.as_view(), name="export-create"),
    path("exports/<int:pk>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path("void/<str:kind>/<int:pk>/", common.VoidView.as_view(), name="void"),
]
