"""Lucas-Kanade against a fixed reference frame, with the reference's share of the work done once.

Every frame of a reference chunk is compared with the same reference frame, so the windows of the
reference around each point, their gradients and the inverse of each point's 2x2 normal matrix
never change: they are computed once per chunk here. Each later frame then costs only the
sampling of its own windows and two sums per iteration (the inverse compositional form of
Lucas-Kanade, Baker and Matthews, IJCV 2004, which for a translation gives the same steps as
OpenCV's ``calcOpticalFlowPyrLK`` at one pyramid level). OpenCV's Python interface cannot take a
prebuilt reference (pyramid and derivatives are rebuilt in every call), which made the per-frame
cost several times larger; the loop over a window is compiled with numba.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from numba import njit

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
#: Where only an answer within some distance of the start is accepted, the search gives up once
#: it is this many times that distance away (a search that strays that far practically never
#: comes back; the windows that no longer match, a tapping finger's, cost a third as much).
GIVE_UP = 2.0


@njit(nogil=True, cache=True)
def _mirror(i: int, n: int) -> int:  # pragma: no cover - compiled
    """Index ``i`` mirrored into ``0 .. n-1`` about the edge pixels (``BORDER_REFLECT_101``)."""
    if n == 1:
        return 0
    while i < 0 or i >= n:
        i = -i if i < 0 else 2 * n - 2 - i
    return i


@njit(nogil=True, cache=True, fastmath=True)
def _align_point(
    image: np.ndarray,
    windows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    i: int,
    px: float,
    py: float,
    max_steps: int,
    eps: float,
    block: np.ndarray,
    reach: float = np.inf,
) -> tuple[float, float, bool, float]:  # pragma: no cover - compiled
    """Gauss-Newton search for window ``i`` from ``(px, py)``: position, settled, residual.

    A search that goes further than ``reach`` from where it started gives up (not settled):
    callers that only accept an answer near the start need not wait for it to settle far away.
    ``windows`` is :attr:`ReferencePatches.windows`.
    """
    templates, grad_x, grad_y, inverse = windows
    size = templates.shape[1]
    start_x = px
    start_y = py
    half = size // 2
    rows, cols = image.shape
    last_dx = 0.0
    last_dy = 0.0
    error = np.float32(0.0)
    for step in range(max_steps):
        if not (0.0 <= px <= cols - 1 and 0.0 <= py <= rows - 1):
            return px, py, False, np.inf
        x0 = px - half
        y0 = py - half
        ix = int(np.floor(x0))
        iy = int(np.floor(y0))
        fx = np.float32(x0 - ix)
        fy = np.float32(y0 - iy)
        if ix >= 0 and iy >= 0 and ix + size + 1 <= cols and iy + size + 1 <= rows:
            for v in range(size + 1):
                for u in range(size + 1):
                    block[v, u] = image[iy + v, ix + u]
        else:  # the window reaches past the edge (no gradient there: those pixels do not count)
            for v in range(size + 1):
                y = _mirror(iy + v, rows)
                for u in range(size + 1):
                    block[v, u] = image[y, _mirror(ix + u, cols)]
        bx = np.float32(0.0)
        by = np.float32(0.0)
        error = np.float32(0.0)
        for v in range(size):
            for u in range(size):
                top = block[v, u] + fx * (block[v, u + 1] - block[v, u])
                bottom = block[v + 1, u] + fx * (block[v + 1, u + 1] - block[v + 1, u])
                diff = top + fy * (bottom - top) - templates[i, v, u]
                bx += diff * grad_x[i, v, u]
                by += diff * grad_y[i, v, u]
                error += abs(diff)
        dx = inverse[i, 0, 0] * bx + inverse[i, 0, 1] * by
        dy = inverse[i, 1, 0] * bx + inverse[i, 1, 1] * by
        if step > 0 and abs(dx + last_dx) < eps and abs(dy + last_dy) < eps:
            # swinging back and forth about the optimum (as OpenCV does: take the middle)
            return px - 0.5 * dx, py - 0.5 * dy, True, error / (size * size)
        px -= dx
        py -= dy
        last_dx = dx
        last_dy = dy
        if (px - start_x) ** 2 + (py - start_y) ** 2 > reach * reach:
            return px, py, False, error / (size * size)
        if dx * dx + dy * dy <= eps * eps:
            return px, py, True, error / (size * size)
    return px, py, False, error / (size * size)


@njit(nogil=True, cache=True)
def _align(
    image: np.ndarray,
    windows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    which: np.ndarray,
    start: np.ndarray,
    max_steps: int,
    eps: float,
    found: np.ndarray,
    converged: np.ndarray,
    residual: np.ndarray,
) -> None:  # pragma: no cover - compiled
    size = windows[0].shape[1]
    block = np.empty((size + 1, size + 1), np.float32)
    for k in range(which.shape[0]):
        i = which[k]
        x, y, done, error = _align_point(
            image,
            windows,
            i,
            start[i, 0],
            start[i, 1],
            max_steps,
            eps,
            block,
        )
        found[i, 0] = x
        found[i, 1] = y
        converged[i] = done
        residual[i] = error


@njit(nogil=True, cache=True)
def _follow_groups(
    image: np.ndarray,
    windows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    reference: np.ndarray,
    guess: np.ndarray,
    alive: np.ndarray,
    detached: np.ndarray,
    bounds: np.ndarray,
    articulates: np.ndarray,
    groups: np.ndarray,
    max_steps: int,
    eps: float,
    fast_px: float,
    refine_px: float,
    min_points: int,
    found: np.ndarray,
    following: np.ndarray,
    far: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """One frame of :meth:`ReferencePatches.follow`, for the groups listed in ``groups``."""
    size = windows[0].shape[1]
    block = np.empty((size + 1, size + 1), np.float32)
    for k in range(groups.shape[0]):
        g = groups[k]
        lo, hi = bounds[g], bounds[g + 1]
        good = np.zeros(hi - lo, np.bool_)
        n_alive = 0
        n_good = 0
        for i in range(lo, hi):
            following[i, 0] = guess[i, 0]
            following[i, 1] = guess[i, 1]
            if not alive[i]:
                continue
            n_alive += 1
            if detached[i]:
                continue
            x, y, done, _ = _align_point(
                image,
                windows,
                i,
                guess[i, 0],
                guess[i, 1],
                max_steps,
                eps,
                block,
                GIVE_UP * fast_px,
            )
            found[i, 0] = x
            found[i, 1] = y
            step = np.sqrt((x - guess[i, 0]) ** 2 + (y - guess[i, 1]) ** 2)
            if done and step <= fast_px:
                good[i - lo] = True
                n_good += 1
                following[i, 0] = x
                following[i, 1] = y
        if n_good == n_alive:
            continue
        if articulates[g] or n_good < max(min_points, n_alive / 2):
            for i in range(lo, hi):
                far[i] = alive[i] and not good[i - lo]
            continue
        # the group moves as one: look for the rest where the group's displacement puts them
        dx = np.empty(n_good, np.float32)
        dy = np.empty(n_good, np.float32)
        j = 0
        for i in range(lo, hi):
            if good[i - lo]:
                dx[j] = found[i, 0] - reference[i, 0]
                dy[j] = found[i, 1] - reference[i, 1]
                j += 1
        mx = np.median(dx)
        my = np.median(dy)
        for i in range(lo, hi):
            if not alive[i] or good[i - lo]:
                continue
            sx = reference[i, 0] + mx
            sy = reference[i, 1] + my
            x, y, done, _ = _align_point(
                image,
                windows,
                i,
                sx,
                sy,
                max_steps,
                eps,
                block,
                GIVE_UP * refine_px,
            )
            agree = done and np.sqrt((x - sx) ** 2 + (y - sy) ** 2) < refine_px
            detached[i] = not agree
            if agree:
                found[i, 0] = x
                found[i, 1] = y
                following[i, 0] = x
                following[i, 1] = y
            else:
                found[i, 0] = np.nan
                found[i, 1] = np.nan
                following[i, 0] = sx
                following[i, 1] = sy


@njit(nogil=True, cache=True)
def _settle(
    image: np.ndarray,
    windows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    which: np.ndarray,
    chained: np.ndarray,
    chain_ok: np.ndarray,
    max_steps: int,
    eps: float,
    refine_px: float,
    alive: np.ndarray,
    detached: np.ndarray,
    found: np.ndarray,
    following: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Points followed from the previous frame: kept there, or taken back by their reference."""
    size = windows[0].shape[1]
    block = np.empty((size + 1, size + 1), np.float32)
    for k in range(which.shape[0]):
        i = which[k]
        cx, cy = chained[k, 0], chained[k, 1]
        x, y, done, _ = _align_point(
            image,
            windows,
            i,
            cx,
            cy,
            max_steps,
            eps,
            block,
            GIVE_UP * refine_px,
        )
        agree = done and np.sqrt((x - cx) ** 2 + (y - cy) ** 2) < refine_px
        detached[i] = not agree
        if not (agree or chain_ok[k]):
            alive[i] = False
            found[i, 0] = np.nan
            found[i, 1] = np.nan
            continue
        found[i, 0] = x if agree else cx
        found[i, 1] = y if agree else cy
        following[i, 0] = found[i, 0]
        following[i, 1] = found[i, 1]


