"""Physical scale: pixels per centimetre, given by the user or estimated from the body.

The estimate comes from the pose model's landmarks in metres
(:mod:`tremorscope.locate.world_scale`): each detection of a person gives pixels per centimetre
from all of its confidently seen landmarks, so it holds whether the person faces the camera,
stands side-on or bends. The shoulders' width is kept as a cross-check, and as the fallback
where no detection's fit is credible, but only from detections whose shoulders face the camera.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

import numpy as np

from tremorscope.locate.world_scale import ScaleSample
from tremorscope.measurement import RegionTrack
from tremorscope.results import Finding, Scale

#: Distance between mediapipe's shoulder landmarks (near the shoulder joint centres) in adults,
#: centimetres: a little under bone-to-bone (biacromial) breadth, which averages about 40 cm
#: in men and 36 cm in women in anthropometric surveys (e.g. ANSUR II). Mean and SD used here.
SHOULDER_CM = 36.0
SHOULDER_SD_CM = 3.0
#: mediapipe's world landmarks put every person on an average adult body: a person's true size
#: lies within this share of it (95 %, relative). Adult stature spans about +-12 % around its
#: mean over both sexes (95 % range, e.g. 150-190 cm); the model's own size for one person
#: varies by a few per cent with posture (seated people come out smaller). Children are smaller
#: than this allows: their centimetres read too large.
BODY_SIZE_REL = 0.15
#: The same for the head alone (a face close up): adult head breadth spans about +-8 % (95 %),
#: but the pose's few face landmarks fit less well; against the eyes' spacing and the irises
#: (the least variable sizes of the body), head fits on real faces came out within 20 %.
HEAD_SIZE_REL = 0.20
#: A person gets a scale from the body landmarks when at least this share of their detections
#: gave a credible fit (:attr:`tremorscope.locate.world_scale.WorldFit.credible`).
MIN_CREDIBLE_SHARE = 0.5


def scale_given(px_per_cm: float) -> Scale:
    """A scale the user measured (e.g. a ruler in the picture).

    Parameters
    ----------
    px_per_cm : float
        Pixels per centimetre at the distance of the moving body part.

    Returns
    -------
    Scale

    """
    if not px_per_cm > 0:
        raise ValueError("px_per_cm must be positive")
    return Scale(
        px_per_cm=round(px_per_cm, 4),
        px_per_cm_ci=(round(px_per_cm, 4), round(px_per_cm, 4)),
        source="given",
        note="scale given by the user",
    )


def scale_from_shoulders(widths_px: list[float]) -> Scale | None:
    """Estimate a person's scale from the distance between their shoulders.

    A person turned away from the camera shows narrower shoulders, never wider ones, so the
    90th percentile of the widths seen is taken as the frontal width. The interval spans the
    adult population's 95 % range of shoulder width.

    Parameters
    ----------
    widths_px : list of float
        Shoulder-to-shoulder distances in pixels, one per detection.

    Returns
    -------
    Scale or None
        None without any width.

    """
    if not widths_px:
        return None
    width = float(np.percentile(widths_px, 90))
    low_cm = SHOULDER_CM - 1.96 * SHOULDER_SD_CM
    high_cm = SHOULDER_CM + 1.96 * SHOULDER_SD_CM
    return Scale(
        px_per_cm=round(width / SHOULDER_CM, 4),
        px_per_cm_ci=(round(width / high_cm, 4), round(width / low_cm, 4)),
        source="shoulder width",
        note=(
            f"estimated from the shoulders ({width:.0f} px, taken as {SHOULDER_CM:g} +- "
            f"{1.96 * SHOULDER_SD_CM:.1f} cm, the adult range): about +-16 %; body parts nearer "
            "the camera than the shoulders (feet of a seated person) read larger"
        ),
    )


def scale_from_body(samples: Sequence[ScaleSample]) -> Scale | None:
    """A person's scale from their detections' world-landmark fits, checked by their shoulders.

    The median of the credible detections' pixels per centimetre: their whole body's fits
    (``source="body"``) where at least :data:`MIN_CREDIBLE_SHARE` of the detections gave one,
    else their head's (a face close up). Its interval combines (in quadrature, on a log scale)
    the model's assumption of an average adult body (:data:`BODY_SIZE_REL`, or
    :data:`HEAD_SIZE_REL` for the head, 95 %) and the spread of the detections (their central
    95 %: a person moving nearer or farther, or the model's fit varying). Detections whose
    shoulders face the camera give a second estimate (:func:`scale_from_shoulders`); where the
    two disagree by more than both intervals allow, the interval is widened to reach the
    shoulders' estimate. Without credible fits, the shoulders facing the camera alone give the
    scale; without them, there is none.

    Parameters
    ----------
    samples : sequence of ScaleSample
        One per detection of the person (all of a clip, or those of one shot).

    Returns
    -------
    Scale or None
        ``source`` ``"body landmarks"``, ``"head landmarks"`` or ``"shoulder width"``; None
        when none is credible.

    """
    frontal = [s.shoulder_px for s in samples if s.shoulder_px is not None]
    shoulders = scale_from_shoulders(frontal)
    for source, rel, name, words in (
        ("body", BODY_SIZE_REL, "body landmarks", "the body's"),
        ("head", HEAD_SIZE_REL, "head landmarks", "the head's"),
    ):
        fits = np.array([s.px_per_cm for s in samples if s.source == source], float)
        if fits.size and fits.size >= MIN_CREDIBLE_SHARE * len(samples):
            return _from_fits(fits, len(samples), rel, name, words, shoulders)
    if shoulders is None:
        return None
    return shoulders.model_copy(
        update={
            "note": f"{shoulders.note}; from the {len(frontal)} detection(s) facing the camera "
            "(the body landmarks gave no credible fit)"
        }
    )


def _from_fits(
    fits: np.ndarray,
    detections: int,
    rel: float,
    source: Literal["body landmarks", "head landmarks"],
    words: str,
    shoulders: Scale | None,
) -> Scale:
    """The scale from credible fits (see :func:`scale_from_body`)."""
    logs = np.log(fits)
    centre = float(np.median(logs))
    spread = float(np.max(np.abs(np.percentile(logs, [2.5, 97.5]) - centre)))
    half = float(np.hypot(np.log1p(rel), spread))
    low, high = centre - half, centre + half
    px_per_cm = float(np.exp(centre))
    note = (
        f"estimated from {words} landmarks in metres (mediapipe's world landmarks, "
        f"{fits.size} of {detections} detection(s): {px_per_cm:.3g} px/cm, detections within "
        f"+-{100 * np.expm1(spread):.0f} %), on the model's average adult body "
        f"(+-{100 * rel:.0f} %): about +-{100 * np.expm1(half):.0f} %; body parts nearer the "
        "camera than the body's middle (feet of a seated person) read larger"
    )
    if shoulders is not None:
        ratio = float(np.log(shoulders.px_per_cm / px_per_cm))
        both = np.hypot(np.log1p(rel), np.log1p(1.96 * SHOULDER_SD_CM / SHOULDER_CM))
        seen = f"; the shoulders facing the camera give {shoulders.px_per_cm:.3g} px/cm"
        if abs(ratio) <= both:
            note += f"{seen}, consistent"
        else:
            low, high = min(low, centre + ratio), max(high, centre + ratio)
            note += f"{seen}, more than both estimates allow: the interval is widened to reach it"
    return Scale(
        px_per_cm=round(px_per_cm, 4),
        px_per_cm_ci=(round(float(np.exp(low)), 4), round(float(np.exp(high)), 4)),
        source=source,
        note=note,
    )


#: A shot whose scale for a person differs from their scale over the clip by more than this share
#: is another framing (a close-up, a reframed view): its pixel sizes are put at the clip's.
FRAMING_CHANGE = 0.1


def framing_factors(
    samples: Sequence[ScaleSample], shots: Sequence[tuple[float, float]]
) -> list[tuple[float, float, float]]:
    """What puts each differently framed shot's pixels at a person's scale over the clip.

    Parameters
    ----------
    samples : sequence of ScaleSample
        The person's detections over the clip.
    shots : sequence of (float, float)
        Start and end of each shot, seconds.

    Returns
    -------
    list of (float, float, float)
        ``(start s, end s, factor)`` for each shot whose own scale
        (:func:`scale_from_body` of its detections) differs from the whole clip's by more than
        :data:`FRAMING_CHANGE`; ``factor`` (clip px/cm over the shot's) multiplies that shot's
        pixel sizes. Empty for a person seen at one framing, or without a scale.

    """
    whole = scale_from_body(samples)
    if whole is None:
        return []
    factors = []
    for start, end in shots:
        shot = scale_from_body([s for s in samples if start <= s.t < end])
        if shot is None:
            continue
        factor = whole.px_per_cm / shot.px_per_cm
        if abs(np.log(factor)) > np.log1p(FRAMING_CHANGE):
            factors.append((start, end, float(factor)))
    return factors


def at_one_scale(
    track: RegionTrack, times: np.ndarray, factors: Sequence[tuple[float, float, float]]
) -> RegionTrack:
    """A region's series with each shot's pixel sizes multiplied by its framing factor.

    Parameters
    ----------
    track : RegionTrack
        The region's series.
    times : ndarray
        Frame times, seconds.
    factors : sequence of (float, float, float)
        From :func:`framing_factors`.

    Returns
    -------
    RegionTrack
        The same track when no factor applies to it. Shots are analysed apart (a cut is a
        break), so each shot's series only changes size.

    """
    gain = np.ones(len(times))
    for start, end, factor in factors:
        gain[(times >= start) & (times < end)] = factor
    if np.all(gain == 1.0):
        return track

    def scaled(values: np.ndarray) -> np.ndarray:
        return values * (gain[:, None] if values.ndim == 2 else gain)

    return dataclasses.replace(
        track,
        displacement=scaled(track.displacement),
        part_displacement=scaled(track.part_displacement),
        articulation=scaled(track.articulation),
    )


def apply_scale(finding: Finding, scale: Scale) -> None:
    """Add centimetres to a finding measured in pixels, in place.

    The intervals combine the amplitude's own interval with the scale's range (both ends at
    once, so they err on the wide side).

    Parameters
    ----------
    finding : Finding
        A finding whose amplitude is in ``px``.
    scale : Scale
        The person's (or the user's) scale.

    """
    r = finding.rhythmic
    if r.amplitude is None or r.amplitude_unit != "px":
        return
    lo, hi = scale.px_per_cm_ci
    amp_lo, amp_hi = r.amplitude_ci or (r.amplitude, r.amplitude)
    r.amplitude_cm = _round(r.amplitude / scale.px_per_cm)
    r.amplitude_cm_ci = (_round(amp_lo / hi), _round(amp_hi / lo))
    if r.amplitude_peak_to_peak is not None:
        r.amplitude_peak_to_peak_cm = _round(r.amplitude_peak_to_peak / scale.px_per_cm)
    if r.amplitude_peak_to_peak_max is not None and r.amplitude > 0:
        p2p = r.amplitude_peak_to_peak_max
        r.amplitude_peak_to_peak_max_cm = _round(p2p / scale.px_per_cm)
        r.amplitude_peak_to_peak_max_cm_ci = (
            _round(p2p * amp_lo / r.amplitude / hi),
            _round(p2p * amp_hi / r.amplitude / lo),
        )


def _round(value: float) -> float:
    return float(f"{value:.4g}")
