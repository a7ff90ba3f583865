"""What an app above adds to another app's page, without that app importing it: the platform
connection on an account's page and the accounts to reconnect on a client's page come from
``platforms``, which sits above ``accounts_ops`` and ``clients``.

An app registers a provider for a page at start-up (``AppConfig.ready``); the page's view asks
``context_for(page, actor, row)`` and adds what every provider answers to its template context.
A page with no provider (the app is not installed) gets nothing, and its template shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from agency.tenancy import Actor

ACCOUNT = "account"  # accounts_ops' page of one platform account
CLIENT = "client"  # clients' page of one client

_providers: dict[str, list[Callable[[Actor, object], dict]]] = {}


def register(page: str, provider: Callable[[Actor, object], dict]) -> None:
    if provider not in _providers.setdefault(page, []):
        _providers[page].append(provider)


def context_for(page: str, actor: Actor, row) -> dict:
    context: dict = {}
    for provider in _providers.get(page, []):
        context.update(provider(actor, row))
    return context
