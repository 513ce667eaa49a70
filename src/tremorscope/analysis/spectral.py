"""Spectra of vector signals, their aperiodic background, and significant rhythmic peaks.

Axes are combined by summing their spectra (the trace of the cross-spectral matrix), which does
not depend on how the sensor is oriented; the direction of motion is found afterwards by PCA of
the band-limited signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal, stats

#: Zero padding of each Welch segment, for a finely sampled spectrum around peaks.
PAD_FACTOR = 8
#: Share of the significance threshold (in log power) by which a peak must rise above its valleys.
PROMINENCE_SHARE = 0.5
#: Side lobes of a Hann window: within this many resolution bins, this far (dB) below the peak.
SIDE_LOBE_BINS, SIDE_LOBE_DB = 8, 25.0
#: Hann window: effective noise bandwidth in bins, used to count independent frequencies.
HANN_ENBW_BINS = 1.5


@dataclass
class Spectrum:
    """Welch power spectral density, summed over axes.

    Attributes
    ----------
    freqs : ndarray
        Frequencies in Hz.
    power : ndarray
        Power spectral density (input units squared per Hz), summed over axes.
    per_axis : ndarray, shape (n_freqs, n_axes)
        The same per axis.
    dof : float
        Approximate degrees of freedom of each estimate (2 per averaged segment, Welch-corrected).
    resolution_hz : float
        Frequency resolution of one Welch segment (rate / segment length).

    """

    freqs: np.ndarray
    power: np.ndarray
    per_axis: np.ndarray
    dof: float
    resolution_hz: float


@dataclass
class Peak:
    """A candidate rhythmic peak in a spectrum.

    Attributes
    ----------
    freq_hz : float
        Peak frequency refined between bins.
    index : int
        Bin index of the maximum (of displacement-equivalent excess for an accelerometer or
        gyroscope, see :func:`find_peaks`).
    ratio : float
        Power over aperiodic background at the local maximum of that ratio.
    excess : float
        Power above background at the peak (input units squared per Hz).
    significant : bool
        Whether the ratio passes the noise threshold.

    """

    freq_hz: float
    index: int
    ratio: float
    excess: float
    significant: bool


def highpass(values: np.ndarray, rate_hz: float, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth high-pass along time (axis 0), after removing the mean.

    Parameters
    ----------
    values : ndarray, shape (n, d)
        Samples.
    rate_hz : float
        Sampling rate.
    cutoff_hz : float
        -3 dB frequency.
    order : int
        Filter order.

    Returns
    -------
    ndarray
        Filtered samples, same shape.

    """
    centred = values - values.mean(axis=0)
    return _filtfilt(_butterworth(order, (cutoff_hz,), "highpass", rate_hz), centred)


def bandpass(
    values: np.ndarray, rate_hz: float, low_hz: float, high_hz: float, order: int = 4
) -> np.ndarray:
    """Zero-phase Butterworth band-pass along time (axis 0); see :func:`highpass`."""
    high_hz = min(high_hz, 0.49 * rate_hz)
    sos = _butterworth(order, (low_hz, high_hz), "bandpass", rate_hz)
    return _filtfilt(sos, values - values.mean(axis=0))


@lru_cache(maxsize=256)
def _butterworth(order: int, edges: tuple[float, ...], kind: str, rate_hz: float) -> np.ndarray:
    """A Butterworth filter's second-order sections, designed once per setting.

    A video's regions share a handful of settings, and designing one costs more than filtering
    a minute of samples.
    """
    band = edges[0] if len(edges) == 1 else list(edges)
    return signal.butter(order, band, kind, fs=rate_hz, output="sos")


def _filtfilt(sos: np.ndarray, values: np.ndarray) -> np.ndarray:
    sos = sos.copy()  # the design is shared (cached); scipy's compiled filter wants it writable
    padlen = min(values.shape[0] - 1, 3 * (2 * sos.shape[0] + 1) * 4)
    return signal.sosfiltfilt(sos, values, axis=0, padlen=padlen)


#: Shortest Welch segment used to gain averaging on a short record, seconds.
MIN_SEGMENT_S = 2.5


