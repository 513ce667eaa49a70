"""The result model: typed, serialisable, versioned (JSON Schema in ``schema/``).

Field names in the JSON contract (``schema_version``, ``tool``, ``source``, ``groups``,
``dominant`` and the ``FINDING`` fields) are stable; new fields may be added, none renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field, model_validator

from tremorscope import __version__
from tremorscope.config import RunConfig

if TYPE_CHECKING:
    from tremorscope.measurement import MotionDataset

SCHEMA_VERSION = "1.4"

#: What a rhythm is: a tremor; a voluntary or habitual movement (tapping, opening and closing,
#: gesturing, playing, jiggling); passed on from a larger movement elsewhere on the body
#: (``transmitted``); the camera's own motion; a rhythm whose kind the evidence does not settle
#: (``undetermined``); or no rhythm.
RhythmKind = Literal["tremor", "voluntary", "transmitted", "camera", "undetermined", "none"]
#: What a body part's movement is: a rhythm's kind, or brief jerks without a rhythm (``twitch``).
MovementKind = Literal[
    "tremor", "voluntary", "transmitted", "twitch", "camera", "undetermined", "none"
]


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
    CAMERA_RHYTHM = (
        "camera_rhythm",
        "camera motion",
        "The rhythm is at the frequency of the camera's own motion and no larger than it: it is "
        "the camera, not the person.",
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
        "No scale was known (shoulders not seen, none given): sizes stay in pixels.",
    )
    SCALE_ESTIMATED = (
        "scale_estimated",
        "centimetres estimated (about +-16 %)",
        "Centimetres come from the person's shoulder width taken as an adult average "
        "(36 +- 5.9 cm), about +-16 %; parts nearer the camera than the shoulders read larger. "
        "Give a measured scale for better.",
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegionKey(BaseModel):
    """The identity of a measured region, from the video pass to the report.

    A person's body part (``owner="person"``, ``person`` 1, 2, ... left to right by first
    appearance, ``part`` e.g. ``left_foot``) or a region given by name (``owner="region"``,
    ``part`` its name). ``name`` is how groups, CSV columns and the report label it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    owner: Literal["person", "region"]
    person: int | None = Field(None, ge=1, description="1-based person id (people only).")
    part: str = Field(description="Body part, or the given region's name.")

    @classmethod
    def body_part(cls, person: int, part: str) -> RegionKey:
        """A person's body part (``person`` 1-based)."""
        return cls(owner="person", person=person, part=part)

    @classmethod
    def given(cls, name: str) -> RegionKey:
        """A region given by name."""
        return cls(owner="region", part=name)

    @property
    def individual(self) -> str:
        """Who the region belongs to, as the ``movement`` layout names individuals."""
        return f"person{self.person}" if self.owner == "person" else "regions"

    @property
    def name(self) -> str:
        """``person1.left_foot`` or ``region.cup``."""
        return f"{self.individual}.{self.part}" if self.owner == "person" else f"region.{self.part}"

    @property
    def is_hand(self) -> bool:
        """A hand (either side)."""
        return self.owner == "person" and self.part in ("left_hand", "right_hand")


