"""Moving image content by known amounts: sub-pixel shifts, feathered regions, the camera's view.

Every operation is exact to a known accuracy: whole pixels are copied, fractions of a pixel are
moved by a windowed-sinc filter (:func:`shift_image`), a region's shifted content is blended
back with a raised-cosine mask (:func:`feather_mask`), and a camera move is a known warp
(:func:`camera_transform`, :func:`apply_camera`). Frames are fitted to the output size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from tremorscope.synth.motion import CameraMove, Injection, max_displacement

#: Half length of the windowed-sinc shift filter (it has ``2 * SINC_HALF_TAPS + 1`` taps).
SINC_HALF_TAPS = 8

#: Kaiser window parameter of the shift filter.
SINC_BETA = 7.0

_IDENTITY_TAP = np.ones(1, dtype=np.float32)


def _sinc_taps(fraction: float) -> np.ndarray:
    """Interpolation weights that delay a row of samples by ``fraction`` (-0.5 to 0.5) pixel."""
    k = np.arange(-SINC_HALF_TAPS, SINC_HALF_TAPS + 1)
    u = k + fraction
    ratio = np.clip(1.0 - (u / (SINC_HALF_TAPS + 1)) ** 2, 0.0, 1.0)
    window = np.i0(SINC_BETA * np.sqrt(ratio)) / np.i0(SINC_BETA)
    weights = np.sinc(u) * window
    # Smallest window-weighted correction that makes the taps reproduce polynomials up to
    # degree 3 exactly (sum 1, moments 1-3 zero about the sampling point).
    moments = np.vstack([u**p for p in range(4)])
    target = np.array([1.0, 0.0, 0.0, 0.0])
    gram = (moments * window) @ moments.T
    weights = weights + window * (moments.T @ np.linalg.solve(gram, target - moments @ weights))
    return weights.astype(np.float32)


def sinc_taps(fraction: float) -> np.ndarray:
    """The 1-D interpolation filter that moves content by ``fraction`` pixel.

    A Kaiser-windowed sinc of ``2 * SINC_HALF_TAPS + 1`` taps (beta :data:`SINC_BETA`),
    corrected to reproduce polynomials up to degree 3 exactly. Its effective shift is within
    0.002 px of ``fraction`` and its gain within 0.3 % for spatial frequencies up to 2 rad/px.

    Parameters
    ----------
    fraction : float
        Shift between -0.5 and 0.5 pixel (positive moves content towards higher indices).

    Returns
    -------
    ndarray, shape (2 * SINC_HALF_TAPS + 1,), float32
        Correlation weights for offsets ``-SINC_HALF_TAPS .. SINC_HALF_TAPS``.

    """
    if not -0.5 <= fraction <= 0.5:
        raise ValueError(f"fraction must be between -0.5 and 0.5, not {fraction}")
    return _sinc_taps(float(fraction))


def _integer_shift(image: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """Move content by whole pixels (an exact copy), mirroring the frame edge."""
    if nx == 0 and ny == 0:
        return image
    height, width = image.shape[:2]
    matrix = np.array([[1.0, 0.0, nx], [0.0, 1.0, ny]])
    return cv2.warpAffine(
        image,
        matrix,
        (width, height),
        flags=cv2.INTER_NEAREST,
        borderMode=cv2.BORDER_REFLECT101,
    )


def shift_image(image: np.ndarray, dx: float, dy: float, method: str = "sinc") -> np.ndarray:
    """Move the content of ``image`` by ``(dx, dy)`` pixels with sub-pixel accuracy.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c)
        The image (uint8 or float32); frame edges are mirrored (``BORDER_REFLECT_101``).
    dx, dy : float
        Shift in pixels; positive moves content right and down.
    method : {"sinc", "cubic"}
        ``"sinc"``: whole pixels by copying, the fraction by the separable windowed-sinc filter
        of :func:`sinc_taps` (``cv2.sepFilter2D``); accurate to about 0.002 px.
        ``"cubic"``: ``cv2.warpAffine`` with ``cv2.INTER_CUBIC``, whose kernel (a = -0.75)
        shifts smooth content by up to 0.05 px more or less than asked (towards half pixels).

    Returns
    -------
    ndarray
        The shifted image, same shape and type.

    """
    if dx == 0 and dy == 0:
        return image
    if method == "cubic":
        matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
        height, width = image.shape[:2]
        return cv2.warpAffine(
            image,
            matrix,
            (width, height),
            flags=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REFLECT101,
        )
    if method != "sinc":
        raise ValueError(f"method must be 'sinc' or 'cubic', not {method!r}")
    nx, ny = round(dx), round(dy)
    fx, fy = dx - nx, dy - ny
    if fx != 0 or fy != 0:
        kx = sinc_taps(fx) if fx != 0 else _IDENTITY_TAP
        ky = sinc_taps(fy) if fy != 0 else _IDENTITY_TAP
        image = cv2.sepFilter2D(image, -1, kx, ky, borderType=cv2.BORDER_REFLECT_101)
    return _integer_shift(image, nx, ny)


def _move_at(move: CameraMove, t: float, width: int, height: int) -> tuple[float, float, float]:
    """Zoom and window centre ``(z, cx, cy)`` of a camera move at time ``t`` (s)."""
    end = move.end_s if move.end_s is not None else move.start_s + 1.0
    u = min(max((t - move.start_s) / (end - move.start_s), 0.0), 1.0)
    start = move.centre_start or ((width - 1) / 2, (height - 1) / 2)
    stop = move.centre_end or start
    zoom = move.zoom_start + u * (move.zoom_end - move.zoom_start)
    return zoom, start[0] + u * (stop[0] - start[0]), start[1] + u * (stop[1] - start[1])


def camera_transform(
    move: CameraMove, t: float, width: int, height: int
) -> tuple[float, float, float, float]:
    """The mapping a camera move applies at time ``t``.

    Parameters
    ----------
    move : CameraMove
        The move (``end_s`` None counts as one second after ``start_s``: resolve it first).
    t : float
        Time in seconds from the clip start.
    width, height : int
        Frame size in pixels.

    Returns
    -------
    tuple of float
        ``(sx, sy, tx, ty)``: the frame's point ``(x, y)`` is shown at ``(sx x + tx, sy y + ty)``
        of the output (pixel centres at whole coordinates). With ``integer_crop`` the window's
        corner and size are whole pixels, so ``sx`` and ``sy`` may differ slightly.

    """
    zoom, cx, cy = _move_at(move, t, width, height)
    if move.integer_crop:
        w, h = max(1, round(width / zoom)), max(1, round(height / zoom))
        x0 = min(max(math.floor(cx + 0.5 - w / 2), 0), width - w)
        y0 = min(max(math.floor(cy + 0.5 - h / 2), 0), height - h)
        sx, sy = width / w, height / h
        # a w x h crop at (x0, y0) resized to width x height (pixel-area alignment)
        return sx, sy, sx * (0.5 - x0) - 0.5, sy * (0.5 - y0) - 0.5
    half_w, half_h = (width / zoom) / 2, (height / zoom) / 2
    # keep the window (edges at pixel borders -0.5 .. width - 0.5) inside the frame
    cx = min(max(cx, half_w - 0.5), width - 0.5 - half_w)
    cy = min(max(cy, half_h - 0.5), height - 0.5 - half_h)
    return zoom, zoom, (width - 1) / 2 - zoom * cx, (height - 1) / 2 - zoom * cy


def apply_camera(image: np.ndarray, transform: tuple[float, float, float, float]) -> np.ndarray:
    """Show ``image`` as a camera with ``transform`` (from :func:`camera_transform`) sees it.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c)
        The frame (uint8).
    transform : tuple of float
        ``(sx, sy, tx, ty)``; identity ``(1, 1, 0, 0)`` returns the image itself.

    Returns
    -------
    ndarray
        Same size and type; bicubic interpolation, frame edges mirrored.

    """
    sx, sy, tx, ty = transform
    if (sx, sy, tx, ty) == (1.0, 1.0, 0.0, 0.0):
        return image
    height, width = image.shape[:2]
    matrix = np.array([[sx, 0.0, tx], [0.0, sy, ty]])
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101
    )


def feather_mask(
    crop: tuple[int, int, int, int], box: tuple[int, int, int, int], feather_px: int
) -> np.ndarray:
    """Blending weights over a crop: 1 inside the box, a raised-cosine fall to 0 outside it.

    Parameters
    ----------
    crop : tuple of int
        ``(x0, y0, x1, y1)`` of the crop in frame pixels (end exclusive).
    box : tuple of int
        ``(x, y, w, h)`` of the box in frame pixels.
    feather_px : int
        Distance outside the box at which the weight reaches 0.

    Returns
    -------
    ndarray, shape (y1 - y0, x1 - x0), float32

    """
    x0, y0, x1, y1 = crop
    bx, by, bw, bh = box
    xs = np.arange(x0, x1, dtype=float)
    ys = np.arange(y0, y1, dtype=float)
    ddx = np.maximum(np.maximum(bx - xs, xs - (bx + bw - 1)), 0.0)
    ddy = np.maximum(np.maximum(by - ys, ys - (by + bh - 1)), 0.0)
    dist = np.hypot(ddx[None, :], ddy[:, None])
    if feather_px <= 0:
        return (dist == 0).astype(np.float32)
    weight = np.where(
        dist < feather_px, 0.5 + 0.5 * np.cos(np.pi * np.minimum(dist / feather_px, 1.0)), 0.0
    )
    return weight.astype(np.float32)


@dataclass
class Region:
    """An injection prepared for a frame size: its static crop and blending mask.

    Attributes
    ----------
    injection : Injection
        The region and its motion.
    crop : tuple of int
        ``(x0, y0, x1, y1)`` in frame pixels (end exclusive) of the part of the frame shifted.
    mask : ndarray, shape (y1 - y0, x1 - x0, 1), float32
        Blending weight of the shifted content (1 inside the box, 0 beyond the feather).

    """

    injection: Injection
    crop: tuple[int, int, int, int]
    mask: np.ndarray


def prepare_region(injection: Injection, width: int, height: int) -> Region:
    """The crop and blending mask of an injection in a ``width`` x ``height`` frame.

    Parameters
    ----------
    injection : Injection
        The region and its motion.
    width, height : int
        Frame size in pixels.

    Returns
    -------
    Region
        The crop ``(x0, y0, x1, y1)`` (pixels, end exclusive) reaches past the box by the
        feather, the largest displacement and the shift filter's half length, clipped to the
        frame; the mask (shape ``(h, w, 1)``) is :func:`feather_mask` over it.

    """
    bx, by, bw, bh = injection.box
    reach = math.ceil(max_displacement(injection)) + SINC_HALF_TAPS + 1
    margin = injection.feather_px + reach
    crop = (
        max(bx - margin, 0),
        max(by - margin, 0),
        min(bx + bw + margin, width),
        min(by + bh + margin, height),
    )
    mask = feather_mask(crop, injection.box, injection.feather_px)
    return Region(injection, crop, mask[:, :, None])


def inject_region(
    image: np.ndarray, region: Region, dx: float, dy: float, method: str = "sinc"
) -> None:
    """Shift the box content of ``region`` in ``image`` (in place) by ``(dx, dy)``.

    Parameters
    ----------
    image : ndarray, shape (h, w, c), uint8
        The frame, changed in place.
    region : Region
        The injection's crop and blending mask (:func:`prepare_region`).
    dx, dy : float
        Shift in pixels; positive moves content right and down.
    method : {"sinc", "cubic"}
        Sub-pixel shift method (see :func:`shift_image`).

    """
    if dx == 0 and dy == 0:
        return
    x0, y0, x1, y1 = region.crop
    original = image[y0:y1, x0:x1]
    moved = shift_image(original, dx, dy, method).astype(np.float32)
    base = original.astype(np.float32)
    blended = base + region.mask * (moved - base)
    image[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def check_box(box: tuple[int, int, int, int], width: int, height: int) -> str | None:
    """Why a box does not fit a ``width`` x ``height`` frame, or None when it does."""
    x, y, w, h = box
    if w <= 0 or h <= 0:
        return f"box {box} has no area"
    if x < 0 or y < 0 or x + w > width or y + h > height:
        return f"box (x, y, w, h) = {box} lies outside the {width}x{height} frame"
    return None


def fit_frame(image: np.ndarray, width: int, height: int, resize: bool) -> np.ndarray:
    """Resize (when asked) or crop the odd last row or column to reach ``width`` x ``height``.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c)
        The frame.
    width, height : int
        Output size in pixels.
    resize : bool
        Scale to the size (area averaging to shrink, bicubic to enlarge); otherwise crop to
        it, scaling bicubically only when the frame is smaller.

    Returns
    -------
    ndarray
        The frame at ``width`` x ``height`` (``image`` itself when already that size).

    """
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    if resize:
        shrink = width < w or height < h
        interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
        return cv2.resize(image, (width, height), interpolation=interp)
    if w >= width and h >= height:
        return np.ascontiguousarray(image[:height, :width])
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)