def welch_spectrum(segments: list[np.ndarray], rate_hz: float, segment_s: float) -> Spectrum:
    """Average Welch spectrum over several contiguous pieces of one signal.

    Parameters
    ----------
    segments : list of ndarray, each (n_i, d)
        Contiguous, already filtered pieces.
    rate_hz : float
        Sampling rate.
    segment_s : float
        Welch segment length in seconds; for a record shorter than two segments, half the
        longest piece (at least :data:`MIN_SEGMENT_S`, at most the piece).

    Returns
    -------
    Spectrum
        Power summed over axes, on a grid padded by :data:`PAD_FACTOR`.

    """
    longest = max(len(s) for s in segments)
    # a record shorter than two segments gets halved segments: more averaging (a reliable
    # significance test) for a coarser grid, which the peak refinement makes up for
    short = max(longest / 2, MIN_SEGMENT_S * rate_hz)
    nperseg = int(min(round(segment_s * rate_hz), short, longest))
    nfft = int(2 ** np.ceil(np.log2(nperseg * PAD_FACTOR)))
    total = None
    weight = 0.0
    n_windows = 0
    for piece in segments:
        if len(piece) < nperseg:
            continue
        freqs, pxx = signal.welch(
            piece,
            rate_hz,
            window="hann",
            nperseg=nperseg,
            noverlap=nperseg // 2,
            nfft=nfft,
            axis=0,
            detrend="constant",
        )
        count = 1 + (len(piece) - nperseg) // (nperseg // 2)
        total = pxx * count if total is None else total + pxx * count
        weight += count
        n_windows += count
    per_axis = total / weight
    # Welch (1967): 50 % overlapped Hann segments give about 1.8 dof per segment beyond the first
    dof = 2.0 * (1 + 0.9 * (n_windows - 1))
    return Spectrum(freqs, per_axis.sum(axis=1), per_axis, dof, rate_hz / nperseg)


def aperiodic_background(
    freqs: np.ndarray, power: np.ndarray, low_hz: float, high_hz: float, dof: float
) -> np.ndarray:
    """Fit the aperiodic (1/f-like) background of a spectrum by a robust line in log-log.

    The line is fitted to the lower 60 % of the residuals (peaks lie above the background), then
    its level is set so that the 40th percentile of the ratio of spectrum to background equals
    that of a chi-square estimate with ``dof`` degrees of freedom.

    Parameters
    ----------
    freqs, power : ndarray
        The spectrum.
    low_hz, high_hz : float
        Band over which to fit.
    dof : float
        Degrees of freedom of the spectral estimates.

    Returns
    -------
    ndarray
        Background power at every frequency of ``freqs`` (extrapolated outside the band).

    """
    band = (freqs >= low_hz) & (freqs <= high_hz) & (power > 0)
    logf = np.log10(freqs[band])
    logp = np.log10(power[band])
    keep = np.ones(logf.size, bool)
    coef = np.polyfit(logf, logp, 1)
    for _ in range(3):
        resid = logp - np.polyval(coef, logf)
        keep = resid <= np.quantile(resid, 0.6)
        coef = np.polyfit(logf[keep], logp[keep], 1)
    background = 10 ** np.polyval(coef, np.log10(np.maximum(freqs, 1e-6)))
    ratio = power[band] / background[band]
    # peaks occupy few bins: the 40th percentile of the ratio is a robust noise level
    level = float(np.quantile(ratio, 0.4)) / (stats.chi2.ppf(0.4, dof) / dof)
    return background * level


def peak_threshold(dof: float, n_independent: float, false_alarm: float, floor: float) -> float:
    """Ratio of power to background that noise alone exceeds with chance ``false_alarm``.

    Parameters
    ----------
    dof : float
        Degrees of freedom of each spectral estimate.
    n_independent : float
        Number of independent frequencies searched (Bonferroni correction).
    false_alarm : float
        Accepted chance of a false peak anywhere in the band.
    floor : float
        Least threshold, whatever the statistics say.

    Returns
    -------
    float
        The threshold ratio.

    """
    per_bin = false_alarm / max(n_independent, 1.0)
    return max(floor, float(stats.chi2.isf(per_bin, dof) / dof))


