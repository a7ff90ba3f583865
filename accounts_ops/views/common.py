"""Pieces shared by the staff pages of account operations."""

from __future__ import annotations

from django.urls import reverse


def _account_page(account_id) -> str:
    return reverse("accounts_ops:account", args=[account_id])
