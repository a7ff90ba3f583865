"""Passwords may not be built from words tied to this service (ASVS 5.0 6.1.2 and 6.2.11).

The list is documented in docs/security.md and lives once, here: the product's own words, the platforms
it operates on, the trade's words, the roles' names, and, for a given person, the names of the agencies
and clients they belong to. A password is refused when, lowered and read through the usual character
swaps (``0`` for ``o``, ``@`` for ``a``, ...), it contains one of them. Words shorter than four letters
are not checked (they would refuse too much by chance); Chinese words are checked from two characters.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agency.tenancy import tenant_context

# The context-specific words (ASVS 6.1.2). Installations add their own with PASSWORD_CONTEXT_WORDS.
CONTEXT_WORDS = (
    # the product and its trade
    "agency",
    "daiyunying",
    "代运营",
    "shortvideo",
    "短视频",
    "casme",
    # the platforms it acts on
    "douyin",
    "抖音",
    "kuaishou",
    "快手",
    "tiktok",
    "bytedance",
    "字节",
    "xiaohongshu",
    "小红书",
    "wechat",
    "weixin",
    "微信",
    "channels",
    "视频号",
    # the roles and the obvious ones
    "admin",
    "administrator",
    "manager",
    "producer",
    "operator",
    "analyst",
    "approver",
    "client",
    "password",
    "passwort",
    "mima",
    "密码",
)

# What people type instead of a letter, read back as the letter.
SWAPS = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "|": "l", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t", "+": "t"}
)


def _readings(password: str) -> tuple[str, ...]:
    lowered = password.casefold()
    kept = "".join(ch for ch in lowered if ch.isalnum() or ch in "@!|$+")
    return lowered, kept, kept.translate(SWAPS), kept.translate(SWAPS).replace("i", "l")


def _long_enough(word: str) -> bool:
    return len(word) >= (2 if not word.isascii() else 4)


def context_words_for(user=None) -> list[str]:
    """The words a password may not contain, for this person (their agencies' and clients' names)."""
    words = [*CONTEXT_WORDS, *getattr(settings, "PASSWORD_CONTEXT_WORDS", ())]
    if user is not None and getattr(user, "pk", None):
        for membership in user.memberships.select_related("agency"):
            words.append(membership.agency.name)
            words.append(membership.agency.slug)
            if membership.client_id:
                with tenant_context(membership.agency):  # the client is read inside its own agency
                    words.append(membership.client.name)
    found = []
    for word in words:
        for piece in str(word).casefold().replace("-", " ").replace("_", " ").split():
            if _long_enough(piece) and piece not in found:
                found.append(piece)
    return found


class ContextWordsValidator:
    """Django password validator: refuses a password that contains a context-specific word."""

    def validate(self, password: str, user=None) -> None:
        readings = _readings(password)
        for word in context_words_for(user):
            if any(word in reading for reading in readings):
                raise ValidationError(
                    _("This password contains “%(word)s”, a word tied to this service or your organisation."),
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return _("Your password can’t contain the names of this service, the platforms, your role or your agency.")
