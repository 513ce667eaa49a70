"""The compiled Lucas-Kanade searches against prepared reference windows (numba).

Inverse compositional Gauss-Newton steps for a translation (see :mod:`tremorscope.motion.patches`,
whose :class:`~tremorscope.motion.patches.ReferencePatches` and
:class:`~tremorscope.motion.patches.PointState` are their Python face): cutting the reference
windows and their derivatives, and finding them again in a later frame, point by point or a
frame's groups of points at a time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

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
