"""The rules of chapter 5, written once: the numbers of clauses 5.1-5.3 and the functions that
enforce them. Services call these before they write; conformance checks call them to judge a
period; tests import the constants instead of repeating the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from agency.adjustable import adjustable
from agency.uploads import GIB, MIB

# --- 5.2 Shooting: 4K picture, each clip 7-60 s, 8-20 clips per shoot --------------------------
# 4K is UHD, 3840x2160, in either orientation (vertical video is the norm on these platforms):
# the long side of the picture as displayed is at least 3840 and the short side at least 2160.
CLIP_MIN_LONG_SIDE = 3840  # 5.2
CLIP_MIN_SHORT_SIDE = 2160  # 5.2
# Each clip lasts 7-60 s, both ends included, measured to the millisecond.
CLIP_MIN_SECONDS = Decimal("7")  # 5.2
CLIP_MAX_SECONDS = Decimal("60")  # 5.2
# A shoot is complete with 8-20 accepted clips.
SHOOT_MIN_ACCEPTED_CLIPS = 8  # 5.2
SHOOT_MAX_ACCEPTED_CLIPS = 20  # 5.2

# The largest clip (or cut) file an agency accepts for upload. Not a number of the standard: a
# limit of the operator's storage and network, set per agency.
CLIP_MAX_UPLOAD_BYTES = adjustable(
    "clip_max_upload_bytes",
    2 * GIB,
    clause="5.2",
    minimum=MIB,
    maximum=64 * GIB,
    label=_("Largest video file accepted for upload, in bytes (5.2)"),
)

# Client people read a video's picture in plain words, never codecs or pixel counts: 4K when the
# picture meets 5.2's 4K, else the usual names of the smaller sizes by their short side.
PICTURE_QUALITY_WORDS = (
    (1080, _("Full HD")),
    (720, _("HD")),
    (0, _("Standard definition")),
)


def picture_quality(*, display_width: int, display_height: int) -> str:
    """The picture's quality as a client reads it: "4K ultra HD" when 5.2's 4K is met."""
    long_side, short_side = max(display_width, display_height), min(display_width, display_height)
    if long_side >= CLIP_MIN_LONG_SIDE and short_side >= CLIP_MIN_SHORT_SIDE:
        return str(_("4K ultra HD"))
    return next(str(words) for least, words in PICTURE_QUALITY_WORDS if short_side >= least)


RULE_RESOLUTION = "resolution"
RULE_DURATION = "duration"


# What each failure says, in the reader's language: a failure is kept as its rule, the key of its
# text and its figures, and said when it is shown (a clip refused in English reads in Chinese too).
FAILURE_TEXTS = {
    "resolution": _("resolution %(width)sx%(height)s is below 4K (%(long)sx%(short)s or %(short)sx%(long)s)"),
    "duration_below": _("duration %(seconds)s s is below %(limit)s s"),
    "duration_above": _("duration %(seconds)s s is above %(limit)s s"),
    "tracks": _("the file has %(count)s video tracks that differ (%(tracks)s); a clip must show one picture"),
    "track": _("track %(number)s: %(width)sx%(height)s, %(seconds)s s"),
    "track_shown": _("track %(number)s: %(width)sx%(height)s, %(seconds)s s, the one players show"),
    "duplicate": _("the same content as clip “%(name)s” (SHA-256 %(digest)s…): the same footage counts once"),
}


def failure_text(text: str, params: dict) -> str:
    """A failure's words in the active language (``text`` a key of ``FAILURE_TEXTS``)."""
    if text == "tracks":
        tracks = "; ".join(
            str(FAILURE_TEXTS["track_shown" if track.get("shown") else "track"]) % track
            for track in params.get("tracks", [])
        )
        return str(FAILURE_TEXTS["tracks"]) % {"count": params.get("count", 0), "tracks": tracks}
    return str(FAILURE_TEXTS[text]) % params


def failure_message(item: dict) -> str:
    """What a stored failure (``Clip.rule_failures``) says in the active language; a failure kept
    before its text had a key (or whose words came from elsewhere, such as an unreadable file) says
    what it said when it was recorded."""
    if isinstance(item, dict) and item.get("text") in FAILURE_TEXTS:
        try:
            return failure_text(item["text"], item.get("params") or {})
        except (KeyError, TypeError, ValueError):
            pass
    return item.get("message", "") if isinstance(item, dict) else str(item)


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    text: str
    params: dict

    @property
    def message(self) -> str:
        return failure_text(self.text, self.params)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "text": self.text, "params": self.params}


def seconds_text(value: Decimal) -> str:
    """``Decimal("5.200")`` → ``"5.2"``: durations as a person writes them."""
    text = f"{Decimal(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def clip_rule_failures(*, display_width: int, display_height: int, duration_seconds: Decimal) -> list[RuleFailure]:
    """Every rule of 5.2 the clip breaks, each named with the clip's own figure."""
    failures = []
    long_side, short_side = max(display_width, display_height), min(display_width, display_height)
    if long_side < CLIP_MIN_LONG_SIDE or short_side < CLIP_MIN_SHORT_SIDE:
        size = {"width": display_width, "height": display_height}
        failures.append(
            RuleFailure(
                RULE_RESOLUTION, "resolution", {**size, "long": CLIP_MIN_LONG_SIDE, "short": CLIP_MIN_SHORT_SIDE}
            )
        )
    seconds = seconds_text(duration_seconds)
    if duration_seconds < CLIP_MIN_SECONDS:
        failures.append(
            RuleFailure(RULE_DURATION, "duration_below", {"seconds": seconds, "limit": seconds_text(CLIP_MIN_SECONDS)})
        )
    elif duration_seconds > CLIP_MAX_SECONDS:
        failures.append(
            RuleFailure(RULE_DURATION, "duration_above", {"seconds": seconds, "limit": seconds_text(CLIP_MAX_SECONDS)})
        )
    return failures


