"""The measures of a found rhythm: where it is present, its frequency, size and steadiness.

From the isolated rhythm of :mod:`tremorscope.analysis.rhythm`: its episodes (twitches'
ringing left out), frequency with its interval, RMS and peak-to-peak amplitude with their
intervals, displacement in physical units, regularity, stability, bandwidth, constancy,
direction and linearity (:func:`characterise`).
"""

from __future__ import annotations

import numpy as np

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.rounding import round_sig
from tremorscope.analysis.spectral import Peak, Spectrum, displacement_weight, peak_bandwidth
from tremorscope.config import AnalysisConfig
from tremorscope.results import Rhythmic, Twitches
from tremorscope.signals.model import UniformSignal

#: Scale of acceleration units to m/s^2.
ACCELERATION_TO_MPS2 = {"m/s^2": 1.0, "g": 9.80665, "mg": 9.80665e-3}


def characterise(
    rhythmic: Rhythmic,
    peak: Peak,
    trace: rh.RhythmTrace,
    pieces: list[np.ndarray],
    starts: list[float],
    fs: float,
    spectrum: Spectrum,
    background: np.ndarray,
    config: AnalysisConfig,
    sig: UniformSignal,
    twitches: Twitches,
) -> None:
    """Fill the rhythm's measures in place; the envelope around twitches does not count."""
    f0 = peak.freq_hz
    band = trace.band_hz
    inside = (spectrum.freqs >= band[0]) & (spectrum.freqs <= band[1])
    noise_power = float(np.trapezoid(background[inside], spectrum.freqs[inside]))
    rh.mark_presence(trace, rh.noise_envelope_threshold(noise_power), config.envelope_relative)
    _mask_twitches(trace, starts, fs, twitches, ringing_s=1.0 / (band[1] - band[0]))
    episodes: list[tuple[float, float]] = []
    cycle_f, cycle_pp, in_episode = [], [], []
    for present, start, x in zip(trace.present, starts, trace.projected, strict=True):
        eps = rh.episodes_from_presence(present, start, fs, config.min_cycles / f0, 2.0 / f0)
        episodes.extend(eps)
        mask = np.zeros(len(x), bool)
        for t0, t1 in eps:
            mask[round((t0 - start) * fs) : round((t1 - start) * fs)] = True
        freqs, sizes = rh.cycle_frequencies(x, fs, mask)
        cycle_f.append(freqs)
        cycle_pp.append(sizes)
        in_episode.append(x[mask])
    if not episodes:
        return
    total_s = sum(len(p) for p in pieces) / fs
    episode_s = sum(t1 - t0 for t0, t1 in episodes)
    freqs = np.concatenate(cycle_f)
    sizes = np.concatenate(cycle_pp)
    samples = np.concatenate(in_episode)
    rms = float(np.sqrt(np.mean(samples**2)))
    p2p = float(np.median(sizes)) if sizes.size else 2 * np.sqrt(2) * rms
    band_power = (spectrum.freqs >= config.band_low_hz) & (spectrum.freqs <= band[1] + 10)
    near = np.abs(spectrum.freqs - f0) <= max(0.5, spectrum.resolution_hz)
    in_band = band_power & (spectrum.freqs <= config.band_high_hz)
    rhythmic.detected = True
    rhythmic.kind = "tremor"
    rhythmic.frequency_hz = round(f0, 3)
    lo, hi = rh.frequency_interval(
        f0, freqs, episode_s, (band[1] - band[0]) / 2, spectrum.resolution_hz
    )
    rhythmic.frequency_ci_hz = (round(max(lo, band[0]), 3), round(hi, 3))
    rhythmic.amplitude = round_sig(rms)
    lo_amp, hi_amp = amplitude_interval(in_episode, fs, f0, noise_power)
    rhythmic.amplitude_ci = (round_sig(min(lo_amp, rms)), round_sig(max(hi_amp, rms)))
    rhythmic.amplitude_peak_to_peak = round_sig(p2p)
    largest = largest_peak_to_peak(in_episode, fs, f0, noise_power)
    if largest is not None:
        rhythmic.amplitude_peak_to_peak_max = round_sig(largest)
    _displacement(rhythmic, sig, f0, rms, p2p)
    rhythmic.regularity = round(
        float(spectrum.power[near & in_band].sum() / spectrum.power[in_band].sum()), 3
    )
    tsi = rh.tremor_stability_index(freqs)
    rhythmic.stability_index_hz = None if tsi is None else round(tsi, 3)
    weight = displacement_weight(spectrum.freqs, sig.kind)
    rhythmic.bandwidth_hz = round(
        peak_bandwidth(spectrum.freqs, spectrum.power * weight, background * weight, peak.index), 3
    )
    rhythmic.constancy = round(min(1.0, episode_s / total_s), 3)
    rhythmic.episodes = [(round(a, 3), round(b, 3)) for a, b in episodes]
    rhythmic.direction = [round(float(v), 4) for v in trace.direction]
    rhythmic.linearity = round(trace.linearity, 3)


