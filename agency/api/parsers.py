"""The request body parsers of the API: DRF's, with a multipart parser that refuses a body with no
part.

Django's multipart parser reads a body in which the declared boundary never appears, or that
closes before its first part, as an empty form, so ``404`` sent as ``multipart/form-data`` would
change nothing and answer 200 (a PATCH of nothing) instead of naming the problem. A multipart body
holds one or more parts (RFC 2046, 5.1.1), and a form's part is named (RFC 7578, 4.2).
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError(
                "The multipart body holds no named part (is the boundary the one its content type declares?)."
            )
        return parsed
