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

RULE_RESOLUTION = "resolution"
RULE_DURATION = "duration"


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}


def seconds_text(value: Decimal) -> str:
    """``Decimal("5.200")`` → ``"5.2"``: durations as a person writes them."""
    text = f"{Decimal(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def clip_rule_failures(*, display_width: int, display_height: int, duration_seconds: Decimal) -> list[RuleFailure]:
    """Every rule of 5.2 the clip breaks, each named with the clip's own figure."""
    failures = []
    long_side, short_side = max(display_width, display_height), min(display_width, display_height)
    if long_side < CLIP_MIN_LONG_SIDE or short_side < CLIP_MIN_SHORT_SIDE:
        failures.append(
            RuleFailure(
                RULE_RESOLUTION,
                f"resolution {display_width}x{display_height} is below 4K "
                f"({CLIP_MIN_LONG_SIDE}x{CLIP_MIN_SHORT_SIDE} or {CLIP_MIN_SHORT_SIDE}x{CLIP_MIN_LONG_SIDE})",
            )
        )
    if duration_seconds < CLIP_MIN_SECONDS:
        failures.append(
            RuleFailure(
                RULE_DURATION,
                f"duration {seconds_text(duration_seconds)} s is below {seconds_text(CLIP_MIN_SECONDS)} s",
            )
        )
    elif duration_seconds > CLIP_MAX_SECONDS:
        failures.append(
            RuleFailure(
                RULE_DURATION,
                f"duration {seconds_text(duration_seconds)} s is above {seconds_text(CLIP_MAX_SECONDS)} s",
            )
        )
    return failures


def shoot_clip_count_problem(*, shoot_label: str, accepted: int) -> str | None:
    """Why a shoot with ``accepted`` clips is not complete (5.2), or None when it is."""
    if accepted < SHOOT_MIN_ACCEPTED_CLIPS:
        return (
            f"{shoot_label} has {accepted} accepted clips; at least {SHOOT_MIN_ACCEPTED_CLIPS} are needed "
            f"({SHOOT_MIN_ACCEPTED_CLIPS - accepted} more)"
        )
    if accepted > SHOOT_MAX_ACCEPTED_CLIPS:
        return (
            f"{shoot_label} has {accepted} accepted clips; at most {SHOOT_MAX_ACCEPTED_CLIPS} are allowed "
            f"(remove {accepted - SHOOT_MAX_ACCEPTED_CLIPS})"
        )
    return None


# --- 5.1 Script writing: the four parts --------------------------------------------------------
SCRIPT_PARTS = ("topic", "scene_concept", "screenplay", "storyboard")  # 5.1 a)-d)


def script_missing_parts(script, *, shot_count: int) -> list[str]:
    """The parts of 5.1 a)-d) the script version lacks, each said in words."""
    missing = []
    if not script.topic.strip():
        missing.append("a) topic: no topic chosen")
    elif not script.topic_basis:
        missing.append("a) topic: no basis for the choice (account positioning, trending topic or client wish)")
    if not script.scene_concept.strip():
        missing.append("b) scene concept: empty")
    if not script.screenplay.strip():
        missing.append("c) screenplay: empty")
    if shot_count < 1:
        missing.append("d) storyboard: no shots")
    return missing


# --- 5.3 Post-processing: the five steps -------------------------------------------------------
# The steps every video goes through (5.3 a)-e)); each is done with its evidence, or marked not
# applicable with a reason, before the video goes to client review. The kinds and the evidence
# each needs live with the model (``production.models.PostStepKind``).


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
    listed = "; ".join(
        f"track {track.number}: {track.display_width}x{track.display_height}, "
        f"{seconds_text(track.duration_seconds)} s{', the one players show' if track.shown else ''}"
        for track in tracks
    )
    return [
        RuleFailure(
            RULE_TRACKS,
            f"the file has {len(tracks)} video tracks that differ ({listed}); a clip must show one picture",
        )
    ]


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
        f"the same content as clip “{clip_name}” (SHA-256 {sha256[:12]}…): the same footage counts once",
        clip_id,
        clip_name,
        sha256,
    )
