from django.urls import path

from extensions.views import live, overview, valuation, visits

app_name = "extensions"

urlpatterns = [
    path("", overview.ExtensionsIndexView.as_view(), name="index"),
    # 8.1 live sessions
    path("live/", live.LiveSessionListView.as_view(), name="live-list"),
    path("live/new/", live.LiveSessionCreateView.as_view(), name="live-create"),
    path("live/<int:pk>/", live.LiveSessionDetailView.as_view(), name="live-detail"),
    path("live/<int:pk>/edit/", live.LiveSessionUpdateView.as_view(), name="live-update"),
    path("live/<int:pk>/do/<str:name>/", live.LiveSessionActionView.as_view(), name="live-action"),
    path("live/<str:kind>/<int:pk>/remove/", live.LiveRowRemoveView.as_view(), name="live-remove"),
    # 8.2 influencers and store visits
    path("influencers/", visits.InfluencerListView.as_view(), name="influencer-list"),
    path("influencers/new/", visits.InfluencerCreateView.as_view(), name="influencer-create"),
    path("influencers/<int:pk>/", visits.InfluencerDetailView.as_view(), name="influencer-detail"),
    path("influencers/<int:pk>/edit/", visits.InfluencerUpdateView.as_view(), name="influencer-update"),
    path("visits/", visits.CampaignListView.as_view(), name="campaign-list"),
    path("visits/new/", visits.CampaignCreateView.as_view(), name="campaign-create"),
    path("visits/<int:pk>/", visits.CampaignDetailView.as_view(), name="campaign-detail"),
    path("visits/<int:pk>/edit/", visits.CampaignUpdateView.as_view(), name="campaign-update"),
    path("visits/<int:pk>/book/", visits.CampaignBookView.as_view(), name="campaign-book"),
    path("visits/bookings/<int:pk>/<str:name>/", visits.BookingActionView.as_view(), name="booking-action"),
    # 8.3 adverse events and valuations
    path("adverse-events/", valuation.AdverseEventListView.as_view(), name="adverse-list"),
    path("adverse-events/new/", valuation.AdverseEventCreateView.as_view(), name="adverse-create"),
    path("valuations/", valuation.ValuationListView.as_view(), name="valuation-list"),
    path("valuations/new/", valuation.ValuationCreateView.as_view(), name="valuation-create"),
    path("valuations/<int:pk>/", valuation.ValuationDetailView.as_view(), name="valuation-detail"),
    path("valuations/<int:pk>/recompute/", valuation.ValuationRecomputeView.as_view(), name="valuation-recompute"),
    # the client area's view of chapter 8
    path("client/", overview.ClientExtensionsView.as_view(), name="client-area"),
    path("client/valuations/<int:pk>/", valuation.ClientValuationView.as_view(), name="client-valuation"),
]