def block_mean_squares(pieces: list[np.ndarray], fs: float, f0: float) -> list[float]:
    """Mean square of a rhythm over consecutive blocks of at least 1 s and two cycles.

    Parameters
    ----------
    pieces : list of ndarray
        Band-limited samples inside episodes, one array per stretch of the record.
    fs : float
        Sample rate, Hz.
    f0 : float
        The rhythm's frequency, Hz.

    Returns
    -------
    list of float
        One mean square per whole block.

    """
    block = max(2, round(fs * max(1.0, 2.0 / f0)))
    return [
        float(np.mean(x[i : i + block] ** 2))
        for x in pieces
        for i in range(0, len(x) - block + 1, block)
    ]


def largest_peak_to_peak(
    pieces: list[np.ndarray], fs: float, f0: float, noise_power: float
) -> float | None:
    """The rhythm's largest sustained peak-to-peak: from its strongest block of about 1 s.

    Single cycles are too easily enlarged by other movement in the band, so the size is read
    from the block with the largest mean square, less the background noise power, as
    ``2 sqrt(2)`` times its RMS (exact for a sinusoid).

    Parameters
    ----------
    pieces : list of ndarray
        Band-limited samples inside episodes, one array per stretch of the record.
    fs : float
        Sample rate, Hz.
    f0 : float
        The rhythm's frequency, Hz.
    noise_power : float
        Background power integrated over the rhythm's band (squared input units).

    Returns
    -------
    float or None
        None when the episodes hold no whole block.

    """
    squares = block_mean_squares(pieces, fs, f0)
    if not squares:
        return None
    return float(2 * np.sqrt(2) * np.sqrt(max(0.0, max(squares) - noise_power)))


def amplitude_interval(
    pieces: list[np.ndarray], fs: float, f0: float, noise_power: float
) -> tuple[float, float]:
    """95 % interval of a rhythm's RMS amplitude from its samples while present.

    The mean square is averaged over blocks of at least one second (two cycles), so the
    interval reflects how much the rhythm's size varies over the recording. Band-limited noise
    adds its power to the mean square, so the lower end also subtracts the background power in
    the band.

    Parameters
    ----------
    pieces : list of ndarray
        Band-limited samples inside episodes, one array per stretch of the record.
    fs : float
        Sample rate, Hz.
    f0 : float
        The rhythm's frequency, Hz.
    noise_power : float
        Background power integrated over the rhythm's band (squared input units).

    Returns
    -------
    (float, float)
        Low and high RMS amplitude, input units.

    """
    squares = block_mean_squares(pieces, fs, f0)
    everything = np.concatenate(pieces) if pieces else np.zeros(0)
    if not everything.size:
        return 0.0, 0.0
    mean_square = float(np.mean(everything**2))
    if len(squares) >= 3:
        se = float(np.std(squares, ddof=1) / np.sqrt(len(squares)))
    else:  # too short for blocks: the chi-square spread of about two samples per cycle
        cycles = max(1.0, everything.size / fs * f0)
        se = mean_square / np.sqrt(cycles)
    low = max(0.0, mean_square - 1.96 * se - noise_power)
    high = mean_square + 1.96 * se
    return float(np.sqrt(low)), float(np.sqrt(high))


def _mask_twitches(
    trace: rh.RhythmTrace, starts: list[float], fs: float, twitches: Twitches, ringing_s: float
) -> None:
    """Clear presence around twitches: their ringing in the rhythm band is not a rhythm."""
    for event in twitches.events:
        half = event.duration_s / 2 + ringing_s
        for present, start in zip(trace.present, starts, strict=True):
            a = max(0, int((event.t - half - start) * fs))
            b = min(len(present), int(np.ceil((event.t + half - start) * fs)))
            if a < b:
                present[a:b] = False


def _displacement(
    rhythmic: Rhythmic, sig: UniformSignal, f0: float, rms: float, p2p: float
) -> None:
    if sig.kind == "position":
        rhythmic.displacement_rms, rhythmic.displacement_peak_to_peak = (
            round_sig(rms),
            round_sig(p2p),
        )
        rhythmic.displacement_unit = sig.unit
    elif sig.kind == "acceleration" and sig.unit in ACCELERATION_TO_MPS2:
        to_mm = ACCELERATION_TO_MPS2[sig.unit] * 1000.0 / (2 * np.pi * f0) ** 2
        rhythmic.displacement_rms = round_sig(rms * to_mm)
        rhythmic.displacement_peak_to_peak = round_sig(p2p * to_mm)
        rhythmic.displacement_unit = "mm (from acceleration at the rhythm frequency)"