def find_peaks(
    spectrum: Spectrum,
    background: np.ndarray,
    low_hz: float,
    high_hz: float,
    threshold: float,
    weight: np.ndarray | None = None,
) -> list[Peak]:
    """Local maxima of spectrum over background in a band, strongest excess first.

    Parameters
    ----------
    spectrum : Spectrum
        The spectrum.
    background : ndarray
        Aperiodic background on the same grid.
    low_hz, high_hz : float
        Search band.
    threshold : float
        Ratio a peak must exceed to be significant.
    weight : ndarray, optional
        For a derivative of position (acceleration, angular velocity): the factor that turns the
        spectrum into displacement-equivalent power (:func:`displacement_weight`), per frequency.
        Each significant peak is then placed where its displacement-equivalent excess is largest
        (:func:`place_by_displacement`) and the peaks are ranked by that excess, as a position
        sensor's peaks are by theirs. Without it, peaks stay at their largest ratio over
        background and are ranked by excess power in the input's units.

    Returns
    -------
    list of Peak

    Notes
    -----
    Where a peak lies within a broad rhythm does not follow from the ratio over the fitted
    background when the spectrum is a derivative of position: the ratio is unchanged by any power
    of frequency (the fitted power law absorbs it), so it is tilted by the slope of the sensor's
    own noise, which is flat for an accelerometer. Over a broad or lumpy peak it then picks the
    highest-frequency lump, since acceleration power is displacement power times (2 pi f)^4.

    """
    f, p = spectrum.freqs, spectrum.power
    band = np.flatnonzero((f >= low_hz) & (f <= high_hz))
    if band.size < 3:
        return []
    ratio = p / background
    log_ratio = np.log10(ratio[band])
    local, props = signal.find_peaks(log_ratio, prominence=0)
    # a peak must stand out of its own neighbourhood too, not only above the fitted background:
    # this rejects the side lobes on the skirt of a much larger peak
    needed = PROMINENCE_SHARE * np.log10(threshold)
    peaks = []
    for k, prominence in zip(local, props["prominences"], strict=True):
        i = int(band[k])
        peaks.append(
            Peak(
                refine_peak_frequency(f, p, i),
                i,
                float(ratio[i]),
                float(p[i] - background[i]),
                bool(ratio[i] > threshold and prominence >= needed),
            )
        )
    _reject_side_lobes(peaks, f, p, spectrum.resolution_hz)
    if weight is None:
        peaks.sort(key=lambda pk: pk.excess, reverse=True)
        return peaks
    above = np.zeros(f.size, bool)
    above[band] = ratio[band] > threshold
    place_by_displacement(peaks, f, (p - background) * weight, ratio, above)
    for peak in peaks:
        peak.excess = float(p[peak.index] - background[peak.index])
    peaks.sort(key=lambda pk: pk.excess * weight[pk.index], reverse=True)
    return peaks


def place_by_displacement(
    peaks: list[Peak],
    freqs: np.ndarray,
    displacement_excess: np.ndarray,
    ratio: np.ndarray,
    above: np.ndarray,
) -> None:
    """Move each significant peak to the largest displacement-equivalent excess of its rhythm.

    A rhythm occupies the run of frequencies around its peak that stand above the significance
    threshold; where that run holds another significant peak, it ends at the lowest ratio between
    the two. Within it the peak is placed at the largest interior maximum of the
    displacement-equivalent excess (:func:`largest_interior_maximum`), refined between bins by
    :func:`refine_peak_frequency`: the frequency a position sensor on the same movement would
    report. Where that excess only rises towards an end of the run there is no displacement peak
    inside it, and the peak stays where it is. ``index`` and ``freq_hz`` change in place;
    ``ratio`` and ``significant`` stay those of the local maximum that passed the test.

    Parameters
    ----------
    peaks : list of Peak
        Peaks of one spectrum.
    freqs : ndarray
        Frequencies, Hz.
    displacement_excess : ndarray
        Power above the background times :func:`displacement_weight` (displacement-equivalent
        units squared per Hz).
    ratio : ndarray
        Power over background.
    above : ndarray of bool
        Where the ratio passes the significance threshold inside the search band.

    """
    significant = sorted(p.index for p in peaks if p.significant)
    for peak in peaks:
        if not peak.significant:
            continue
        lo, hi = run_around(above, peak.index)
        for other in significant:
            if lo <= other < peak.index:
                lo = other + int(np.argmin(ratio[other : peak.index + 1]))
            elif peak.index < other <= hi:
                hi = peak.index + int(np.argmin(ratio[peak.index : other + 1]))
        i = largest_interior_maximum(displacement_excess, lo, hi)
        if i is not None:
            peak.index = i
            peak.freq_hz = refine_peak_frequency(freqs, np.maximum(displacement_excess, 0.0), i)


