"""Clause 9 l): what an uploaded photo goes through before it is kept.

The checks are the shared ones of ``agency.uploads``: the bytes decide the type (never the file
name), the picture is decoded in full (a truncated or forged file is refused), bounded in pixels (a
decompression bomb is refused before decoding), turned upright from its EXIF orientation, and
re-encoded without any metadata (GPS position, camera serial, time stamps): what is stored is
pixels only. A thumbnail is made with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from agency.uploads import MIB, PICTURE_MAX_PIXELS, clean_picture, encode_picture

# Clause 9 l): limits of an image record, named once (UPLOAD_MAX_BYTES["photo"] may change the size).
IMAGE_MAX_BYTES = 20 * MIB
IMAGE_MAX_PIXELS = PICTURE_MAX_PIXELS
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    thumbnail: bytes
    extension: str
    width: int
    height: int
    sha256: str


def process_image(upload, *, field: str = "image") -> ProcessedImage:
    """Validate ``upload`` (a file object) and return the clean picture and its thumbnail."""
    clean = clean_picture(
        upload, field=field, kind="photo", max_bytes=IMAGE_MAX_BYTES, max_pixels=IMAGE_MAX_PIXELS, quality=JPEG_QUALITY
    )
    thumb = clean.picture.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ProcessedImage(
        content=clean.content,
        thumbnail=encode_picture(thumb, "JPEG", JPEG_QUALITY),
        extension=clean.extension,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(clean.content).hexdigest(),
    )
