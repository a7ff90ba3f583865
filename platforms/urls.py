from django.urls import path

from platforms.views import connections

app_name = "platforms"

urlpatterns = [
    path("accounts/<int:pk>/connect/", connections.ConnectView.as_view(), name="connect"),
    path("accounts/<int:pk>/send-link/", connections.SendLinkView.as_view(), name="send-link"),
    path("connections/<int:pk>/disconnect/", connections.DisconnectView.as_view(), name="disconnect"),
    path("connections/<int:pk>/sync/", connections.SyncNowView.as_view(), name="sync"),
    path("callback/<str:platform>/", connections.CallbackView.as_view(), name="callback"),
    path("authorise/<str:token>/", connections.LinkView.as_view(), name="link"),
]
