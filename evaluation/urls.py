from django.urls import path

from agency.views import ChapterView

app_name = "evaluation"

urlpatterns = [path("", ChapterView.as_view(chapter="10"), name="index")]
