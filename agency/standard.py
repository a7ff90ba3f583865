"""The clauses of T/CASME 短视频平台代运营服务规范 that the product implements.

Clause ids are the ones used in code, tests, the UI and reports. Which services a client must buy
for a clause to apply to it is stated here too, once (``applies_to``: ``None`` = every client).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Clause:
    id: str
    chapter: str
    title_zh: str
    title_en: str
    requirement: str  # what the software checks, in one sentence (a lazy translation)
    service: str | None = None  # the client service (clients.models.Service) the clause needs

    @property
    def title(self) -> str:
        """The clause's title in the active language (the standard's own Chinese otherwise)."""
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh


CLAUSES: tuple[Clause, ...] = (
    Clause(
        "4.1",
        "4",
        "采纳要求",
        "Adopt the client's reasonable requirements",
        _("Every requirement is decided; every accepted one is fulfilled or due in the future."),
    ),
    Clause(
        "4.2",
        "4",
        "诚信合作",
        "Good-faith cooperation, no concealment",
        _("The client can see every record about its accounts; the audit trail is complete."),
    ),
    Clause(
        "4.3",
        "4",
        "服务用户",
        "Serve every platform user well",
        _("Messages and comments are answered in time; complaints are handled."),
    ),
    Clause(
        "5.1",
        "5",
        "脚本撰写",
        "Script writing",
        _(
            "No video enters shooting before topic, scene concept, screenplay and storyboard exist and "
            "the script is approved."
        ),
        "video_production",
    ),
    Clause(
        "5.2",
        "5",
        "视频拍摄",
        "Video shooting",
        _("Clips are 4K and 7-60 s; a shoot has 8-20 accepted clips."),
        "video_production",
    ),
    Clause(
        "5.3",
        "5",
        "后期处理",
        "Post-processing",
        _("No video goes to review before subtitles, sound, colour, cover and retouching are done or not applicable."),
        "video_production",
    ),
    Clause(
        "6.1",
        "6",
        "账号内容及方向",
        "Account content and direction",
        _("Every active account has a current direction."),
        "basic_operations",
    ),
    Clause(
        "6.2",
        "6",
        "账号个性定制",
        "Account personalisation",
        _("Every active account has avatar, banner, bio and nickname set; each change is recorded."),
        "basic_operations",
    ),
    Clause(
        "6.3",
        "6",
        "账号内容置顶",
        "Pinned videos and re-boosting",
        _("1-3 pinned videos per active account, each boosted within its plan interval."),
        "basic_operations",
    ),
    Clause(
        "6.4",
        "6",
        "私信定制化回复",
        "Customised private-message replies",
        _("Every active account has active reply rules; first responses meet the agency's target."),
        "basic_operations",
    ),
    Clause(
        "6.5",
        "6",
        "团购功能开通",
        "Group-buy and POI",
        _("Clients that sell locally have a live deal and a linked POI."),
        "local_life",
    ),
    Clause(
        "6.6",
        "6",
        "宣传推广",
        "Promotion",
        _("Promotion activity is recorded each month for active accounts."),
        "basic_operations",
    ),
    Clause(
        "6.7",
        "6",
        "投放广告",
        "Advertising",
        _("Every campaign has budget, period and result; spend over budget has an approval."),
        "advertising",
    ),
    Clause(
        "7.1",
        "7",
        "用户运营",
        "User operations and public opinion",
        _("Comments are answered; every opinion alert is handled."),
        "advanced_operations",
    ),
    Clause(
        "7.2",
        "7",
        "内容策划",
        "Content planning from hot topics",
        _("Each active account has planned content linked to topics."),
        "advanced_operations",
    ),
    Clause(
        "7.3",
        "7",
        "账号情况分析",
        "Audience persona analysis",
        _("A persona report no older than the agency's analysis period."),
        "advanced_operations",
    ),
    Clause(
        "7.4",
        "7",
        "IP 形象定位",
        "IP persona",
        _("Every account with an IP has a complete persona."),
        "advanced_operations",
    ),
    Clause(
        "8.1",
        "8",
        "生活直播",
        "Live streaming",
        _("No session starts without its four roles staffed; every finished session has results."),
        "live_streaming",
    ),
    Clause(
        "8.2",
        "8",
        "达人探店",
        "Influencer store visits",
        _("Every booked influencer's followers are within the agency's range at booking."),
        "store_visits",
    ),
    Clause(
        "8.3",
        "8",
        "账号价值评估",
        "Account valuation",
        _("A valuation states every factor and the method."),
        "account_valuation",
    ),
    Clause(
        "9",
        "9",
        "运维记录",
        "Operation records",
        _("Each active client has each of the six record types for the period; nothing deleted silently."),
    ),
    Clause(
        "10.1",
        "10",
        "监督评价",
        "Yearly evaluation and customer protection",
        _("Every active client has an evaluation campaign each calendar year; complaints resolved in time."),
    ),
    Clause(
        "10.2",
        "10",
        "持续改进",
        "Continuous improvement",
        _("Every finished improvement has a follow-up survey within 30 days; open cycles are listed."),
    ),
)

CLAUSES_BY_ID = {clause.id: clause for clause in CLAUSES}

CHAPTERS = {
    "4": _("Basic requirements"),
    "5": _("Video production"),
    "6": _("Basic account operations"),
    "7": _("Advanced account operations"),
    "8": _("Extension services"),
    "9": _("Operation records"),
    "10": _("Evaluation and improvement"),
}
