"""The result model: typed, serialisable, versioned (JSON Schema in ``schema/``).

Field names in the JSON contract (``schema_version``, ``tool``, ``source``, ``groups``,
``dominant`` and the ``FINDING`` fields) are stable; new fields may be added, none renamed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tremorscope import __version__

SCHEMA_VERSION = "1.0"

RhythmKind = Literal["tremor", "voluntary", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rhythmic(_Model):
    """The dominant involuntary rhythm of a signal, or its absence."""

    detected: bool = Field(description="A rhythm stood out of the noise for at least a few cycles.")
    kind: RhythmKind = Field("none", description="tremor-like, voluntary-like movement, or none.")
    kind_reasons: list[str] = Field(default_factory=list, description="Why the kind was chosen.")
    frequency_hz: float | None = None
    frequency_ci_hz: tuple[float, float] | None = Field(None, description="95 % interval.")
    amplitude: float | None = Field(
        None, description="RMS of the band-limited rhythm along its main direction, while present."
    )
    amplitude_unit: str = "input units"
    amplitude_peak_to_peak: float | None = Field(None, description="Median peak-to-peak per cycle.")
    displacement_rms: float | None = Field(
        None,
        description="RMS displacement: the amplitude itself for positions; for acceleration "
        "in known units, amplitude / (2 pi f)^2.",
    )
    displacement_peak_to_peak: float | None = None
    displacement_unit: str | None = None
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
    closest: str | None = None
    matches: list[SignatureMatch] = Field(default_factory=list)
    statement: str = ""


class Quality(_Model):
    """What limits the measurement."""

    flags: list[str] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    band_hz: tuple[float, float] | None = None
    analysed_duration_s: float = 0.0
    sample_rate_hz: float | None = None


class Finding(_Model):
    """Everything measured for one signal."""

    rhythmic: Rhythmic
    twitches: Twitches
    signature: Signature
    quality: Quality


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


class Tool(_Model):
    """The program that produced the result."""

    name: str = "tremorscope"
    version: str = __version__


class Source(_Model):
    """The analysed input."""

    path: str
    kind: Literal["signal", "video"] = "signal"
    duration_s: float
    sample_rate_hz: float | None
    n_samples: int | None = None
    time_source: str | None = None
    notes: list[str] = Field(default_factory=list)


class Analysis(_Model):
    """The result of one analysis: source facts, per-group findings, the dominant finding."""

    schema_version: str = SCHEMA_VERSION
    tool: Tool = Field(default_factory=Tool)
    source: Source
    groups: list[Group]
    dominant: Finding | None = None
    dominant_group: str | None = None
    disclaimer: str = (
        "A measurement of movement, not a diagnosis. Resemblance to a tremor type is "
        "not evidence of a disease."
    )


def json_schema() -> dict:
    """The JSON Schema of :class:`Analysis`."""
    schema = Analysis.model_json_schema()
    schema["$id"] = f"https://tremorscope.invalid/schema/{SCHEMA_VERSION}/analysis.json"
    schema["title"] = f"tremorscope analysis {SCHEMA_VERSION}"
    return schema
