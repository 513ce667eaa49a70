"""Lucas-Kanade against a fixed reference frame, with the reference's share of the work done once.

Every frame of a reference chunk is compared with the same reference frame, so the windows of the
reference around each point, their gradients and the inverse of each point's 2x2 normal matrix
never change: they are computed once per chunk here. Each later frame then costs only the
sampling of its own windows and two sums per iteration (the inverse compositional form of
Lucas-Kanade, Baker and Matthews, IJCV 2004, which for a translation gives the same steps as
OpenCV's ``calcOpticalFlowPyrLK`` at one pyramid level). OpenCV's Python interface cannot take a
prebuilt reference (pyramid and derivatives are rebuilt in every call), which made the per-frame
cost several times larger; the loop over a window is compiled with numba
(:mod:`tremorscope.motion.kernels`).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from tremorscope.motion.kernels import _align, _cut_windows, _follow_groups, _settle

#: Side of the window around each point (pixels, odd), as OpenCV's default-sized LK window.
WINDOW = 21
#: Most Gauss-Newton steps for one point in one frame; a point still moving after them has not
#: converged (it no longer matches its reference, or moved beyond reach of one level).
MAX_STEPS = 10
#: A step shorter than this (pixels) ends the search.
STEP_EPS = 0.01
#: Texture a window needs: the smaller eigenvalue of its normal matrix per pixel, in squared
#: grey levels per pixel squared (OpenCV's default ``minEigThreshold`` of 1e-4 in these units).
MIN_EIGEN_PER_PIXEL = 1e-4 * 1024.0


class ReferencePatches:
    """Windows of a reference frame around points, ready to be found again in later frames.

    Parameters
    ----------
    plane : ndarray, shape (height, width), uint8
        The reference frame (any grey levels: later frames must come in the same ones).
    points : ndarray, shape (n, 2)
        Point positions ``(x, y)``; rounded to whole pixels (corners are found on whole pixels).
    contrast : float
        Grey-level steps of ``plane`` per step of full range (219/255 for video range): scales
        the texture threshold, which is in full-range units.
    window : int
        Side of each window (odd).

    Attributes
    ----------
    points : ndarray, shape (n, 2), float32
        The reference positions.
    usable : ndarray of bool, shape (n,)
        Points inside the frame whose window has enough texture in both directions (the part of
        a window past the frame's edge does not count); the others are never searched for
        (their results are NaN).
    windows : tuple of ndarray
        ``(templates, grad_x, grad_y, inverse)``: each window's pixels and Scharr derivatives,
        shape (n, window, window), and the inverse of its normal matrix, shape (n, 2, 2), all
        float32: what the compiled searches take.

    """

    def __init__(
        self, plane: np.ndarray, points: np.ndarray, contrast: float = 1.0, window: int = WINDOW
    ) -> None:
        self.points = np.round(np.asarray(points, np.float32).reshape(-1, 2)).astype(np.float32)
        n = len(self.points)
        rows, cols = plane.shape
        xy = self.points.astype(np.int64)
        inside = (xy[:, 0] >= 0) & (xy[:, 1] >= 0) & (xy[:, 0] < cols) & (xy[:, 1] < rows)
        self.templates = np.zeros((n, window, window), np.float32)
        self.grad_x = np.zeros_like(self.templates)
        self.grad_y = np.zeros_like(self.templates)
        self.inverse = np.zeros((n, 2, 2), np.float32)
        self.usable = np.zeros(n, dtype=bool)
        if not inside.any():
            return
        # each window and its Scharr derivatives (scaled to grey levels per pixel, as OpenCV's
        # Lucas-Kanade takes them), mirrored past the frame's edges, where the derivatives are
        # left at zero: pixels there do not count (as in OpenCV)
        normal = np.zeros((n, 3))
        _cut_windows(plane, xy, inside, self.templates, self.grad_x, self.grad_y, normal)
        a11, a22, a12 = normal.T
        det = a11 * a22 - a12**2
        min_eigen = (a11 + a22 - np.sqrt((a11 - a22) ** 2 + 4 * a12**2)) / 2
        threshold = MIN_EIGEN_PER_PIXEL * contrast**2 * window * window
        self.usable = inside & (min_eigen >= threshold) & (det > 0)
        safe = np.where(self.usable, det, 1.0)
        self.inverse[:, 0, 0] = np.where(self.usable, a22 / safe, 0)
        self.inverse[:, 1, 1] = np.where(self.usable, a11 / safe, 0)
        self.inverse[:, 0, 1] = self.inverse[:, 1, 0] = np.where(self.usable, -a12 / safe, 0)

    @property
    def windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(templates, grad_x, grad_y, inverse)`` (see the class)."""
        return self.templates, self.grad_x, self.grad_y, self.inverse

    def __len__(self) -> int:
        return len(self.points)

    def follow(
        self,
        image: np.ndarray,
        state: PointState,
        groups: np.ndarray,
        fast_px: float,
        refine_px: float,
        min_points: int,
    ) -> None:
        """One frame's search for the points of ``groups``, near where they were.

        Fills ``state``'s frame results for those groups (see :class:`PointState`; separate
        groups may be searched on separate threads). Every point that still matches its reference
        is looked for near its last position. One that is not found there, or that moved more
        than ``fast_px`` since the last frame, no longer matches there: in a group that moves as
        one (not ``state.articulates``) where most points matched, it is looked for where the
        group's displacement since the reference places it, taken back if found within
        ``refine_px`` of there and left out of the frame (NaN) if not; otherwise it is marked
        in ``state.far``, to be followed from the previous frame (then :meth:`settle`).
        """
        _follow_groups(
            image,
            self.windows,
            self.points,
            state.guess,
            state.alive,
            state.detached,
            state.bounds,
            state.articulates,
            np.asarray(groups, np.int64),
            MAX_STEPS,
            STEP_EPS,
            fast_px,
            refine_px,
            min_points,
            state.found,
            state.following,
            state.far,
        )

    def settle(
        self,
        image: np.ndarray,
        state: PointState,
        which: np.ndarray,
        followed: np.ndarray,
        followed_ok: np.ndarray,
        refine_px: float,
    ) -> None:
        """Points followed from the previous frame: looked for against their reference from there.

        A point found within ``refine_px`` of where it was followed to matches its reference
        again; otherwise it keeps the followed position and is *detached* (or is lost, where it
        could not be followed either).
        """
        _settle(
            image,
            self.windows,
            np.asarray(which, np.int64),
            np.ascontiguousarray(followed, np.float32),
            np.ascontiguousarray(followed_ok, np.bool_),
            MAX_STEPS,
            STEP_EPS,
            refine_px,
            state.alive,
            state.detached,
            state.found,
            state.following,
        )

    def align(
        self,
        image: np.ndarray,
        start: np.ndarray,
        which: np.ndarray | None = None,
        out: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        max_steps: int = MAX_STEPS,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Find each reference window in ``image``, starting the search at ``start``.

        Parameters
        ----------
        image : ndarray, shape (height, width), uint8
            A later frame, in the reference's grey levels.
        start : ndarray, shape (n, 2)
            Where to start looking for every point (e.g. where it was in the previous frame).
        which : ndarray of int, optional
            Only these points (default: every usable one).
        out : tuple of arrays, optional
            ``(found, converged, residual)`` to fill in place at ``which`` (several calls on
            separate points may then run on separate threads).
        max_steps : int
            Most Gauss-Newton steps per point.

        Returns
        -------
        found : ndarray, shape (n, 2), float32
            Positions found (at ``which``; elsewhere as given in ``out``, or NaN).
        converged : ndarray of bool, shape (n,)
            The search settled within ``max_steps`` without leaving the frame.
        residual : ndarray, shape (n,), float32
            Mean absolute grey-level difference between the window and its reference where the
            search ended (inf where it left the frame).

        """
        if which is None:
            which = np.flatnonzero(self.usable)
        if out is None:
            n = len(self.points)
            out = (
                np.full((n, 2), np.nan, np.float32),
                np.zeros(n, dtype=bool),
                np.full(n, np.inf, np.float32),
            )
        which = np.asarray(which, np.int64)
        which = which[self.usable[which]]
        if which.size:
            _align(
                image,
                self.windows,
                which,
                np.ascontiguousarray(start, dtype=np.float32),
                max_steps,
                STEP_EPS,
                *out,
            )
        return out


class PointState:
    """Where a set of points is, frame after frame, and which still match their reference.

    Points come in groups (a region's, the background's), stored one group after another.

    Parameters
    ----------
    reference : ndarray, shape (n, 2)
        Positions in the reference frame.
    usable : ndarray of bool, shape (n,)
        Points that can be followed at all.
    groups : ndarray of int, shape (n,)
        Each point's group, non-decreasing.
    n_groups : int
        Number of groups (some may hold no point).
    articulating : collection of int
        Groups whose parts may move against each other (a point that no longer matches is then
        followed from frame to frame rather than placed by the rest of its group).

    Attributes
    ----------
    guess : ndarray, shape (n, 2), float32
        Where each point is looked for in the next frame.
    alive : ndarray of bool
        Points still followed.
    detached : ndarray of bool
        Points whose reference window no longer matches where they were last looked for.
    found, following, far
        The current frame's results (see :meth:`begin`).

    """

    def __init__(
        self,
        reference: np.ndarray,
        usable: np.ndarray,
        groups: np.ndarray,
        n_groups: int,
        articulating: Collection[int] = (),
    ) -> None:
        groups = np.asarray(groups, np.int64)
        if np.any(np.diff(groups) < 0):
            raise ValueError("points must come one group after another")
        self.bounds = np.searchsorted(groups, np.arange(n_groups + 1)).astype(np.int64)
        self.articulates = np.array([g in articulating for g in range(n_groups)], np.bool_)
        self.guess = np.ascontiguousarray(reference, np.float32).copy()
        self.alive = np.asarray(usable, np.bool_).copy()
        self.detached = np.zeros(len(reference), np.bool_)
        self.begin()

    def begin(self) -> None:
        """Start a frame: clear its results.

        ``found`` (NaN until found), ``following`` (where to look in the next frame) and ``far``
        (points to follow from the previous frame).
        """
        n = len(self.guess)
        self.found = np.full((n, 2), np.nan, np.float32)
        self.following = self.guess.copy()
        self.far = np.zeros(n, np.bool_)

    def end(self) -> np.ndarray:
        """Close the frame: positions found (NaN where lost or left out), next guesses kept."""
        self.found[~self.alive] = np.nan
        self.guess = self.following
        return self.found
