"""Forms of the account-operations pages. Chapter 6 (basic operations) lives in
one module per topic (``direction``, ``profile``, ``pinned``, ``inbox``, ``local``, ``promotion``,
``ads``; shared pieces in ``common``), chapter 7 (advanced operations) and the file imports in
``advanced``."""

from accounts_ops.forms.ads import ApprovalForm, CampaignForm, ResultsForm, SpendForm
from accounts_ops.forms.advanced import (
    AlertHandleForm,
    CommentAssignForm,
    CommentHideForm,
    CommentNoteForm,
    CommentReplyForm,
    ContentPlanEditForm,
    ContentPlanForm,
    DataImportForm,
    GuideForm,
    HotTopicForm,
    IpPersonaForm,
    PlanTopicForm,
)
from accounts_ops.forms.common import LinesField, ServiceForm
from accounts_ops.forms.direction import DirectionForm
from accounts_ops.forms.inbox import AutoReplySettingsForm, ReplyForm, ReplyRuleEditForm, ReplyRuleForm, TryMessageForm
from accounts_ops.forms.local import DealEditForm, DealForm, EnablementForm, PoiForm
from accounts_ops.forms.pinned import BoostRecordForm, PinForm, PlanForm, UnpinForm
from accounts_ops.forms.profile import ApplyForm, DecisionForm, ProfileBaselineForm, ProfileChangeForm
from accounts_ops.forms.promotion import PromotionCompleteForm, PromotionForm

__all__ = [
    "ApplyForm",
    "ApprovalForm",
    "AutoReplySettingsForm",
    "BoostRecordForm",
    "CampaignForm",
    "DealEditForm",
    "DealForm",
    "DecisionForm",
    "DirectionForm",
    "EnablementForm",
    "LinesField",
    "PinForm",
    "PlanForm",
    "PoiForm",
    "ProfileBaselineForm",
    "ProfileChangeForm",
    "PromotionCompleteForm",
    "PromotionForm",
    "ReplyForm",
    "ReplyRuleEditForm",
    "ReplyRuleForm",
    "ResultsForm",
    "ServiceForm",
    "SpendForm",
    "TryMessageForm",
    "UnpinForm",
    # chapter 7
    "AlertHandleForm",
    "CommentAssignForm",
    "CommentHideForm",
    "CommentNoteForm",
    "CommentReplyForm",
    "ContentPlanEditForm",
    "ContentPlanForm",
    "DataImportForm",
    "GuideForm",
    "HotTopicForm",
    "IpPersonaForm",
    "PlanTopicForm",
]
