"""The isolation mixin on the one inbox's endpoints (6.4 and 7.1): conversations and the agency's
saved replies never cross agencies, nor clients for client people."""

from __future__ import annotations

from accounts_ops.models import Conversation, SavedReply
from tests.isolation import TenantAPITestCases


class TestConversationAPI(TenantAPITestCases):
    basename = "conversation"
    model = Conversation


class TestSavedReplyAPI(TenantAPITestCases):
    basename = "savedreply"
    model = SavedReply
    client_scoped = False  # the agency's own: no client person sees them

    def create_payload(self, world):
        return {"title": "到店指引", "text": "{fan}您好，{store}在{address}"}

    def update_payload(self, world, obj):
        return {"text": "{fan}您好，欢迎来{store}"}
