"""The project's URLs: staff pages per chapter, the client area, the API (``/api/v1/``) with its schema."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import sessions, signin, token_views, views
from agency.api import tokens as api_tokens
from agency.api.agency_settings import AgencySettingsView
from agency.api.auth import obtain_token
from agency.api.health import HealthView, NodeHealthView
from agency.api.routers import grouped_urls
from clients.urls import client_area_patterns
from platforms.webhooks import DouyinWebhookView
from project.views import home
from search.api import SearchView as SearchAPIView

# Each app registers its viewsets on the shared router from its api module (the reports' first,
# as they were registered when they lived in the tenant core).
API_APPS = (
    "reports",
    "clients",
    "production",
    "accounts_ops",
    "extensions",
    "records",
    "evaluation",
    "platforms",
    "notifications",
)
for app in API_APPS:
    try:
        import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", signin.PasswordStepView.as_view(), name="login"),
    path("accounts/login/code/", signin.CodeStepView.as_view(), name="login-code"),
    path("accounts/two-step/", signin.TwoFactorView.as_view(), name="two-factor"),
    path("agency/settings/", views.AgencySettingsView.as_view(), name="agency-settings"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sessions/", sessions.SessionsView.as_view(), name="sessions"),
    path("accounts/password/", sessions.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/sessions/people/<int:pk>/", sessions.PersonSignOutView.as_view(), name="sessions-person"),
    path("accounts/tokens/", token_views.PersonalTokensView.as_view(), name="api-tokens-page"),
    path("settings/integrations/", token_views.IntegrationTokensView.as_view(), name="integration-tokens-page"),
    path("", include("reports.urls")),
    path("switch-agency/", views.SwitchAgencyView.as_view(), name="switch-agency"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("clients/", include("clients.urls")),
    path("production/", include("production.urls")),
    path("operations/", include("accounts_ops.urls")),
    path("extensions/", include("extensions.urls")),
    path("records/", include("records.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("platforms/", include("platforms.urls")),
    path("search/", include("search.urls")),
    path("notifications/", include("notifications.urls")),
    path("client/", include(client_area_patterns)),
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/health/", HealthView.as_view(), name="api-health"),
    path("api/v1/health/node/", NodeHealthView.as_view(), name="api-health-node"),
    path("api/v1/platforms/webhooks/douyin/", DouyinWebhookView.as_view(), name="platforms-webhook-douyin"),
    path("api/v1/auth/token/refresh/", api_tokens.RefreshTokenView.as_view(), name="api-token-refresh"),
    path("api/v1/auth/tokens/", api_tokens.PersonalTokenListView.as_view(), name="api-tokens"),
    path("api/v1/auth/tokens/<int:pk>/", api_tokens.PersonalTokenDetailView.as_view(), name="api-tokens-detail"),
    path("api/v1/integration-tokens/", api_tokens.IntegrationTokenListView.as_view(), name="api-integration-tokens"),
    path(
        "api/v1/integration-tokens/<int:pk>/",
        api_tokens.IntegrationTokenDetailView.as_view(),
        name="api-integration-tokens-detail",
    ),
    path("api/v1/agency/settings/", AgencySettingsView.as_view(), name="api-agency-settings"),
    path("api/v1/search/", SearchAPIView.as_view(), name="api-search"),
    path("api/v1/", include(grouped_urls())),
    path("api/v1/auth/token/", obtain_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
