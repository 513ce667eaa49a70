"""Physical scale: pixels per centimetre, given by the user or estimated from the body."""

from __future__ import annotations

import numpy as np

from tremorscope.results import Finding, Scale

#: Distance between mediapipe's shoulder landmarks (near the shoulder joint centres) in adults,
#: centimetres: a little under bone-to-bone (biacromial) breadth, which averages about 40 cm
#: in men and 36 cm in women in anthropometric surveys (e.g. ANSUR II). Mean and SD used here.
SHOULDER_CM = 36.0
SHOULDER_SD_CM = 3.0


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
