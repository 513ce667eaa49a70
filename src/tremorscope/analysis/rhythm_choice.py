"""Which spectral peak is a signal's rhythm, and whether it looks tremor-like or voluntary-like.

Each significant peak, strongest first, is replaced by its fundamental when it is a harmonic,
set against slower (voluntary) movement below the tremor band and against its own harmonics,
and judged tremor-like or voluntary-like with the reasons why (:func:`choose_rhythm`).
"""

from __future__ import annotations

import numpy as np

from tremorscope.analysis.spectral import (
    HANN_ENBW_BINS,
    Peak,
    Spectrum,
    aperiodic_background,
    find_peaks,
    highpass,
    peak_threshold,
    welch_spectrum,
)
from tremorscope.config import AnalysisConfig

#: Lower edge of the search for slow (voluntary) movement, Hz.
SLOW_LOW_HZ = 0.3
#: Slow peaks weaker than this share of the strongest slow peak are ignored.
SLOW_SHARE = 0.01
#: Highest harmonic order looked for.
MAX_HARMONIC = 4
#: A lower peak is taken as the fundamental when its displacement power is at least this share of
#: the candidate's.
FUNDAMENTAL_SHARE = 0.25
#: A harmonic series of slow movement with this many significant members marks voluntary movement.
MIN_SERIES = 3
#: A rhythm below this frequency with two significant harmonics is called voluntary-like.
SLOW_REPETITIVE_HZ = 3.0
#: Chance that noise passes either harmonic test of a known fundamental.
HARMONIC_FALSE_ALARM = 0.05
#: Least ratio over background of a confirmed harmonic.
HARMONIC_MIN_RATIO = 2.0


def choose_rhythm(
    significant: list[Peak],
    slow: list[Peak],
    weight: np.ndarray,
    spectrum: Spectrum,
    background: np.ndarray,
    band_hi: float,
    articulated: bool = False,
) -> tuple[Peak, str, list[str]]:
    """The strongest tremor-like rhythm, else the strongest voluntary-like one.

    Each significant peak, strongest first, is replaced by its fundamental when it is a harmonic,
    then judged tremor-like or voluntary-like; the first tremor-like one wins, so that a tremor
    on top of a voluntary movement is still found.
    """
    fallback: tuple[Peak, str, list[str]] | None = None
    voluntary: list[float] = []
    for candidate in significant:
        peak, reasons = _fundamental(candidate, significant, weight, spectrum.resolution_hz)
        harmonics = _confirmed_harmonics(peak.freq_hz, spectrum, background, band_hi)
        kind, why = _movement_kind(
            peak, significant, slow, voluntary, spectrum.resolution_hz, harmonics
        )
        if kind == "tremor" and articulated and harmonics:
            orders = " and ".join(f"{k}x" for k in harmonics)
            kind, why = (
                "voluntary",
                [
                    f"parts of the hand move against each other at {peak.freq_hz:.2f} Hz, not "
                    f"sinusoidally (harmonic at {orders} stands out): a repetitive movement "
                    "such as tapping rather than tremor"
                ],
            )
        if kind == "tremor":
            larger = _larger_harmonic(peak, significant, spectrum.resolution_hz, reasons)
            return peak, kind, reasons + larger + why
        voluntary.append(peak.freq_hz)
        fallback = fallback or (peak, kind, reasons + why)
    assert fallback is not None
    return fallback


def _larger_harmonic(
    peak: Peak, significant: list[Peak], resolution: float, reasons: list[str]
) -> list[str]:
    """A reason when the largest peak in the input's own units is a harmonic of the rhythm.

    Peaks of an accelerometer or gyroscope are ranked in displacement-equivalent power, where a
    harmonic counts 2^4 (or 2^2) times less than in the sensor's spectrum; the one a reader sees
    largest in that spectrum is then named, so that the rhythm reported below it is understood.
    """
    largest = max(significant, key=lambda p: p.excess)
    # first in the ranking already (always so for positions): judged as a candidate of its own
    if largest is significant[0] or largest is peak:
        return []
    if any(f"{largest.freq_hz:.2f} Hz" in r for r in reasons):
        return []
    order = round(largest.freq_hz / peak.freq_hz)
    tolerance = max(resolution, 0.03 * largest.freq_hz)
    if 2 <= order <= MAX_HARMONIC and abs(order * peak.freq_hz - largest.freq_hz) <= tolerance:
        return [
            f"the peak at {largest.freq_hz:.2f} Hz is harmonic {order} of this rhythm "
            "(larger in the sensor's own units, smaller in displacement)"
        ]
    return []


def _fundamental(
    candidate: Peak, significant: list[Peak], weight: np.ndarray, resolution: float
) -> tuple[Peak, list[str]]:
    """The candidate, or the lower significant peak of which it is a harmonic."""
    tolerance = max(resolution, 0.03 * candidate.freq_hz)
    for order in range(MAX_HARMONIC, 1, -1):
        for peak in significant:
            if abs(peak.freq_hz * order - candidate.freq_hz) <= tolerance and (
                peak.excess * weight[peak.index]
                >= FUNDAMENTAL_SHARE * candidate.excess * weight[candidate.index]
            ):
                return peak, [
                    f"the peak at {candidate.freq_hz:.2f} Hz is harmonic {order} of this rhythm"
                ]
    return candidate, []


