from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.ClientListView.as_view(), name="client-list"),
    path("new/", views.ClientCreateView.as_view(), name="client-create"),
    path("<int:pk>/", views.ClientDetailView.as_view(), name="client-detail"),
    path("<int:pk>/edit/", views.ClientUpdateView.as_view(), name="client-update"),
    path("accounts/", views.AccountListView.as_view(), name="account-list"),
    path("accounts/new/", views.AccountCreateView.as_view(), name="account-create"),
    path("accounts/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="account-update"),
    path("videos/", views.VideoListView.as_view(), name="video-list"),
    path("videos/new/", views.VideoCreateView.as_view(), name="video-create"),
    path("requirements/", views.RequirementListView.as_view(), name="requirement-list"),
    path("requirements/new/", views.RequirementCreateView.as_view(), name="requirement-create"),
    path("requirements/<int:pk>/", views.RequirementDetailView.as_view(), name="requirement-detail"),
    path("requirements/<int:pk>/evidence/", views.RequirementEvidenceView.as_view(), name="requirement-evidence"),
    path("requirements/<int:pk>/<str:name>/", views.RequirementActionView.as_view(), name="requirement-action"),
]

client_area_patterns = (
    [path("", views.ClientAreaDashboardView.as_view(), name="dashboard")],
    "client-area",
)
