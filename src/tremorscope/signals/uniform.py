"""Put a vector signal onto a uniform time grid without inventing data across long gaps."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from tremorscope.signals.model import SignalGroup, UniformSignal

#: Sampling is called irregular when the spacing varies by more than this share of its median.
IRREGULAR_JITTER = 0.01


def to_uniform(
    group: SignalGroup,
    time_s: np.ndarray,
    max_gap_s: float = 0.25,
    breaks_s: Sequence[float] = (),
) -> UniformSignal:
    """Resample a vector onto a uniform grid at its median rate, bridging only short gaps.

    Parameters
    ----------
    group : SignalGroup
        Values with NaN where missing.
    time_s : ndarray, shape (n,)
        Non-decreasing sample times in seconds.
    max_gap_s : float
        Gaps between valid samples up to this long are filled by linear interpolation (and
        counted); longer ones split the signal into segments and stay NaN.
    breaks_s : sequence of float, optional
        Times where the signal must be split even without a gap (shot cuts, a lost reference):
        no segment spans one.

    Returns
    -------
    UniformSignal
        The gridded signal and its valid segments (possibly none).

    """
    valid = np.isfinite(group.values).all(axis=1)
    t = time_s[valid]
    v = group.values[valid]
    steps = np.diff(time_s)
    step = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 1.0
    rate = 1.0 / step
    empty = UniformSignal(
        group.name,
        group.channels,
        group.kind,
        group.unit,
        rate,
        np.zeros(0),
        np.zeros((0, len(group.channels))),
        [],
    )
    if t.size < 2:
        return empty
    grid = np.arange(t[0], t[-1] + step / 2, step)
    grid = grid[grid <= t[-1] + 1e-9 * step]
    values = np.column_stack([np.interp(grid, t, v[:, j]) for j in range(v.shape[1])])
    dt = np.diff(t)
    long_gap = dt > max(max_gap_s, 1.5 * step)
    short_gap = (dt > 1.5 * step) & ~long_gap
    if long_gap.any():
        # mark grid points strictly inside a long gap as missing
        starts, stops = t[:-1][long_gap], t[1:][long_gap]
        slack = 1e-6 * step  # grid times carry rounding error: real samples at the edges stay
        left = np.searchsorted(grid, starts + slack, side="right")
        right = np.searchsorted(grid, stops - slack, side="left")
        for a, b in zip(left, right, strict=True):
            values[a:b] = np.nan
    ok = np.isfinite(values).all(axis=1)
    segments = _split(true_runs(ok), np.searchsorted(grid, np.asarray(breaks_s, float)))
    irregular = bool(np.any(np.abs(steps[steps > 0] - step) > IRREGULAR_JITTER * step))
    return UniformSignal(
        name=group.name,
        channels=group.channels,
        kind=group.kind,
        unit=group.unit,
        rate_hz=rate,
        time_s=grid,
        values=values,
        segments=segments,
        bridged_gaps=int(short_gap.sum()),
        bridged_s=float(dt[short_gap].sum()),
        resampled=irregular,
    )


def _split(segments: list[tuple[int, int]], cuts: np.ndarray) -> list[tuple[int, int]]:
    out = []
    for start, stop in segments:
        inner = sorted({int(c) for c in cuts if start < c < stop})
        edges = [start, *inner, stop]
        out.extend(itertools.pairwise(edges))
    return out


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and stop indices of the runs of True in a boolean array."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