def slow_movement(
    raw: list[np.ndarray], fs: float, band_hi: float, config: AnalysisConfig, kind: str
) -> list[Peak]:
    """Significant peaks of slow (voluntary) movement below the tremor band."""
    segment_s = max(config.welch_segment_s, 10.0)
    longest = max(len(p) for p in raw) / fs
    if longest < 2.0 / SLOW_LOW_HZ:
        return []
    pieces = [highpass(p, fs, SLOW_LOW_HZ * 0.6, order=2) for p in raw]
    spectrum = welch_spectrum(pieces, fs, segment_s)
    background = aperiodic_background(
        spectrum.freqs, spectrum.power, SLOW_LOW_HZ, band_hi, spectrum.dof
    )
    n_independent = (band_hi - SLOW_LOW_HZ) / (spectrum.resolution_hz * HANN_ENBW_BINS)
    threshold = peak_threshold(
        spectrum.dof, n_independent, config.false_alarm, config.min_peak_ratio
    )
    peaks = find_peaks(spectrum, background, SLOW_LOW_HZ, config.band_low_hz, threshold)
    significant = [p for p in peaks if p.significant]
    if not significant:
        return []
    # leakage of a large slow movement leaves small bumps around it: keep the main movements only
    strongest = max(spectrum.power[p.index] for p in significant)
    return [p for p in significant if spectrum.power[p.index] >= SLOW_SHARE * strongest]


def _confirmed_harmonics(
    f0: float, spectrum: Spectrum, background: np.ndarray, band_hi: float
) -> list[int]:
    """Harmonics 2 and 3 of ``f0`` that stand out at their predicted frequency.

    A predicted frequency needs no search over the band, so each is tested on its own: power
    over background beyond the chi-square level of :data:`HARMONIC_FALSE_ALARM` (shared by the
    two tests) and at least :data:`HARMONIC_MIN_RATIO`.
    """
    threshold = peak_threshold(spectrum.dof, 2.0, HARMONIC_FALSE_ALARM, HARMONIC_MIN_RATIO)
    found = []
    for order in (2, 3):
        target = order * f0
        if target > band_hi:
            break
        near = np.abs(spectrum.freqs - target) <= max(spectrum.resolution_hz / 2, 0.02 * target)
        if near.any() and float(np.max(spectrum.power[near] / background[near])) > threshold:
            found.append(order)
    return found


def _movement_kind(
    peak: Peak,
    significant: list[Peak],
    slow: list[Peak],
    voluntary: list[float],
    resolution: float,
    harmonics: list[int] | None = None,
) -> tuple[str, list[str]]:
    """Tremor-like or voluntary-like, with reasons."""
    f0 = peak.freq_hz
    tolerance = max(resolution, 0.03 * f0)
    for f_slow in [p.freq_hz for p in slow]:
        order, members = _harmonic_series(f0, f_slow, significant, resolution)
        if order and (order <= MAX_HARMONIC or members >= MIN_SERIES):
            return "voluntary", [
                f"{f0:.2f} Hz is harmonic {order} of a slower rhythmic movement at {f_slow:.2f} Hz"
                f" ({members} harmonics of it stand out)"
            ]
    for f_vol in voluntary:
        order = round(f0 / f_vol)
        if order >= 1 and abs(order * f_vol - f0) <= tolerance:
            return "voluntary", [f"{f0:.2f} Hz belongs to the harmonic series of {f_vol:.2f} Hz"]
    if f0 < SLOW_REPETITIVE_HZ:
        strong = [
            k for k in (2, 3) if any(abs(p.freq_hz - k * f0) <= tolerance for p in significant)
        ]
        if len(strong) == 2:
            return "voluntary", [
                f"slow ({f0:.2f} Hz) with strong harmonics at 2x and 3x: "
                "a repetitive movement rather than tremor"
            ]
        if harmonics:
            orders = " and ".join(f"{k}x" for k in harmonics)
            return "voluntary", [
                f"slow ({f0:.2f} Hz) and not sinusoidal (harmonic at {orders} stands out): "
                "a repetitive movement rather than tremor"
            ]
    return "tremor", []


def _harmonic_series(
    f0: float, f_slow: float, significant: list[Peak], resolution: float
) -> tuple[int, int]:
    """Order of ``f0`` in the harmonic series of ``f_slow`` (0 if not in it) and its size.

    The fundamental is refined from the series members first, since a small error in a slow
    frequency grows with the harmonic order.
    """
    loose = [
        (p.freq_hz, round(p.freq_hz / f_slow))
        for p in significant
        if abs(p.freq_hz - round(p.freq_hz / f_slow) * f_slow) <= 0.04 * p.freq_hz
    ]
    if loose:
        f_slow = float(np.median([f / k for f, k in loose if k >= 1]))

    def on_series(f: float) -> bool:
        k = round(f / f_slow)
        return k >= 2 and abs(f - k * f_slow) <= max(resolution / 2, 0.015 * f)

    members = sum(on_series(p.freq_hz) for p in significant)
    return (round(f0 / f_slow) if on_series(f0) else 0), members
