"""Cost and effect of cheaper Lucas-Kanade settings, on calls recorded from a real analysis.

The tracker's near pass (each region's points looked for against the chunk's reference frame,
starting where they were in the previous frame) is most of the analysis's CPU. This script runs
an analysis of a clip, records the first ``--calls`` near-pass calls at full resolution (the two
crops, the points, the starting positions), then times each setting on the same calls on one
thread (best of three) and says how far it moves the points from the current setting's result.
Timings on a busy host vary; the comparison is within one run, on identical inputs.

Run: ``python benchmarks/lk_variants.py CLIP [--calls N]`` (e.g. the 1080p clip that
``speed.py --out DIR`` builds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import cv2
import numpy as np

from tremorscope import measure
from tremorscope.motion import tracking

Call = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]
Result = tuple[np.ndarray, np.ndarray]


def record(clip: str, limit: int) -> list[Call]:
    """Near-pass calls of an analysis of ``clip``: crops, points, starts, texture threshold."""
    calls: list[Call] = []
    flow = tracking._flow

    def recording(
        previous: np.ndarray,
        current: np.ndarray,
        points: np.ndarray,
        guess: np.ndarray | None,
        pad: int,
        **lk: object,
    ) -> Result:
        found = flow(previous, current, points, guess, pad, **lk)
        near = pad == tracking.NEAR_PAD and guess is not None
        if near and lk.get("maxLevel") == tracking.REFINE_LEVELS and len(calls) < limit:
            shape = previous.shape
            source = tracking._box_around(points, pad, shape)
            target = tracking._box_around(guess, pad, shape)
            size = (max(source[2], target[2]), max(source[3], target[3]))
            sx, sy, w, h = tracking._resized(source, size, shape)
            tx, ty = tracking._resized(target, size, shape)[:2]
            calls.append((
                previous[sy : sy + h, sx : sx + w].copy(),
                current[ty : ty + h, tx : tx + w].copy(),
                points - np.float32([sx, sy]),
                guess - np.float32([tx, ty]),
                float(lk["minEigThreshold"]),
            ))
        return found

    tracking._flow = recording
    try:
        measure.measure_video(clip)
    finally:
        tracking._flow = flow
    return calls


def lucas_kanade(
    call: Call,
    levels: int,
    iterations: int = tracking.LK_CRITERIA[1],
    subset: np.ndarray | None = None,
) -> Result:
    """One call with the given pyramid levels and iteration cap (on a subset of its points)."""
    previous, current, points, guess, threshold = call
    if subset is not None:
        points, guess = points[subset], guess[subset]
    found, status, _ = cv2.calcOpticalFlowPyrLK(
        previous, current, points, guess.copy(),
        winSize=tracking.LK_WINDOW, maxLevel=levels,
        criteria=(tracking.LK_CRITERIA[0], iterations, tracking.LK_CRITERIA[2]),
        minEigThreshold=threshold, flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
    )
    return found.reshape(-1, 2), status.reshape(-1).astype(bool)


def finest_first(call: Call, moved_px: float) -> Result:
    """The finest level alone, then all levels again for points lost or moved over ``moved_px``."""
    found, ok = lucas_kanade(call, 0)
    again = np.flatnonzero(~ok | (np.linalg.norm(found - call[3], axis=1) > moved_px))
    if again.size:
        found[again], ok[again] = lucas_kanade(call, tracking.REFINE_LEVELS, subset=again)
    return found, ok


VARIANTS: dict[str, Callable[[Call], Result]] = {
    "current": lambda c: lucas_kanade(c, tracking.REFINE_LEVELS),
    "one level fewer": lambda c: lucas_kanade(c, tracking.REFINE_LEVELS - 1),
    "finest level only": lambda c: lucas_kanade(c, 0),
    "10 iterations": lambda c: lucas_kanade(c, tracking.REFINE_LEVELS, 10),
    "15 iterations": lambda c: lucas_kanade(c, tracking.REFINE_LEVELS, 15),
    "finest first, 0.5 px": lambda c: finest_first(c, 0.5),
    "finest first, 0.25 px": lambda c: finest_first(c, 0.25),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip")
    parser.add_argument("--calls", type=int, default=6000, help="near-pass calls to record")
    args = parser.parse_args()
    calls = record(args.clip, args.calls)
    cv2.setNumThreads(1)
    n_points = sum(len(c[2]) for c in calls)
    print(f"{len(calls)} calls, {n_points / len(calls):.0f} points a call")
    reference = [VARIANTS["current"](c) for c in calls]
    print(f"{'setting':<24}{'us/point':>9}{'moved > 0.05 px':>17}{'status differs':>16}")
    for name, variant in VARIANTS.items():
        best = np.inf
        for _ in range(3):
            started = time.process_time()
            results = [variant(c) for c in calls]
            best = min(best, time.process_time() - started)
        moved, differs = [], 0
        for (found, ok), (found0, ok0) in zip(results, reference, strict=True):
            both = ok & ok0
            moved.append(np.linalg.norm(found[both] - found0[both], axis=1))
            differs += int((ok != ok0).sum())
        share = float(np.mean(np.concatenate(moved) > 0.05))
        print(f"{name:<24}{1e6 * best / n_points:>9.1f}{100 * share:>16.2f}%{differs:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
