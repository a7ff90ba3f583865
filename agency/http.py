"""Serving a stored file to someone allowed to see its row (the caller has looked the row up
within the actor's scope), with byte ranges (a browser's player seeks with them: a review comment
at 0:42 must be reachable).

The Content-Type comes from the stored name, which is ours (``agency.uploads``: the extension of
the format the bytes were found to be), never from the uploader's name, and from our own table
(``SERVED_TYPES``), never the host's ``mime.types``, so every server answers alike. Only pictures
and videos are shown inline; anything else is an attachment. ``nosniff`` always.
"""

from __future__ import annotations

import os
import re

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from agency.uploads import CONTENT_TYPES

RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")  # 18 digits: any real size, and int() stays cheap
CHUNK = 1024 * 1024
# What a stored file is served as, by its extension; any other file is bytes to download.
SERVED_TYPES = {
    **CONTENT_TYPES,
    "jpeg": "image/jpeg",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
}
# What a browser may show in the page; everything else downloads.
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "video/mp4", "video/quicktime", "video/webm", "video/x-matroska"}
)


def _iter_range(handle, start: int, length: int):
    handle.seek(start)
    remaining = length
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def file_response(request, field_file, *, download_name: str = "") -> HttpResponse:
    """The file of ``field_file``: whole, or the one byte range the request asks for.
    ``download_name`` (the uploader's name) only names the download."""
    stored = os.path.basename(field_file.name)
    content_type = SERVED_TYPES.get(stored.rpartition(".")[2].lower(), "application/octet-stream")
    inline = content_type in INLINE_TYPES
    name = download_name or stored
    size = field_file.size
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle = field_file.storage.open(field_file.name, "rb")
        from django.http import StreamingHttpResponse

        response = StreamingHttpResponse(
            _iter_range(handle, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(field_file.storage.open(field_file.name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
