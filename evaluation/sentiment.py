"""The hook for the sentiment classifier of chapter 7 (clause 7.1), used on free-text answers.

Chapter 10 does not classify text itself. The app that owns the classifier registers it once (in
its ``AppConfig.ready``)::

    from evaluation.sentiment import register_sentiment_classifier
    register_sentiment_classifier(my_classifier)   # (text: str) -> "positive" | "neutral" | "negative" | None

Until one is registered, ``classify_sentiment`` answers ``None`` and answers are stored without a
sentiment; the results page then shows the texts without one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils.translation import pgettext_lazy

logger = logging.getLogger(__name__)

SENTIMENTS = ("positive", "neutral", "negative")
# How each reads on a page (the codes stay in the data and the API).
SENTIMENT_LABELS = {
    "positive": pgettext_lazy("sentiment", "Positive"),
    "neutral": pgettext_lazy("sentiment", "Neutral"),
    "negative": pgettext_lazy("sentiment", "Negative"),
}


def sentiment_label(code: str | None) -> str:
    return str(SENTIMENT_LABELS.get(code, code or ""))


SentimentClassifier = Callable[[str], "str | None"]
_classifier: SentimentClassifier | None = None


def register_sentiment_classifier(classifier: SentimentClassifier | None) -> None:
    """Install (or, with ``None``, remove) the classifier used for free-text answers."""
    global _classifier
    _classifier = classifier


def sentiment_classifier_available() -> bool:
    return _classifier is not None


def classify_sentiment(text: str) -> str | None:
    """The sentiment of ``text`` ("positive", "neutral" or "negative"), or ``None`` when no
    classifier is registered, the text is empty, or the classifier gives no usable answer."""
    if _classifier is None or not (text or "").strip():
        return None
    try:
        label = _classifier(text)
    except Exception:  # a classifier's failure must never lose an answer
        logger.exception("The sentiment classifier failed; the answer is stored without a sentiment.")
        return None
    return label if label in SENTIMENTS else None
