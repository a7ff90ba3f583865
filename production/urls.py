from django.urls import path

from agency.views import ChapterView
from production import views

app_name = "production"

urlpatterns = [
    path("", views.BoardView.as_view(), name="index"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("clauses/", ChapterView.as_view(chapter="5"), name="clauses"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path("projects/<int:pk>/shoots/new/", views.ShootCreateView.as_view(), name="shoot-create"),
    path("projects/<int:pk>/<str:name>/", views.ProjectActionView.as_view(), name="project-action"),
    path("publications/<int:pk>/<str:name>/", views.PublicationActionView.as_view(), name="publication-action"),
    path("scripts/<int:pk>/", views.ScriptDetailView.as_view(), name="script-detail"),
    path("scripts/<int:pk>/<str:name>/", views.ScriptActionView.as_view(), name="script-action"),
    path("shoots/<int:pk>/", views.ShootDetailView.as_view(), name="shoot-detail"),
    path("shoots/<int:pk>/probing.json", views.ShootProbingView.as_view(), name="shoot-probing"),
    path("projects/<int:pk>/cut-probing.json", views.ProjectCutProbingView.as_view(), name="cut-probing"),
    path("clips/<int:pk>/delete/", views.ClipDeleteView.as_view(), name="clip-delete"),
    path("steps/<int:pk>/", views.StepUpdateView.as_view(), name="step-update"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/<str:name>/", views.ReviewActionView.as_view(), name="review-action"),
    path("files/<str:kind>/<int:pk>/", views.MediaFileView.as_view(), name="media-file"),
    path("client/", views.ClientProductionView.as_view(), name="client-home"),
]
