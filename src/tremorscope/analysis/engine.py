"""From one uniform vector signal to a :class:`~tremorscope.results.Finding`.

The steps: high-pass (gravity, posture, drift out) -> Welch spectrum summed over axes -> robust
aperiodic background -> significant peaks -> fundamental of any harmonic series -> check against
slower voluntary movement -> isolate the rhythm, find where it is present, measure its cycles ->
twitches in what is left -> signature comparison -> quality flags.
"""

from __future__ import annotations

import numpy as np

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.signature import compare_signatures
from tremorscope.analysis.spectral import (
    HANN_ENBW_BINS,
    Peak,
    Spectrum,
    aperiodic_background,
    bandpass,
    displacement_weight,
    find_peaks,
    highpass,
    peak_bandwidth,
    peak_threshold,
    welch_spectrum,
)
from tremorscope.analysis.twitch import find_excursions, global_threshold
from tremorscope.config import AnalysisConfig
from tremorscope.results import (
    Finding,
    Group,
    JudgedSignal,
    Quality,
    QualityFlag,
    Rhythmic,
    Signature,
    SignatureMatch,
    Twitches,
    TwitchEvent,
    WindowRow,
)
from tremorscope.signals.model import UniformSignal

#: Shortest contiguous stretch analysed, in seconds.
MIN_PIECE_S = 2.0
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
#: Sliding windows of the per-window series.
WINDOW_S, WINDOW_STEP_S = 4.0, 1.0
#: Scale of acceleration units to m/s^2.
ACCELERATION_TO_MPS2 = {"m/s^2": 1.0, "g": 9.80665, "mg": 9.80665e-3}
#: Kinds whose spectrum is a time derivative of position (power x (2 pi f)^4 or ^2): their peaks
#: are placed and ranked by displacement-equivalent excess (``spectral.find_peaks``), so that they
#: report the frequency a position sensor on the same movement would. Positions (video, motion
#: capture, landmarks) and unknown kinds keep the largest ratio over their background.
DERIVATIVE_KINDS = ("acceleration", "angular_velocity")