class Rhythmic(_Model):
    """The dominant involuntary rhythm of a signal, or its absence."""

    detected: bool = Field(description="A rhythm stood out of the noise for at least a few cycles.")
    kind: RhythmKind = Field(
        "none",
        description="tremor; voluntary movement; transmitted from a larger movement elsewhere; "
        "the camera's motion (video); undetermined (the evidence does not settle it); or none.",
    )
    kind_reasons: list[str] = Field(default_factory=list, description="Why the kind was chosen.")
    kind_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="How strongly the evidence supports the kind (0-1); None where no "
        "decision was made.",
    )
    frequency_hz: float | None = None
    frequency_ci_hz: tuple[float, float] | None = Field(None, description="95 % interval.")
    amplitude: float | None = Field(
        None, description="RMS of the band-limited rhythm along its main direction, while present."
    )
    amplitude_ci: tuple[float, float] | None = Field(
        None,
        description="95 % interval of the amplitude: its spread over the recording, the "
        "background noise in the band and, for video, the tracking's own error.",
    )
    amplitude_unit: str = "input units"
    amplitude_peak_to_peak: float | None = Field(None, description="Median peak-to-peak per cycle.")
    amplitude_peak_to_peak_max: float | None = Field(
        None,
        description="Largest sustained peak-to-peak (2 sqrt 2 x the RMS of its strongest "
        "second): the 'maximal amplitude' that rating scales ask for.",
    )
    displacement_rms: float | None = Field(
        None,
        description="RMS displacement: the amplitude itself for positions; for acceleration "
        "in known units, amplitude / (2 pi f)^2.",
    )
    displacement_peak_to_peak: float | None = None
    displacement_unit: str | None = None
    amplitude_cm: float | None = Field(
        None, description="Video: the RMS amplitude in centimetres, when a scale is known."
    )
    amplitude_cm_ci: tuple[float, float] | None = Field(
        None, description="Range of amplitude_cm that the scale's uncertainty allows."
    )
    amplitude_peak_to_peak_cm: float | None = None
    amplitude_peak_to_peak_max_cm: float | None = None
    amplitude_peak_to_peak_max_cm_ci: tuple[float, float] | None = Field(
        None, description="Range of the maximal peak-to-peak in cm (measurement and scale)."
    )
    regularity: float | None = Field(
        None, description="Share of the tremor-band power within 0.5 Hz of the peak (0-1)."
    )
    stability_index_hz: float | None = Field(
        None, description="Tremor stability index: IQR of cycle-to-cycle frequency change."
    )
    bandwidth_hz: float | None = Field(None, description="Full width at half maximum of the peak.")
    constancy: float | None = Field(
        None, description="Share of the recording with the rhythm (0-1)."
    )
    episodes: list[tuple[float, float]] = Field(default_factory=list, description="Start, end (s).")
    peak_to_background_db: float | None = None
    direction: list[float] | None = Field(None, description="Unit vector of the main direction.")
    linearity: float | None = Field(None, description="Share of variance along that direction.")


class TwitchEvent(_Model):
    """One brief jerk."""

    t: float = Field(description="Time of its peak, seconds.")
    size: float = Field(description="Peak magnitude, in the twitch unit.")
    duration_s: float


class Twitches(_Model):
    """Brief non-rhythmic jerks."""

    count: int
    rate_per_min: float
    events: list[TwitchEvent] = Field(default_factory=list)
    unit: str = "input units"
    threshold: float | None = None
    longer_movements: int = Field(0, description="Excursions too long to be twitches.")


class SignatureMatch(_Model):
    """Resemblance to one known tremor type."""

    name: str
    resemblance: float = Field(ge=0, le=1)
    reasons: list[str]


class Signature(_Model):
    """How the measured rhythm compares with known tremor types."""

    context: str = "unknown"
    context_evidence: str = Field(
        "", description="Where the context came from: given, or read from the pose (video)."
    )
    closest: str | None = None
    matches: list[SignatureMatch] = Field(default_factory=list)
    statement: str = ""


class Quality(_Model):
    """What limits the measurement."""

    flags: list[QualityFlag] = Field(
        default_factory=list,
        description="What limits the measurement; each flag's meaning is in QualityFlag.",
    )
    messages: list[str] = Field(default_factory=list)
    band_hz: tuple[float, float] | None = None
    analysed_duration_s: float = 0.0
    sample_rate_hz: float | None = None

    def add(self, flag: QualityFlag, message: str | None = None) -> None:
        """Raise ``flag``, with a message saying what it means here."""
        self.flags.append(flag)
        if message:
            self.messages.append(message)

    def has(self, flag: QualityFlag) -> bool:
        """Whether ``flag`` was raised."""
        return flag in self.flags


