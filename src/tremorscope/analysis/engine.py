"""From one uniform vector signal to a :class:`~tremorscope.results.Finding`.

The steps: high-pass (gravity, posture, drift out) -> Welch spectrum summed over axes -> robust
aperiodic background -> significant peaks -> fundamental of any harmonic series -> check against
slower voluntary movement -> isolate the rhythm, find where it is present, measure its cycles ->
twitches in what is left -> signature comparison -> quality flags.

This module runs the steps in order and notes what limits the measurement. The choice of the
rhythm among the peaks is in :mod:`tremorscope.analysis.rhythm_choice`, its measures in
:mod:`tremorscope.analysis.characterise`, the twitches in :mod:`tremorscope.analysis.twitch`
and the per-window series in :mod:`tremorscope.analysis.windows`.
"""

from __future__ import annotations

import numpy as np

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.characterise import characterise
from tremorscope.analysis.rhythm_choice import choose_rhythm, slow_movement
from tremorscope.analysis.signature import compare_signatures
from tremorscope.analysis.spectral import (
    HANN_ENBW_BINS,
    aperiodic_background,
    displacement_weight,
    find_peaks,
    highpass,
    peak_threshold,
    welch_spectrum,
)
from tremorscope.analysis.twitch import find_twitches, movement_magnitude
from tremorscope.analysis.windows import window_series
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
    WindowRow,
)
from tremorscope.signals.model import UniformSignal

#: Shortest contiguous stretch analysed, in seconds.
MIN_PIECE_S = 2.0
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
        slow = slow_movement(raw, fs, band_hi, config, sig.kind)
        dominant, kind, kind_reasons = choose_rhythm(
            significant, slow, weight, spectrum, background, band_hi, articulated
        )
        rhythmic.peak_to_background_db = round(float(10 * np.log10(dominant.ratio)), 2)
        trace = rh.isolate_rhythm(
            pieces, fs, rh.rhythm_band(dominant.freq_hz, fs, config.highpass_hz)
        )
    movement = movement_magnitude(pieces, fs, config.highpass_hz, band_hi)
    twitches = find_twitches(movement, starts, fs, config, sig.unit, quality.analysed_duration_s)
    if trace is not None and dominant is not None:
        characterise(
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
    windows = window_series(pieces, starts, fs, band_lo, band_hi, trace, twitches)
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