def analyze_uniform(
    sig: UniformSignal,
    config: AnalysisConfig | None = None,
    context: str = "unknown",
    articulated: bool = False,
) -> Group:
    """Analyse one vector signal on a uniform grid.

    Parameters
    ----------
    sig : UniformSignal
        The signal, possibly in several valid segments.
    config : AnalysisConfig, optional
        Settings; defaults suit human tremor.
    context : str
        ``rest``, ``postural``, ``kinetic``, ``standing`` or ``unknown``; used for the signature.
    articulated : bool
        The signal is how parts of a hand move against each other (fingers against the palm).
        There a rhythm with a clear harmonic, at any frequency, is a repetitive movement
        (tapping, opening and closing): tremor of the fingers is close to sinusoidal.

    Returns
    -------
    Group
        The finding and the per-window series.

    """
    config = config or AnalysisConfig()
    fs = sig.rate_hz
    quality = Quality(sample_rate_hz=round(fs, 4))
    band_lo = config.band_low_hz
    band_hi = min(config.band_high_hz, config.nyquist_margin * fs / 2.0)
    quality.band_hz = (band_lo, round(band_hi, 3))
    _note_sampling(sig, band_hi, config, quality)
    keep = [(a, b) for a, b in sig.segments if (b - a) / fs >= shortest_record_s(config)]
    quality.analysed_duration_s = round(sum(b - a for a, b in keep) / fs, 3)
    if band_hi <= band_lo * 1.5 or not keep:
        why = (
            "sampling rate too low for the tremor band"
            if keep
            else f"no stretch of valid data of at least {shortest_record_s(config):g} s"
        )
        quality.add(QualityFlag.NOT_MEASURABLE, why)
        _note_too_short(sig, config, quality)
        return _group(sig, _empty_finding(quality, sig.unit), [])
    raw = [sig.values[a:b] for a, b in keep]
    starts = [float(sig.time_s[a]) for a, _ in keep]
    pieces = [highpass(p, fs, config.highpass_hz) for p in raw]
    spectrum = welch_spectrum(pieces, fs, config.welch_segment_s)
    if spectrum.resolution_hz > 0.5:
        quality.add(
            QualityFlag.SHORT_RECORD, f"frequency resolution only {spectrum.resolution_hz:.2f} Hz"
        )
    background = aperiodic_background(
        spectrum.freqs, spectrum.power, band_lo, band_hi, spectrum.dof
    )
    n_independent = (band_hi - band_lo) / (spectrum.resolution_hz * HANN_ENBW_BINS)
    threshold = peak_threshold(
        spectrum.dof, n_independent, config.false_alarm, config.min_peak_ratio
    )
    weight = displacement_weight(spectrum.freqs, sig.kind)
    placement = weight if sig.kind in DERIVATIVE_KINDS else None
    peaks = find_peaks(spectrum, background, band_lo, band_hi, threshold, placement)
    significant = [p for p in peaks if p.significant]
    rhythmic = Rhythmic(detected=False, amplitude_unit=sig.unit)
    trace = None
    if peaks:
        rhythmic.peak_to_background_db = round(float(10 * np.log10(peaks[0].ratio)), 2)
    dominant, kind, kind_reasons, slow = None, "none", [], []
    if significant:
        slow = _slow_movement(raw, fs, band_hi, config, sig.kind)
        dominant, kind, kind_reasons = _choose_rhythm(
            significant, slow, weight, spectrum, background, band_hi, articulated
        )
        rhythmic.peak_to_background_db = round(float(10 * np.log10(dominant.ratio)), 2)
        trace = rh.isolate_rhythm(
            pieces, fs, rh.rhythm_band(dominant.freq_hz, fs, config.highpass_hz)
        )
    movement = movement_magnitude(pieces, fs, config.highpass_hz, band_hi)
    twitches = _twitches(movement, starts, fs, config, sig.unit, quality.analysed_duration_s)
    if trace is not None and dominant is not None:
        _characterise(
            rhythmic,
            dominant,
            trace,
            pieces,
            starts,
            fs,
            spectrum,
            background,
            config,
            sig,
            twitches,
        )
        if rhythmic.detected:
            rhythmic.kind = kind
            rhythmic.kind_reasons = kind_reasons
        if slow and rhythmic.kind == "tremor":
            quality.add(
                QualityFlag.VOLUNTARY_MOVEMENT_PRESENT,
                f"slower movement at {slow[0].freq_hz:.2f} Hz in the recording: "
                "rhythm measured during movement",
            )
    signature = signature_for(rhythmic, context)
    if (
        rhythmic.detected
        and rhythmic.peak_to_background_db is not None
        and rhythmic.peak_to_background_db < 10
    ):
        quality.add(
            QualityFlag.WEAK_RHYTHM, "the rhythm stands less than 10 dB above the background"
        )
    finding = Finding(rhythmic=rhythmic, twitches=twitches, signature=signature, quality=quality)
    windows = _windows(pieces, starts, fs, band_lo, band_hi, trace, twitches)
    group = _group(sig, finding, windows)
    group._evidence = JudgedSignal(
        time_s=[sig.time_s[a:b] for a, b in keep],
        series=raw,
        movement=movement,
        rhythm=trace.projected if trace is not None else None,
        rhythm_band_hz=trace.band_hz if trace is not None else None,
        freqs=spectrum.freqs,
        power=spectrum.power,
        background=background,
        threshold=float(threshold),
        band_hz=(band_lo, band_hi),
    )
    return group


