from django.urls import path

from agency.views import ChapterView
from evaluation import public, views

app_name = "evaluation"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="index"),
    path("chapter/", ChapterView.as_view(chapter="10"), name="chapter"),
    # 10.1 campaigns
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/qr.svg", views.CampaignQRView.as_view(), name="campaign-qr"),
    path("campaigns/<int:pk>/<str:name>/", views.CampaignDetailView.as_view(), name="campaign-step"),
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/new/", views.QuestionnaireCreateView.as_view(), name="questionnaire-create"),
    path("questionnaires/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire-detail"),
    path("questionnaires/<int:pk>/<str:name>/", views.QuestionnaireDetailView.as_view(), name="questionnaire-step"),
    path("questions/<int:pk>/remove/", views.QuestionRemoveView.as_view(), name="question-remove"),
    # 10.1 customer protection
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/new/", views.ComplaintCreateView.as_view(), name="complaint-create"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/<str:name>/", views.ComplaintDetailView.as_view(), name="complaint-step"),
    path("guarantees/", views.GuaranteeListView.as_view(), name="guarantee-list"),
    path("guarantees/new/", views.GuaranteeCreateView.as_view(), name="guarantee-create"),
    path("guarantees/<int:pk>/edit/", views.GuaranteeUpdateView.as_view(), name="guarantee-update"),
    # 10.2 improvement
    path("improvement/", views.CycleListView.as_view(), name="cycle-list"),
    path("improvement/new/", views.CycleCreateView.as_view(), name="cycle-create"),
    path("improvement/<int:pk>/", views.CycleDetailView.as_view(), name="cycle-detail"),
    path("improvement/<int:pk>/<str:name>/", views.CycleDetailView.as_view(), name="cycle-step"),
    path("actions/<int:pk>/<str:name>/", views.ActionStepView.as_view(), name="action-step"),
    # the client area
    path("mine/", views.ClientEvaluationView.as_view(), name="client-home"),
    # public: no login, the token is the key
    path("s/<str:token>/", public.PublicSurveyView.as_view(), name="public-survey"),
    path("s/<str:token>/thanks/", public.PublicSurveyThanksView.as_view(), name="public-survey-thanks"),
    path("s/<str:token>/api/", public.PublicSurveyAPIView.as_view(), name="public-survey-api"),
]
