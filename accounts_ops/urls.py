from django.urls import path

from accounts_ops import views
from agency.views import ChapterView

app_name = "accounts_ops"

urlpatterns = [
    # Chapter 6, basic account operations
    path("", views.DashboardView.as_view(), name="index"),
    path("accounts/<int:pk>/", views.AccountOperationsView.as_view(), name="account"),
    path("directions/", views.DirectionListView.as_view(), name="direction-list"),
    path("directions/new/", views.DirectionCreateView.as_view(), name="direction-create"),
    path("profile/", views.ProfileListView.as_view(), name="profile-list"),
    path("profile/new/", views.ProfileCreateView.as_view(), name="profile-create"),
    path("profile/as-found/", views.ProfileBaselineView.as_view(), name="profile-baseline"),
    path("profile/<int:pk>/", views.ProfileDetailView.as_view(), name="profile-detail"),
    path("pinned/", views.PinnedListView.as_view(), name="pin-list"),
    path("pinned/new/", views.PinCreateView.as_view(), name="pin-create"),
    path("pinned/<int:pk>/plan/", views.PlanUpdateView.as_view(), name="pin-plan"),
    path("pinned/<int:pk>/unpin/", views.UnpinView.as_view(), name="pin-unpin"),
    path("boosts/", views.BoostTaskListView.as_view(), name="boost-list"),
    path("boosts/new/", views.BoostCreateView.as_view(), name="boost-create"),
    path("replies/rules/", views.RuleListView.as_view(), name="rule-list"),
    path("replies/rules/new/", views.RuleCreateView.as_view(), name="rule-create"),
    path("replies/rules/<int:pk>/edit/", views.RuleUpdateView.as_view(), name="rule-update"),
    path("replies/settings/<int:account>/", views.SettingsUpdateView.as_view(), name="settings"),
    path("replies/try/", views.TryMessageView.as_view(), name="try"),
    path("inbox/", views.InboxListView.as_view(), name="inbox-list"),
    path("inbox/<int:pk>/", views.InboxDetailView.as_view(), name="inbox-detail"),
    path("outbox/", views.OutboxListView.as_view(), name="outbox-list"),
    path("group-buy/deals/", views.DealListView.as_view(), name="deal-list"),
    path("group-buy/deals/new/", views.DealCreateView.as_view(), name="deal-create"),
    path("group-buy/deals/<int:pk>/edit/", views.DealUpdateView.as_view(), name="deal-update"),
    path("group-buy/pois/", views.PoiListView.as_view(), name="poi-list"),
    path("group-buy/pois/new/", views.PoiCreateView.as_view(), name="poi-create"),
    path("group-buy/pois/<int:pk>/edit/", views.PoiUpdateView.as_view(), name="poi-update"),
    path("group-buy/checklists/", views.EnablementListView.as_view(), name="enablement-list"),
    path("group-buy/checklists/edit/", views.EnablementEditView.as_view(), name="enablement-edit"),
    path("promotion/", views.PromotionListView.as_view(), name="promotion-list"),
    path("promotion/new/", views.PromotionCreateView.as_view(), name="promotion-create"),
    path("promotion/<int:pk>/done/", views.PromotionCompleteView.as_view(), name="promotion-complete"),
    path("ads/", views.CampaignListView.as_view(), name="campaign-list"),
    path("ads/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("ads/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    # Chapter 7, advanced account operations
    path("advanced/", ChapterView.as_view(chapter="7"), name="advanced"),
]
