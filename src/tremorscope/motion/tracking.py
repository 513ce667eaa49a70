"""Sub-pixel displacement of image regions against a reference frame, camera motion removed.

Points are chosen in each region of a reference frame. In every later frame each point is
looked for against its window of the reference frame itself, starting where it was in the
previous frame (:mod:`tremorscope.motion.patches`: the reference's share of that work is done
once per chunk), so small motion is measured without the drift of frame-to-frame chaining.
Points that moved far, were lost, or whose reference no longer matches (a hand opening, a
finger tapping) are followed from the previous frame with OpenCV's full pyramid, in a crop
around them only, and refined against the reference where it matches again.

The camera's motion is a similarity transform (shift, rotation, zoom) fitted with RANSAC to
points on the background; its effect at each region point is subtracted before the region's
displacement is taken.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Collection, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from tremorscope.locate.pose import Box
from tremorscope.motion.patches import ReferencePatches
from tremorscope.video.reader import GrayImage, as_gray_image

#: OpenCV's Lucas-Kanade (points followed from the previous frame): window, pyramid depth and
#: stopping rule.
LK_WINDOW = (21, 21)
LK_LEVELS = 3
LK_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 0.01)
#: A point that moved more than this (px) since the previous frame is followed from that frame
#: with the full pyramid before it is compared with the reference.
FAST_MOTION_PX = 2.0
#: Largest correction (px) the reference frame may make to the position followed from the
#: previous frame; beyond it the reference no longer matches (large movement) and the followed
#: position is kept.
MAX_REFINE_SHIFT = 1.0
#: Pixels of image kept around a group of points followed from the previous frame (jumps of up
#: to a few tens of pixels).
FAR_PAD = 48
#: Background points, which only need to agree on one camera transform, are followed at this
#: share of the frame's size: cheaper where they are followed from the previous frame (a crop
#: around them is most of the frame), and a wider reach near their last position.
BACKGROUND_SCALE = 0.5
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
    """Follows groups of points (one per region, and the background) from one reference frame.

    Each frame, every point that still matches its reference is looked for against the reference
    window itself, starting where it was in the previous frame, at full resolution
    (:class:`~tremorscope.motion.patches.ReferencePatches`: the reference's share of the work is
    done once per chunk). A point that is not found there or that moved more than
    :data:`FAST_MOTION_PX` since the previous frame no longer *matches* its reference:

    - where most of its group was found near its last position (the group moves as one, slowly),
      it is looked for again where the group's movement takes it, and left out of this frame
      while it is not found there (an eye blinking, a shadow crossing);
    - in groups that moved fast, and in groups whose points may move against each other (hands:
      fingers tapping, a hand opening), it is followed from the previous frame with OpenCV's
      full pyramid in a crop around its group, then looked for against the reference again from
      there; where it does not match, the followed position is kept until it does.
    """

    def __init__(
        self,
        reference: GrayImage,
        points: np.ndarray,
        groups: np.ndarray,
        scale: float = 1.0,
        articulating: set[int] | None = None,
    ) -> None:
        self.scale = scale
        reference = _at_scale(reference, scale)
        self.patches = ReferencePatches(reference.plane, points * scale, reference.contrast)
        self.ref_points = self.patches.points
        self.previous = reference
        names = np.unique(groups)
        self.members = [np.flatnonzero(groups == g) for g in names]
        self.articulates = [int(g) in (articulating or set()) for g in names]
        self.guess = self.ref_points.copy()
        self.alive = self.patches.usable.copy()
        #: Points whose reference window no longer matches where they were last looked for.
        self.detached = np.zeros(len(self.ref_points), dtype=bool)

    def near_jobs(self, image: GrayImage, parts: int) -> list[Callable[[], None]]:
        """The search near the last positions, against the reference, split into ``parts`` jobs.

        Run them all (in any order, on any thread), then every job of :meth:`far_jobs`, then
        read :meth:`positions`.
        """
        image = _at_scale(image, self.scale)
        self._current = image
        n = len(self.ref_points)
        self._now = (
            np.full((n, 2), np.nan, np.float32),
            np.zeros(n, dtype=bool),
            np.zeros(n, np.float32),
        )
        self._next = self.guess.copy()
        self._lost = ~self.alive
        near = np.flatnonzero(self.alive & ~self.detached)
        return [
            partial(self.patches.align, image.plane, self.guess, chunk, self._now)
            for chunk in np.array_split(near, parts)
            if chunk.size
        ]

    def far_jobs(self) -> list[Callable[[], None]]:
        """One job per group with points that did not match near their last position."""
        found, converged, _ = self._now
        moved = np.linalg.norm(found - self.guess, axis=1)
        with np.errstate(invalid="ignore"):
            good = self.alive & ~self.detached & converged & (moved <= FAST_MOTION_PX)
        self._next[good] = found[good]
        jobs = []
        for g, members in enumerate(self.members):
            rest = members[self.alive[members] & ~good[members]]
            if not rest.size:
                continue
            matched = members[good[members]]
            if (
                not self.articulates[g]
                and matched.size >= MIN_REGION_POINTS
                and matched.size >= np.count_nonzero(self.alive[members]) / 2
            ):
                step = np.median(found[matched] - self.guess[matched], axis=0)
                jobs.append((rest.size, partial(self._look_again, rest, step)))
            else:
                jobs.append((4 * rest.size, partial(self._follow_far, rest)))
        return [job for _, job in sorted(jobs, key=lambda j: -j[0])]

    def positions(self) -> np.ndarray:
        """Positions in frame pixels once the jobs of the frame have run, shape (n, 2)."""
        found = self._now[0]
        self.alive &= ~self._lost
        found[~self.alive] = np.nan
        self.guess = self._next
        self.previous = self._current
        return found / np.float32(self.scale) if self.scale != 1.0 else found

    def _look_again(self, members: np.ndarray, step: np.ndarray) -> None:
        """Look for points of a group that moves as one where the group's movement takes them.

        Where their reference does not match there they are left out of this frame (NaN).
        """
        starts = self._next.copy()
        starts[members] = self.guess[members] + step.astype(np.float32)
        found, converged, _ = self.patches.align(self._current.plane, starts, members)
        shift = np.linalg.norm(found[members] - starts[members], axis=1)
        with np.errstate(invalid="ignore"):
            agree = converged[members] & (shift < MAX_REFINE_SHIFT)
        self.detached[members] = ~agree
        self._now[0][members] = np.where(agree[:, None], found[members], np.nan)
        self._next[members] = np.where(agree[:, None], found[members], starts[members])

    def _follow_far(self, members: np.ndarray) -> None:
        """Points that moved far: chained from the previous frame, then refined if it matches."""
        start = self.guess[members]
        chained, ok_chain = _chain(self.previous, self._current, start)
        chained = np.where(ok_chain[:, None], chained, start).astype(np.float32)
        starts = self._next.copy()
        starts[members] = chained
        refined, converged, _ = self.patches.align(self._current.plane, starts, members)
        shift = np.linalg.norm(refined[members] - chained, axis=1)
        with np.errstate(invalid="ignore"):
            agree = converged[members] & (shift < MAX_REFINE_SHIFT)
        self.detached[members] = ~agree
        self._now[0][members] = np.where(agree[:, None], refined[members], chained)
        self._next[members] = self._now[0][members]
        self._lost[members] = ~(ok_chain | agree)


def _at_scale(image: GrayImage, scale: float) -> GrayImage:
    """The image at ``scale`` of its size: itself, or half size (one pyramid step)."""
    if scale == 1.0:
        return image
    if scale == 0.5:
        return image.half()
    raise ValueError(f"scale must be 1 or 0.5, not {scale}")


def _chain(
    previous: GrayImage, current: GrayImage, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Follow points from the previous frame with OpenCV's full pyramid, in a crop around them.

    Works on full-range grey (OpenCV interpolates in fixed point: finer steps are better).
    Returns the positions and whether each was found.
    """
    x, y, w, h = _box_around(points, FAR_PAD, previous.shape)
    before, after = previous.full_crop((x, y, w, h)), current.full_crop((x, y, w, h))
    found, status, _ = cv2.calcOpticalFlowPyrLK(
        before,
        after,
        (points - np.array([x, y], np.float32)).astype(np.float32),
        None,
        winSize=LK_WINDOW,
        maxLevel=LK_LEVELS,
        criteria=LK_CRITERIA,
        minEigThreshold=MIN_EIGEN,
    )
    return found.reshape(-1, 2) + np.array([x, y], np.float32), status.reshape(-1).astype(bool)


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


