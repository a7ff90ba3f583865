"""Clause 9 l): image records, photos kept clean (validated, without metadata, with a thumbnail) and
linked to the record they document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from agency.models import TenantModel
from agency.services import validated_save
from agency.tenancy import Actor
from agency.uploads import clean_picture, encode_picture
from clients.models import Client
from records.audit import client_of
from records.models.images import ImageRecord
from records.rules import IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, JPEG_QUALITY, THUMBNAIL_SIZE


def resolve_link(actor: Actor, label: str, object_id) -> TenantModel:
    """The record an image is linked to, among the rows the actor may see."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationError({"linked_model": _("Unknown record type %(label)s.") % {"label": label}})
    if not issubclass(model, TenantModel) or model._meta.label_lower == "records.auditevent":
        raise ValidationError({"linked_model": _("Images can be linked to the agency's records only.")})
    target = model.objects.visible_to(actor).filter(pk=object_id).first() if object_id else None
    if target is None:
        raise ValidationError(
            {
                "linked_id": _("%(model)s %(id)s does not exist in this agency.")
                % {"model": model._meta.verbose_name, "id": object_id}
            }
        )
    return target


@transaction.atomic
def image_record_create(
    *,
    actor: Actor,
    upload,
    caption: str,
    taken_on: dt.date,
    place: str = "",
    client: Client | None = None,
    linked_model: str = "",
    linked_id: int | None = None,
) -> ImageRecord:
    """Keep a photo (9 l): validated, stripped of its metadata, with a thumbnail, linked to the
    record it documents. Either both the files and the row are kept, or neither."""
    if taken_on > actor.agency.today():
        raise ValidationError({"taken_on": _("A photo cannot be dated in the future.")})
    target = resolve_link(actor, linked_model, linked_id) if (linked_model or linked_id) else None
    if target is not None:
        target_client = client_of(target)
        if client is not None and target_client not in (None, client.pk):
            raise ValidationError({"client": _("The linked record belongs to another client.")})
        if target_client is not None:
            client = Client.objects.get(pk=target_client)
    if actor.is_client_person:
        raise ValidationError({"image": _("Client people cannot add image records.")})
    processed = process_image(upload)
    image = ImageRecord(
        agency=actor.agency,
        client=client,
        caption=(caption or "").strip(),
        taken_on=taken_on,
        place=(place or "").strip(),
        original_name=(getattr(upload, "name", "") or "")[-255:],
        width=processed.width,
        height=processed.height,
        byte_size=len(processed.content),
        sha256=processed.sha256,
        linked_type=ContentType.objects.get_for_model(target) if target is not None else None,
        linked_id=target.pk if target is not None else None,
        linked_label=str(target)[:300] if target is not None else "",
    )
    stem = uuid.uuid4().hex
    written: list[str] = []
    try:
        image.image.save(f"{stem}.{processed.extension}", ContentFile(processed.content), save=False)
        written.append(image.image.name)
        image.thumbnail.save(f"{stem}.jpg", ContentFile(processed.thumbnail), save=False)
        written.append(image.thumbnail.name)
        validated_save(image)
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    return image


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
