"""Clause 9 l): what an uploaded photo goes through before it is kept.

The bytes decide the type (never the file name); the picture is decoded in full (a truncated or
forged file is refused), bounded in pixels (a decompression bomb is refused before decoding),
turned upright from its EXIF orientation, and re-encoded without any metadata (GPS position,
camera serial, time stamps): what is stored is pixels only. A thumbnail is made with it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Clause 9 l): limits of an image record, named once.
IMAGE_MAX_BYTES = 20 * 1024 * 1024
IMAGE_MAX_PIXELS = 50_000_000  # about 8660 x 5770; larger is refused before decoding
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
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
    raw = upload.read(IMAGE_MAX_BYTES + 1)
    if len(raw) > IMAGE_MAX_BYTES:
        raise ValidationError({field: _("The image is larger than %(mb)d MB.") % {"mb": IMAGE_MAX_BYTES // 2**20}})
    if not raw:
        raise ValidationError({field: _("The file is empty.")})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in IMAGE_FORMATS:
                raise ValidationError(
                    {
                        field: _("%(kind)s is not accepted; send a JPEG, PNG or WebP picture.")
                        % {"kind": kind or _("This file type")}
                    }
                )
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    {
                        field: _("The image has %(pixels)d pixels, more than the %(limit)d allowed.")
                        % {"pixels": width * height, "limit": IMAGE_MAX_PIXELS}
                    }
                )
            probe.verify()
        with Image.open(io.BytesIO(raw)) as picture:
            picture.load()
            upright = ImageOps.exif_transpose(picture)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: _("The file is not a readable picture (damaged or not an image).")})
    content = _encode(upright, kind)
    thumb = upright.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumbnail = _encode(thumb, "JPEG")
    return ProcessedImage(
        content=content,
        thumbnail=thumbnail,
        extension=IMAGE_FORMATS[kind],
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _encode(picture: Image.Image, kind: str) -> bytes:
    """Pixels only: a fresh image carries no EXIF, XMP, ICC profile or text chunk over."""
    if picture.mode not in ("RGB", "RGBA", "L"):
        picture = picture.convert("RGBA" if picture.mode in ("P", "PA", "LA") else "RGB")
    if kind == "JPEG" and picture.mode == "RGBA":
        picture = picture.convert("RGB")
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()
