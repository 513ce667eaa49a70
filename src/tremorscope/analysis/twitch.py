"""Brief, isolated jerks (twitches), told apart from the rhythm and from longer movements.

A twitch is an excursion of the signal's magnitude far above both the whole recording's noise
level and the local movement level (a running upper quantile over several seconds, which follows
a tremor's waxing and waning), and short at a fifth of its own peak. They are found in the size
of the band-limited movement (:func:`movement_magnitude`) and gathered, with their rate and the
longer movements left out, by :func:`find_twitches`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from tremorscope.analysis.rounding import round_sig
from tremorscope.analysis.spectral import bandpass
from tremorscope.config import AnalysisConfig
from tremorscope.results import Twitches, TwitchEvent

#: Robust standard deviation of a sample from its median absolute deviation (Gaussian).
MAD_TO_SIGMA = 1.4826
#: An excursion's duration is measured at this share of its peak.
SHAPE_LEVEL = 0.2
#: Local movement level: this quantile of the magnitude over a centred window.
LOCAL_QUANTILE, LOCAL_WINDOW_S, LOCAL_BLOCK_S = 75, 6.0, 0.1
#: An excursion must exceed the local level this many times.
LOCAL_FACTOR = 3.0


@dataclass
class Excursion:
    """One excursion of the signal above the twitch threshold.

    Attributes
    ----------
    t : float
        Time of its largest point, in seconds.
    size : float
        Its largest magnitude, in the signal's units.
    duration_s : float
        Width at a fifth of its peak (and above the local movement level).
    """

    t: float
    size: float
    duration_s: float


def global_threshold(magnitudes: np.ndarray, n_sigma: float) -> float:
    """Median plus ``n_sigma`` robust standard deviations of the magnitude series."""
    median = float(np.median(magnitudes))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(magnitudes - median)))
    return median + n_sigma * max(spread, 1e-12)


def local_level(magnitude: np.ndarray, rate_hz: float) -> np.ndarray:
    """Running upper quantile of a magnitude series, computed on 0.1 s block maxima.

    Parameters
    ----------
    magnitude : ndarray, shape (n,)
        Non-negative series.
    rate_hz : float
        Sampling rate.

    Returns
    -------
    ndarray, shape (n,)
        The local movement level at every sample.
    """
    block = max(1, int(LOCAL_BLOCK_S * rate_hz))
    n_blocks = int(np.ceil(len(magnitude) / block))
    padded = np.pad(magnitude, (0, n_blocks * block - len(magnitude)), mode="edge")
    maxima = padded.reshape(n_blocks, block).max(axis=1)
    size = max(1, int(LOCAL_WINDOW_S / LOCAL_BLOCK_S))
    level = ndimage.percentile_filter(maxima, LOCAL_QUANTILE, size=size, mode="nearest")
    return np.repeat(level, block)[: len(magnitude)]


def find_excursions(
    magnitude: np.ndarray,
    start_time_s: float,
    rate_hz: float,
    threshold: float,
    refractory_s: float,
) -> list[Excursion]:
    """Excursions far above the global threshold and the local level, nearby ones merged.

    Parameters
    ----------
    magnitude : ndarray, shape (n,)
        Magnitude of the band-limited signal (one piece).
    start_time_s : float
        Time of the first sample.
    rate_hz : float
        Sampling rate.
    threshold : float
        Global level an excursion must reach (see :func:`global_threshold`).
    refractory_s : float
        Excursions closer than this are one (a biphasic jerk crosses zero once).

    Returns
    -------
    list of Excursion
    """
    local = local_level(magnitude, rate_hz)
    level = np.maximum(threshold, LOCAL_FACTOR * local)
    above = magnitude > level / 2.0
    padded = np.concatenate([[False], above, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    runs = [
        [a, b]
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if np.any(magnitude[a:b] >= level[a:b])
    ]
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and (a - merged[-1][1]) / rate_hz < refractory_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    background = 1.5 * local
    events = []
    for a, b in merged:
        k = a + int(np.argmax(magnitude[a:b]))
        peak = float(magnitude[k])
        floor = np.maximum(peak * SHAPE_LEVEL, background)
        lo = k
        while lo > 0 and magnitude[lo - 1] >= floor[lo - 1]:
            lo -= 1
        hi = k
        while hi < len(magnitude) - 1 and magnitude[hi + 1] >= floor[hi + 1]:
            hi += 1
        events.append(Excursion(start_time_s + k / rate_hz, peak, (hi - lo + 1) / rate_hz))
    return events


def movement_magnitude(
    pieces: list[np.ndarray], fs: float, low_hz: float, high_hz: float
) -> list[np.ndarray]:
    """Size of the band-limited movement per sample (what twitches are detected on).

    Parameters
    ----------
    pieces : list of ndarray, each (n, channels)
        The high-passed signal, per piece.
    fs : float
        Sampling rate, Hz.
    low_hz, high_hz : float
        The band, Hz.

    Returns
    -------
    list of ndarray
        The norm over channels of each band-passed piece.

    """
    return [np.linalg.norm(bandpass(piece, fs, low_hz, high_hz), axis=1) for piece in pieces]


def find_twitches(
    broad: list[np.ndarray],
    starts: list[float],
    fs: float,
    config: AnalysisConfig,
    unit: str,
    duration_s: float,
) -> Twitches:
    """Brief jerks far above the noise and above the local movement level (tremor included)."""
    threshold = global_threshold(np.concatenate(broad), config.twitch_threshold_sigma)
    events, longer = [], 0
    for magnitude, start in zip(broad, starts, strict=True):
        found = find_excursions(magnitude, start, fs, threshold, config.twitch_refractory_s)
        for ex in found:
            if ex.duration_s <= config.twitch_max_duration_s:
                events.append(
                    TwitchEvent(
                        t=round(ex.t, 3),
                        size=round_sig(ex.size),
                        duration_s=round(ex.duration_s, 3),
                    )
                )
            else:
                longer += 1
    rate = 60.0 * len(events) / duration_s if duration_s > 0 else 0.0
    return Twitches(
        count=len(events),
        rate_per_min=round(rate, 2),
        events=events,
        unit=unit,
        threshold=round_sig(threshold),
        longer_movements=longer,
    )