class Finding(_Model):
    """Everything measured for one signal."""

    rhythmic: Rhythmic
    twitches: Twitches
    signature: Signature
    quality: Quality

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: object) -> object:
        """Accept a finding read back from JSON, where the derived ``kind`` was written."""
        if isinstance(data, dict) and "kind" in data:
            data = {k: v for k, v in data.items() if k != "kind"}
        return data

    @computed_field(
        description="What the movement is: the rhythm's kind (a body part at a voluntary "
        "task is voluntary even where no rhythm was measured), else twitch when brief jerks "
        "were counted, else none."
    )
    @property
    def kind(self) -> MovementKind:
        """The body part's movement kind, derived from the rhythm and the twitches."""
        if self.rhythmic.kind != "none":
            return self.rhythmic.kind
        return "twitch" if self.twitches.count else "none"


@dataclass
class JudgedSignal:
    """What the analysis judged for one signal, handed to the report (not part of the JSON).

    The report draws these numbers and computes none: a figure cannot disagree with the finding
    it illustrates. Every list holds one array per piece of the record the analysis used (split
    at shot cuts and at gaps longer than ``max_gap_s``; pieces shorter than the least analysable
    length left out).

    Attributes
    ----------
    time_s : list of ndarray
        Sample times of each piece on the analysis' uniform grid, seconds.
    series : list of ndarray, each (n, channels)
        The signal as analysed, before the high-pass (unit of the group).
    movement : list of ndarray
        Size of the band-limited movement per sample: what twitches are detected on.
    rhythm : list of ndarray, optional
        The rhythm band-limited around its frequency and projected on its main direction;
        None when no rhythm stood out.
    rhythm_band_hz : (float, float), optional
        The pass band of ``rhythm``.
    freqs, power, background : ndarray
        The Welch spectrum (Hz; power summed over channels, unit^2/Hz) and its fitted
        aperiodic background.
    threshold : float
        Ratio over the background that noise alone passes with the configured false-alarm
        chance.
    band_hz : (float, float)
        The analysed band.

    """

    time_s: list[np.ndarray]
    series: list[np.ndarray]
    movement: list[np.ndarray]
    rhythm: list[np.ndarray] | None
    rhythm_band_hz: tuple[float, float] | None
    freqs: np.ndarray
    power: np.ndarray
    background: np.ndarray
    threshold: float
    band_hz: tuple[float, float]


class WindowRow(_Model):
    """One sliding window of the per-window series (also exported as CSV)."""

    t_start: float
    t_end: float
    peak_hz: float | None
    rhythm_rms: float | None
    present: float
    twitches: int


class Group(_Model):
    """One vector of channels and its finding."""

    name: str
    channels: list[str]
    kind: str
    unit: str
    finding: Finding
    windows: list[WindowRow] = Field(default_factory=list)
    key: RegionKey | None = Field(
        None, description="Video: the region this group measured (None for sensors, camera)."
    )
    _evidence: JudgedSignal | None = PrivateAttr(default=None)

    @property
    def evidence(self) -> JudgedSignal | None:
        """What the analysis judged (not part of the JSON; None when read back from JSON)."""
        return self._evidence


class Tool(_Model):
    """The program that produced the result."""

    name: str = "tremorscope"
    version: str = __version__


class Shot(_Model):
    """A stretch of video between two cuts."""

    index: int
    start_s: float
    end_s: float
    start_frame: int
    n_frames: int


class Source(_Model):
    """The analysed input (video fields only for a video)."""

    path: str
    kind: Literal["signal", "video"] = "signal"
    duration_s: float
    sample_rate_hz: float | None
    n_samples: int | None = None
    time_source: str | None = None
    notes: list[str] = Field(default_factory=list)
    width: int | None = Field(None, description="Frame width as displayed (after rotation), px.")
    height: int | None = Field(None, description="Frame height as displayed, px.")
    fps: float | None = Field(None, description="Average frame rate declared by the container.")
    frame_count: int | None = Field(None, description="Frames decoded.")
    variable_frame_rate: bool | None = None
    rotation: int | None = Field(None, description="Display rotation applied, degrees (ccw).")
    codec: str | None = None
    bits_per_pixel: float | None = Field(
        None, description="Stream bit rate per pixel per frame: lower means more compression."
    )
    shots: list[Shot] = Field(default_factory=list)
    decode_error: str | None = Field(
        None, description="Why decoding stopped early (truncated or corrupt file), if it did."
    )


