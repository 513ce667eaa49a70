"""The vocabulary of what limits a measurement: :class:`QualityFlag`, each flag with its words.

Part of the result model (:mod:`tremorscope.results`), which holds the flags in
``Quality.flags`` and describes them in its JSON Schema.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tremorscope.config import RunConfig


class QualityFlag(StrEnum):
    """What limits a measurement, each with its words: a short phrase and a sentence.

    The sentences may name settings (``{max_gap_s}``, ``{min_rhythm_px}``, ...): they are
    filled from the configuration the analysis ran with (:meth:`explain`). The JSON holds the
    flag's value (the lower-case name).
    """

    short: str
    sentence: str

    def __new__(cls, value: str, short: str = "", sentence: str = "") -> QualityFlag:
        """A member: its JSON value and its words."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.short = short
        member.sentence = sentence
        return member

    BAND_CAPPED_BY_SAMPLING_RATE = (
        "band_capped_by_sampling_rate",
        "frame rate caps the frequencies",
        "The sampling (frame) rate limits the fastest rhythm that can be seen: the analysed band "
        "stops at {nyquist_margin:g} x half the rate. A faster tremor would be missed, or appear "
        "at a false, lower frequency.",
    )
    ORTHOSTATIC_BAND_NOT_VISIBLE = (
        "orthostatic_band_not_visible",
        "13-18 Hz not visible",
        "Orthostatic tremor (13-18 Hz) needs about 40 samples per second or more; it could not "
        "have been seen in this recording.",
    )
    IRREGULAR_SAMPLING_RESAMPLED = (
        "irregular_sampling_resampled",
        "irregular timing resampled",
        "The samples (frames) were not evenly spaced; they were interpolated onto an even grid "
        "before analysis.",
    )
    GAPS_BRIDGED = (
        "gaps_bridged",
        "short gaps filled",
        "Short gaps (up to {max_gap_s:g} s) were filled by straight lines between the samples "
        "either side.",
    )
    RECORD_SPLIT_AT_GAPS = (
        "record_split_at_gaps",
        "split at gaps",
        "Long gaps split the record into pieces; nothing was computed across a gap.",
    )
    SHORT_RECORD = (
        "short_record",
        "short record",
        "The record is short: the frequency resolution of the spectrum is coarse (over 0.5 Hz).",
    )
    TOO_SHORT = (
        "too_short",
        "too short to measure",
        "No stretch of valid data was long enough to measure a rhythm in the band: the message "
        "says how long a stretch would do.",
    )
    WEAK_RHYTHM = (
        "weak_rhythm",
        "weak rhythm",
        "The rhythm stands less than 10 dB above the background noise: treat it with caution.",
    )
    VOLUNTARY_MOVEMENT_PRESENT = (
        "voluntary_movement_present",
        "measured during movement",
        "A slower, voluntary-like movement was present too; the rhythm was measured during it.",
    )
    TRANSMITTED = (
        "transmitted",
        "passed on from elsewhere",
        "A much larger rhythm at the same frequency elsewhere on the same person probably shook "
        "this body part: it is reported as passed on, not as a tremor of its own.",
    )
    BELOW_MEASUREMENT_FLOOR = (
        "below_measurement_floor",
        "below what video can vouch for",
        "A rhythm stood out of the noise but was smaller than {min_rhythm_px:g} px RMS, below "
        "what video tracking can vouch for; it is not reported as detected.",
    )
    TWITCHES_BELOW_MEASUREMENT_FLOOR = (
        "twitches_below_measurement_floor",
        "jerks below what video can vouch for",
        "Jerks stood out of the noise but were smaller than {min_twitch_px:g} px, below what "
        "video tracking can vouch for: they are not counted as twitches.",
    )
    VIDEO_EVENT = (
        "video_event",
        "jumps of the picture, not the person",
        "Jumps seen in most regions at once, or while the camera's position jumped, are events "
        "of the video (a cut, a crop step, a dropped frame), not twitches of the person.",
    )
    ENCODING_CYCLE = (
        "encoding_cycle",
        "the encoder's cycle",
        "A small rhythm at the cycle of the encoder's frame types (e.g. a quarter of the frame "
        "rate for P B B B) is a compression artefact under camera motion, not movement.",
    )
    FRAMINGS_RESCALED = (
        "framings_rescaled",
        "framings put at one scale",
        "The person was seen at several framings (a close-up and a wide shot): each shot's "
        "pixel sizes were put at the person's scale over the clip before the analysis, so that "
        "sizes from every shot are alike; pixels are then those of that scale.",
    )
    WHOLE_BODY_MOVEMENT = (
        "whole_body_movement",
        "whole-body movement left out",
        "The person moved their whole body (walked, stood up, sat down, jumped) for part of the "
        "time: a large voluntary movement, left out of the analysis; only the stretches in which "
        "they were still were analysed.",
    )
    CAMERA_RHYTHM = (
        "camera_rhythm",
        "camera motion",
        "The rhythm is at the frequency of the camera's own motion and no larger than it: it is "
        "the camera, not the person.",
    )
    SHARED_WITH_CAMERA = (
        "shared_with_camera",
        "at the camera's frequency",
        "The background moves at the same frequency (a vehicle's or a stand's vibration, a "
        "hand-held camera): the rhythm may be that vibration passed on to the body, so its kind "
        "is not decided.",
    )
    SHARED_BY_ALL_REGIONS = (
        "shared_by_all_regions",
        "shared by every region: camera",
        "Every region showed the same rhythm while the background could not be measured: it is "
        "taken to be the camera's motion.",
    )
    CAMERA_NOT_COMPENSATED = (
        "camera_not_compensated",
        "camera motion not removed everywhere",
        "In part of the video the background showed too little texture to measure the camera's "
        "own motion, which then could not be removed.",
    )
    COMPRESSION_LIMITS_AMPLITUDE = (
        "compression_limits_amplitude",
        "compression may shrink the size",
        "The video is heavily compressed (under {low_bits_per_pixel:g} bits per pixel); "
        "compression smooths away part of sub-pixel motion, so the size of a small rhythm may be "
        "underestimated.",
    )
    NO_SCALE = (
        "no_scale",
        "pixels only",
        "No scale was known (the body's landmarks gave no credible one, none was given): sizes "
        "stay in pixels.",
    )
    SCALE_ESTIMATED = (
        "scale_estimated",
        "centimetres estimated (about +-15 % or more)",
        "Centimetres come from the person's body landmarks in metres, on the pose model's "
        "average adult body (+-15 %, plus the spread over the detections), or from the "
        "shoulders' width facing the camera (36 +- 5.9 cm); parts nearer the camera than the "
        "body's middle read larger. Give a measured scale for better.",
    )
    ARTICULATED = (
        "articulated",
        "fingers against the hand",
        "The size is that of the fingers moving against the hand (how the tracked points move "
        "against each other), not of the hand's displacement.",
    )
    MOVING_PART = (
        "moving_part",
        "the part of the hand that moves most",
        "The size is that of the part of the hand that moves most (the hand's tracked points "
        "split into two parts moving against each other), at least {moving_part_ratio:g} times "
        "the whole hand's.",
    )
    LARGE_JERKS_ARE_MOVEMENTS = (
        "large_jerks_are_movements",
        "large jerks are movements",
        "Jerks larger than a twitch (several centimetres) are counted as movements, not twitches.",
    )
    TWITCHES_WITHDRAWN = (
        "twitches_withdrawn",
        "jerks from a movement nearby",
        "The jerks coincide with a voluntary movement of a hand overlapping this body part: they "
        "are not counted as its twitches.",
    )
    NOT_MEASURABLE = (
        "not_measurable",
        "not measurable",
        "Nothing could be measured here (too little valid data, or a sampling rate too low).",
    )

    def explain(self, settings: dict[str, Any] | None = None) -> str:
        """The flag's sentence, its settings filled in.

        Parameters
        ----------
        settings : dict, optional
            Setting name to value, e.g. ``RunConfig.settings()``; the defaults where absent.

        """
        values = {**_default_settings(), **(settings or {})}
        return self.sentence.format(**values)


def _default_settings() -> dict[str, Any]:
    return RunConfig().settings()
