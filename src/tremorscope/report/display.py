"""The series the report plots, derived from a region's per-frame track.

The spectra and band-limited traces are recomputed for display from the same per-frame
tracks, with the analysis' own code (:mod:`tremorscope.analysis.spectral` and
:mod:`tremorscope.analysis.rhythm`), so they show what the analysis saw. This module is the
one place the report repeats a computation of the analysis (:class:`DisplaySignal` and
what is computed from it); the plain offsets and projections of the track come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.engine import MIN_PIECE_S
from tremorscope.analysis.spectral import (
    HANN_ENBW_BINS,
    aperiodic_background,
    bandpass,
    highpass,
    peak_threshold,
    welch_spectrum,
)
from tremorscope.config import AnalysisConfig
from tremorscope.signals.model import SignalGroup, UniformSignal
from tremorscope.signals.uniform import to_uniform

# ---------------------------------------------------------------------------- the track itself


def offset_from_median(position: np.ndarray) -> np.ndarray:
    """Positions (n, 2) minus their median over time, NaN kept; zeros when nothing is finite."""
    if not np.isfinite(position).any():
        return np.full_like(position, np.nan, dtype=float)
    return position - np.nanmedian(position, axis=0)


def project_on_direction(
    offset: np.ndarray, direction: Sequence[float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Split (n, 2) offsets into the part along ``direction`` and the part across it.

    Without a direction, the picture's x and y are returned.
    """
    if direction is None or len(direction) != 2 or not np.any(direction):
        return offset[:, 0], offset[:, 1]
    d = np.asarray(direction, float) / np.linalg.norm(direction)
    across = np.array([-d[1], d[0]])
    return offset @ d, offset @ across


# ---------------------------------------------------------------- as the analysis computes them


@dataclass
class DisplaySignal:
    """One region's track on a uniform grid, in the contiguous pieces the analysis uses.

    Attributes
    ----------
    uniform : UniformSignal
        The track resampled as the analysis resamples it.
    pieces : list of (int, int)
        Index ranges of the pieces long enough to analyse.
    config : AnalysisConfig
        Settings the analysis used.

    """

    uniform: UniformSignal
    pieces: list[tuple[int, int]]
    config: AnalysisConfig = field(default_factory=AnalysisConfig)

    @property
    def rate_hz(self) -> float:
        """Sampling rate of the grid."""
        return self.uniform.rate_hz

    @property
    def band_high_hz(self) -> float:
        """Upper edge of the analysed band (capped by the sampling rate)."""
        c = self.config
        return min(c.band_high_hz, c.nyquist_margin * self.rate_hz / 2.0)

    def highpassed(self) -> list[np.ndarray]:
        """Each piece after the analysis' high-pass."""
        fs, cut = self.rate_hz, self.config.highpass_hz
        return [highpass(self.uniform.values[a:b], fs, cut) for a, b in self.pieces]

    def piece_times(self) -> list[np.ndarray]:
        """Time of every sample of each piece, seconds."""
        return [self.uniform.time_s[a:b] for a, b in self.pieces]


def display_signal(
    time_s: np.ndarray,
    position: np.ndarray,
    cut_times: Sequence[float],
    config: AnalysisConfig | None = None,
) -> DisplaySignal | None:
    """Put a region's (n, 2) pixel track on the analysis' uniform grid, split at cuts and gaps.

    Returns
    -------
    DisplaySignal or None
        None when no stretch of at least :data:`~tremorscope.analysis.engine.MIN_PIECE_S` is
        valid.

    """
    config = config or AnalysisConfig()
    if len(time_s) < 2:
        return None
    group = SignalGroup("display", ["x", "y"], np.asarray(position, float), "position", "px")
    uniform = to_uniform(group, np.asarray(time_s, float), config.max_gap_s, list(cut_times))
    if uniform.time_s.size == 0:
        return None
    fs = uniform.rate_hz
    pieces = [(a, b) for a, b in uniform.segments if (b - a) / fs >= MIN_PIECE_S]
    return DisplaySignal(uniform, pieces, config) if pieces else None


@dataclass
class DisplaySpectrum:
    """A Welch spectrum with its aperiodic background and significance level, for display.

    Attributes
    ----------
    freqs, power, background : ndarray
        Frequencies (Hz), power summed over axes (unit^2/Hz) and the fitted background.
    threshold : float
        Ratio over the background that noise alone passes with the analysis' false-alarm
        chance.
    band_hz : (float, float)
        The analysed band.

    """

    freqs: np.ndarray
    power: np.ndarray
    background: np.ndarray
    threshold: float
    band_hz: tuple[float, float]


def display_spectrum(signal: DisplaySignal) -> DisplaySpectrum:
    """The spectrum the analysis computes for this signal: high-pass, Welch, background.

    Parameters
    ----------
    signal : DisplaySignal
        The region's track on the uniform grid.

    Returns
    -------
    DisplaySpectrum

    """
    c = signal.config
    band = (c.band_low_hz, signal.band_high_hz)
    spectrum = welch_spectrum(signal.highpassed(), signal.rate_hz, c.welch_segment_s)
    background = aperiodic_background(spectrum.freqs, spectrum.power, *band, spectrum.dof)
    n_independent = (band[1] - band[0]) / (spectrum.resolution_hz * HANN_ENBW_BINS)
    threshold = peak_threshold(spectrum.dof, n_independent, c.false_alarm, c.min_peak_ratio)
    return DisplaySpectrum(spectrum.freqs, spectrum.power, background, threshold, band)


def isolated_rhythm(
    signal: DisplaySignal, frequency_hz: float
) -> tuple[list[np.ndarray], tuple[float, float]]:
    """The rhythm band-limited around ``frequency_hz`` and projected on its main direction.

    Returns
    -------
    pieces : list of ndarray
        The projected rhythm, per piece (aligned with :meth:`DisplaySignal.piece_times`).
    band_hz : (float, float)
        The pass band used (the analysis' own, :func:`~tremorscope.analysis.rhythm.rhythm_band`).

    """
    band = rh.rhythm_band(frequency_hz, signal.rate_hz, signal.config.highpass_hz)
    trace = rh.isolate_rhythm(signal.highpassed(), signal.rate_hz, band)
    return trace.projected, band


def movement_magnitude(signal: DisplaySignal) -> list[np.ndarray]:
    """Size of the band-limited movement per sample: what twitches are detected on."""
    fs, c = signal.rate_hz, signal.config
    return [
        np.linalg.norm(bandpass(piece, fs, c.highpass_hz, signal.band_high_hz), axis=1)
        for piece in signal.highpassed()
    ]