Box = tuple[int, int, int, int]


class Scale(_Model):
    """Pixels per centimetre, and how it was found."""

    px_per_cm: float
    px_per_cm_ci: tuple[float, float] = Field(description="Plausible range (95 %).")
    source: Literal["given", "shoulder width"]
    note: str = ""


class RatingItem(_Model):
    """An estimate of one MDS-UPDRS part III tremor item, or why it cannot be given.

    Cut-points are the scale's own (Goetz et al., Mov Disord 2008;23:2129-70). The estimate
    comes from video, not from the examination the scale prescribes.
    """

    item: Literal["3.15", "3.17", "3.18"]
    label: str = Field(description="e.g. '3.17 Rest tremor amplitude, right upper extremity'.")
    body_part: str | None = Field(
        None, description="right_arm, left_arm, right_leg, left_leg, lip_jaw; None for 3.18."
    )
    assessable: bool
    score: int | None = Field(None, ge=0, le=4, description="0-4 at the central estimate.")
    score_range: tuple[int, int] | None = Field(
        None, description="Scores that the measurement's interval allows (low, high)."
    )
    evidence: str = Field("", description="The measured value behind the score.")
    reason: str = Field("", description="Why the item is not assessable, when it is not.")
    caveat: str = ""


class Asymmetry(_Model):
    """Left against right for one pair of limbs."""

    pair: Literal["hands", "legs"]
    index: float | None = Field(
        None,
        description="(left - right) / (left + right) of the tremor amplitude: -1 right only, "
        "0 equal, +1 left only. None when neither side has a tremor or a side was not seen.",
    )
    left: float | None = None
    right: float | None = None
    unit: str = "px"
    note: str = ""


class Person(_Model):
    """One person found in a video, with a finding per body part."""

    id: int = Field(description="1, 2, ... in order of first appearance, left to right.")
    box: Box = Field(description="Median box around the person's landmarks: x, y, w, h (px).")
    first_seen_s: float
    last_seen_s: float
    body_parts: dict[str, Finding] = Field(
        default_factory=dict,
        description="head, left_hand, right_hand, left_knee, right_knee, left_foot, right_foot "
        "(the person's own left and right).",
    )
    part_boxes: dict[str, Box] = Field(
        default_factory=dict, description="Median region of each body part: x, y, w, h (px)."
    )
    scale: Scale | None = Field(
        None, description="Pixels per cm for this person; None when no scale is known."
    )
    ratings: list[RatingItem] = Field(
        default_factory=list, description="MDS-UPDRS-style items 3.15, 3.17, 3.18."
    )

    def region_key(self, part: str) -> RegionKey:
        """The key of one of this person's body parts."""
        return RegionKey.body_part(self.id, part)
    asymmetry: list[Asymmetry] = Field(default_factory=list)


class Region(_Model):
    """A region given by the user, with its finding."""

    name: str
    box: Box
    finding: Finding

    @property
    def key(self) -> RegionKey:
        """The region's key."""
        return RegionKey.given(self.name)


class Camera(_Model):
    """The camera's own motion, measured on the background and removed from every region."""

    compensated_share: float = Field(
        description="Share of the video in which the background allowed compensation (0-1)."
    )
    max_shift_px: float | None = None
    zoom_range: tuple[float, float] | None = None
    finding: Finding | None = None


class Processing(_Model):
    """How the analysis ran."""

    frames: int
    elapsed_s: float
    frames_per_s: float
    hand_landmark_calls: int = Field(
        0, description="Video: calls of the hand-landmark model (each hand a few times a second)."
    )
    hand_landmark_s: float = Field(
        0.0, description="Video: seconds those calls took, in the pose model's thread."
    )
    hand_regions_from_landmarks: int = Field(
        0,
        description="Video: times a hand's region was placed on its landmarks, the pose model "
        "having put it beside the hand.",
    )
    worker: str | None = Field(
        None,
        description="Batch: the worker that made this result (host:process, or the Dask "
        "worker's address).",
    )


