"""Models of account operations, one module per topic (see ``accounts_ops``): chapter 6 ``direction``,
``profile``, ``pinned``, ``inbox``, ``local``, ``promotion``, ``ads``; platform data ``metrics`` and ``imports``;
chapter 7 ``comments``, ``hot_topics``, ``audience``, ``ip_persona``; shared pieces in ``common``. Django finds
the models here; they register in this order."""

# isort: off
from accounts_ops.models.common import (  # noqa: F401
    MONEY_DIGITS,
    MONEY_PLACES,
    ZERO,
    money_field,
    yuan,
    AccountScoped,
)
from accounts_ops.models.direction import (  # noqa: F401
    AccountDirection,
)
from accounts_ops.models.profile import (  # noqa: F401
    ProfileField,
    IMAGE_PROFILE_FIELDS,
    ProfileChangeStatus,
    OPEN_PROFILE_STATUSES,
    ProfileChange,
)
from accounts_ops.models.pinned import (  # noqa: F401
    BoostChannel,
    PinnedVideo,
    BoostTaskStatus,
    BoostTask,
    BoostRecord,
)
from accounts_ops.models.inbox import (  # noqa: F401
    AutoReplySettings,
    ReplyTrigger,
    KeywordMode,
    ReplyRule,
    MessageSource,
    InboxStatus,
    SentConfirmation,
    InboxMessage,
    ReplySource,
    OutboxStatus,
    OutboxReply,
)
from accounts_ops.models.local import (  # noqa: F401
    PoiStatus,
    PoiLink,
    DealStatus,
    GroupBuyDeal,
    LocalLifeEnablement,
)
from accounts_ops.models.promotion import (  # noqa: F401
    PromotionChannel,
    PromotionTarget,
    PromotionStatus,
    PromotionTask,
)
from accounts_ops.models.ads import (  # noqa: F401
    AdKind,
    AdProduct,
    CampaignStatus,
    campaign_roi,
    AdCampaign,
    AdBudgetApproval,
    AdSpend,
)
from accounts_ops.models.metrics import (  # noqa: F401
    MetricRow,
    AccountDailyMetric,
    VideoDailyMetric,
)
from accounts_ops.models.metrics_rollups import (  # noqa: F401
    ROLLUP_COUNTS,
    Grain,
    AccountMetricRollup,
    ClientMetricRollup,
    AgencyMetricRollup,
)
from accounts_ops.models.imports import (  # noqa: F401
    ImportKind,
    ImportStatus,
    DataImport,
)
from accounts_ops.models.comments import (  # noqa: F401
    Sentiment,
    CommentStatus,
    CommentSource,
    VideoComment,
    CommentActionKind,
    CommentActionStatus,
    CommentAction,
    AlertStatus,
    OpinionAlert,
)
from accounts_ops.models.hot_topics import (  # noqa: F401
    HotTopic,
    PlanStatus,
    ContentPlan,
    ContentPlanTopic,
)
from accounts_ops.models.audience import (  # noqa: F401
    AudienceSnapshot,
    PersonaTrigger,
    AudiencePersonaReport,
)
from accounts_ops.models.ip_persona import (  # noqa: F401
    IP_FACETS,
    IpPersona,
)
from accounts_ops.models.conversations import (  # noqa: F401
    ConversationStatus,
    Conversation,
    SavedReply,
)

# isort: on
