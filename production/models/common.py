"""What the clips (5.2) and the cuts and evidence (5.3) share: where their files are stored and the
facts read from a video file."""

from __future__ import annotations

import os
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from production.models.projects import ProjectOwned
from production.rules import picture_quality


def _media_path(kind: str, instance, filename: str) -> str:
    """``production/<agency>/<kind>/<project>/<random>.<ext>``: names never carry the uploader's
    file name (kept in ``original_name``) and the agency's files stay under one folder."""
    ext = os.path.splitext(filename)[1].lower().lstrip(".")
    ext = ext if ext.isalnum() and len(ext) <= 5 else "bin"
    return f"production/{instance.agency_id}/{kind}/{instance.project_id}/{uuid.uuid4().hex}.{ext}"


def clip_path(instance, filename: str) -> str:
    return _media_path("clips", instance, filename)


def cut_path(instance, filename: str) -> str:
    return _media_path("cuts", instance, filename)


def evidence_path(instance, filename: str) -> str:
    return _media_path("evidence", instance, filename)


def agency_media_prefix(agency_id: int) -> str:
    return f"production/{agency_id}/"


class ProbeState(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    PROBING = "probing", _("Being read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Unreadable")


class ProbedMedia(ProjectOwned):
    """A video file and the facts read from it by the probe task (``production.media``)."""

    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    probe_state = models.CharField(
        _("probe state"), max_length=10, choices=ProbeState.choices, default=ProbeState.PENDING
    )
    probe_error = models.TextField(_("why it could not be read"), blank=True)
    probed_at = models.DateTimeField(_("read at"), null=True, blank=True)
    container = models.CharField(_("container"), max_length=40, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)
    width = models.PositiveIntegerField(_("coded width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("coded height"), null=True, blank=True)
    rotation = models.PositiveSmallIntegerField(_("rotation (°)"), null=True, blank=True)
    display_width = models.PositiveIntegerField(_("width as shown"), null=True, blank=True)
    display_height = models.PositiveIntegerField(_("height as shown"), null=True, blank=True)
    frame_rate = models.DecimalField(_("frame rate"), max_digits=8, decimal_places=3, null=True, blank=True)
    duration_seconds = models.DecimalField(_("duration (s)"), max_digits=9, decimal_places=3, null=True, blank=True)

    FACT_FIELDS = (
        "container",
        "video_codec",
        "audio_codec",
        "width",
        "height",
        "rotation",
        "display_width",
        "display_height",
        "frame_rate",
        "duration_seconds",
    )

    class Meta:
        abstract = True

    @property
    def is_vertical(self) -> bool | None:
        if not self.display_width or not self.display_height:
            return None
        return self.display_height > self.display_width

    @property
    def plain_facts(self) -> str:
        """The file in plain words for client people: orientation, length and picture quality, no
        codecs, frame rates or sizes (those are for the agency's staff). Empty until it is read."""
        if self.probe_state != ProbeState.DONE or not self.display_width or not self.display_height:
            return ""
        words = [str(_("Vertical video") if self.is_vertical else _("Horizontal video"))]
        if self.duration_seconds is not None:
            minutes, seconds = divmod(int(self.duration_seconds), 60)
            words.append(f"{minutes}:{seconds:02d}")
        words.append(picture_quality(display_width=self.display_width, display_height=self.display_height))
        return " · ".join(words)

    @property
    def resolution(self) -> str:
        if not self.display_width:
            return ""
        return f"{self.display_width}x{self.display_height}"
