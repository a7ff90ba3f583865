from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("settings/", views.PreferencesView.as_view(), name="preferences"),
    path("bots/", views.WebhookListView.as_view(), name="webhooks"),
    path("bots/new/", views.WebhookFormView.as_view(), name="webhook-add"),
    path("bots/<int:pk>/", views.WebhookFormView.as_view(), name="webhook-change"),
]
