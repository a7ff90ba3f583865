"""The rules of chapter 9, written once: the checklist of the daily inspection (9 h), the longest
period of a report (9 j, 9 k) and the limits of an image record (9 l). Services and models read
these; tests import the constants instead of repeating the numbers.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agency.uploads import MIB, PICTURE_MAX_PIXELS

# --- 9 h) daily inspection ---------------------------------------------------------------------
# Clause 9 h): what a daily inspection of an account looks at (the checklist's items).
INSPECTION_ITEMS: tuple[tuple[str, object], ...] = (
    ("profile_intact", _("Profile intact (avatar, banner, bio, nickname)")),
    ("pinned_videos_in_place", _("Pinned videos in place")),
    ("interactions_handled", _("New comments and messages handled")),
    ("no_violation_notice", _("No platform violation notice")),
    ("metrics_arrived", _("Yesterday's metrics arrived")),
)

# --- 9 j), 9 k) reports ------------------------------------------------------------------------
# Clause 9 j)/k): the longest period one report may cover (a year, leap years included).
REPORT_MAX_DAYS = 366

# --- 9 l) image records ------------------------------------------------------------------------
# Clause 9 l): limits of an image record, named once (UPLOAD_MAX_BYTES["photo"] may change the size).
IMAGE_MAX_BYTES = 20 * MIB
IMAGE_MAX_PIXELS = PICTURE_MAX_PIXELS
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88
