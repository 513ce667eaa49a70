"""How the parts of a region move against each other, from its points' residual displacements.

Over a stretch of frames, the first principal component of each point's displacement minus the
region's: one signed series (:func:`articulation`: fingers tapping, a hand opening), or the two
parts it separates, each with its own offset (:func:`part_offsets`: the back of a hand against
its fingers).
"""

from __future__ import annotations

import numpy as np


def articulation(
    residuals: np.ndarray, max_jump_px: float, min_points: int = 6
) -> np.ndarray | None:
    """The main way parts of a region move against each other, as one signed series.

    The first principal component of the points' residual displacements (each point's motion
    minus the region's) over a stretch of frames: fingers tapping or a hand opening and closing
    against a still palm. Scaled to the displacement of the point that moves most in it.

    Parameters
    ----------
    residuals : ndarray, shape (n_frames, n_points, 2)
        NaN where a point was lost.
    max_jump_px : float
        Points whose residual jumps by more than this between two frames have slipped to
        another structure (a finger crossing another): they are left out.
    min_points : int
        Fewest points followed throughout the stretch.

    Returns
    -------
    ndarray, shape (n_frames,), or None
        Pixels; None when too few points were followed throughout.

    """
    kept = np.isfinite(residuals).all(axis=(0, 2))
    jumps = np.linalg.norm(np.diff(residuals, axis=0), axis=2)
    kept &= ~(np.nan_to_num(jumps, nan=0.0) > max_jump_px).any(axis=0)
    if kept.sum() < min_points or residuals.shape[0] < 3:
        return None
    x = residuals[:, kept, :].reshape(residuals.shape[0], -1)
    x = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    loading = vt[0].reshape(-1, 2)
    return u[:, 0] * s[0] * float(np.max(np.linalg.norm(loading, axis=1)))


def part_offsets(
    residuals: np.ndarray, max_jump_px: float, min_points: int = 6, min_group: int = 3
) -> tuple[np.ndarray, np.ndarray] | None:
    """How the two parts of a region that move against each other move, relative to its mean.

    The points are split by the sign of their loading on the first principal component of the
    residual displacements (see :func:`articulation`): in a hand whose back trembles while the
    fingertips stay, the back's points against the fingers'. Each part's offset is the mean
    residual of its points; the region's mean displacement plus an offset is that part's own
    displacement.

    Parameters
    ----------
    residuals : ndarray, shape (n_frames, n_points, 2)
        Each point's displacement minus the region's, NaN where a point was lost.
    max_jump_px : float
        Points whose residual jumps by more than this between two frames are left out.
    min_points : int
        Fewest points followed throughout the stretch.
    min_group : int
        Fewest points in each part.

    Returns
    -------
    (ndarray, ndarray), each shape (n_frames, 2), or None
        The two parts' offsets in pixels; None when too few points were followed throughout or
        one part has fewer than ``min_group``.

    """
    kept = np.isfinite(residuals).all(axis=(0, 2))
    jumps = np.linalg.norm(np.diff(residuals, axis=0), axis=2)
    kept &= ~(np.nan_to_num(jumps, nan=0.0) > max_jump_px).any(axis=0)
    if kept.sum() < min_points or residuals.shape[0] < 3:
        return None
    points = residuals[:, kept, :]
    x = points.reshape(points.shape[0], -1)
    _, _, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    loading = vt[0].reshape(-1, 2)
    _, axes = np.linalg.eigh(loading.T @ loading)
    side = loading @ axes[:, -1] > 0
    if side.sum() < min_group or (~side).sum() < min_group:
        return None
    return points[:, side, :].mean(axis=1), points[:, ~side, :].mean(axis=1)