def choose_dominant(groups: list[Group]) -> Group | None:
    """The group whose finding best shows an involuntary rhythm.

    Tremor-like rhythms come first, then voluntary-like, then none. Among rhythms of the same
    kind, one measured in physical units with a displacement estimate (a position, or an
    accelerometer whose unit was recognised from gravity) comes before one without (a gyroscope,
    whose units are not inferred): an IMU's accelerometer and gyroscope see the same wrist
    rhythm, and only the accelerometer's size can be read in millimetres, set against a position
    reference or the rating scale's centimetres. Remaining ties go to the highest peak over
    background.
    """
    if not groups:
        return None
    rank = {"tremor": 3, "undetermined": 2, "voluntary": 1}

    def score(group: Group) -> tuple[int, int, int, float]:
        r = group.finding.rhythmic
        return (
            int(r.detected),
            rank.get(r.kind, 0),
            int(has_displacement(r)),
            r.peak_to_background_db or -np.inf,
        )

    return max(groups, key=score)


def has_displacement(rhythmic: Rhythmic) -> bool:
    """Whether a rhythm's size is also given as a displacement (physical units).

    Parameters
    ----------
    rhythmic : Rhythmic
        A measured rhythm.

    Returns
    -------
    bool
        True for a detected rhythm of a position, or of an accelerometer in m/s^2, g or mg.

    """
    return rhythmic.detected and rhythmic.displacement_rms is not None


def _group(sig: UniformSignal, finding: Finding, windows: list[WindowRow]) -> Group:
    return Group(
        name=sig.name,
        channels=sig.channels,
        kind=sig.kind,
        unit=sig.unit,
        finding=finding,
        windows=windows,
    )


def _empty_finding(quality: Quality, unit: str) -> Finding:
    return Finding(
        rhythmic=Rhythmic(detected=False, amplitude_unit=unit),
        twitches=Twitches(count=0, rate_per_min=0.0, unit=unit),
        signature=Signature(statement="Nothing measurable."),
        quality=quality,
    )


def shortest_record_s(config: AnalysisConfig) -> float:
    """The shortest stretch of valid data (s) in which a rhythm in the band can be measured.

    At least :data:`MIN_PIECE_S`, and ``config.min_cycles`` cycles of the band's slowest rhythm.
    """
    return max(MIN_PIECE_S, config.min_cycles / config.band_low_hz)


def _note_too_short(sig: UniformSignal, config: AnalysisConfig, quality: Quality) -> None:
    """Flag a record shorter than any rhythm in the band needs, with the length that would do."""
    duration = len(sig.values) / sig.rate_hz
    needed = shortest_record_s(config)
    if duration < needed:
        quality.add(
            QualityFlag.TOO_SHORT,
            f"the record lasts {duration:.2f} s; a rhythm from {config.band_low_hz:g} Hz up "
            f"needs at least {needed:g} s of valid data",
        )


def _note_sampling(
    sig: UniformSignal, band_hi: float, config: AnalysisConfig, quality: Quality
) -> None:
    if band_hi < config.band_high_hz:
        quality.add(
            QualityFlag.BAND_CAPPED_BY_SAMPLING_RATE,
            f"rhythms above {band_hi:.1f} Hz cannot be seen at {sig.rate_hz:.4g} Hz sampling",
        )
    if band_hi < 18.0:
        quality.add(QualityFlag.ORTHOSTATIC_BAND_NOT_VISIBLE)
    if sig.resampled:
        quality.add(
            QualityFlag.IRREGULAR_SAMPLING_RESAMPLED,
            "irregular sampling was interpolated onto a uniform grid",
        )
    if sig.bridged_gaps:
        quality.add(
            QualityFlag.GAPS_BRIDGED,
            f"{sig.bridged_gaps} short gap(s) ({sig.bridged_s:.2f} s in all) "
            "bridged by linear interpolation",
        )
    if len(sig.segments) > 1:
        quality.add(
            QualityFlag.RECORD_SPLIT_AT_GAPS,
            f"long gaps split the record into {len(sig.segments)} pieces",
        )


