"""Clause 6.2: avatar and banner images. An upload is accepted only when Pillow reads it as a real
image of an allowed format within the pixel limit; it is then re-encoded, which drops every piece
of metadata (EXIF with its location, comments, colour profiles aside) before it is stored."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PROFILE_IMAGE_MAX_PIXELS = 4096 * 4096  # 6.2: larger than any platform shows, small enough to decode safely
PROFILE_IMAGE_MAX_BYTES = 10 * 1024 * 1024  # 6.2
PROFILE_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}  # 6.2: what the platforms take


def clean_profile_image(upload, *, field: str) -> ContentFile:
    """A re-encoded copy of ``upload`` without metadata, or ValidationError naming ``field``."""
    size = getattr(upload, "size", None)
    if size is not None and size > PROFILE_IMAGE_MAX_BYTES:
        raise ValidationError(
            {field: _("The image is %(size)d bytes; at most %(max)d.") % {"size": size, "max": PROFILE_IMAGE_MAX_BYTES}}
        )
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in PROFILE_IMAGE_FORMATS:
                raise ValidationError(
                    {
                        field: _("%(format)s images are not accepted; use %(allowed)s.")
                        % {"format": fmt, "allowed": ", ".join(PROFILE_IMAGE_FORMATS)}
                    }
                )
            if width * height > PROFILE_IMAGE_MAX_PIXELS:
                raise ValidationError(
                    {
                        field: _("The image is %(width)dx%(height)d pixels; at most %(max)d pixels in all.")
                        % {"width": width, "height": height, "max": PROFILE_IMAGE_MAX_PIXELS}
                    }
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
            out = io.BytesIO()
            if fmt == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
            elif fmt == "PNG":
                image.save(out, format="PNG", optimize=True)
            else:
                image.save(out, format="WEBP", quality=90)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError({field: _("The file is not an image that can be read.")})
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{PROFILE_IMAGE_FORMATS[fmt]}")
