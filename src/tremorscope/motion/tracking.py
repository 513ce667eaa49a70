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

This module is the tracker itself. Points are chosen by :mod:`tremorscope.motion.points`, the
camera's transform is fitted by :mod:`tremorscope.motion.camera`, a region's displacement is the
robust mean of :mod:`tremorscope.motion.robust`, and how its parts move against each other is
read off by :mod:`tremorscope.motion.articulation`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Collection, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from tremorscope.locate.pose import Box
from tremorscope.motion.camera import MIN_CAMERA_INLIERS, CameraFit
from tremorscope.motion.patches import PointState, ReferencePatches
from tremorscope.motion.points import select_points
from tremorscope.motion.robust import group_means
from tremorscope.video.reader import GrayImage, as_gray_image

#: OpenCV's Lucas-Kanade (points followed from the previous frame): window, pyramid depth and
#: stopping rule. Its answer is only where the search against the reference starts, or the rough
#: place of a point whose reference no longer matches (a finger): 10 steps, to 0.03 px, are
#: enough (30 steps to 0.01 px cost a fifth more tracking time and changed no result of the
#: injection suite or the real-movement benchmark).
LK_WINDOW = (21, 21)
LK_LEVELS = 3
LK_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 10, 0.03)
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
    """Follows groups of points (one per region, or the background) from one reference frame.

    Each frame, every point that still matches its reference is looked for against the reference
    window itself, starting where it was in the previous frame
    (:class:`~tremorscope.motion.patches.ReferencePatches`: the reference's share of the work is
    done once per chunk). A point that is not found there or that moved more than
    :data:`FAST_MOTION_PX` since the previous frame no longer *matches* there:

    - in a group that moves as one (a head, a knee, a foot) where most points matched, it is
      looked for where the group's displacement places it, and left out of the frame while it
      is not found there (an eye blinking, a shadow crossing);
    - otherwise (the group moved fast, or its parts move against each other: a hand opening, a
      finger tapping), it is followed from the previous frame with OpenCV's full pyramid, then
      looked for against the reference again from there; where it does not match, the followed
      position is kept (and the point *detached*) until it does.

    Per frame: :meth:`begin`, then :meth:`follow` for every group (in any order, on any
    thread), then :meth:`positions`.
    """

    def __init__(
        self,
        reference: GrayImage,
        points: np.ndarray,
        groups: np.ndarray,
        scale: float = 1.0,
        articulating: Collection[int] = (),
        n_groups: int = 0,
    ) -> None:
        self.scale = scale
        reference = _at_scale(reference, scale)
        self.patches = ReferencePatches(reference.plane, points * scale, reference.contrast)
        self.ref_points = self.patches.points
        self.previous = reference
        count = max(int(groups.max()) + 1 if groups.size else 0, n_groups)
        self.state = PointState(self.ref_points, self.patches.usable, groups, count, articulating)

    @property
    def alive(self) -> np.ndarray:
        """Points still followed."""
        return self.state.alive

    @property
    def detached(self) -> np.ndarray:
        """Points whose reference no longer matches where they were last looked for."""
        return self.state.detached

    def begin(self, image: GrayImage) -> None:
        """Start on a frame (the current one, in the reference's grey levels)."""
        self._current = _at_scale(image, self.scale)
        self.state.begin()

    def follow(self, groups: Sequence[int]) -> None:
        """Find the points of ``groups`` in the current frame."""
        if not groups:
            return
        state = self.state
        self.patches.follow(
            self._current.plane,
            state,
            np.asarray(groups),
            FAST_MOTION_PX,
            MAX_REFINE_SHIFT,
            MIN_REGION_POINTS,
        )
        for g in groups:
            lo, hi = state.bounds[g], state.bounds[g + 1]
            far = np.flatnonzero(state.far[lo:hi])
            if far.size:
                self._follow_far(far + lo)

    def positions(self) -> np.ndarray:
        """Positions in frame pixels once the groups of the frame are done, shape (n, 2)."""
        found = self.state.end()
        self.previous = self._current
        return found / np.float32(self.scale) if self.scale != 1.0 else found

    def _follow_far(self, members: np.ndarray) -> None:
        """Points that moved far: chained from the previous frame, then refined if it matches."""
        start = self.state.guess[members]
        chained, ok = _chain(self.previous, self._current, start)
        chained = np.where(ok[:, None], chained, start)
        self.patches.settle(self._current.plane, self.state, members, chained, ok, MAX_REFINE_SHIFT)


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
        Background points for the camera estimate (may be empty: no compensation). Those
        found to be a static overlay are left out of it
        (:class:`~tremorscope.motion.camera.CameraFit`, :attr:`overlay_points`).
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
        self.regions = _Follower(reference, points, owner, articulating=hands, n_groups=len(parts))
        # a frame's jobs: each hand alone (its points that move against each other are followed
        # with the full pyramid, the costliest work), the other regions in two halves
        self._jobs: list[list[int]] = [[i] for i in sorted(hands, key=lambda i: -sizes[i])]
        halves: list[list[int]] = [[], []]
        load = [0, 0]
        for i in sorted(set(range(len(parts))) - hands, key=lambda i: -sizes[i]):
            lighter = int(load[1] < load[0])
            halves[lighter].append(i)
            load[lighter] += sizes[i]
        self._jobs += [half for half in halves if half]
        self._owner = owner
        # where each region's points are on average: the camera's shift there is the region's
        self._centres = np.array(
            [p.mean(axis=0) if len(p) else (np.nan, np.nan) for p in parts], np.float64
        ).reshape(-1, 2)
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
            self._camera = CameraFit(
                self.background.ref_points, reference.shape, self.background.scale
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
        # the hands, the other regions in two halves and the camera, shared by two threads
        self.regions.begin(image)
        jobs = [partial(self.regions.follow, groups) for groups in self._jobs]
        camera_found: list[tuple[np.ndarray | None, int]] = [(None, 0)]
        if self.background is not None:
            jobs.insert(0, partial(self._follow_camera, image, camera_found))
        share(jobs, self.helper)
        camera, inliers = camera_found[0]
        now = self.regions.positions()
        ref = self.regions.ref_points
        moved = now.astype(np.float64) - ref
        carried = np.zeros((len(self.keys), 2))  # the camera's shift at each region
        if camera is not None:
            moved -= ref @ camera[:, :2].T + camera[:, 2] - ref
            carried = self._centres @ camera[:, :2].T + camera[:, 2] - self._centres
        means, counts = group_means(moved, self.bounds)
        unusable = (counts < MIN_REGION_POINTS) | (self.compensates and camera is None)
        means[unusable] = np.nan
        residual = moved - means[self._owner]
        carried += means
        regions, raw, residuals = {}, {}, {}
        for i, key in enumerate(self.keys):
            regions[key] = means[i]
            raw[key] = carried[i]
            residuals[key] = residual[self.bounds[i] : self.bounds[i + 1]]
        return FrameMotion(regions, raw, camera, inliers, residuals)

    def _follow_camera(self, image: GrayImage, found: list[tuple[np.ndarray | None, int]]) -> None:
        """Follow the background and fit the camera's transform to it (into ``found[0]``)."""
        assert self.background is not None
        self.background.begin(image)  # makes the half-size image, in this job's thread
        self.background.follow([0])
        now = self.background.positions()
        found[0] = self._camera.fit(now)

    @property
    def overlay_points(self) -> np.ndarray:
        """Background points found to be a static overlay so far (reference places, px)."""
        if self.background is None:
            return np.zeros((0, 2))
        return self._camera.overlay_points


def warm_up() -> None:
    """Load the compiled searches before the first frame needs them.

    The first compiled call in a process loads numba's machinery (0.3-0.8 s, mostly imports,
    even with the compiled code cached on disk). Run in a spare thread while the pose model
    starts, it is off the path to the first tracked frame. Follows a small textured image
    shifted by 5 px: the searches against the reference, the chain from the previous frame and
    the return to the reference all run once, with the types the pass uses.
    """
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (96, 96), dtype=np.uint8)
    image = cv2.GaussianBlur(noise, (0, 0), 1.5)
    points = select_points(image, (16, 16, 64, 64), max_points=24)
    regions = {"rigid": points[::2], "articulating": points[1::2]}
    none = np.zeros((0, 2), np.float32)
    tracker = ReferenceTracker(image, regions, none, articulating=["articulating"])
    tracker.track(np.roll(image, 5, axis=1))
