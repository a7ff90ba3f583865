"""The isolation mixin on every chapter 7 and platform-data endpoint: nothing crosses agencies or
clients."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts_ops.models import (
    AccountDailyMetric,
    AudiencePersonaReport,
    AudienceSnapshot,
    CommentAction,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    HotTopic,
    IpPersona,
    OpinionAlert,
    VideoComment,
    VideoDailyMetric,
)
from tests.accounts_ops.factories import PORTRAIT, ContentPlanFactory, HotTopicFactory
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.isolation import TenantAPITestCases
from tests.production.factories import VideoProjectFactory


def day(offset: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


class TestAccountDailyMetricAPI(TenantAPITestCases):
    basename = "accountdailymetric"
    model = AccountDailyMetric


class TestVideoDailyMetricAPI(TenantAPITestCases):
    basename = "videodailymetric"
    model = VideoDailyMetric


class TestDataImportAPI(TenantAPITestCases):
    basename = "dataimport"
    model = DataImport
    client_scoped = False  # the agency's own work


class TestVideoCommentAPI(TenantAPITestCases):
    basename = "videocomment"
    model = VideoComment

    def create_payload(self, world):
        video = VideoFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {
            "video": video.pk,
            "platform_comment_id": "c-1",
            "author_uid": "fan-1",
            "text": "味道很好，下次还来",
            "posted_at": timezone.now().isoformat(),
        }


class TestCommentActionAPI(TenantAPITestCases):
    basename = "commentaction"
    model = CommentAction


class TestOpinionAlertAPI(TenantAPITestCases):
    basename = "opinionalert"
    model = OpinionAlert


class TestHotTopicAPI(TenantAPITestCases):
    basename = "hottopic"
    model = HotTopic
    client_scoped = False  # the agency's market watch

    def create_payload(self, world):
        return {"platform": "douyin", "title": "秋天的第一杯奶茶", "heat": 4_800_000, "rank": 2}

    def update_payload(self, world, obj):
        return {"heat": 5_000_000}


class TestContentPlanAPI(TenantAPITestCases):
    basename = "contentplan"
    model = ContentPlan

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {
            "account": account.pk,
            "title": "Autumn set",
            "angle": "Ride the first-milk-tea topic",
            "planned_on": day(3),
            "video_project": VideoProjectFactory(account=account).pk,
            "topics": [HotTopicFactory(agency=world.agency_a).pk],
        }

    def update_payload(self, world, obj):
        return {"notes": "shoot on Friday"}


class TestContentPlanTopicAPI(TenantAPITestCases):
    basename = "contentplantopic"
    model = ContentPlanTopic

    def create_payload(self, world):
        plan = ContentPlanFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"plan": plan.pk, "topic": HotTopicFactory(agency=world.agency_a).pk, "note": "cup in every shot"}

    def update_payload(self, world, obj):
        return {"note": "changed"}


class TestAudienceSnapshotAPI(TenantAPITestCases):
    basename = "audiencesnapshot"
    model = AudienceSnapshot

    def create_payload(self, world):
        return {"account": PlatformAccountFactory(client=world.client_a1).pk, "date": day(-1), **PORTRAIT}


class TestAudiencePersonaReportAPI(TenantAPITestCases):
    basename = "audiencepersonareport"
    model = AudiencePersonaReport


class TestIpPersonaAPI(TenantAPITestCases):
    basename = "ippersona"
    model = IpPersona

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "name": "火锅阿姐",
            "age": "30岁左右",
            "gender": "女",
            "personality": "爽快",
            "cultural_background": "成都本地人",
            "specialty": "识货",
            "style": "街头实拍",
            "effective_from": day(),
        }
