"""The result model: typed, serialisable, versioned (JSON Schema in ``schema/``).

Field names in the JSON contract (``schema_version``, ``tool``, ``source``, ``groups``,
``dominant`` and the ``FINDING`` fields) are stable; new fields may be added, none renamed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field, model_validator

from tremorscope import __version__
from tremorscope.config import RunConfig
from tremorscope.flags import QualityFlag
from tremorscope.results_memory import JudgedSignal, Tracks

SCHEMA_VERSION = "1.5"

#: What a rhythm is: a tremor; a voluntary or habitual movement (tapping, opening and closing,
#: gesturing, playing, jiggling); passed on from a larger movement elsewhere on the body
#: (``transmitted``); the camera's own motion; a rhythm whose kind the evidence does not settle
#: (``undetermined``); or no rhythm.
RhythmKind = Literal["tremor", "voluntary", "transmitted", "camera", "undetermined", "none"]
#: What a body part's movement is: a rhythm's kind, or brief jerks without a rhythm (``twitch``).
MovementKind = Literal[
    "tremor", "voluntary", "transmitted", "twitch", "camera", "undetermined", "none"
]


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


class Transition(_Model):
    """A gradual transition between shots (dissolve, fade) or blank pictures: nothing measured."""

    start_s: float
    end_s: float


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
    transitions: list[Transition] = Field(
        default_factory=list,
        description="Dissolves, fades and blank stretches between shots, where nothing was "
        "measured.",
    )
    decode_error: str | None = Field(
        None, description="Why decoding stopped early (truncated or corrupt file), if it did."
    )


Box = tuple[int, int, int, int]


class Scale(_Model):
    """Pixels per centimetre, and how it was found."""

    px_per_cm: float
    px_per_cm_ci: tuple[float, float] = Field(description="Plausible range (95 %).")
    source: Literal["given", "body landmarks", "head landmarks", "shoulder width"] = Field(
        description="given by the user; from the body's (or, for a face close up, the head's) "
        "landmarks in metres (mediapipe's world landmarks, an average adult body); from the "
        "shoulders' width (facing the camera)."
    )
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


class PersonShot(_Model):
    """Where a person was seen: one shot."""

    shot: int = Field(description="Index of the shot in source.shots.")
    first_seen_s: float
    last_seen_s: float


class PartTime(_Model):
    """How long a body part was in view and how long it was analysed."""

    visible_s: float = Field(description="Seconds in which its region was measured.")
    analysed_s: float = Field(description="Seconds the analysis used (long enough stretches).")


class Person(_Model):
    """One person found in a video, with a finding per body part."""

    id: int = Field(
        description="1, 2, ... in order of first appearance, left to right; one id over every "
        "shot the person is known again in (by what they look like)."
    )
    shots: list[PersonShot] = Field(default_factory=list, description="Where they were seen.")
    identity_uncertain: bool = Field(
        False,
        description="Seen again after a cut or an absence, they may be an earlier person "
        "(identity_note says whom): kept apart rather than merged.",
    )
    identity_note: str = Field(
        "",
        description="Whom they may be (identity_uncertain), or that they were seen only as a "
        "hand, with nothing else of them in view.",
    )
    whole_body_movement: list[tuple[float, float]] = Field(
        default_factory=list,
        description="Stretches (start, end s) in which the person moved their whole body "
        "(walked, stood up, jumped): voluntary, left out of every body part's analysis.",
    )
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
    part_time: dict[str, PartTime] = Field(
        default_factory=dict,
        description="Per body part, the seconds it was visible (measured) and analysed, over "
        "every shot it was seen in.",
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
