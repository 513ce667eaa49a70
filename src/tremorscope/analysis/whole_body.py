"""Large voluntary movements of the whole body: walking, standing up, sitting down, jumping.

While a person moves their whole body, the regions on them follow big movements that are
neither tremor nor twitches (steps, the jolt of standing up). Such stretches are recognised from
the pose: the centre of the torso (shoulders and hips) moves fast against the body's own size,
or the body's size in the picture changes fast (walking towards or away from the camera). They
are left out of every body part's analysis; the stretches in which the person is still (standing,
seated) are analysed as usual.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from tremorscope.measurement import RegionTrack

#: The torso's centre moving faster than this many body scales (torso lengths) a second is the
#: whole body moving: walking is 2-3 a second, standing up about 0.5-1; a seated person who
#: sways while talking stays under 0.2.
MAX_STILL_SPEED = 0.35
#: The body's size in the picture changing faster than this (log ratio a second) is walking
#: towards or away from the camera.
MAX_STILL_GROWTH = 0.25
#: ... and only over at least this many body scales (or this log ratio of size) between two
#: looks: the landmarks of a person sitting still wander by a tenth of a torso between looks.
MIN_WHOLE_BODY_TRAVEL = 0.3
#: Detections farther apart than this (s) say nothing about what happened between them.
MAX_DETECTION_GAP_S = 5.0
#: Window (s) over which body parts' travel is compared ...
WINDOW_S = 1.0
#: ... the typical part travelling more than this many body scales in it: the whole body moves
#: (a jump or a step moves head, hands, knees and feet by a good part of a torso's length; a
#: tremor of 1 cm is about 0.02 of one).
MIN_TOGETHER_TRAVEL = 0.25
#: Body parts that must be measured in a window to judge it.
MIN_TOGETHER_PARTS = 4


def whole_body_spans(
    torsos: list[tuple[float, float, float, float]], cuts: list[float]
) -> list[tuple[float, float]]:
    """Stretches in which a person moved their whole body.

    Parameters
    ----------
    torsos : list of (float, float, float, float)
        At each detection: time (s), torso centre x and y (px), body scale (px).
    cuts : list of float
        Shot cuts (s): detections on either side are not compared.

    Returns
    -------
    list of (float, float)
        Start and end times (s), merged where they touch.

    """
    spans: list[tuple[float, float]] = []
    for (t0, x0, y0, s0), (t1, x1, y1, s1) in itertools.pairwise(sorted(torsos)):
        dt = t1 - t0
        if not 0 < dt <= MAX_DETECTION_GAP_S or any(t0 < c <= t1 for c in cuts):
            continue
        size = (s0 + s1) / 2
        moved = float(np.hypot(x1 - x0, y1 - y0)) / max(size, 1.0)
        grown = abs(float(np.log(max(s1, 1.0) / max(s0, 1.0))))
        fast = moved / dt > MAX_STILL_SPEED or grown / dt > MAX_STILL_GROWTH
        if fast and max(moved, grown) > MIN_WHOLE_BODY_TRAVEL:
            if spans and spans[-1][1] >= t0:
                spans[-1] = (spans[-1][0], t1)
            else:
                spans.append((t0, t1))
    return spans


def moving_together_spans(
    positions: list[np.ndarray], times: np.ndarray, body_scale_px: float
) -> list[tuple[float, float]]:
    """Stretches in which most of a person's body parts move far at once (jumping, dancing).

    Between two looks of the pose a person jumping in place may be where they were; their body
    parts are not: in windows of :data:`WINDOW_S`, the typical (median) body part's travel
    exceeds :data:`MIN_TOGETHER_TRAVEL` body scales. A tremor or a voluntary rhythm of one limb
    (tapping, leg jiggling) moves a minority of the parts, or moves them by far less.

    Parameters
    ----------
    positions : list of ndarray, shape (n_frames, 2)
        Each body part's region centre (px, NaN where not measured).
    times : ndarray
        Frame times, seconds.
    body_scale_px : float
        The person's body scale (torso length, px).

    Returns
    -------
    list of (float, float)
        Start and end times (s), merged where they touch.

    """
    if len(positions) < MIN_TOGETHER_PARTS or len(times) < 2 or not body_scale_px > 0:
        return []
    stacked = np.stack(positions)  # (parts, frames, 2)
    spans: list[tuple[float, float]] = []
    for start in np.arange(times[0], times[-1], WINDOW_S / 2):
        inside = (times >= start) & (times < start + WINDOW_S)
        window = stacked[:, inside]
        measured = np.isfinite(window[..., 0]).sum(axis=1) >= 3
        if measured.sum() < MIN_TOGETHER_PARTS:
            continue
        with np.errstate(invalid="ignore"):
            travel = np.nanmax(window[measured], axis=1) - np.nanmin(window[measured], axis=1)
        if np.median(np.hypot(travel[:, 0], travel[:, 1])) > MIN_TOGETHER_TRAVEL * body_scale_px:
            end = float(min(start + WINDOW_S, times[-1]))
            if spans and spans[-1][1] >= start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((float(start), end))
    return spans


def merged(*lists: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans of several lists, overlapping ones joined, in time order."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(s for spans in lists for s in spans):
        if out and out[-1][1] >= a:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def without_spans(
    track: RegionTrack, times: np.ndarray, spans: list[tuple[float, float]]
) -> RegionTrack:
    """A region's series with the whole-body stretches left out (NaN, and a break after each).

    Parameters
    ----------
    track : RegionTrack
        The region's series.
    times : ndarray
        Frame times, seconds.
    spans : list of (float, float)
        From :func:`whole_body_spans`.

    Returns
    -------
    RegionTrack
        The same track when there is no span.

    """
    if not spans:
        return track
    out = np.zeros(len(times), dtype=bool)
    for t0, t1 in spans:
        out |= (times >= t0) & (times <= t1)
    after = [int(i) for i in np.flatnonzero(out[:-1] & ~out[1:]) + 1]

    def masked(values: np.ndarray) -> np.ndarray:
        values = values.copy()
        values[out] = np.nan
        return values

    return dataclasses.replace(
        track,
        displacement=masked(track.displacement),
        position=masked(track.position),
        part_displacement=masked(track.part_displacement),
        articulation=masked(track.articulation),
        breaks=sorted(set(track.breaks) | set(after)),
        articulation_breaks=sorted(set(track.articulation_breaks) | set(after)),
    )


def moving_seconds(spans: list[tuple[float, float]]) -> float:
    """Total length of the stretches, seconds."""
    return float(sum(t1 - t0 for t0, t1 in spans))
