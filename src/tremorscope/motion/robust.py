"""A region's displacement from its points': the mean of the points near their median.

Used on every tracked frame (compiled with numba), and on any set of point displacements.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def robust_mean(vectors: np.ndarray) -> np.ndarray:
    """Mean of the vectors near their median (outliers beyond 3 robust SDs left out).

    Parameters
    ----------
    vectors : ndarray, shape (n, 2)
        Displacements of the points.

    Returns
    -------
    ndarray, shape (2,)

    """
    vectors = np.asarray(vectors, np.float64).reshape(-1, 2)
    means, _ = group_means(vectors, np.array([0, len(vectors)]))
    return means[0]


def group_means(vectors: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`robust_mean` of each group of consecutive vectors, and how many each had.

    Parameters
    ----------
    vectors : ndarray, shape (n, 2)
        NaN where a vector is missing.
    bounds : ndarray of int, shape (n_groups + 1,)
        Group ``g`` is ``vectors[bounds[g]:bounds[g + 1]]``.

    Returns
    -------
    means : ndarray, shape (n_groups, 2)
        NaN for a group without any vector.
    counts : ndarray of int, shape (n_groups,)
        Vectors present in each group.

    """
    return _group_means(np.ascontiguousarray(vectors, np.float64), np.asarray(bounds, np.int64))


@njit(nogil=True, cache=True)
def _group_means(
    vectors: np.ndarray, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    groups = bounds.shape[0] - 1
    means = np.full((groups, 2), np.nan)
    counts = np.zeros(groups, np.int64)
    for g in range(groups):
        lo, hi = bounds[g], bounds[g + 1]
        xs = np.empty(hi - lo)
        ys = np.empty(hi - lo)
        n = 0
        for i in range(lo, hi):
            if np.isfinite(vectors[i, 0]) and np.isfinite(vectors[i, 1]):
                xs[n] = vectors[i, 0]
                ys[n] = vectors[i, 1]
                n += 1
        counts[g] = n
        if n == 0:
            continue
        cx = np.median(xs[:n])
        cy = np.median(ys[:n])
        spread = np.sqrt((xs[:n] - cx) ** 2 + (ys[:n] - cy) ** 2)
        limit = 3.0 * max(1.4826 * np.median(spread), 0.05)
        sx = 0.0
        sy = 0.0
        kept = 0
        for j in range(n):
            if spread[j] <= limit:
                sx += xs[j]
                sy += ys[j]
                kept += 1
        if kept:
            means[g, 0] = sx / kept
            means[g, 1] = sy / kept
        else:
            means[g, 0] = cx
            means[g, 1] = cy
    return means, counts
