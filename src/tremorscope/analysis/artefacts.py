"""What video can't vouch for: motion under the floor, and what the camera or encoder makes.

- **The floor.** Rhythms under ``VideoConfig.min_rhythm_px`` are marked not detected (their
  frequency and size kept, flag ``below_measurement_floor``); twitches obey a floor too
  (``min_twitch_px``). Below the rhythm floor, tracking noise and compression artefacts of a
  still region can form a peak (0.003-0.045 px RMS error measured for Lucas-Kanade on H.264, see
  MEASURED.md). A jerk is one event, with none of the averaging over cycles that lets a 0.1 px
  RMS rhythm stand out of the noise, so it must be larger: three times the floor's RMS, about
  twice a sinusoid's peak at it.
- **The encoder's cycle.** H.264 encoders code frames in a repeating pattern (``P B B B``: every
  fourth frame a P frame, whose quality differs from the B frames'). Under camera motion (a zoom,
  a pan) that pattern leaves a small periodic error in tracked positions at exactly the frame
  rate over the pattern's length (7.5 Hz at 30 fps with three B frames, 6.25 Hz at 25 fps),
  measured here on re-encoded footage at 0.12-0.18 px, and at 0.31 px on a sleeping baby under a
  smooth zoom. A small rhythm at that frequency is the encoder's, a slightly larger one may be
  (``undetermined``); the pattern is read from the stream's own picture types.
- **Jumps of the video.** A twitch at the same moment in most regions, or when the camera's
  compensated motion jumps by a comparable amount (the integer crop steps of a digital zoom),
  is an event of the video, not a twitch of the body part.

Each step takes findings by region and returns new ones (those it changes are copies).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np

from tremorscope.config import VideoConfig
from tremorscope.results import Finding, QualityFlag, Rhythmic, Signature, TwitchEvent

K = TypeVar("K")

#: Picture-type patterns looked for (frames per cycle), and the share of frames that must repeat
#: the type ``k`` frames before for the pattern to count.
CYCLE_LENGTHS = range(2, 9)
CYCLE_REGULARITY = 0.8


def apply_floor(findings: Mapping[K, Finding], config: VideoConfig) -> dict[K, Finding]:
    """Mark rhythms too small to be told from tracking and compression noise as not detected.

    Their frequency and size stay in the result (a user who drew a region around a vibrating
    object wants to see the rhythm that is there), flagged ``below_measurement_floor``; they are
    never called tremor, never scored.

    Parameters
    ----------
    findings : mapping
        Region to finding.
    config : VideoConfig
        ``min_rhythm_px`` is the floor (px RMS).

    Returns
    -------
    dict
        The findings, those under the floor withdrawn.

    """
    out = dict(findings)
    floor = config.min_rhythm_px
    for key, finding in findings.items():
        r = finding.rhythmic
        if r.detected and r.amplitude is not None and r.amplitude < floor:
            out[key] = _withdrawn(
                finding,
                QualityFlag.BELOW_MEASUREMENT_FLOOR,
                f"a rhythm at {r.frequency_hz:.2f} Hz of {r.amplitude:.3f} px RMS stands out of "
                f"this region's noise but is below the {floor:g} px that video "
                "tracking can vouch for: reported as not detected, never as tremor",
            )
    return out


def withdraw_small_twitches(
    findings: Mapping[K, Finding], config: VideoConfig
) -> dict[K, Finding]:
    """Twitches obey the measurement floor too: jerks under ``config.min_twitch_px`` don't count."""
    out = dict(findings)
    floor = config.min_twitch_px
    for key, finding in findings.items():
        tw = finding.twitches
        if tw.unit != "px" or not tw.count:
            continue
        kept = [e for e in tw.events if e.size >= floor]
        if len(kept) == tw.count:
            continue
        changed = out[key] = finding.model_copy(deep=True)
        keep_twitches(changed, kept)
        changed.quality.add(
            QualityFlag.TWITCHES_BELOW_MEASUREMENT_FLOOR,
            f"{tw.count - len(kept)} jerk(s) under {floor:g} px not counted as twitches: "
            "smaller than video tracking can vouch for",
        )
    return out