@dataclass
class Tracks:
    """The series behind a video analysis: where each region is, frame by frame.

    Attributes
    ----------
    dataset : MotionDataset
        What the video pass measured, in the layout of the ``movement`` toolbox (see
        :mod:`tremorscope.measurement`): region centres (``position``), displacements, validity,
        boxes, the camera's shift, with time in seconds from the container
        (``dataset.to_xarray()`` for an ``xarray.Dataset``).
    keys : list of RegionKey
        The regions, in the order of ``Analysis.groups``.

    """

    dataset: MotionDataset
    keys: list[RegionKey]

    @property
    def time_s(self) -> np.ndarray:
        """Frame times from the container, seconds."""
        return self.dataset["time"]

    @property
    def names(self) -> list[str]:
        """Region names as in ``Analysis.groups`` (``person1.left_foot``, ``region.cup``)."""
        return [key.name for key in self.keys]

    @property
    def camera(self) -> np.ndarray:
        """The camera's shift at the frame centre, ``(n_frames, 2)`` px, NaN where unmeasured."""
        return self.dataset["camera_shift"]

    def position_of(self, key: RegionKey) -> np.ndarray:
        """Centre of one region per frame, ``(n_frames, 2)`` px, NaN where not measured."""
        return self.dataset.region(key)["position"]

    @property
    def position(self) -> np.ndarray:
        """Centres of every region, ``(n_frames, n_regions, 2)`` px, in the order of ``keys``."""
        if not self.keys:
            return np.zeros((len(self.time_s), 0, 2))
        return np.stack([self.position_of(key) for key in self.keys], axis=1)


class Analysis(_Model):
    """The result of one analysis: source facts, per-group findings, the dominant finding."""

    schema_version: str = SCHEMA_VERSION
    tool: Tool = Field(default_factory=Tool)
    source: Source
    groups: list[Group]
    dominant: Finding | None = None
    dominant_group: str | None = None
    people: list[Person] = Field(default_factory=list, description="Video: everyone found.")
    regions: list[Region] = Field(default_factory=list, description="Video: regions given.")
    camera: Camera | None = None
    processing: Processing | None = None
    config: RunConfig | None = Field(
        None, description="The settings the analysis ran with (video settings for a video)."
    )
    disclaimer: str = (
        "A measurement of movement, not a diagnosis. Resemblance to a tremor type is "
        "not evidence of a disease."
    )
    _tracks: Tracks | None = PrivateAttr(default=None)

    def group_named(self, name: str | None) -> Group | None:
        """The group of this name (``dominant_group`` names one), or None."""
        return next((g for g in self.groups if g.name == name), None) if name else None

    def group_of(self, key: RegionKey) -> Group | None:
        """The group that measured this region, or None."""
        return next((g for g in self.groups if g.key == key), None)

    @property
    def tracks(self) -> Tracks | None:
        """Video: the per-frame series behind the findings (not part of the JSON)."""
        return self._tracks

    def require_tracks(self) -> Tracks:
        """The per-frame series, for writers that need them.

        Raises
        ------
        ValueError
            When the analysis holds none (a sensor analysis, or one read back from JSON).

        """
        if self._tracks is None:
            raise ValueError("this analysis has no per-frame tracks (video analyses only)")
        return self._tracks


def json_schema() -> dict:
    """The JSON Schema of :class:`Analysis`."""
    schema = Analysis.model_json_schema()
    schema["$id"] = f"https://tremorscope.invalid/schema/{SCHEMA_VERSION}/analysis.json"
    schema["title"] = f"tremorscope analysis {SCHEMA_VERSION}"
    flags = schema["$defs"]["QualityFlag"]
    flags["description"] = "What limits a measurement:\n" + "\n".join(
        f"- {flag.value}: {flag.short}. {flag.explain()}" for flag in QualityFlag
    )
    return schema
