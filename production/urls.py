from django.urls import path

from agency.views import ChapterView
from production.views import common, post, projects, publishing, review, scripts, shoots

app_name = "production"

urlpatterns = [
    path("", projects.BoardView.as_view(), name="index"),
    path("calendar/", projects.CalendarView.as_view(), name="calendar"),
    path("clauses/", ChapterView.as_view(chapter="5"), name="clauses"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path("projects/new/", projects.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", projects.ProjectUpdateView.as_view(), name="project-update"),
    path("projects/<int:pk>/shoots/new/", shoots.ShootCreateView.as_view(), name="shoot-create"),
    path("projects/<int:pk>/<str:name>/", projects.ProjectActionView.as_view(), name="project-action"),
    path("publications/<int:pk>/<str:name>/", publishing.PublicationActionView.as_view(), name="publication-action"),
    path("scripts/<int:pk>/", scripts.ScriptDetailView.as_view(), name="script-detail"),
    path("scripts/<int:pk>/<str:name>/", scripts.ScriptActionView.as_view(), name="script-action"),
    path("shoots/<int:pk>/", shoots.ShootDetailView.as_view(), name="shoot-detail"),
    path("shoots/<int:pk>/probing.json", shoots.ShootProbingView.as_view(), name="shoot-probing"),
    path("projects/<int:pk>/cut-probing.json", post.ProjectCutProbingView.as_view(), name="cut-probing"),
    path("clips/<int:pk>/delete/", shoots.ClipDeleteView.as_view(), name="clip-delete"),
    path("steps/<int:pk>/", post.StepUpdateView.as_view(), name="step-update"),
    path("reviews/<int:pk>/", review.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/<str:name>/", review.ReviewActionView.as_view(), name="review-action"),
    path("files/<str:kind>/<int:pk>/", common.MediaFileView.as_view(), name="media-file"),
    path("client/", projects.ClientProductionView.as_view(), name="client-home"),
]
