"""The request body parsers of the API: DRF's, with a multipart parser that refuses a body that is
not multipart at all.

Django's multipart parser reads a body in which the declared boundary never appears as an empty
form, so ``404`` sent as ``multipart/form-data`` would change nothing and answer 200 (a PATCH of
nothing) instead of naming the problem.
"""

from __future__ import annotations

import io

from django.utils.http import parse_header_parameters
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A body up to this size is read whole to look for its boundary; a larger one is a file upload,
# whose parts are looked for by the parser itself (a large body with no part is refused after it).
LOOK_AHEAD = 64 * 1024


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _, params = parse_header_parameters(media_type or "")
        boundary = params.get("boundary", "").encode("ascii", "replace")
        if stream is not None and boundary:
            head = stream.read(LOOK_AHEAD)
            if len(head) < LOOK_AHEAD and b"--" + boundary not in head:
                raise ParseError("The multipart body does not contain its boundary: it has no parts to read.")
            stream = _Replay(head, stream)
        parsed = super().parse(stream, media_type, parser_context)
        if isinstance(stream, _Replay) and stream.total > LOOK_AHEAD and not parsed.data and not parsed.files:
            raise ParseError("The multipart body holds no part that could be read.")
        return parsed


class _Replay(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest) -> None:
        self.head = io.BytesIO(head)
        self.rest = rest
        self.total = len(head)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.head.read(size if size is not None and size >= 0 else -1)
        if size is None or size < 0:
            more = self.rest.read()
        elif len(data) < size:
            more = self.rest.read(size - len(data))
        else:
            more = b""
        self.total += len(more)
        return data + more
