"""What video can't vouch for: motion under the floor, and what the camera or encoder makes.

- **The floor.** Rhythms under :data:`MIN_VIDEO_RHYTHM_PX` are marked not detected (their
  frequency and size kept, flag ``below_measurement_floor``); twitches obey a floor too.
- **The encoder's cycle.** H.264 encoders code frames in a repeating pattern (``P B B B``: every
  fourth frame a P frame, whose quality differs from the B frames'). Under camera motion (a zoom,
  a pan) that pattern leaves a small periodic error in tracked positions at exactly the frame
  rate over the pattern's length (7.5 Hz at 30 fps with three B frames, 6.25 Hz at 25 fps),
  measured here on re-encoded footage. A small rhythm at that frequency is the encoder's; the
  pattern is read from the stream's own picture types.
- **Jumps of the video.** A twitch at the same moment in most regions, or when the camera's
  compensated motion jumps by a comparable amount (the integer crop steps of a digital zoom),
  is an event of the video, not a twitch of the body part.
"""

from __future__ import annotations

import numpy as np

from tremorscope.results import Finding, Group, Rhythmic, Signature, TwitchEvent

#: Smallest rhythm (px RMS) reported from video: below it, tracking noise and compression
#: artefacts of a still region can form a peak (0.003-0.045 px RMS error measured for Lucas-Kanade
#: on H.264, see MEASURED.md).
MIN_VIDEO_RHYTHM_PX = 0.1
#: Smallest twitch (px, peak of the band-limited magnitude) counted from video. A jerk is one
#: event, with none of the averaging over cycles that lets a 0.1 px RMS rhythm stand out of the
#: noise, so it must be larger: three times the floor's RMS, about twice a sinusoid's peak at it.
MIN_VIDEO_TWITCH_PX = 3 * MIN_VIDEO_RHYTHM_PX
#: Twitches this close in time (s) in different regions are one moment.
SIMULTANEOUS_S = 0.07
#: ... and a video event when seen in at least this share of the measured regions, and in at
#: least this many.
SIMULTANEOUS_SHARE = 0.75
MIN_SIMULTANEOUS = 3
#: A rhythm this close (Hz) to the encoder's cycle is at it.
ENCODING_CYCLE_TOLERANCE_HZ = 0.08
#: Only rhythms smaller than this (px RMS) are taken for the encoder's: the periodic error it
#: leaves measured 0.12-0.18 px on zoomed and panned footage.
ENCODING_ARTEFACT_MAX_PX = 3 * MIN_VIDEO_RHYTHM_PX
#: Picture-type patterns looked for (frames per cycle), and the share of frames that must repeat
#: the type ``k`` frames before for the pattern to count.
CYCLE_LENGTHS = range(2, 9)
CYCLE_REGULARITY = 0.8
#: A twitch coincides with a jump of the camera when the camera's compensated position moves by
#: at least this share of the twitch's size within the twitch's span.
CAMERA_JUMP_SHARE = 0.5


def apply_floor(findings: dict[str, Group]) -> None:
    """Mark rhythms too small to be told from tracking and compression noise as not detected.

    Their frequency and size stay in the result (a user who drew a region around a vibrating
    object wants to see the rhythm that is there), flagged ``below_measurement_floor``; they are
    never called tremor, never scored.
    """
    for group in findings.values():
        r = group.finding.rhythmic
        if r.detected and r.amplitude is not None and r.amplitude < MIN_VIDEO_RHYTHM_PX:
            _withdraw(
                group.finding,
                "below_measurement_floor",
                f"a rhythm at {r.frequency_hz:.2f} Hz of {r.amplitude:.3f} px RMS stands out of "
                f"this region's noise but is below the {MIN_VIDEO_RHYTHM_PX} px that video "
                "tracking can vouch for: reported as not detected, never as tremor",
            )


def withdraw_small_twitches(findings: dict[str, Group]) -> None:
    """Twitches obey the measurement floor too: smaller jerks are not counted."""
    for group in findings.values():
        tw = group.finding.twitches
        if tw.unit != "px" or not tw.count:
            continue
        kept = [e for e in tw.events if e.size >= MIN_VIDEO_TWITCH_PX]
        if len(kept) == tw.count:
            continue
        dropped = tw.count - len(kept)
        keep_twitches(group.finding, kept)
        q = group.finding.quality
        q.flags.append("twitches_below_measurement_floor")
        q.messages.append(
            f"{dropped} jerk(s) under {MIN_VIDEO_TWITCH_PX} px not counted as twitches: "
            "smaller than video tracking can vouch for"
        )


