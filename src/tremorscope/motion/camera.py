"""The camera's motion: a similarity transform fitted to background points, and its effect.

The transform (shift, rotation, zoom) from the reference frame to the current one is fitted with
RANSAC to the background points followed by the tracker; its shift at a region is what the
region's displacement is corrected by.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Fewest background inliers for a camera estimate.
MIN_CAMERA_INLIERS = 10


def fit_camera(
    reference: np.ndarray, now: np.ndarray, scale: float = 1.0
) -> tuple[np.ndarray | None, int]:
    """Similarity transform from the reference to this frame, fitted to the background.

    RANSAC (1 px) finds the points that agree; a least-median refit on them, then a least
    squares fit on those within 3 robust SDs of it: a few points that move by less than the
    RANSAC tolerance (the floor next to a trembling foot) would otherwise pull the camera
    along with them.

    Parameters
    ----------
    reference : ndarray, shape (n, 2), float32
        The background points in the reference frame, in pixels of the frame at ``scale``.
    now : ndarray, shape (n, 2)
        Where they are in this frame, in frame pixels (NaN where lost).
    scale : float
        Size of the frame ``reference`` is in, as a share of the full frame.

    Returns
    -------
    matrix : ndarray, shape (2, 3), or None
        The transform in frame pixels; None when too few points agree.
    inliers : int
        Points RANSAC found to agree.

    """
    ok = np.isfinite(now[:, 0])
    if ok.sum() < MIN_CAMERA_INLIERS:
        return None, 0
    src = reference[ok] / np.float32(scale)
    dst = now[ok]
    matrix, inliers = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=1.0,
        maxIters=500,
        confidence=0.995,
    )
    count = int(inliers.sum()) if inliers is not None else 0
    if matrix is None or count < MIN_CAMERA_INLIERS:
        return None, count
    keep = inliers.reshape(-1).astype(bool)
    median_fit, _ = cv2.estimateAffinePartial2D(src[keep], dst[keep], method=cv2.LMEDS)
    if median_fit is not None:
        matrix = median_fit
    residual = np.linalg.norm(src @ matrix[:, :2].T + matrix[:, 2] - dst, axis=1)
    spread = max(1.4826 * float(np.median(residual[keep])), 0.02)
    close = keep & (residual <= 3.0 * spread)
    if close.sum() >= MIN_CAMERA_INLIERS:
        matrix = similarity_fit(src[close], dst[close])
    return matrix, count


def similarity_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform (shift, rotation, zoom) taking ``src`` to ``dst``.

    Parameters
    ----------
    src, dst : ndarray, shape (n, 2)
        Matching points, n >= 2, not all at one place.

    Returns
    -------
    ndarray, shape (2, 3)
        ``[[a, -b, tx], [b, a, ty]]``, as ``cv2.estimateAffinePartial2D`` gives it.

    """
    src = np.asarray(src, float)
    dst = np.asarray(dst, float)
    s_mean, d_mean = src.mean(axis=0), dst.mean(axis=0)
    (x, y), (u, v) = (src - s_mean).T, (dst - d_mean).T
    norm = float(np.sum(x * x + y * y))
    a = float(np.sum(x * u + y * v)) / norm
    b = float(np.sum(x * v - y * u)) / norm
    tx = d_mean[0] - a * s_mean[0] + b * s_mean[1]
    ty = d_mean[1] - b * s_mean[0] - a * s_mean[1]
    return np.array([[a, -b, tx], [b, a, ty]])


def camera_shift(matrix: np.ndarray | None, point: tuple[float, float]) -> np.ndarray:
    """How far the camera transform moves a point (e.g. the frame centre), in pixels."""
    if matrix is None:
        return np.full(2, np.nan)
    p = np.asarray(point, dtype=float)
    return matrix[:, :2] @ p + matrix[:, 2] - p
