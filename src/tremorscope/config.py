"""Every tunable of the analysis in one validated model."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

#: Conditions a rhythm may be measured in.
CONTEXTS = ("rest", "postural", "kinetic", "standing", "unknown")


class AnalysisConfig(BaseModel):
    """Settings of the signal analysis; the defaults suit tremor in humans.

    All frequencies are in Hz, all durations in seconds.
    """

    band_low_hz: float = Field(2.0, gt=0, description="Lower edge of the tremor band.")
    band_high_hz: float = Field(20.0, gt=0, description="Upper edge of the tremor band.")
    nyquist_margin: float = Field(
        0.9, gt=0, le=1, description="The band is capped at this fraction of the Nyquist frequency."
    )
    highpass_hz: float = Field(
        1.0, gt=0, description="High-pass cut that removes gravity, posture and drift."
    )
    welch_segment_s: float = Field(
        8.0, gt=0, description="Welch segment for the whole-record spectrum."
    )
    max_gap_s: float = Field(
        0.25, ge=0, description="Gaps up to this long are bridged; longer ones split the record."
    )
    false_alarm: float = Field(
        1e-3, gt=0, lt=1, description="Chance that noise alone passes as a rhythm (whole band)."
    )
    min_peak_ratio: float = Field(
        4.0, gt=1, description="Least ratio of the peak to the aperiodic background."
    )
    min_cycles: float = Field(3.0, gt=0, description="A rhythm must last this many cycles.")
    envelope_relative: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="Rhythm present where its envelope exceeds this share of its "
        "95th percentile (and the noise threshold).",
    )
    twitch_threshold_sigma: float = Field(
        7.0, gt=0, description="Twitch threshold in robust standard deviations of the signal."
    )
    twitch_max_duration_s: float = Field(0.6, gt=0, description="Longer excursions are movements.")
    twitch_refractory_s: float = Field(
        0.4, ge=0, description="Peaks closer than this are one twitch."
    )

    @model_validator(mode="after")
    def _band_is_ordered(self) -> AnalysisConfig:
        if self.band_low_hz >= self.band_high_hz:
            raise ValueError("band_low_hz must be below band_high_hz")
        if self.highpass_hz >= self.band_low_hz:
            raise ValueError("highpass_hz must be below band_low_hz")
        return self