@njit(nogil=True, cache=True, fastmath=True)
def _cut_windows(
    plane: np.ndarray,
    xy: np.ndarray,
    inside: np.ndarray,
    templates: np.ndarray,
    grad_x: np.ndarray,
    grad_y: np.ndarray,
    normal: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Fill each window of ``plane`` at ``xy``: pixels, Scharr derivatives / 32, normal matrix.

    The normal matrix is kept as its sums ``(gx^2, gy^2, gx gy)``.
    """
    size = templates.shape[1]
    half = size // 2
    rows, cols = plane.shape
    block = np.empty((size + 2, size + 2), np.float32)
    for i in range(xy.shape[0]):
        if not inside[i]:
            continue
        top = xy[i, 1] - half - 1
        left = xy[i, 0] - half - 1
        edge = top < 0 or left < 0 or top + size + 2 > rows or left + size + 2 > cols
        for v in range(size + 2):
            y = _mirror(top + v, rows) if edge else top + v
            for u in range(size + 2):
                block[v, u] = plane[y, _mirror(left + u, cols) if edge else left + u]
        a11 = 0.0
        a22 = 0.0
        a12 = 0.0
        for v in range(size):
            for u in range(size):
                templates[i, v, u] = block[v + 1, u + 1]
                gx = (
                    3.0 * (block[v, u + 2] - block[v, u])
                    + 10.0 * (block[v + 1, u + 2] - block[v + 1, u])
                    + 3.0 * (block[v + 2, u + 2] - block[v + 2, u])
                ) / 32.0
                gy = (
                    3.0 * (block[v + 2, u] - block[v, u])
                    + 10.0 * (block[v + 2, u + 1] - block[v, u + 1])
                    + 3.0 * (block[v + 2, u + 2] - block[v, u + 2])
                ) / 32.0
                if edge and not (0 <= top + 1 + v < rows and 0 <= left + 1 + u < cols):
                    gx = 0.0  # past the frame's edge: no gradient, the pixel does not count
                    gy = 0.0
                grad_x[i, v, u] = gx
                grad_y[i, v, u] = gy
                a11 += gx * gx
                a22 += gy * gy
                a12 += gx * gy
        normal[i, 0] = a11
        normal[i, 1] = a22
        normal[i, 2] = a12


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