def _box_around(points: np.ndarray, pad: int, shape: tuple[int, int]) -> Box:
    """Box around points widened by ``pad`` pixels, inside an image of ``shape``."""
    height, width = shape
    low, high = points.min(axis=0), points.max(axis=0)
    x0 = min(max(math.floor(low[0]) - pad, 0), width - 1)
    y0 = min(max(math.floor(low[1]) - pad, 0), height - 1)
    x1 = min(max(math.ceil(high[0]) + pad + 1, x0 + 1), width)
    y1 = min(max(math.ceil(high[1]) + pad + 1, y0 + 1), height)
    return x0, y0, x1 - x0, y1 - y0


class ReferenceTracker:
    """Follows the points of several regions and the background from one reference frame.

    Region points are looked for at full resolution against their reference windows (prepared
    once, see :class:`_Follower`); background points, which only need to agree on one camera
    transform, at half resolution.

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
        A one-thread pool: each frame's work is then shared between the caller's thread and the
        helper's (the compiled search and OpenCV release Python's lock).
    articulating : collection of keys, optional
        Regions whose parts may move against each other (a hand: fingers tapping, opening and
        closing): their points that stop matching the reference are followed frame to frame, so
        that :attr:`FrameMotion.residuals` shows how they move. Other regions move as one.

    """

    def __init__(
        self,
        reference: np.ndarray | GrayImage,
        regions: dict[Hashable, np.ndarray],
        background: np.ndarray,
        helper: Executor | None = None,
        articulating: Collection[Hashable] = (),
    ) -> None:
        self.helper = helper
        self.keys = list(regions)
        parts = [regions[k].reshape(-1, 2).astype(np.float32) for k in self.keys]
        sizes = [len(p) for p in parts]
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        points = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
        owner = np.repeat(np.arange(len(parts)), sizes)
        reference = as_gray_image(reference)
        hands = {i for i, key in enumerate(self.keys) if key in articulating}
        self.regions = _Follower(reference, points, owner, articulating=hands)
        # each point's slot in a (region, point) table, for all regions' means at once
        self._slots = (owner, np.arange(len(points)) - self.bounds[owner])
        self._table_shape = (len(parts), max(sizes, default=0), 2)
        background = background.reshape(-1, 2).astype(np.float32)
        self.compensates = len(background) >= 2 * MIN_CAMERA_INLIERS
        self.background = None
        if self.compensates:
            # one group, followed point by point: the background does not move as one
            # (parallax, zoom, things passing by)
            together = np.zeros(len(background), dtype=int)
            self.background = _Follower(
                reference, background, together, BACKGROUND_SCALE, articulating={0}
            )

    @property
    def detached(self) -> np.ndarray:
        """Which region points currently follow the previous frame, not their reference."""
        return self.regions.detached

    @property
    def alive(self) -> np.ndarray:
        """Which region points are still followed (whether or not found in the last frame)."""
        return self.regions.alive

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
        followers = [f for f in (self.background, self.regions) if f is not None]
        parts = 1 if self.helper is None else 2
        share([job for f in followers for job in f.near_jobs(image, parts)], self.helper)
        share([job for f in followers for job in f.far_jobs()], self.helper)
        camera, inliers = (None, 0)
        if self.background is not None:
            camera, inliers = self._camera(self.background.positions())
        now = self.regions.positions()
        ref = self.regions.ref_points
        moved = now - ref
        shift = np.zeros_like(moved)
        if camera is not None:
            shift = ref @ camera[:, :2].T + camera[:, 2] - ref
        moved -= shift
        table = np.full(self._table_shape, np.nan, np.float32)
        found = np.isfinite(moved[:, 0])
        table[self._slots[0][found], self._slots[1][found]] = moved[found]
        means = robust_means(table)
        counts = np.bincount(self._slots[0][found], minlength=len(self.keys))
        unusable = (counts < MIN_REGION_POINTS) | (self.compensates and camera is None)
        means[unusable] = np.nan
        residual = np.where(found[:, None], moved - means[self._slots[0]], np.nan)
        regions, raw, residuals = {}, {}, {}
        for i, key in enumerate(self.keys):
            part = slice(self.bounds[i], self.bounds[i + 1])
            regions[key] = means[i].astype(float)
            raw[key] = regions[key] + shift[part].mean(axis=0)
            residuals[key] = residual[part].astype(float)
        return FrameMotion(regions, raw, camera, inliers, residuals)

    def _camera(self, now: np.ndarray) -> tuple[np.ndarray | None, int]:
        """Similarity transform from the reference to this frame, fitted to the background.

        RANSAC (1 px) finds the points that agree; a least-median refit on them, then a least
        squares fit on those within 3 robust SDs of it: a few points that move by less than the
        RANSAC threshold (the floor next to a trembling foot) would otherwise pull the camera
        along with them.
        """
        ok = np.isfinite(now[:, 0])
        if ok.sum() < MIN_CAMERA_INLIERS:
            return None, 0
        src = self.background.ref_points[ok] / np.float32(self.background.scale)
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
        Matching points, n >= 2.

    Returns
    -------
    ndarray, shape (2, 3)
        ``[[a, -b, tx], [b, a, ty]]``, as ``cv2.estimateAffinePartial2D`` gives it.

    """
    src = np.asarray(src, float)
    dst = np.asarray(dst, float)
    x, y = src[:, 0], src[:, 1]
    one, zero = np.ones_like(x), np.zeros_like(x)
    design = np.concatenate([np.c_[x, -y, one, zero], np.c_[y, x, zero, one]])
    target = np.concatenate([dst[:, 0], dst[:, 1]])
    a, b, tx, ty = np.linalg.lstsq(design, target, rcond=None)[0]
    return np.array([[a, -b, tx], [b, a, ty]])


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
