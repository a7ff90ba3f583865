"""Emails of chapter 10 (invitations, reminders, flags, escalations) through Django's email
backend (the console in development), sent only once the transaction that decided them commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from evaluation.config import setting

logger = logging.getLogger(__name__)

# The address people reach the product at, for links in emails and QR codes (a task has no
# request to take it from): a named setting, or the environment variable of the same name.
PUBLIC_BASE_URL_SETTING = "EVALUATION_PUBLIC_BASE_URL"
PUBLIC_BASE_URL_DEFAULT = "http://localhost:8000"


def public_url(path: str, request=None) -> str:
    """An absolute link to ``path``: the configured public address, else the request's host."""
    base = setting(PUBLIC_BASE_URL_SETTING, "")
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return PUBLIC_BASE_URL_DEFAULT + path


def notify_on_commit(recipients: Iterable[str], subject: str, body: str) -> None:
    """Email ``recipients`` once the current transaction commits; a mail failure is logged, not raised,
    so it never undoes the recorded decision."""
    to = sorted({address for address in recipients if address})
    if not to:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:
            logger.exception("Could not send %r to %s", subject, to)

    transaction.on_commit(send)
