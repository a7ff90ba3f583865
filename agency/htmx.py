"""Swapping part of a page (htmx): the pages stay server-rendered and whole without scripts; with
them, a link or form marked for it asks for the same URL and the page swaps only the part it names.

A request htmx sends carries ``HX-Request: true`` and the id of the element it will swap in
``HX-Target``. The view answers the part (a template of its own, which the whole page includes)
when that id is the part it renders, and the whole page otherwise: a plain request, a request
aiming at another element, and htmx asking for a page again when the browser goes back
(``HX-History-Restore-Request``). Since one URL answers two bodies, every such answer varies on
``HX-Request`` and ``HX-Target``, so no cache hands a part to a plain request.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect as plain_redirect
from django.utils.cache import patch_vary_headers

REQUEST = "HX-Request"
TARGET = "HX-Target"
HISTORY_RESTORE = "HX-History-Restore-Request"
PUSH_URL = "HX-Push-Url"  # answered: the address the browser shows for the swapped part
REPLACE_URL = "HX-Replace-Url"  # answered: that address, in place of the current one (no new history entry)
REDIRECT = "HX-Redirect"  # answered: load this page whole instead of swapping
VARY = (REQUEST, TARGET)


def is_htmx(request) -> bool:
    """A request htmx sent to swap part of a page (not one restoring a whole page from history)."""
    return request.headers.get(REQUEST) == "true" and request.headers.get(HISTORY_RESTORE) != "true"


def wants_part(request, part_id: str) -> bool:
    """Whether ``request`` asks for the part of the page whose element id is ``part_id``."""
    return is_htmx(request) and request.headers.get(TARGET) == part_id


def vary(response):
    """Mark ``response`` as depending on the htmx headers (the same URL answers a part or a page)."""
    patch_vary_headers(response, VARY)
    return response


def redirect(request, url: str):
    """Go to ``url``: a redirect, or for htmx an answer asking for that page whole (a redirect
    would be followed inside the request and its page swapped into the part)."""
    if not is_htmx(request):
        return plain_redirect(url)
    response = HttpResponse(status=204)
    response[REDIRECT] = url
    return response