def largest_interior_maximum(values: np.ndarray, lo: int, hi: int) -> int | None:
    """Index of the largest local maximum of ``values`` strictly inside ``lo..hi``.

    A maximum on the edge of the stretch is not a peak of its own (the values merely keep rising
    beyond it), so it is not counted.

    Parameters
    ----------
    values : ndarray
        Any sequence.
    lo, hi : int
        Inclusive bounds of the stretch.

    Returns
    -------
    int or None
        None when the stretch holds no interior local maximum.

    """
    inner = np.arange(lo + 1, hi)
    if inner.size == 0:
        return None
    v = values[inner]
    local = (v >= values[inner - 1]) & (v >= values[inner + 1])
    if not local.any():
        return None
    candidates = inner[local]
    return int(candidates[np.argmax(values[candidates])])


def run_around(mask: np.ndarray, index: int) -> tuple[int, int]:
    """First and last index of the run of True values in ``mask`` that holds ``index``.

    Parameters
    ----------
    mask : ndarray of bool
        Any mask.
    index : int
        A position in it; if ``mask[index]`` is False the run is that index alone.

    Returns
    -------
    (int, int)
        Inclusive bounds.

    """
    lo = hi = index
    if not mask[index]:
        return lo, hi
    while lo > 0 and mask[lo - 1]:
        lo -= 1
    while hi < mask.size - 1 and mask[hi + 1]:
        hi += 1
    return lo, hi


def _reject_side_lobes(
    peaks: list[Peak], freqs: np.ndarray, power: np.ndarray, resolution: float
) -> None:
    """Mark as not significant the peaks that are window side lobes of a much larger neighbour.

    Hann side lobes lie within a few resolution bins of their main lobe and at least 31 dB below
    it; a peak that near and over :data:`SIDE_LOBE_DB` below a neighbour is taken for one.
    """
    ratio = 10 ** (SIDE_LOBE_DB / 10)
    for peak in peaks:
        for other in peaks:
            near = abs(other.freq_hz - peak.freq_hz) <= SIDE_LOBE_BINS * resolution
            if near and power[other.index] >= ratio * power[peak.index]:
                peak.significant = False
                break


def refine_peak_frequency(freqs: np.ndarray, power: np.ndarray, index: int) -> float:
    """Frequency of a spectral maximum between bins, by a parabola through log power.

    Parameters
    ----------
    freqs, power : ndarray
        Spectrum.
    index : int
        Bin of the local maximum.

    Returns
    -------
    float
        Refined frequency in Hz.

    """
    if index <= 0 or index >= len(power) - 1:
        return float(freqs[index])
    a, b, c = np.log(np.maximum(power[index - 1 : index + 2], 1e-300))
    denom = a - 2 * b + c
    shift = 0.5 * (a - c) / denom if denom < 0 else 0.0
    return float(freqs[index] + np.clip(shift, -0.5, 0.5) * (freqs[1] - freqs[0]))


def displacement_weight(freqs: np.ndarray, kind: str) -> np.ndarray:
    """Factor turning a power spectrum of ``kind`` into one proportional to displacement power.

    Acceleration is divided by (2 pi f)^4, angular velocity by (2 pi f)^2, positions by 1.
    """
    omega = 2 * np.pi * np.maximum(freqs, 1e-3)
    if kind == "acceleration":
        return omega**-4.0
    if kind == "angular_velocity":
        return omega**-2.0
    return np.ones_like(freqs)


def peak_bandwidth(
    freqs: np.ndarray, power: np.ndarray, background: np.ndarray, index: int
) -> float:
    """Full width at half maximum of a peak's excess over background, in Hz."""
    excess = power - background
    half = excess[index] / 2.0
    lo = index
    while lo > 0 and excess[lo] > half:
        lo -= 1
    hi = index
    while hi < len(excess) - 1 and excess[hi] > half:
        hi += 1
    return float(freqs[hi] - freqs[lo])
