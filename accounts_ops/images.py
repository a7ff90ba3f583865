"""Clause 6.2: avatar and banner images. An upload is accepted only as a real JPEG, PNG or WebP
picture within the limits below; it is then re-encoded, which drops every piece of metadata (EXIF
with its location, comments, colour profiles) before it is stored (``agency.uploads``)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from agency.uploads import MIB, clean_picture

PROFILE_IMAGE_MAX_PIXELS = 4096 * 4096  # 6.2: larger than any platform shows, small enough to decode safely
PROFILE_IMAGE_MAX_BYTES = 10 * MIB  # 6.2; the UPLOAD_MAX_BYTES setting may change it ("profile_image")


def clean_profile_image(upload, *, field: str) -> ContentFile:
    """A re-encoded copy of ``upload`` without metadata, or ValidationError naming ``field``."""
    return clean_picture(
        upload,
        field=field,
        kind="profile_image",
        max_bytes=PROFILE_IMAGE_MAX_BYTES,
        max_pixels=PROFILE_IMAGE_MAX_PIXELS,
        quality=90,
    ).as_file()
