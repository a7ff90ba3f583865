from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.RecordsHomeView.as_view(), name="index"),
    path("assets/", views.AssetListView.as_view(), name="asset-list"),
    path("assets/new/", views.AssetCreateView.as_view(), name="asset-create"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset-detail"),
    path("assets/<int:pk>/edit/", views.AssetUpdateView.as_view(), name="asset-update"),
    path("assets/<int:pk>/<str:name>/", views.AssetActionView.as_view(), name="asset-action"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/<str:name>/", views.InspectionActionView.as_view(), name="inspection-action"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-up-list"),
    path("usage/", views.UsageListView.as_view(), name="usage-list"),
    path("usage/new/", views.UsageCreateView.as_view(), name="usage-create"),
    path("statistics/", views.StatisticsListView.as_view(), name="statistics-list"),
    path("statistics/new/", views.StatisticsCreateView.as_view(), name="statistics-create"),
    path("statistics/<int:pk>/", views.StatisticsDetailView.as_view(), name="statistics-detail"),
    path("statistics/<int:pk>/file.<str:fmt>", views.StatisticsFileView.as_view(), name="statistics-file"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment-list"),
    path("assessments/new/", views.AssessmentCreateView.as_view(), name="assessment-create"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("assessments/<int:pk>/file.<str:fmt>", views.AssessmentFileView.as_view(), name="assessment-file"),
    path("images/", views.ImageListView.as_view(), name="image-list"),
    path("images/new/", views.ImageCreateView.as_view(), name="image-create"),
    path("images/<int:pk>/", views.ImageDetailView.as_view(), name="image-detail"),
    path("images/<int:pk>/<str:which>/", views.ImageFileView.as_view(), name="image-file"),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("exports/new/", views.ExportCreateView.as_view(), name="export-create"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    path("void/<str:kind>/<int:pk>/", views.VoidView.as_view(), name="void"),
]