def shoot_clip_count_problem(*, shoot_label: str, accepted: int) -> str | None:
    """Why a shoot with ``accepted`` clips is not complete (5.2), or None when it is."""
    if accepted < SHOOT_MIN_ACCEPTED_CLIPS:
        return _("%(shoot)s has %(accepted)d accepted clips; at least %(minimum)d are needed (%(more)d more)") % {
            "shoot": shoot_label,
            "accepted": accepted,
            "minimum": SHOOT_MIN_ACCEPTED_CLIPS,
            "more": SHOOT_MIN_ACCEPTED_CLIPS - accepted,
        }
    if accepted > SHOOT_MAX_ACCEPTED_CLIPS:
        return _("%(shoot)s has %(accepted)d accepted clips; at most %(maximum)d are allowed (remove %(extra)d)") % {
            "shoot": shoot_label,
            "accepted": accepted,
            "maximum": SHOOT_MAX_ACCEPTED_CLIPS,
            "extra": accepted - SHOOT_MAX_ACCEPTED_CLIPS,
        }
    return None


# --- 5.1 Script writing: the four parts --------------------------------------------------------
SCRIPT_PARTS = ("topic", "scene_concept", "screenplay", "storyboard")  # 5.1 a)-d)


def script_missing_parts(script, *, shot_count: int) -> list[str]:
    """The parts of 5.1 a)-d) the script version lacks, each said in words."""
    missing = []
    if not script.topic.strip():
        missing.append(str(_("a) topic: no topic chosen")))
    elif not script.topic_basis:
        missing.append(str(_("a) topic: no basis for the choice (account positioning, trending topic or client wish)")))
    if not script.scene_concept.strip():
        missing.append(str(_("b) scene concept: empty")))
    if not script.screenplay.strip():
        missing.append(str(_("c) screenplay: empty")))
    if shot_count < 1:
        missing.append(str(_("d) storyboard: no shots")))
    return missing


# --- 5.3 Post-processing: the five steps -------------------------------------------------------
# The steps every video goes through (5.3 a)-e)); each is done with its evidence, or marked not
# applicable with a reason, before the video goes to client review. The kinds live with the model
# (``production.models.post.PostStepKind``); the evidence each needs is here, by the kind's value.
# A file is checked from its content.
EVIDENCE_SUBTITLE_FILE = "subtitle_file"  # 5.3
EVIDENCE_IMAGE = "image"  # 5.3
EVIDENCE_NOTE = "note"  # 5.3
POST_STEP_EVIDENCE = {
    "subtitles": EVIDENCE_SUBTITLE_FILE,  # 5.3 a) a subtitle file
    "sound": EVIDENCE_NOTE,  # 5.3 b)
    "colour_grading": EVIDENCE_NOTE,  # 5.3 c)
    "cover": EVIDENCE_IMAGE,  # 5.3 d) a cover image
    "retouching": EVIDENCE_NOTE,  # 5.3 e)
}


# --- 5.2 One picture per clip, one clip per content -------------------------------------------
# A clip is judged by the video track a player shows (production.media.shown_track). A file whose
# video tracks differ in resolution as shown, or in duration by more than a reading's tolerance,
# is refused: what a viewer sees, and so what the clip is, would depend on the player.
CLIP_TRACK_DURATION_TOLERANCE = Decimal("0.5")  # seconds
RULE_TRACKS = "tracks"
# The same content (the same bytes: one SHA-256) counts once toward a shoot's 8-20 clips: a clip
# whose file repeats the file of a clip of the project read before it is rejected, naming that clip.
RULE_DUPLICATE = "duplicate"


def clip_track_failures(tracks) -> list[RuleFailure]:
    """The 5.2 failure of a file whose video tracks disagree (``production.media.VideoTrack``s:
    number, shown, display size, duration), each track named with its figures; [] otherwise."""
    if len(tracks) < 2:
        return []
    sizes = {(track.display_width, track.display_height) for track in tracks}
    durations = [track.duration_seconds for track in tracks]
    if len(sizes) == 1 and max(durations) - min(durations) <= CLIP_TRACK_DURATION_TOLERANCE:
        return []
    listed = [
        {
            "number": track.number,
            "width": track.display_width,
            "height": track.display_height,
            "seconds": seconds_text(track.duration_seconds),
            "shown": bool(track.shown),
        }
        for track in tracks
    ]
    return [RuleFailure(RULE_TRACKS, "tracks", {"count": len(tracks), "tracks": listed})]


@dataclass(frozen=True)
class DuplicateFailure(RuleFailure):
    """The clip's file is the same as the file of ``clip_id`` (read before it): it does not count."""

    clip_id: int
    clip_name: str
    sha256: str

    def as_dict(self) -> dict:
        return {**super().as_dict(), "clip": self.clip_id, "clip_name": self.clip_name, "sha256": self.sha256}


def clip_duplicate_failure(*, clip_id: int, clip_name: str, sha256: str) -> DuplicateFailure:
    """The failure of a clip whose content repeats clip ``clip_id``'s (5.2: it counts once)."""
    return DuplicateFailure(
        RULE_DUPLICATE,
        "duplicate",
        {"name": clip_name, "digest": sha256[:12]},
        clip_id,
        clip_name,
        sha256,
    )
