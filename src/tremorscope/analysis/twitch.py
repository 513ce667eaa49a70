"""Brief, isolated jerks (twitches), told apart from the rhythm and from longer movements."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Robust standard deviation of a sample from its median absolute deviation (Gaussian).
MAD_TO_SIGMA = 1.4826
#: An excursion's duration is measured at this share of its peak.
SHAPE_LEVEL = 0.2


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
        Time spent above a fifth of its peak (and half the threshold).

    """

    t: float
    size: float
    duration_s: float


def excursion_threshold(magnitudes: np.ndarray, n_sigma: float) -> float:
    """Median plus ``n_sigma`` robust standard deviations of the magnitude series."""
    median = float(np.median(magnitudes))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(magnitudes - median)))
    return median + n_sigma * max(spread, 1e-12)


def find_excursions(
    magnitude: np.ndarray,
    start_time_s: float,
    rate_hz: float,
    threshold: float,
    refractory_s: float,
) -> list[Excursion]:
    """Excursions of a magnitude series above a threshold, nearby ones merged.

    An excursion is a run above half the threshold that reaches the threshold; runs closer than
    ``refractory_s`` are one excursion (a biphasic jerk crosses zero once).

    Parameters
    ----------
    magnitude : ndarray, shape (n,)
        Non-negative magnitude of the signal (one piece).
    start_time_s : float
        Time of the first sample.
    rate_hz : float
        Sampling rate.
    threshold : float
        Level an excursion must reach.
    refractory_s : float
        Merge distance.

    Returns
    -------
    list of Excursion

    """
    above = magnitude > threshold / 2.0
    padded = np.concatenate([[False], above, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    runs = [
        [a, b]
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if magnitude[a:b].max() >= threshold
    ]
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and (a - merged[-1][1]) / rate_hz < refractory_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    events = []
    for a, b in merged:
        k = a + int(np.argmax(magnitude[a:b]))
        peak = float(magnitude[k])
        # width at a fifth of the peak: the event's own shape, not the filter's ringing tail
        core = np.flatnonzero(magnitude[a:b] >= max(threshold / 2.0, peak * SHAPE_LEVEL))
        duration = (core[-1] - core[0] + 1) / rate_hz
        events.append(Excursion(start_time_s + k / rate_hz, peak, duration))
    return events
