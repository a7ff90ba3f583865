"""Platform tokens encrypted at rest (MultiFernet).

The keys come from ``PLATFORM_TOKEN_KEYS``: Fernet keys separated by commas, the first one
encrypts and every one decrypts. To rotate, put a new key first and keep the old ones after it;
``manage.py platform_tokens_rotate`` re-encrypts every token with the new key, after which the old
keys can be dropped. No connection is lost along the way.

Without the setting (development, tests, the embedded default), one key is derived from
``SECRET_KEY``; production requires the setting (``agency.settings``).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenUnreadable(Exception):
    """No configured key decrypts a stored token (the key that wrote it was dropped)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(("platform-tokens:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def configured_keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in (getattr(settings, "PLATFORM_TOKEN_KEYS", None) or []) if key.strip())
    return keys or (_derived_key().decode(),)


def seal(token: str) -> str:
    return _fernet(configured_keys()).encrypt(token.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet(configured_keys()).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise TokenUnreadable("No configured PLATFORM_TOKEN_KEYS key decrypts this token.") from exc


def reseal(sealed: str) -> str:
    """The same token encrypted with the first key (``MultiFernet.rotate``)."""
    try:
        return _fernet(configured_keys()).rotate(sealed.encode()).decode()
    except InvalidToken as exc:
        raise TokenUnreadable("No configured PLATFORM_TOKEN_KEYS key decrypts this token.") from exc
