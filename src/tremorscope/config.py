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


class VideoConfig(BaseModel):
    """Settings of the video pass and of what video can vouch for.

    Distances are in pixels of the displayed frame, durations in seconds.
    """

    chunk_s: float = Field(
        4.0,
        gt=0,
        description="Reference chunk: people are looked for and regions placed at each start.",
    )
    max_people: int = Field(4, ge=1, description="Most people sought in one frame.")
    look_again_s: float = Field(
        0.5,
        gt=0,
        description="A chunk starts early, this long after the last start, where the picture "
        "changed (someone came in or moved): people are found and regions follow them.",
    )
    look_again_changed_share: float = Field(
        0.01,
        gt=0,
        le=1,
        description="Share of the picture (thumbnail) outside the people known that must have "
        "changed since the last chunk start for an early start.",
    )
    region_points: int = Field(60, ge=4, description="Points followed in a body-part region.")
    background_points: int = Field(
        300, ge=10, description="Background points that measure the camera's motion."
    )
    hand_samples_per_clip: int = Field(
        40, ge=1, description="Hand-landmark samples over a clip (two hands a sample)."
    )
    hand_rate_min_hz: float = Field(
        1.0, gt=0, description="Fewest hand samples a second (long footage)."
    )
    hand_rate_max_hz: float = Field(
        4.0, gt=0, description="Most hand samples a second (short clips)."
    )
    max_hand_people: int = Field(
        2, ge=0, description="Hands of at most this many people (the leftmost) get landmarks."
    )
    survey_s: float = Field(
        1.0,
        ge=0,
        description="Black bars (letterbox, pillarbox) and static overlays (logo, caption) are "
        "looked for on the frames of this first stretch.",
    )
    survey_frames: int = Field(8, ge=2, description="Frames of that stretch looked at.")
    bar_max_level: float = Field(
        40.0, ge=0, le=255, description="Brightest grey level of a bar (full range, 0-255)."
    )
    bar_tolerance: float = Field(
        12.0,
        ge=0,
        le=255,
        description="Largest spread of grey levels along a bar's row or column, over the "
        "sampled frames (full range).",
    )
    min_rhythm_px: float = Field(
        0.1,
        ge=0,
        description="Rhythms smaller than this (px RMS) are below what tracking can vouch for.",
    )
    min_twitch_px: float = Field(
        0.3, ge=0, description="Jerks smaller than this (px) are not counted as twitches."
    )
    encoding_cycle_tolerance_hz: float = Field(
        0.08, ge=0, description="A rhythm this near the encoder's frame-type cycle is at it."
    )
    encoding_artefact_max_px: float = Field(
        0.3, ge=0, description="Rhythms at the encoder's cycle up to this size (px RMS) are its."
    )
    encoding_doubt_max_px: float = Field(
        1.0,
        ge=0,
        description="Tremor-like rhythms at the encoder's cycle larger than "
        "encoding_artefact_max_px, up to this size (px RMS), are undetermined: the compression's "
        "or a movement.",
    )
    simultaneous_s: float = Field(
        0.07, ge=0, description="Twitches this close in time in different regions are one moment."
    )
    simultaneous_share: float = Field(
        0.75,
        gt=0,
        le=1,
        description="A moment seen in this share of the measured regions is the video's.",
    )
    min_simultaneous: int = Field(3, ge=2, description="... and in at least this many regions.")
    camera_jump_share: float = Field(
        0.5,
        gt=0,
        description="A twitch is the camera's when the camera's compensated position jumps by "
        "this share of the twitch's size meanwhile.",
    )
    low_bits_per_pixel: float = Field(
        0.05,
        gt=0,
        description="Under this many bits per pixel a frame, compression shrinks small motion.",
    )
    small_motion_px: float = Field(
        0.3, gt=0, description="Rhythms smaller than this (px RMS) lose size to compression."
    )
    tracking_relative_error: float = Field(
        0.05, ge=0, description="Tracking's amplitude error (95 % half-width), relative."
    )
    tracking_floor_px: float = Field(
        0.03, ge=0, description="Tracking's amplitude error (95 % half-width), a floor in px."
    )
    moving_part_ratio: float = Field(
        1.25,
        gt=1,
        description="A part of a hand is reported when its rhythm is this much larger than the "
        "whole hand's.",
    )

    @model_validator(mode="after")
    def _rates_are_ordered(self) -> VideoConfig:
        if self.hand_rate_min_hz > self.hand_rate_max_hz:
            raise ValueError("hand_rate_min_hz must not exceed hand_rate_max_hz")
        return self


class RunConfig(BaseModel):
    """The settings an analysis ran with (stored with its result)."""

    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    video: VideoConfig | None = Field(
        default_factory=VideoConfig, description="Video settings (None for a sensor recording)."
    )

    def settings(self) -> dict[str, float | int]:
        """Every setting by name, video and analysis together."""
        video = self.video.model_dump() if self.video is not None else VideoConfig().model_dump()
        return {**video, **self.analysis.model_dump()}