def withdraw_simultaneous_jumps(
    findings: Mapping[K, Finding],
    camera: Finding | None,
    config: VideoConfig,
    times: np.ndarray | None = None,
    jumps: np.ndarray | None = None,
) -> dict[K, Finding]:
    """Jumps of the video (a splice, a compression glitch, a digital zoom's step) are no twitches.

    A twitch is withdrawn from a region when it happens within ``config.simultaneous_s`` of
    twitches in at least ``config.simultaneous_share`` of the measured regions (and at least
    ``config.min_simultaneous`` of them), at a twitch of the camera's own series, or while the
    camera's compensated position jumps by at least ``config.camera_jump_share`` of its size.

    Parameters
    ----------
    findings : mapping
        Region to finding.
    camera : Finding or None
        The camera's own analysis.
    config : VideoConfig
        The thresholds above.
    times : ndarray, optional
        Frame times, seconds (with ``jumps``).
    jumps : ndarray, optional
        The camera's frame-to-frame movement (:func:`camera_jumps`), px.

    Returns
    -------
    dict
        The findings, video events withdrawn from their twitches.

    """
    out = dict(findings)
    together = config.simultaneous_s
    measured = {
        k: f for k, f in findings.items() if not f.quality.has(QualityFlag.NOT_MEASURABLE)
    }
    times_all = sorted(e.t for f in measured.values() for e in f.twitches.events)
    camera_times = (
        [e.t for e in camera.twitches.events if e.size >= config.min_twitch_px]
        if camera is not None
        else []
    )
    events = []
    for t in times_all:
        near = sum(
            any(abs(e.t - t) <= together for e in f.twitches.events) for f in measured.values()
        )
        on_camera = any(abs(c - t) <= together for c in camera_times)
        many = near >= config.min_simultaneous and near >= config.simultaneous_share * len(measured)
        if on_camera or many:
            events.append(t)

    def camera_jumped(t: float, span: float, size: float) -> bool:
        if times is None or jumps is None or len(times) < 2:
            return False
        step = float(np.median(np.diff(times)))
        inside = np.abs(times - t) <= span / 2 + step
        moved = jumps[inside]
        moved = moved[np.isfinite(moved)]
        return bool(moved.size) and float(moved.max()) >= config.camera_jump_share * size

    for key, finding in measured.items():
        tw = finding.twitches
        kept = [
            e
            for e in tw.events
            if all(abs(e.t - t) > together for t in events)
            and not camera_jumped(e.t, e.duration_s, e.size)
        ]
        if len(kept) == tw.count:
            continue
        changed = out[key] = finding.model_copy(deep=True)
        keep_twitches(changed, kept)
        changed.quality.add(
            QualityFlag.VIDEO_EVENT,
            "a jump at the same moment in the camera's motion or in most regions (a cut, a "
            "splice, a compression glitch, a digital zoom's step) is an event of the video, not "
            "a twitch",
        )
    return out


def keep_twitches(finding: Finding, kept: list[TwitchEvent]) -> None:
    """Keep only ``kept`` of a finding's twitch events (count and rate follow), in place."""
    tw = finding.twitches
    rate = tw.rate_per_min / tw.count if tw.count else 0.0
    tw.events = kept
    tw.count = len(kept)
    tw.rate_per_min = round(rate * len(kept), 3)


