from django.urls import path

from agency.views import ChapterView
from evaluation.views import campaigns, complaints, improvement, overview, public, questionnaires

app_name = "evaluation"

urlpatterns = [
    path("", overview.OverviewView.as_view(), name="index"),
    path("chapter/", ChapterView.as_view(chapter="10"), name="chapter"),
    # 10.1 campaigns
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", campaigns.CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/qr.svg", campaigns.CampaignQRView.as_view(), name="campaign-qr"),
    path("campaigns/<int:pk>/<str:name>/", campaigns.CampaignDetailView.as_view(), name="campaign-step"),
    path("questionnaires/", questionnaires.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/new/", questionnaires.QuestionnaireCreateView.as_view(), name="questionnaire-create"),
    path("questionnaires/<int:pk>/", questionnaires.QuestionnaireDetailView.as_view(), name="questionnaire-detail"),
    path(
        "questionnaires/<int:pk>/<str:name>/",
        questionnaires.QuestionnaireDetailView.as_view(),
        name="questionnaire-step",
    ),
    path("questions/<int:pk>/remove/", questionnaires.QuestionRemoveView.as_view(), name="question-remove"),
    # 10.1 customer protection
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/new/", complaints.ComplaintCreateView.as_view(), name="complaint-create"),
    path("complaints/<int:pk>/", complaints.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/<str:name>/", complaints.ComplaintDetailView.as_view(), name="complaint-step"),
    path("guarantees/", complaints.GuaranteeListView.as_view(), name="guarantee-list"),
    path("guarantees/new/", complaints.GuaranteeCreateView.as_view(), name="guarantee-create"),
    path("guarantees/<int:pk>/edit/", complaints.GuaranteeUpdateView.as_view(), name="guarantee-update"),
    # 10.2 improvement
    path("improvement/", improvement.CycleListView.as_view(), name="cycle-list"),
    path("improvement/new/", improvement.CycleCreateView.as_view(), name="cycle-create"),
    path("improvement/<int:pk>/", improvement.CycleDetailView.as_view(), name="cycle-detail"),
    path("improvement/<int:pk>/<str:name>/", improvement.CycleDetailView.as_view(), name="cycle-step"),
    path("actions/<int:pk>/<str:name>/", improvement.ActionStepView.as_view(), name="action-step"),
    # the client area
    path("mine/", overview.ClientEvaluationView.as_view(), name="client-home"),
    # public: no login, the token is the key
    path("s/<str:token>/", public.PublicSurveyView.as_view(), name="public-survey"),
    path("s/<str:token>/thanks/", public.PublicSurveyThanksView.as_view(), name="public-survey-thanks"),
    path("s/<str:token>/api/", public.PublicSurveyAPIView.as_view(), name="public-survey-api"),
]
