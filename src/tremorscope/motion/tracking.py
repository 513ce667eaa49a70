"""Sub-pixel displacement of image regions against a reference frame, camera motion removed.

Points are chosen in each region of a reference frame. In every later frame each point is
looked for against the reference frame itself, starting where it was in the previous frame, at
the finest pyramid levels only: cheap, and small motion is measured without the drift of
frame-to-frame chaining. Points that moved far, were lost, or whose reference no longer matches
(a hand opening, a finger tapping) are followed from the previous frame with the full pyramid,
in a crop around them only, and refined against the reference where it matches again.

The camera's motion is a similarity transform (shift, rotation, zoom) fitted with RANSAC to
points on the background; its effect at each region point is subtracted before the region's
displacement is taken.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import cv2
import numpy as np

from tremorscope.locate.pose import Box

#: Lucas-Kanade window and pyramid depth.
LK_WINDOW = (21, 21)
LK_LEVELS = 3
LK_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 0.01)
#: Pyramid levels above the finest used when a point is looked for near its last position.
REFINE_LEVELS = 2
#: A point that moved more than this (px) since the previous frame is followed from that frame
#: with the full pyramid before it is compared with the reference.
FAST_MOTION_PX = 2.0
#: Largest correction (px) the reference frame may make to the position followed from the
#: previous frame; beyond it the reference no longer matches (large movement) and the followed
#: position is kept.
MAX_REFINE_SHIFT = 1.0
#: Fewest points that still give a region's displacement.
MIN_REGION_POINTS = 4
#: Fewest background inliers for a camera estimate.
MIN_CAMERA_INLIERS = 10


def select_points(
    gray: np.ndarray,
    box: Box,
    mask: np.ndarray | None = None,
    max_points: int = 60,
) -> np.ndarray:
    """Corners worth tracking inside a box.

    Parameters
    ----------
    gray : ndarray, shape (height, width), uint8
        The reference frame.
    box : tuple of int
        ``(x, y, w, h)``.
    mask : ndarray of bool, optional
        Pixels allowed (e.g. the person's silhouette); ignored when it covers under a fifth of
        the box.
    max_points : int
        Most points returned.

    Returns
    -------
    ndarray, shape (n, 2), float32
        Point positions in frame pixels (possibly none on a textureless region).

    """
    x, y, w, h = box
    roi = gray[y : y + h, x : x + w]
    roi_mask = None
    if mask is not None:
        sub = mask[y : y + h, x : x + w]
        if sub.mean() > 0.2:
            roi_mask = sub.astype(np.uint8) * 255
    distance = max(2.0, min(w, h) / 15.0)
    found = cv2.goodFeaturesToTrack(
        roi,
        maxCorners=max_points,
        qualityLevel=0.003,
        minDistance=distance,
        mask=roi_mask,
        blockSize=5,
    )
    if found is None:
        return np.zeros((0, 2), np.float32)
    return (found.reshape(-1, 2) + np.array([x, y], np.float32)).astype(np.float32)


def select_background_points(
    gray: np.ndarray, exclude: list[Box], max_points: int = 300
) -> np.ndarray:
    """Corners outside every excluded box (people, manual regions), spread over the frame.

    Parameters
    ----------
    gray : ndarray, shape (height, width), uint8
        The reference frame.
    exclude : list of tuple of int
        Boxes ``(x, y, w, h)`` to leave out, widened by 10 %.
    max_points : int
        Most points returned.

    Returns
    -------
    ndarray, shape (n, 2), float32

    """
    height, width = gray.shape
    mask = np.full((height, width), 255, np.uint8)
    for x, y, w, h in exclude:
        pad_x, pad_y = int(0.1 * w) + 2, int(0.1 * h) + 2
        mask[max(0, y - pad_y) : y + h + pad_y, max(0, x - pad_x) : x + w + pad_x] = 0
    distance = max(4.0, np.hypot(height, width) / 60.0)
    found = cv2.goodFeaturesToTrack(
        gray,
        maxCorners=max_points,
        qualityLevel=0.005,
        minDistance=distance,
        mask=mask,
        blockSize=7,
    )
    if found is None:
        return np.zeros((0, 2), np.float32)
    return found.reshape(-1, 2).astype(np.float32)


@dataclass
class FrameMotion:
    """What :meth:`ReferenceTracker.track` measured in one frame.

    Attributes
    ----------
    regions : dict
        Region key to its displacement ``(dx, dy)`` in pixels since the reference frame, camera
        motion removed (NaN when too few points were followed).
    raw : dict
        Region key to the displacement without camera compensation (where the region is in
        the image now).
    camera : ndarray, shape (2, 3), or None
        Similarity transform from the reference frame to this one, fitted to the background;
        None when the background gave no estimate.
    camera_inliers : int
        Background points that agreed with it.
    residuals : dict, optional
        Region key to each point's displacement minus the region's, shape ``(n_points, 2)``
        (NaN for points lost): how parts of the region move against each other.

    """

    regions: dict[Hashable, np.ndarray]
    raw: dict[Hashable, np.ndarray]
    camera: np.ndarray | None
    camera_inliers: int
    residuals: dict[Hashable, np.ndarray] | None = None


class _Follower:
    """Follows points within one view of the frames (a crop, possibly scaled down)."""

    def __init__(
        self, reference: np.ndarray, points: np.ndarray, window: Box, scale: float
    ) -> None:
        self.offset = np.array(window[:2], np.float32)
        self.scale = scale
        self.window = window
        self.reference = self.previous = self._view(reference)
        self.ref_points = ((points - self.offset) * scale).astype(np.float32)
        self.guess = self.ref_points.copy()
        self.alive = np.ones(len(points), dtype=bool)
        self._found_far = self.alive.copy()
        #: Points whose reference patch no longer matches: followed frame to frame until it does.
        self.detached = np.zeros(len(points), dtype=bool)

    def _view(self, gray: np.ndarray) -> np.ndarray:
        x, y, w, h = self.window
        crop = gray[y : y + h, x : x + w]
        return cv2.pyrDown(crop) if self.scale == 0.5 else crop

    def follow(self, gray: np.ndarray) -> np.ndarray:
        """Positions in frame pixels, measured against the reference frame (drift-free).

        Each point is first looked for near where it was in the previous frame, against the
        reference frame and at the finest pyramid levels only (cheap). Points lost there, that
        moved more than :data:`FAST_MOTION_PX` since the previous frame, or whose reference
        stopped matching, are followed from the previous frame with the full pyramid (robust to
        large movement), then refined against the reference where it matches again; where it
        does not (a hand opening, a finger tapping) the followed position is kept.
        """
        view = self._view(gray)
        if len(self.ref_points) == 0:
            return np.zeros((0, 2), np.float32)
        near, ok_near, _ = cv2.calcOpticalFlowPyrLK(
            self.reference,
            view,
            self.ref_points,
            self.guess.copy(),
            flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
            winSize=LK_WINDOW,
            maxLevel=REFINE_LEVELS,
            criteria=LK_CRITERIA,
        )
        near = near.reshape(-1, 2)
        step = np.linalg.norm(near - self.guess, axis=1)
        far = (
            self.detached
            | ~ok_near.reshape(-1).astype(bool)
            | (step > FAST_MOTION_PX * self.scale)
        )
        now = near.astype(np.float32)
        if far.any():
            now[far] = self._follow_far(view, far)
        self.alive &= ~far | self._found_far
        self.guess = now
        self.previous = view
        return now / self.scale + self.offset

    def _follow_far(self, view: np.ndarray, far: np.ndarray) -> np.ndarray:
        """Points that moved far: chained from the previous frame, then refined if it matches."""
        lk = {"winSize": LK_WINDOW, "maxLevel": LK_LEVELS, "criteria": LK_CRITERIA}
        # only the part of the view around these points: the pyramids cost by area
        x0, y0, w, h = _crop_around(
            np.concatenate([self.guess[far], self.ref_points[far]]), view.shape, 0.0
        )
        corner = np.array([x0, y0], np.float32)
        previous, current = self.previous[y0 : y0 + h, x0 : x0 + w], view[y0 : y0 + h, x0 : x0 + w]
        start = self.guess[far] - corner
        chained, ok_chain, _ = cv2.calcOpticalFlowPyrLK(previous, current, start, None, **lk)
        ok_chain = ok_chain.reshape(-1).astype(bool)
        guess = np.where(ok_chain[:, None], chained.reshape(-1, 2), start).astype(np.float32)
        refined, ok_ref, _ = cv2.calcOpticalFlowPyrLK(
            self.reference[y0 : y0 + h, x0 : x0 + w],
            current,
            self.ref_points[far] - corner,
            guess.copy(),
            flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
            winSize=LK_WINDOW,
            maxLevel=REFINE_LEVELS,
            criteria=LK_CRITERIA,
        )
        refined = refined.reshape(-1, 2)
        shift = np.linalg.norm(refined - guess, axis=1)
        agree = ok_ref.reshape(-1).astype(bool) & (shift < MAX_REFINE_SHIFT * self.scale)
        found = np.ones(len(self.ref_points), dtype=bool)
        found[far] = ok_chain | agree
        self._found_far = found
        self.detached[far] = ~agree
        return np.where(agree[:, None], refined, guess) + corner


class ReferenceTracker:
    """Follows the points of several regions and the background from one reference frame.

    Region points are followed at full resolution inside one crop around all regions; background
    points, which only need to agree on one camera transform, at half resolution.

    Parameters
    ----------
    reference : ndarray, shape (height, width), uint8
        The reference frame.
    regions : dict
        Region key to the points chosen in it, shape ``(n, 2)``.
    background : ndarray, shape (m, 2)
        Background points for the camera estimate (may be empty: no compensation).
    margin : float
        The crop around the regions extends beyond them by this share of the frame's larger
        side, room for the regions to move within the chunk.

    """

    def __init__(
        self,
        reference: np.ndarray,
        regions: dict[Hashable, np.ndarray],
        background: np.ndarray,
        margin: float = 0.08,
    ) -> None:
        self.keys = list(regions)
        parts = [regions[k].reshape(-1, 2).astype(np.float32) for k in self.keys]
        sizes = [len(p) for p in parts]
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        points = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
        window = _crop_around(points, reference.shape, margin)
        self.regions = _Follower(reference, points, window, 1.0)
        background = background.reshape(-1, 2).astype(np.float32)
        self.compensates = len(background) >= 2 * MIN_CAMERA_INLIERS
        self.background = (
            _Follower(reference, background, (0, 0, reference.shape[1], reference.shape[0]), 0.5)
            if self.compensates
            else None
        )

    def track(self, gray: np.ndarray) -> FrameMotion:
        """Displacements of every region in ``gray`` relative to the reference frame.

        Parameters
        ----------
        gray : ndarray, shape (height, width), uint8
            The current frame.

        Returns
        -------
        FrameMotion

        """
        nan = np.full(2, np.nan)
        camera, inliers = self._camera(gray)
        now = self.regions.follow(gray)
        regions, raw, residuals = {}, {}, {}
        for i, key in enumerate(self.keys):
            part = slice(self.bounds[i], self.bounds[i + 1])
            ok = self.regions.alive[part]
            residuals[key] = np.full((int(ok.size), 2), np.nan)
            if ok.sum() < MIN_REGION_POINTS or (self.compensates and camera is None):
                regions[key], raw[key] = nan, nan
                continue
            ref = self.regions.ref_points[part][ok] + self.regions.offset
            moved = now[part][ok] - ref
            raw[key] = robust_mean(moved)
            if camera is not None:
                moved = moved - (ref @ camera[:, :2].T + camera[:, 2] - ref)
            regions[key] = robust_mean(moved)
            residuals[key][ok] = moved - regions[key]
        return FrameMotion(regions, raw, camera, inliers, residuals)

    def _camera(self, gray: np.ndarray) -> tuple[np.ndarray | None, int]:
        if self.background is None:
            return None, 0
        now = self.background.follow(gray)
        ok = self.background.alive
        if ok.sum() < MIN_CAMERA_INLIERS:
            return None, 0
        src = self.background.ref_points[ok] / self.background.scale
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
        if count < len(src):  # refit on the inliers alone
            keep = inliers.reshape(-1).astype(bool)
            refined, _ = cv2.estimateAffinePartial2D(src[keep], dst[keep], method=cv2.LMEDS)
            if refined is not None:
                matrix = refined
        return matrix, count


def _crop_around(points: np.ndarray, shape: tuple[int, int], margin: float) -> Box:
    """Box around points widened by ``margin`` of the frame's larger side, inside the frame."""
    height, width = shape
    if len(points) == 0:
        return 0, 0, width, height
    pad = margin * max(height, width) + LK_WINDOW[0] * 2**LK_LEVELS
    x0 = int(max(0, np.floor(points[:, 0].min() - pad)))
    y0 = int(max(0, np.floor(points[:, 1].min() - pad)))
    x1 = int(min(width, np.ceil(points[:, 0].max() + pad)))
    y1 = int(min(height, np.ceil(points[:, 1].max() + pad)))
    return x0, y0, x1 - x0, y1 - y0


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
    median = _median(vectors)
    spread = np.sqrt(((vectors - median) ** 2).sum(axis=1))
    scale = max(1.4826 * float(_median(spread)), 0.05)
    keep = spread <= 3.0 * scale
    return vectors[keep].mean(axis=0) if keep.any() else median


def _median(values: np.ndarray) -> np.ndarray:
    """Median along the first axis; far cheaper than ``np.median`` on a few dozen values."""
    ordered = np.sort(values, axis=0)
    n = len(ordered)
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


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


def camera_shift(matrix: np.ndarray | None, point: tuple[float, float]) -> np.ndarray:
    """How far the camera transform moves a point (e.g. the frame centre), in pixels."""
    if matrix is None:
        return np.full(2, np.nan)
    p = np.asarray(point, dtype=float)
    return matrix[:, :2] @ p + matrix[:, 2] - p
