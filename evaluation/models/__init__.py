"""Models of chapter 10 (evaluation and improvement): questionnaires and evaluation campaigns
(10.1), customer protection (10.1), improvement cycles and actions with their follow-up surveys
(10.2). Every concrete model derives from agency.models.TenantModel."""

from evaluation.models.campaigns import (
    Audience,
    CampaignKind,
    CampaignStatus,
    EvaluationCampaign,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from evaluation.models.complaints import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintSource,
    ComplaintStatus,
    ServiceGuarantee,
    Severity,
)
from evaluation.models.improvement import (
    ActionStatus,
    CycleStatus,
    FindingSource,
    ImprovementAction,
    ImprovementCycle,
)
from evaluation.models.questionnaires import (
    CSAT_SATISFIED_MIN,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    SCALES,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    TemplateStatus,
)

__all__ = [
    "CSAT_SATISFIED_MIN",
    "NPS_DETRACTOR_MAX",
    "NPS_PROMOTER_MIN",
    "SCALES",
    "ActionStatus",
    "Audience",
    "CampaignKind",
    "CampaignStatus",
    "Complaint",
    "ComplaintCategory",
    "ComplaintChannel",
    "ComplaintSource",
    "ComplaintStatus",
    "CycleStatus",
    "EvaluationCampaign",
    "FindingSource",
    "ImprovementAction",
    "ImprovementCycle",
    "Question",
    "QuestionKind",
    "QuestionnaireTemplate",
    "ServiceGuarantee",
    "Severity",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyResponse",
    "TemplateStatus",
]
