"""The camera's motion: a similarity transform fitted to background points, and its effect.

The transform (shift, rotation, zoom) from the reference frame to the current one is fitted with
RANSAC to the background points followed by the tracker; its shift at a region is what the
region's displacement is corrected by.

Broadcast footage carries static overlays: a channel's logo, a caption box, a clock, burnt into
the picture. Their corners are the sharpest in the frame and stay exactly where they are while
the camera pans or zooms; where they outnumber the background's points, the largest consensus
is theirs and the camera would seem to stand still. :class:`CameraFit` leaves them out: points
that have not moved at all since the chunk began, while the camera measured on the points that
did move has moved their place, are an overlay when they are the more compact of the two groups
(a logo or a caption covers a small part of the picture; a passing lorry in front of a still
background is the other way round).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Fewest background inliers for a camera estimate.
MIN_CAMERA_INLIERS = 10
#: RANSAC's tolerance (px): points this near the fitted transform agree with it.
RANSAC_PX = 1.0
#: A background point that never moved more than this (px) since its chunk began is still.
STILL_PX = 0.5
#: A still point is an overlay when the camera moved its place by more than this (px).
OVERLAY_CONFLICT_PX = 2.0
#: The spread of a group of points is the number of cells of a grid this many cells a side
#: over the frame that hold one of them.
SPREAD_GRID = 8
#: The points found to be an overlay are at least this share of all the still ones.
WHOLE_SHARE = 0.8
#: Overlays cover at most this share of those cells (a logo, a caption, a clock, a ticker).
MAX_OVERLAY_SHARE = 0.25
_MAX_OVERLAY_CELLS = MAX_OVERLAY_SHARE * SPREAD_GRID**2


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
        ransacReprojThreshold=RANSAC_PX,
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


class CameraFit:
    """The camera's transform, frame after frame of one chunk, static overlays left out.

    Each frame, each background point's largest distance from its reference position so far
    is kept. Points that never moved more than :data:`STILL_PX` are *still*. When the camera,
    fitted to the points that did move (or to all of them, if it follows those), moves the
    place of still points by more than :data:`OVERLAY_CONFLICT_PX`, one of the two groups is
    not the background: the still points are an overlay (dropped from every later fit of the
    chunk, and listed in :attr:`overlay`) when they are at least :data:`MIN_CAMERA_INLIERS`,
    nearly all still points (:data:`WHOLE_SHARE`), cover fewer cells of the frame than the
    moving points that agree with that camera and at most :data:`MAX_OVERLAY_SHARE` of them,
    and when those moving points are at least half of the points left. Once an overlay is
    found, still points the camera later moves away from join it.
    Otherwise the moving points are something passing in front of a still camera, and the fit
    stays the one of the largest consensus (:func:`fit_camera`).

    For a camera that keeps still, or one that moves with no overlay in view, there are no
    still points to weigh, or no moving ones, and a frame costs one :func:`fit_camera`.

    Parameters
    ----------
    reference : ndarray, shape (n, 2), float32
        The background points in the reference frame, in pixels of the frame at ``scale``.
    shape : tuple of int
        ``(height, width)`` of the full frame.
    scale : float
        Size of the frame ``reference`` is in, as a share of the full frame.

    """

    def __init__(self, reference: np.ndarray, shape: tuple[int, int], scale: float = 1.0) -> None:
        self.reference = np.asarray(reference, np.float32)
        self.scale = scale
        self._full = self.reference.astype(np.float64) / scale
        height, width = shape
        column = np.clip(self._full[:, 0] * SPREAD_GRID // max(width, 1), 0, SPREAD_GRID - 1)
        row = np.clip(self._full[:, 1] * SPREAD_GRID // max(height, 1), 0, SPREAD_GRID - 1)
        self._cell = (row * SPREAD_GRID + column).astype(np.int64)
        self.peak = np.zeros(len(self.reference))
        #: Points found to be a static overlay (left out of the fit from then on).
        self.overlay = np.zeros(len(self.reference), dtype=bool)
        self._has_overlay = False

    @property
    def overlay_points(self) -> np.ndarray:
        """Where the overlay's points are, in full-frame pixels, shape (m, 2)."""
        return self._full[self.overlay]

    def fit(self, now: np.ndarray) -> tuple[np.ndarray | None, int]:
        """The transform from the reference to this frame (see :func:`fit_camera`).

        Parameters
        ----------
        now : ndarray, shape (n, 2)
            Where the points are in this frame, in full-frame pixels (NaN where lost).

        Returns
        -------
        matrix : ndarray, shape (2, 3), or None
        inliers : int

        """
        moved = np.hypot(now[:, 0] - self._full[:, 0], now[:, 1] - self._full[:, 1])
        np.fmax(self.peak, moved, out=self.peak)  # a lost point keeps what it had
        usable = np.where(self.overlay[:, None], np.nan, now) if self._has_overlay else now
        matrix, count = fit_camera(self.reference, usable, self.scale)
        # Nothing to weigh (the common case, a few microseconds): no point is far from its
        # place, so no camera can have moved still ones far; or no point is still.
        if not self._has_overlay and not (moved > OVERLAY_CONFLICT_PX).any():
            return matrix, count
        still = self.peak <= STILL_PX
        if not still.any():
            return matrix, count
        found = np.isfinite(moved) & ~self.overlay
        still &= found
        if self._has_overlay:
            if matrix is not None:  # still points the camera has since moved away from join it
                self.overlay |= still & (self._carried(matrix, None) > OVERLAY_CONFLICT_PX)
            return matrix, count
        moving = found & ~still
        weighed = still.any() and moving.sum() >= MIN_CAMERA_INLIERS
        if weighed and self._overlay_found(now, matrix, still, moving):
            self._has_overlay = True
            usable = np.where(self.overlay[:, None], np.nan, now)
            matrix, count = fit_camera(self.reference, usable, self.scale)
        return matrix, count

    def _overlay_found(
        self, now: np.ndarray, matrix: np.ndarray | None, still: np.ndarray, moving: np.ndarray
    ) -> bool:
        """Whether still points are an overlay (then marked in :attr:`overlay`)."""
        # only a few compact still points can be one: a still background, spread over the
        # frame, is not weighed at all (and costs no second fit, frame after frame)
        if still.sum() < MIN_CAMERA_INLIERS or self._cells(still) > _MAX_OVERLAY_CELLS:
            return False
        camera = matrix
        if camera is None or not (self._carried(camera, still) > OVERLAY_CONFLICT_PX).any():
            # the fit follows the still points: is there a camera in the moving ones?
            shifts = np.hypot(*(now[moving] - self._full[moving]).T)
            if np.median(shifts) <= OVERLAY_CONFLICT_PX:
                return False
            camera, _ = fit_camera(self.reference[moving], now[moving], self.scale)
            if camera is None:
                return False
        candidates = still & (self._carried(camera, None) > OVERLAY_CONFLICT_PX)
        # an overlay is many corners, and all that is still (a still background would leave
        # still points where the camera barely moves them)
        count = int(candidates.sum())
        if count < MIN_CAMERA_INLIERS or count < WHOLE_SHARE * still.sum():
            return False
        residual = np.hypot(*(self._full @ camera[:, :2].T + camera[:, 2] - now).T)
        agreeing = moving & (residual <= RANSAC_PX)
        rest = int((np.isfinite(now[:, 0]) & ~self.overlay & ~candidates).sum())
        if agreeing.sum() < max(MIN_CAMERA_INLIERS, 0.5 * rest):  # the camera, not a coin toss
            return False
        overlay_cells = self._cells(candidates)
        if overlay_cells >= self._cells(agreeing) or overlay_cells > _MAX_OVERLAY_CELLS:
            return False
        self.overlay |= candidates
        return True

    def _cells(self, which: np.ndarray) -> int:
        """How many cells of the spread grid the points ``which`` are in."""
        return int(np.count_nonzero(np.bincount(self._cell[which], minlength=1)))

    def _carried(self, camera: np.ndarray, which: np.ndarray | None) -> np.ndarray:
        """How far the camera moves the reference places of points ``which`` (all: None), px."""
        points = self._full if which is None else self._full[which]
        moved = points @ camera[:, :2].T + camera[:, 2] - points
        return np.hypot(moved[:, 0], moved[:, 1])
