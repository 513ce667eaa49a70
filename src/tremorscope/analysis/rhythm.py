"""Characterise one rhythm once its frequency is known: direction, envelope, episodes, cycles.

Everything here works on contiguous pieces of one high-passed vector signal, so that nothing is
computed across a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal, stats

from tremorscope.analysis.spectral import bandpass
from tremorscope.signals.uniform import true_runs

#: Chance that noise alone pushes the rhythm envelope over the noise threshold at one instant.
ENVELOPE_FALSE_ALARM = 0.05


@dataclass
class RhythmTrace:
    """The rhythm isolated from a signal, piece by piece.

    Attributes
    ----------
    band_hz : (float, float)
        Pass band used to isolate the rhythm.
    direction : ndarray, shape (d,)
        Unit vector of the main direction of the oscillation (first principal component).
    linearity : float
        Share of the rhythm's variance along that direction (1 = a straight line).
    projected : list of ndarray
        The rhythm along ``direction``, per piece.
    narrowband : list of ndarray
        The band-limited vector signal, per piece (n_i, d).
    envelope : list of ndarray
        Vector amplitude envelope, per piece.
    present : list of ndarray of bool
        Where the rhythm is judged present, per piece.

    """

    band_hz: tuple[float, float]
    direction: np.ndarray
    linearity: float
    projected: list[np.ndarray]
    narrowband: list[np.ndarray]
    envelope: list[np.ndarray]
    present: list[np.ndarray] = field(default_factory=list)


def rhythm_band(freq_hz: float, rate_hz: float, floor_hz: float) -> tuple[float, float]:
    """Pass band that isolates a rhythm at ``freq_hz``: +-max(1 Hz, 25 %) of it.

    Parameters
    ----------
    freq_hz : float
        Rhythm frequency.
    rate_hz : float
        Sampling rate (the band stays below 0.45 of it).
    floor_hz : float
        Lowest allowed edge (the high-pass cut).

    Returns
    -------
    (float, float)
        Low and high edges in Hz.

    """
    half = max(1.0, 0.25 * freq_hz)
    return max(floor_hz * 1.2, freq_hz - half), min(freq_hz + half, 0.45 * rate_hz)


def isolate_rhythm(
    pieces: list[np.ndarray], rate_hz: float, band_hz: tuple[float, float]
) -> RhythmTrace:
    """Band-limit each piece around the rhythm and project it on its main direction.

    Parameters
    ----------
    pieces : list of ndarray, each (n_i, d)
        High-passed contiguous pieces of the signal.
    rate_hz : float
        Sampling rate.
    band_hz : (float, float)
        Pass band, see :func:`rhythm_band`.

    Returns
    -------
    RhythmTrace
        Without ``present`` (see :func:`mark_presence`).

    """
    narrow = [bandpass(p, rate_hz, *band_hz) for p in pieces]
    stacked = np.concatenate(narrow)
    cov = stacked.T @ stacked / max(len(stacked), 1)
    eigval, eigvec = np.linalg.eigh(np.atleast_2d(cov))
    direction = eigvec[:, -1]
    direction = direction * np.sign(direction[np.argmax(np.abs(direction))])
    linearity = float(eigval[-1] / eigval.sum()) if eigval.sum() > 0 else 1.0
    projected = [n @ direction for n in narrow]
    envelope = [np.sqrt((np.abs(signal.hilbert(n, axis=0)) ** 2).sum(axis=1)) for n in narrow]
    return RhythmTrace(band_hz, direction, linearity, projected, narrow, envelope)


def noise_envelope_threshold(background_power: float) -> float:
    """Envelope level that band-limited noise of the given power exceeds with small chance.

    Parameters
    ----------
    background_power : float
        Variance of the background (aperiodic) noise inside the rhythm band, summed over axes.

    Returns
    -------
    float
        Envelope threshold: noise envelopes are Rayleigh-like with mean square twice the variance.

    """
    return float(np.sqrt(2.0 * background_power * np.log(1.0 / ENVELOPE_FALSE_ALARM)))


def mark_presence(trace: RhythmTrace, noise_threshold: float, relative: float) -> float:
    """Decide where the rhythm is present; fills ``trace.present`` and returns the threshold.

    Present means the envelope exceeds both the noise threshold and ``relative`` times the 95th
    percentile of the envelope over the whole signal.
    """
    everything = np.concatenate(trace.envelope)
    threshold = max(noise_threshold, relative * float(np.percentile(everything, 95)))
    trace.present = [e > threshold for e in trace.envelope]
    return threshold


def episodes_from_presence(
    present: np.ndarray,
    start_time_s: float,
    rate_hz: float,
    min_duration_s: float,
    max_bridge_s: float,
) -> list[tuple[float, float]]:
    """Turn a presence mask into episodes: short gaps bridged, short runs dropped.

    Parameters
    ----------
    present : ndarray of bool
        Presence per sample of one piece.
    start_time_s : float
        Time of the piece's first sample.
    rate_hz : float
        Sampling rate.
    min_duration_s : float
        Shorter runs are dropped.
    max_bridge_s : float
        Gaps up to this long between runs are closed.

    Returns
    -------
    list of (float, float)
        Episode start and end times in seconds.

    """
    runs = true_runs(present)
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and (a - merged[-1][1]) / rate_hz <= max_bridge_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [
        (start_time_s + a / rate_hz, start_time_s + b / rate_hz)
        for a, b in merged
        if (b - a) / rate_hz >= min_duration_s
    ]


def cycle_frequencies(
    x: np.ndarray, rate_hz: float, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Frequency and peak-to-peak size of each full cycle, from upward zero crossings.

    Parameters
    ----------
    x : ndarray, shape (n,)
        A band-limited oscillation (one piece).
    rate_hz : float
        Sampling rate.
    keep : ndarray of bool, shape (n,)
        Cycles are kept only where this is True over the whole cycle.

    Returns
    -------
    freqs : ndarray
        Frequency of each kept cycle in Hz (crossings interpolated between samples).
    peak_to_peak : ndarray
        Maximum minus minimum within each kept cycle.

    """
    up = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    if up.size < 2:
        return np.zeros(0), np.zeros(0)
    frac = -x[up] / (x[up + 1] - x[up])
    crossings = up + frac
    freqs, sizes = [], []
    for a, b, ia, ib in zip(crossings[:-1], crossings[1:], up[:-1], up[1:], strict=True):
        if keep[ia : ib + 1].all():
            freqs.append(rate_hz / (b - a))
            seg = x[ia : ib + 1]
            sizes.append(float(seg.max() - seg.min()))
    return np.asarray(freqs), np.asarray(sizes)


