"""Choosing the points to track: corners inside a region, and on the background outside people.

Corners (``cv2.goodFeaturesToTrack``) of a reference frame: a region's inside its box (and the
person's silhouette, when it covers enough of it), the background's spread over the frame
outside every widened box, for the camera estimate. Inside black bars nothing moves: no point
is taken where its tracking window would reach into them.
"""

from __future__ import annotations

import cv2
import numpy as np

from tremorscope.locate.pose import Box
from tremorscope.motion.patches import WINDOW

#: How far (px) a region point's tracking window reaches from it.
REGION_REACH_PX = WINDOW // 2
#: The same for a background point, followed at half size
#: (:data:`tremorscope.motion.tracking.BACKGROUND_SCALE`): twice as far in the frame.
BACKGROUND_REACH_PX = 2 * (WINDOW // 2)


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
    gray: np.ndarray, exclude: list[Box], max_points: int = 300, picture: Box | None = None
) -> np.ndarray:
    """Corners outside every excluded box (people, manual regions), spread over the frame.

    Parameters
    ----------
    gray : ndarray, shape (height, width), uint8
        The reference frame.
    exclude : list of tuple of int
        Boxes ``(x, y, w, h)`` to leave out, widened by 10 % (people, regions, overlays).
    max_points : int
        Most points returned.
    picture : tuple of int, optional
        The active picture inside black bars: points only there, and at least
        :data:`BACKGROUND_REACH_PX` from each bar (None: the whole frame).

    Returns
    -------
    ndarray, shape (n, 2), float32

    """
    height, width = gray.shape
    mask = np.zeros((height, width), np.uint8)
    x, y, w, h = inset_picture(picture, (height, width), BACKGROUND_REACH_PX)
    mask[y : y + h, x : x + w] = 255
    for x, y, w, h in exclude:
        pad_x, pad_y = _margin(w, h)
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


def outside_boxes(points: np.ndarray, exclude: list[Box]) -> np.ndarray:
    """The points outside every box, each widened as :func:`select_background_points` does."""
    keep = np.ones(len(points), dtype=bool)
    for x, y, w, h in exclude:
        pad_x, pad_y = _margin(w, h)
        keep &= ~(
            (points[:, 0] >= x - pad_x)
            & (points[:, 0] < x + w + pad_x)
            & (points[:, 1] >= y - pad_y)
            & (points[:, 1] < y + h + pad_y)
        )
    return points[keep]


def inset_picture(picture: Box | None, shape: tuple[int, int], reach: int) -> Box:
    """The part of the picture whose points' windows stay off the bars.

    Parameters
    ----------
    picture : tuple of int or None
        The active picture ``(x, y, w, h)`` inside black bars; None for the whole frame.
    shape : tuple of int
        ``(height, width)`` of the frame.
    reach : int
        How far a point's window reaches (px): each side that borders a bar moves in by it
        (the frame's own edges do not: a window past them counts inside only).

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``, possibly empty.

    """
    height, width = shape
    x, y, w, h = picture or (0, 0, width, height)
    left = x + reach if x > 0 else x
    top = y + reach if y > 0 else y
    right = x + w - reach if x + w < width else x + w
    bottom = y + h - reach if y + h < height else y + h
    return left, top, max(right - left, 0), max(bottom - top, 0)


def inside_box(points: np.ndarray, box: Box) -> np.ndarray:
    """The points inside ``box`` ``(x, y, w, h)``."""
    x, y, w, h = box
    keep = (
        (points[:, 0] >= x) & (points[:, 0] < x + w) & (points[:, 1] >= y) & (points[:, 1] < y + h)
    )
    return points[keep]


def _margin(w: int, h: int) -> tuple[int, int]:
    """Pixels by which a box is widened on each side before it is left out of the background."""
    return int(0.1 * w) + 2, int(0.1 * h) + 2
