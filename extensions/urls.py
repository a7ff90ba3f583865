from django.urls import path

from extensions import views

app_name = "extensions"

urlpatterns = [
    path("", views.ExtensionsIndexView.as_view(), name="index"),
    # 8.1 live sessions
    path("live/", views.LiveSessionListView.as_view(), name="live-list"),
    path("live/new/", views.LiveSessionCreateView.as_view(), name="live-create"),
    path("live/<int:pk>/", views.LiveSessionDetailView.as_view(), name="live-detail"),
    path("live/<int:pk>/edit/", views.LiveSessionUpdateView.as_view(), name="live-update"),
    path("live/<int:pk>/do/<str:name>/", views.LiveSessionActionView.as_view(), name="live-action"),
    path("live/<str:kind>/<int:pk>/remove/", views.LiveRowRemoveView.as_view(), name="live-remove"),
    # 8.2 influencers and store visits
    path("influencers/", views.InfluencerListView.as_view(), name="influencer-list"),
    path("influencers/new/", views.InfluencerCreateView.as_view(), name="influencer-create"),
    path("influencers/<int:pk>/", views.InfluencerDetailView.as_view(), name="influencer-detail"),
    path("influencers/<int:pk>/edit/", views.InfluencerUpdateView.as_view(), name="influencer-update"),
    path("visits/", views.CampaignListView.as_view(), name="campaign-list"),
    path("visits/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("visits/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("visits/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign-update"),
    path("visits/<int:pk>/book/", views.CampaignBookView.as_view(), name="campaign-book"),
    path("visits/bookings/<int:pk>/<str:name>/", views.BookingActionView.as_view(), name="booking-action"),
    # 8.3 adverse events and valuations
    path("adverse-events/", views.AdverseEventListView.as_view(), name="adverse-list"),
    path("adverse-events/new/", views.AdverseEventCreateView.as_view(), name="adverse-create"),
    path("valuations/", views.ValuationListView.as_view(), name="valuation-list"),
    path("valuations/new/", views.ValuationCreateView.as_view(), name="valuation-create"),
    path("valuations/<int:pk>/", views.ValuationDetailView.as_view(), name="valuation-detail"),
    path("valuations/<int:pk>/recompute/", views.ValuationRecomputeView.as_view(), name="valuation-recompute"),
    # the client area's view of chapter 8
    path("client/", views.ClientExtensionsView.as_view(), name="client-area"),
    path("client/valuations/<int:pk>/", views.ClientValuationView.as_view(), name="client-valuation"),
]