def withdraw_simultaneous_jumps(
    findings: dict[str, Group],
    camera: Group | None,
    times: np.ndarray | None = None,
    jumps: np.ndarray | None = None,
) -> None:
    """Jumps of the video (a splice, a compression glitch, a digital zoom's step) are no twitches.

    A twitch is withdrawn from a region when it happens at the same time as twitches in at least
    :data:`SIMULTANEOUS_SHARE` of the measured regions (and at least :data:`MIN_SIMULTANEOUS`
    of them), at a twitch of the camera's own series, or while the camera's compensated
    position jumps by at least :data:`CAMERA_JUMP_SHARE` of its size.

    Parameters
    ----------
    findings : dict
        Region name to group (changed in place).
    camera : Group or None
        The camera's own analysis.
    times : ndarray, optional
        Frame times, seconds (with ``jumps``).
    jumps : ndarray, optional
        The camera's frame-to-frame movement (:func:`camera_jumps`), px.

    """
    measured = [g for g in findings.values() if "not_measurable" not in g.finding.quality.flags]
    times_all = sorted(e.t for g in measured for e in g.finding.twitches.events)
    camera_times = (
        [e.t for e in camera.finding.twitches.events if e.size >= MIN_VIDEO_TWITCH_PX]
        if camera is not None
        else []
    )
    events = []
    for t in times_all:
        near = sum(
            any(abs(e.t - t) <= SIMULTANEOUS_S for e in g.finding.twitches.events) for g in measured
        )
        on_camera = any(abs(c - t) <= SIMULTANEOUS_S for c in camera_times)
        if on_camera or (near >= MIN_SIMULTANEOUS and near >= SIMULTANEOUS_SHARE * len(measured)):
            events.append(t)

    def camera_jumped(t: float, span: float, size: float) -> bool:
        if times is None or jumps is None or len(times) < 2:
            return False
        step = float(np.median(np.diff(times)))
        inside = np.abs(times - t) <= span / 2 + step
        moved = jumps[inside]
        moved = moved[np.isfinite(moved)]
        return bool(moved.size) and float(moved.max()) >= CAMERA_JUMP_SHARE * size

    for g in measured:
        tw = g.finding.twitches
        kept = [
            e
            for e in tw.events
            if all(abs(e.t - t) > SIMULTANEOUS_S for t in events)
            and not camera_jumped(e.t, e.duration_s, e.size)
        ]
        if len(kept) == tw.count:
            continue
        keep_twitches(g.finding, kept)
        q = g.finding.quality
        q.flags.append("video_event")
        q.messages.append(
            "a jump at the same moment in the camera's motion or in most regions (a cut, a "
            "splice, a compression glitch, a digital zoom's step) is an event of the video, not "
            "a twitch"
        )


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


def withdraw_encoding_cycle(findings: dict[str, Group], cycles: list[float]) -> None:
    """Mark small rhythms at the encoder's cycle as not detected (flag ``encoding_cycle``)."""
    if not cycles:
        return
    for group in findings.values():
        r = group.finding.rhythmic
        if not r.detected or r.frequency_hz is None or r.amplitude is None:
            continue
        near = [c for c in cycles if abs(r.frequency_hz - c) <= ENCODING_CYCLE_TOLERANCE_HZ]
        if near and r.amplitude < ENCODING_ARTEFACT_MAX_PX:
            _withdraw(
                group.finding,
                "encoding_cycle",
                f"a rhythm at {r.frequency_hz:.2f} Hz of {r.amplitude:.3f} px RMS is at the "
                f"encoder's frame-type cycle ({near[0]:.2f} Hz: the stream repeats its pattern "
                "of P and B frames at that rate): the compression's, not a movement",
            )


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


def _withdraw(finding: Finding, flag: str, message: str) -> None:
    """A detected rhythm becomes not detected, its frequency and size kept, with the reason."""
    r = finding.rhythmic
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
    finding.quality.flags.append(flag)
    finding.quality.messages.append(message)
