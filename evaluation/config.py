"""Deployment settings of chapter 10, each a named Django setting that the environment can also
give (12-factor), with a default that works out of the box."""

from __future__ import annotations

import os

from django.conf import settings


def setting(name: str, default: str) -> str:
    """``settings.<name>``, else the environment variable of the same name, else ``default``."""
    return getattr(settings, name, None) or os.environ.get(name) or default
