"""The request body parsers of the API: DRF's, with a JSON parser that refuses a body nested too
deep to read, and a multipart parser that refuses a body with no part.

Django's multipart parser reads a body in which the declared boundary never appears, or that
closes before its first part, as an empty form, so ``404`` sent as ``multipart/form-data`` would
change nothing and answer 200 (a PATCH of nothing) instead of naming the problem. A multipart body
holds one or more parts (RFC 2046, 5.1.1), and a form's part is named (RFC 7578, 4.2).
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's, refusing a body nested deeper than the parser can follow (``[`` × 50,000) with a 400
    instead of the ``RecursionError`` the JSON decoder raises (DRF catches ``ValueError`` only)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deep to be read.") from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError(
                "The multipart body holds no named part (is the boundary the one its content type declares?)."
            )
        return parsed
