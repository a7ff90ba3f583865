"""Pages of the standard as evidence, at the site's root (their names are not namespaced)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("overview/", views.AgencyOverviewView.as_view(), name="agency-overview"),
    path("conformance/", views.ConformanceMatrixView.as_view(), name="conformance-matrix"),
    path("conformance/clients/<int:pk>/", views.ClientConformanceView.as_view(), name="conformance-client"),
    path(
        "conformance/reports/<int:pk>/download/",
        views.ConformanceReportDownloadView.as_view(),
        name="conformance-report-download",
    ),
]