def encoding_cycle_hz(picture_types: str, fps: float) -> list[float]:
    """Frequencies (Hz) at which the encoder's picture-type pattern repeats, up to Nyquist.

    Parameters
    ----------
    picture_types : str
        One letter per decoded frame (``I``, ``P``, ``B``, ``?``).
    fps : float
        Frame rate.

    Returns
    -------
    list of float
        ``j * fps / k`` for the shortest regular pattern length ``k`` and ``j = 1 .. k // 2``,
        below Nyquist; empty when the types follow no regular pattern (or are unknown).

    """
    types = np.frombuffer(picture_types.encode(), dtype=np.uint8)
    known = types != ord("?")
    if known.sum() < 4 * max(CYCLE_LENGTHS) or fps <= 0:
        return []
    for k in CYCLE_LENGTHS:
        same = types[k:] == types[:-k]
        both = known[k:] & known[:-k]
        varied = len(set(types[known][: 4 * k].tolist())) > 1
        if varied and both.any() and same[both].mean() >= CYCLE_REGULARITY:
            return [j * fps / k for j in range(1, k // 2 + 1) if j * fps / k < 0.5 * fps - 1e-6]
    return []


def withdraw_encoding_cycle(
    findings: Mapping[K, Finding], cycles: list[float], config: VideoConfig
) -> dict[K, Finding]:
    """Mark small rhythms at the encoder's cycle as not detected (flag ``encoding_cycle``).

    A rhythm within ``config.encoding_cycle_tolerance_hz`` of a cycle and smaller than
    ``config.encoding_artefact_max_px`` (px RMS) is the encoder's. A tremor-like one up to
    ``config.encoding_doubt_max_px`` may be: it is ``undetermined``, with the flag and why.
    """
    out = dict(findings)
    if not cycles:
        return out
    for key, finding in findings.items():
        r = finding.rhythmic
        if not r.detected or r.frequency_hz is None or r.amplitude is None:
            continue
        near = [c for c in cycles if abs(r.frequency_hz - c) <= config.encoding_cycle_tolerance_hz]
        if not near:
            continue
        at_cycle = (
            f"a rhythm at {r.frequency_hz:.2f} Hz of {r.amplitude:.3f} px RMS is at the "
            f"encoder's frame-type cycle ({near[0]:.2f} Hz: the stream repeats its pattern of P "
            "and B frames at that rate)"
        )
        if r.amplitude < config.encoding_artefact_max_px:
            out[key] = _withdrawn(
                finding,
                QualityFlag.ENCODING_CYCLE,
                f"{at_cycle}: the compression's, not a movement",
            )
        elif r.amplitude < config.encoding_doubt_max_px and r.kind == "tremor":
            doubted = finding.model_copy(deep=True)
            doubted.rhythmic.kind = "undetermined"
            doubted.rhythmic.kind_confidence = 0.5
            doubted.rhythmic.kind_reasons = [
                f"{at_cycle}, a little larger than its artefacts: the compression's or a movement"
            ]
            doubted.quality.add(QualityFlag.ENCODING_CYCLE, doubted.rhythmic.kind_reasons[0])
            out[key] = doubted
    return out


def camera_jumps(camera: np.ndarray) -> np.ndarray:
    """How far the camera's compensated position moves from each frame to the next (px).

    Parameters
    ----------
    camera : ndarray, shape (n, 2)
        The camera's shift at the frame centre, NaN where not measured.

    Returns
    -------
    ndarray, shape (n,)
        0 for the first frame, NaN where either frame is unmeasured.

    """
    jumps = np.zeros(len(camera))
    if len(camera) > 1:
        jumps[1:] = np.linalg.norm(np.diff(camera, axis=0), axis=1)
    return jumps


def _withdrawn(finding: Finding, flag: QualityFlag, message: str) -> Finding:
    """A copy of ``finding`` whose rhythm is not detected, frequency and size kept, with why."""
    r = finding.rhythmic
    finding = finding.model_copy(deep=True)
    finding.rhythmic = Rhythmic(
        detected=False,
        kind_reasons=[message],
        frequency_hz=r.frequency_hz,
        frequency_ci_hz=r.frequency_ci_hz,
        amplitude=r.amplitude,
        amplitude_unit=r.amplitude_unit,
        peak_to_background_db=r.peak_to_background_db,
    )
    finding.signature = Signature(statement="No rhythm to compare with tremor types.")
    finding.quality.add(flag, message)
    return finding
