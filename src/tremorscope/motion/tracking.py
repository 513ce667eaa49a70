"""Sub-pixel displacement of image regions against a reference frame, camera motion removed.

Points are chosen in each region of a reference frame. In every later frame each point is
looked for against the reference frame itself, starting where it was in the previous frame, at
the finest pyramid levels only and in a crop around the region only: cheap, and small motion is
measured without the drift of frame-to-frame chaining. Points that moved far, were lost, or
whose reference no longer matches (a hand opening, a finger tapping) are followed from the
previous frame with the full pyramid, in a crop around them only, and refined against the
reference where it matches again.

The camera's motion is a similarity transform (shift, rotation, zoom) fitted with RANSAC to
points on the background; its effect at each region point is subtracted before the region's
displacement is taken.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from tremorscope.locate.pose import Box
from tremorscope.video.reader import GrayImage, as_gray_image

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
#: Pixels of image kept around a group of points for Lucas-Kanade near their last position: the
#: window's half-width, the motion between frames and a border for the coarser levels.
NEAR_PAD = 24
#: The same for points followed from the previous frame with the full pyramid (jumps of up to a
#: few tens of pixels).
FAR_PAD = 48
#: Lucas-Kanade's texture threshold (its default) for full-range grey levels.
MIN_EIGEN = 1e-4
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
    """Follows groups of points (the regions, or the background) at one scale.

    Lucas-Kanade builds image pyramids and derivatives over all the pixels it is given, so each
    group is given only a crop around its own points: the cost follows the regions' area, not the
    frame's.
    """

    def __init__(
        self, reference: GrayImage, points: np.ndarray, groups: np.ndarray, scale: float
    ) -> None:
        self.scale = scale
        self.reference = self.previous = reference.plane
        self.ref_points = (points * scale).astype(np.float32)
        self.members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
        self.guess = self.ref_points.copy()
        self.alive = np.ones(len(points), dtype=bool)
        #: Points whose reference patch no longer matches: followed frame to frame until it does.
        self.detached = np.zeros(len(points), dtype=bool)

    def follow(self, image: GrayImage) -> np.ndarray:
        """Positions in frame pixels, measured against the reference frame (drift-free).

        Each point is first looked for near where it was in the previous frame, against the
        reference frame and at the finest pyramid levels only (cheap). Points lost there or that
        moved more than :data:`FAST_MOTION_PX` since the previous frame, and points whose
        reference stopped matching, are followed from the previous frame with the full pyramid
        (robust to large movement), then refined against the reference where it matches again;
        where it does not (a hand opening, a finger tapping) the followed position is kept.

        Parameters
        ----------
        image : GrayImage
            The current frame at this follower's scale, in the reference's grey levels.

        Returns
        -------
        ndarray, shape (n, 2), float32

        """
        for job in self.jobs(image):
            job()
        return self.positions()

    def jobs(self, image: GrayImage) -> list[Callable[[], None]]:
        """One job per group of points for ``image``.

        Run them all (in any order, on any thread), then read :meth:`positions`; :meth:`follow`
        does both.
        """
        self._lk = {
            "winSize": LK_WINDOW,
            "criteria": LK_CRITERIA,
            # the texture threshold is in squared grey levels: the same for video-range planes
            "minEigThreshold": MIN_EIGEN * image.contrast**2,
        }
        self._current = image.plane
        self._now = self.guess.copy()
        self._lost = np.zeros(len(self._now), dtype=bool)
        return [partial(self._follow_group, members) for members in self.members]

    def positions(self) -> np.ndarray:
        """Positions in frame pixels once the jobs of the frame have run, shape (n, 2)."""
        self.alive &= ~self._lost
        self.guess = self._now
        self.previous = self._current
        return self._now / self.scale

    def _follow_group(self, members: np.ndarray) -> None:
        attached = members[~self.detached[members]]
        far = members[self.detached[members]]
        if attached.size:
            guess = self.guess[attached]
            near, ok = _flow(
                self.reference,
                self._current,
                self.ref_points[attached],
                guess,
                NEAR_PAD,
                maxLevel=REFINE_LEVELS,
                **self._lk,
            )
            self._now[attached] = near
            moved_far = ~ok | (np.linalg.norm(near - guess, axis=1) > FAST_MOTION_PX * self.scale)
            far = np.concatenate([far, attached[moved_far]])
        if far.size:
            self._now[far], self._lost[far] = self._follow_far(self._current, far, self._lk)

    def _follow_far(
        self, current: np.ndarray, members: np.ndarray, lk: dict
    ) -> tuple[np.ndarray, np.ndarray]:
        """Points that moved far: chained from the previous frame, then refined if it matches.

        Returns their positions and whether each was lost.
        """
        start = self.guess[members]
        chained, ok_chain = _flow(
            self.previous,
            current,
            start,
            None,
            FAR_PAD,
            **{**lk, "maxLevel": LK_LEVELS},
        )
        guess = np.where(ok_chain[:, None], chained, start).astype(np.float32)
        refined, ok_ref = _flow(
            self.reference,
            current,
            self.ref_points[members],
            guess,
            NEAR_PAD,
            maxLevel=REFINE_LEVELS,
            **lk,
        )
        agree = ok_ref & (np.linalg.norm(refined - guess, axis=1) < MAX_REFINE_SHIFT * self.scale)
        self.detached[members] = ~agree
        return np.where(agree[:, None], refined, guess), ~(ok_chain | agree)


def share(jobs: list[Callable[[], None]], helper: Executor | None) -> None:
    """Run jobs on this thread and on ``helper``'s, each taking the next job left.

    Parameters
    ----------
    jobs : list of callable
        Independent jobs, largest first.
    helper : Executor or None
        A pool with one thread (None: all jobs run here, in order).

    """
    waiting = deque(jobs)

    def work() -> None:
        while True:
            try:
                job = waiting.popleft()
            except IndexError:
                return
            job()

    if helper is None or len(jobs) < 2:
        work()
        return
    other = helper.submit(work)
    try:
        work()
    finally:
        other.result()


def _flow(
    previous: np.ndarray,
    current: np.ndarray,
    points: np.ndarray,
    guess: np.ndarray | None,
    pad: int,
    **lk: object,
) -> tuple[np.ndarray, np.ndarray]:
    """Lucas-Kanade on crops: around ``points`` in ``previous``, around ``guess`` in ``current``.

    Parameters
    ----------
    previous, current : ndarray, shape (height, width), uint8
        The two images.
    points : ndarray, shape (n, 2)
        Positions in ``previous``.
    guess : ndarray, shape (n, 2), or None
        Where to start looking in ``current`` (None: at ``points``, with one crop for both).
    pad : int
        Pixels kept around the points.
    **lk
        Options of ``cv2.calcOpticalFlowPyrLK``.

    Returns
    -------
    positions : ndarray, shape (n, 2), float32
        Positions found in ``current``.
    found : ndarray of bool, shape (n,)

    """
    shape = previous.shape
    source = _box_around(points, pad, shape)
    start = None
    if guess is None:
        target = source
    else:  # Lucas-Kanade wants both crops the same size
        target = _box_around(guess, pad, shape)
        size = (max(source[2], target[2]), max(source[3], target[3]))
        source, target = _resized(source, size, shape), _resized(target, size, shape)
        start = guess - np.array(target[:2], np.float32)
        lk = {**lk, "flags": cv2.OPTFLOW_USE_INITIAL_FLOW}
    sx, sy, w, h = source
    tx, ty = target[:2]
    found, status, _ = cv2.calcOpticalFlowPyrLK(
        previous[sy : sy + h, sx : sx + w],
        current[ty : ty + h, tx : tx + w],
        points - np.array([sx, sy], np.float32),
        start,
        **lk,
    )
    return found.reshape(-1, 2) + np.array([tx, ty], np.float32), status.reshape(-1).astype(bool)


def _box_around(points: np.ndarray, pad: int, shape: tuple[int, int]) -> Box:
    """Box around points widened by ``pad`` pixels, inside an image of ``shape``."""
    height, width = shape
    low, high = points.min(axis=0), points.max(axis=0)
    x0 = min(max(math.floor(low[0]) - pad, 0), width - 1)
    y0 = min(max(math.floor(low[1]) - pad, 0), height - 1)
    x1 = min(max(math.ceil(high[0]) + pad + 1, x0 + 1), width)
    y1 = min(max(math.ceil(high[1]) + pad + 1, y0 + 1), height)
    return x0, y0, x1 - x0, y1 - y0


def _resized(box: Box, size: tuple[int, int], shape: tuple[int, int]) -> Box:
    """``box`` grown to ``size`` ``(w, h)`` about the same corner, moved back inside the image."""
    height, width = shape
    x = min(box[0], width - size[0])
    y = min(box[1], height - size[1])
    return x, y, size[0], size[1]


class ReferenceTracker:
    """Follows the points of several regions and the background from one reference frame.

    Region points are followed at full resolution, each region in a crop around its points;
    background points, which only need to agree on one camera transform, at half resolution.

    Parameters
    ----------
    reference : ndarray, shape (height, width), uint8, or GrayImage
        The reference frame (full-range grey, or as decoded with its levels); later frames must
        come in the same levels.
    regions : dict
        Region key to the points chosen in it, shape ``(n, 2)``.
    background : ndarray, shape (m, 2)
        Background points for the camera estimate (may be empty: no compensation).
    helper : Executor, optional
        A one-thread pool: the camera and the regions are then measured on two threads (OpenCV
        releases Python's lock), the caller's and the helper's.

    """

    def __init__(
        self,
        reference: np.ndarray | GrayImage,
        regions: dict[Hashable, np.ndarray],
        background: np.ndarray,
        helper: Executor | None = None,
    ) -> None:
        self.helper = helper
        self.keys = list(regions)
        parts = [regions[k].reshape(-1, 2).astype(np.float32) for k in self.keys]
        sizes = [len(p) for p in parts]
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        points = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
        owner = np.repeat(np.arange(len(parts)), sizes)
        reference = as_gray_image(reference)
        self.regions = _Follower(reference, points, owner, 1.0)
        # each point's slot in a (region, point) table, for all regions' means at once
        self._slots = (owner, np.arange(len(points)) - self.bounds[owner])
        self._table_shape = (len(parts), max(sizes, default=0), 2)
        background = background.reshape(-1, 2).astype(np.float32)
        self.compensates = len(background) >= 2 * MIN_CAMERA_INLIERS
        self.background = None
        if self.compensates:
            together = np.zeros(len(background), dtype=int)  # spread over the frame: one crop
            self.background = _Follower(reference.half(), background, together, 0.5)

    def track(self, gray: np.ndarray | GrayImage) -> FrameMotion:
        """Displacements of every region in ``gray`` relative to the reference frame.

        Parameters
        ----------
        gray : ndarray, shape (height, width), uint8, or GrayImage
            The current frame, in the reference's grey levels.

        Returns
        -------
        FrameMotion

        """
        image = as_gray_image(gray)
        jobs = self.regions.jobs(image)
        camera_found: list[tuple[np.ndarray | None, int]] = [(None, 0)]
        if self.background is not None:  # first: the largest job
            jobs.insert(0, lambda: camera_found.__setitem__(0, self._camera(image)))
        share(jobs, self.helper)
        camera, inliers = camera_found[0]
        now = self.regions.positions()
        ref = self.regions.ref_points
        moved = now - ref
        shift = np.zeros_like(moved)
        if camera is not None:
            shift = ref @ camera[:, :2].T + camera[:, 2] - ref
        moved -= shift
        table = np.full(self._table_shape, np.nan, np.float32)
        alive = self.regions.alive
        table[self._slots[0][alive], self._slots[1][alive]] = moved[alive]
        means = robust_means(table)
        counts = np.bincount(self._slots[0][alive], minlength=len(self.keys))
        unusable = (counts < MIN_REGION_POINTS) | (self.compensates and camera is None)
        means[unusable] = np.nan
        residual = np.where(alive[:, None], moved - means[self._slots[0]], np.nan)
        regions, raw, residuals = {}, {}, {}
        for i, key in enumerate(self.keys):
            part = slice(self.bounds[i], self.bounds[i + 1])
            regions[key] = means[i].astype(float)
            raw[key] = regions[key] + shift[part].mean(axis=0)
            residuals[key] = residual[part].astype(float)
        return FrameMotion(regions, raw, camera, inliers, residuals)

    def _camera(self, image: GrayImage) -> tuple[np.ndarray | None, int]:
        if self.background is None:
            return None, 0
        now = self.background.follow(image.half())
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
    return robust_means(np.asarray(vectors, dtype=float)[None])[0]


def robust_means(table: np.ndarray) -> np.ndarray:
    """:func:`robust_mean` of every row of a table of vectors, all at once.

    Parameters
    ----------
    table : ndarray, shape (n_rows, n, 2)
        Vectors per row; NaN where a row has fewer (a point lost, or padding).

    Returns
    -------
    ndarray, shape (n_rows, 2)
        NaN for a row without any vector.

    """
    counts = np.isfinite(table[:, :, 0]).sum(axis=1)
    rows = np.arange(len(table))
    low, high = np.maximum(counts - 1, 0) // 2, counts // 2  # NaN sorts last

    def median(values: np.ndarray) -> np.ndarray:
        ordered = np.sort(values, axis=1)
        return (ordered[rows, low] + ordered[rows, high]) / 2

    centre = median(table)
    spread = np.sqrt(((table - centre[:, None]) ** 2).sum(axis=2))
    scale = np.maximum(1.4826 * median(spread), 0.05)
    with np.errstate(invalid="ignore"):
        keep = spread <= 3.0 * scale[:, None]
    kept = keep.sum(axis=1)
    total = np.where(keep[:, :, None], table, 0.0).sum(axis=1)
    return np.where(kept[:, None] > 0, total / np.maximum(kept, 1)[:, None], centre)


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
