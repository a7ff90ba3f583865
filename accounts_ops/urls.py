from django.urls import path

from agency.views import ChapterView

app_name = "accounts_ops"

urlpatterns = [
    path("", ChapterView.as_view(chapter="6"), name="index"),
    path("advanced/", ChapterView.as_view(chapter="7"), name="advanced"),
]
