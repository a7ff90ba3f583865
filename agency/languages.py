"""The product's languages: which one a person reads, and which one what they ask for is written in."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def requester_language() -> str:
    """The language of whoever asks (the request's active language, which is the person's choice,
    else their browser's, else Simplified Chinese): what a task builds for them (a report, an
    export) is written in it."""
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
