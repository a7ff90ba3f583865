"""URLs: staff pages per chapter, the client area, the API (``/api/v1/``) with its schema."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import signin, views
from agency.api.auth import obtain_token
from agency.api.health import HealthView, NodeHealthView
from agency.api.routers import grouped_urls
from clients.urls import client_area_patterns
from platforms.webhooks import DouyinWebhookView

# Each app registers its viewsets on the shared router from its api module.
import_module("agency.api.conformance")
for app in ("clients", "production", "accounts_ops", "extensions", "records", "evaluation", "platforms"):
    try:
        import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", signin.PasswordStepView.as_view(), name="login"),
    path("accounts/login/code/", signin.CodeStepView.as_view(), name="login-code"),
    path("accounts/two-step/", signin.TwoFactorView.as_view(), name="two-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("overview/", views.AgencyOverviewView.as_view(), name="agency-overview"),
    path("switch-agency/", views.SwitchAgencyView.as_view(), name="switch-agency"),
    path("conformance/", views.ConformanceMatrixView.as_view(), name="conformance-matrix"),
    path("conformance/clients/<int:pk>/", views.ClientConformanceView.as_view(), name="conformance-client"),
    path(
        "conformance/reports/<int:pk>/download/",
        views.ConformanceReportDownloadView.as_view(),
        name="conformance-report-download",
    ),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("clients/", include("clients.urls")),
    path("production/", include("production.urls")),
    path("operations/", include("accounts_ops.urls")),
    path("extensions/", include("extensions.urls")),
    path("records/", include("records.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("platforms/", include("platforms.urls")),
    path("client/", include(client_area_patterns)),
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/health/", HealthView.as_view(), name="api-health"),
    path("api/v1/health/node/", NodeHealthView.as_view(), name="api-health-node"),
    path("api/v1/platforms/webhooks/douyin/", DouyinWebhookView.as_view(), name="platforms-webhook-douyin"),
    path("api/v1/", include(grouped_urls())),
    path("api/v1/auth/token/", obtain_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
