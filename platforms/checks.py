"""System checks of the connectors."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=False)
def token_keys_configured(app_configs, **kwargs):
    """In production the platforms' tokens must be encrypted with keys of their own
    (``PLATFORM_TOKEN_KEYS``), not one derived from ``SECRET_KEY``: rotating the secret key would
    otherwise make every stored token unreadable."""
    if not getattr(settings, "PRODUCTION", False) or getattr(settings, "PLATFORM_TOKEN_KEYS", None):
        return []
    return [
        Warning(
            "PLATFORM_TOKEN_KEYS is empty: platform tokens are encrypted with a key derived from SECRET_KEY.",
            hint="Set PLATFORM_TOKEN_KEYS to one or more Fernet keys (comma-separated, newest first); "
            "see platforms.crypto.",
            id="platforms.W001",
        )
    ]