def tremor_stability_index(freqs: np.ndarray) -> float | None:
    """Tremor stability index: interquartile range of cycle-to-cycle frequency changes (Hz).

    After di Biase et al., Brain 2017 (140:1977): low values (about 1 Hz or less) mark a stable
    rhythm such as Parkinsonian or essential tremor; functional tremor is typically higher.
    """
    if freqs.size < 5:
        return None
    q75, q25 = np.percentile(np.diff(freqs), [75, 25])
    return float(q75 - q25)


def frequency_interval(
    freq_hz: float,
    cycle_freqs: np.ndarray,
    episode_s: float,
    band_half_width_hz: float,
    resolution_hz: float,
) -> tuple[float, float]:
    """95 % interval for the rhythm frequency from the spread of its cycle frequencies.

    Cycle frequencies of a band-limited signal are correlated over about ``1 / bandwidth``
    seconds, so the number of independent values is taken as ``episode_s * band_half_width_hz``.
    With fewer than three cycles the interval is the spectral resolution.

    Returns
    -------
    (float, float)
        Lower and upper bound in Hz.

    """
    if cycle_freqs.size < 3:
        half = resolution_hz
    else:
        n_eff = max(2.0, episode_s * band_half_width_hz)
        spread = float(np.std(cycle_freqs, ddof=1))
        half = float(stats.t.ppf(0.975, n_eff - 1) * spread / np.sqrt(n_eff))
    half = max(half, 0.01)
    return freq_hz - half, freq_hz + half
