from django.urls import path

from agency.views import ChapterView

app_name = "production"

urlpatterns = [path("", ChapterView.as_view(chapter="5"), name="index")]
