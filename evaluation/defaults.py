"""The questionnaire every agency starts with (clause 10.1), in Chinese and English. It is made
for an agency by ``evaluation.services.questionnaires.questionnaire_ensure_default`` (idempotent),
which the yearly task and ``manage.py ensure_default_questionnaires`` call."""

from __future__ import annotations

DEFAULT_FAMILY = "service-quality"

DEFAULT_TEMPLATE = {
    "family": DEFAULT_FAMILY,
    "title_zh": "短视频代运营服务质量评价",
    "title_en": "Short-video operation service quality survey",
    "intro_zh": "感谢您抽出两分钟时间。您的意见将直接用于改进我们的服务。",
    "intro_en": "Thank you for taking two minutes. Your views go straight into improving our service.",
}

DEFAULT_QUESTIONS = [
    {
        "code": "recommend",
        "kind": "nps",
        "text_zh": "您有多大可能向朋友或同行推荐我们的服务？",
        "text_en": "How likely are you to recommend this service to a friend or colleague?",
        "required": True,
    },
    {
        "code": "overall",
        "kind": "csat",
        "text_zh": "总体而言，您对我们的服务满意吗？",
        "text_en": "Overall, how satisfied are you with the service?",
        "required": True,
    },
    {
        "code": "content",
        "kind": "csat",
        "text_zh": "您对视频内容的质量满意吗？",
        "text_en": "How satisfied are you with the quality of the videos and content?",
        "required": True,
    },
    {
        "code": "responsiveness",
        "kind": "csat",
        "text_zh": "您对回复和处理问题的速度满意吗？",
        "text_en": "How satisfied are you with how quickly questions and problems are handled?",
        "required": True,
    },
    {
        "code": "platform",
        "kind": "single",
        "text_zh": "您主要在哪个平台看到我们的内容？",
        "text_en": "On which platform do you mostly see the content?",
        "required": False,
        "choices": [
            {"value": "douyin", "zh": "抖音", "en": "Douyin"},
            {"value": "kuaishou", "zh": "快手", "en": "Kuaishou"},
            {"value": "wechat_channels", "zh": "视频号", "en": "WeChat Channels"},
            {"value": "xiaohongshu", "zh": "小红书", "en": "Xiaohongshu"},
            {"value": "other", "zh": "其他", "en": "Other"},
        ],
    },
    {
        "code": "improve",
        "kind": "multiple",
        "text_zh": "您希望我们在哪些方面改进？（可多选）",
        "text_en": "Where should we improve? (choose any)",
        "required": False,
        "choices": [
            {"value": "content", "zh": "内容质量", "en": "Content quality"},
            {"value": "frequency", "zh": "更新频率", "en": "Posting frequency"},
            {"value": "replies", "zh": "评论和私信回复", "en": "Replies to comments and messages"},
            {"value": "live", "zh": "直播", "en": "Live streams"},
            {"value": "offers", "zh": "优惠和团购", "en": "Offers and group deals"},
            {"value": "other", "zh": "其他", "en": "Other"},
        ],
    },
    {
        "code": "comments",
        "kind": "text",
        "text_zh": "还有其他意见或建议吗？",
        "text_en": "Any other comments or suggestions?",
        "required": False,
    },
]