def _choose_rhythm(
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


def _slow_movement(
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


def _characterise(
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
    rhythmic.amplitude = _sig(rms)
    lo_amp, hi_amp = amplitude_interval(in_episode, fs, f0, noise_power)
    rhythmic.amplitude_ci = (_sig(min(lo_amp, rms)), _sig(max(hi_amp, rms)))
    rhythmic.amplitude_peak_to_peak = _sig(p2p)
    largest = largest_peak_to_peak(in_episode, fs, f0, noise_power)
    if largest is not None:
        rhythmic.amplitude_peak_to_peak_max = _sig(largest)
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
        rhythmic.displacement_rms, rhythmic.displacement_peak_to_peak = _sig(rms), _sig(p2p)
        rhythmic.displacement_unit = sig.unit
    elif sig.kind == "acceleration" and sig.unit in ACCELERATION_TO_MPS2:
        to_mm = ACCELERATION_TO_MPS2[sig.unit] * 1000.0 / (2 * np.pi * f0) ** 2
        rhythmic.displacement_rms = _sig(rms * to_mm)
        rhythmic.displacement_peak_to_peak = _sig(p2p * to_mm)
        rhythmic.displacement_unit = "mm (from acceleration at the rhythm frequency)"


def _sig(value: float, digits: int = 4) -> float:
    """Round to significant digits."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


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


def _twitches(
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
                        t=round(ex.t, 3), size=_sig(ex.size), duration_s=round(ex.duration_s, 3)
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
        threshold=_sig(threshold),
        longer_movements=longer,
    )


def signature_for(rhythmic: Rhythmic, context: str) -> Signature:
    """Compare a rhythm with the known tremor types in a condition (see ``signature.py``)."""
    if not rhythmic.detected or rhythmic.frequency_hz is None:
        return Signature(context=context, statement="No rhythm to compare with tremor types.")
    if rhythmic.kind == "voluntary":
        return Signature(
            context=context,
            statement="The rhythm looks like voluntary movement; "
            "it is not compared with tremor types.",
        )
    ranked = compare_signatures(rhythmic.frequency_hz, rhythmic.stability_index_hz, context)
    matches = [SignatureMatch(name=t.name, resemblance=s, reasons=r) for t, s, r in ranked]
    if not matches:
        return Signature(context=context, statement="The frequency matches no known tremor type.")
    top = matches[0]
    statement = (
        f"Closest resemblance: {top.name} ({top.reasons[0]}). A resemblance of the "
        "measured rhythm, not a diagnosis."
    )
    return Signature(context=context, closest=top.name, matches=matches, statement=statement)


def _windows(
    pieces: list[np.ndarray],
    starts: list[float],
    fs: float,
    band_lo: float,
    band_hi: float,
    trace: rh.RhythmTrace | None,
    twitches: Twitches,
) -> list[WindowRow]:
    """Per-window peak frequency, rhythm size and presence, and twitch count."""
    rows = []
    n = round(WINDOW_S * fs)
    step = round(WINDOW_STEP_S * fs)
    taper = np.hanning(n)
    nfft = int(2 ** np.ceil(np.log2(n * 8)))
    freqs = np.fft.rfftfreq(nfft, 1 / fs)
    band = (freqs >= band_lo) & (freqs <= band_hi)
    times = np.array([e.t for e in twitches.events])
    for i, (piece, start) in enumerate(zip(pieces, starts, strict=True)):
        for a in range(0, len(piece) - n + 1, step):
            seg = piece[a : a + n]
            power = (np.abs(np.fft.rfft(seg * taper[:, None], nfft, axis=0)) ** 2).sum(axis=1)
            t0, t1 = start + a / fs, start + (a + n) / fs
            rms = present = None
            if trace is not None:
                x = trace.projected[i][a : a + n]
                rms = _sig(float(np.sqrt(np.mean(x**2))))
                present = float(trace.present[i][a : a + n].mean()) if trace.present else 0.0
            rows.append(
                WindowRow(
                    t_start=round(t0, 3),
                    t_end=round(t1, 3),
                    peak_hz=round(float(freqs[band][np.argmax(power[band])]), 3),
                    rhythm_rms=rms,
                    present=round(present or 0.0, 3),
                    twitches=int(((times >= t0) & (times < t1)).sum()) if times.size else 0,
                )
            )
    return rows
