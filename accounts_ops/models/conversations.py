"""The one inbox (6.4 private messages and 7.1 comments): the history with one fan of one account
across messages and comments, who works it, and the replies the agency keeps ready."""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field
from agency.models import TenantModel

# What a saved reply may name, filled per conversation: the fan's nickname, the store's name (the
# account's nickname on the platform), the client's name, and the 6.4 reply values of the account.
SAVED_REPLY_VARIABLES = ("fan", "store", "client", "address", "coupon")
SAVED_REPLY_MAX_CHARS = 500  # what one reply may carry on both channels (7.1 comments take 500)


def check_saved_reply_text(text: str) -> None:
    """A saved reply has text within the length both channels take, and names only known variables."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError({"text": _("Write the reply.")})
    if len(cleaned) > SAVED_REPLY_MAX_CHARS:
        raise ValidationError(
            {
                "text": _("%(count)d characters; at most %(max)d.")
                % {"count": len(cleaned), "max": SAVED_REPLY_MAX_CHARS}
            }
        )
    known = ", ".join(f"{{{name}}}" for name in SAVED_REPLY_VARIABLES)
    try:
        fields = list(string.Formatter().parse(cleaned))
    except ValueError:
        raise ValidationError({"text": _("A brace is not closed; variables are written %(known)s.") % {"known": known}})
    for _literal, name, spec, conversion in fields:
        if name is not None and (name not in SAVED_REPLY_VARIABLES or spec or conversion):
            raise ValidationError(
                {"text": _("Unknown variable {%(name)s}; use %(known)s.") % {"name": name, "known": known}}
            )


class ConversationStatus(models.TextChoices):
    """Where a conversation stands, read from its messages and comments (never stored, so it cannot
    drift from them): something from the fan waits; every wait is answered by a reply still on its
    way to the platform; nothing waits."""

    WAITING = "waiting", _("Waiting for a reply")
    QUEUED = "queued", _("Reply queued")
    DONE = "done", _("Handled")


class Conversation(AccountScoped):
    """6.4 and 7.1: one fan (a platform user id) of one account, across private messages and
    comments. Made when the fan's first message or comment arrives; holds who works it."""

    fan_uid = models.CharField(_("fan id"), max_length=128)
    fan_nickname = models.CharField(_("fan"), max_length=100, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        editable=False,
    )

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            on_field(
                "fan_uid",
                models.UniqueConstraint(fields=["account", "fan_uid"], name="conversation_one_per_fan"),
            )
        ]
        indexes = [
            models.Index(fields=["agency", "last_activity_at"], name="conversation_agency_activity"),
            models.Index(fields=["agency", "assignee", "last_activity_at"], name="conversation_agency_assignee"),
        ]

    def __str__(self) -> str:
        return self.fan_nickname or self.fan_uid

    @property
    def state_display(self) -> str:
        """The status read by ``accounts_ops.selectors.conversations`` (the row must come from there)."""
        return ConversationStatus(self.state).label

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:conversation-detail", args=[self.pk])


class SavedReply(TenantModel):
    """A reply the agency keeps ready for the inbox, with variables filled per conversation
    (``SAVED_REPLY_VARIABLES``). The agency's own: no client sees it."""

    tenant_client_path = None

    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        constraints = [
            on_field(
                "title",
                models.UniqueConstraint(fields=["agency", "title"], name="saved_reply_title_unique"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:saved-reply-update", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        check_saved_reply_text(self.text)
