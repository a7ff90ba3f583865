from django.urls import path

from agency.views import ChapterView

app_name = "records"

urlpatterns = [path("", ChapterView.as_view(chapter="9"), name="index")]
