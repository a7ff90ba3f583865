from django.urls import path

from agency.views import ChapterView

app_name = "extensions"

urlpatterns = [path("", ChapterView.as_view(chapter="8"), name="index")]
