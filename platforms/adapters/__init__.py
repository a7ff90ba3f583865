"""One adapter module per platform behind one interface (``platforms.adapters.base``).

``adapter_for(platform)`` builds the adapter of a platform from the ``PLATFORMS`` setting (base URL,
the app's credentials); a platform without an adapter, or without credentials, has none and its
accounts keep file import and manual entry."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from platforms.adapters.base import Adapter

# Platform (clients.models.Platform value) → its adapter class.
ADAPTERS = {
    "douyin": "platforms.adapters.douyin.DouyinAdapter",
    "tiktok": "platforms.adapters.tiktok.TikTokAdapter",
}


def has_adapter(platform: str) -> bool:
    config = settings.PLATFORMS.get(platform) or {}
    return platform in ADAPTERS and bool(config.get("client_key"))


def adapter_for(platform: str) -> Adapter:
    """The configured adapter of ``platform``; ``LookupError`` when there is none."""
    if not has_adapter(platform):
        raise LookupError(f"No connector is configured for {platform}.")
    config = settings.PLATFORMS[platform]
    adapter_class = import_string(ADAPTERS[platform])
    return adapter_class(
        base_url=config["base_url"],
        client_key=config["client_key"],
        client_secret=config.get("client_secret", ""),
        timeout=float(config.get("timeout", settings.PLATFORM_HTTP_TIMEOUT)),
    )
