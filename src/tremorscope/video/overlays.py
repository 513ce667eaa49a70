"""Static overlays burnt into the picture (a channel's logo, a caption box, a clock).

Broadcast graphics stay exactly where they are while the camera pans, zooms or shakes under
them, and their sharp, high-contrast corners outnumber a soft background's: left among the
background's points, they would tell the camera estimate that the camera stood still (and
their strength would keep weaker corners of the real background from being chosen at all).
On a few frames of the first second, blocks that are textured and have not changed at all
while nearly all the rest of the picture did, and moved as one (the camera moved: corners of
the changed part followed from the first frame to the last agree on one shift, rotation and
zoom), are an overlay when they cover a small part of the picture. A camera that stands still
over those frames shows no overlay (everything still is alike), nor does one that moves with
part of the scene (the inside of a car, still in the picture while the man in it talks and the
road outside runs past: the changes do not agree on one motion); later camera motion is caught
at chunk starts and on the tracks (:class:`tremorscope.motion.camera.CameraFit`).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Box = tuple[int, int, int, int]

#: Side of the square blocks compared (pixels).
BLOCK = 16
#: A block is textured when its grey levels spread at least this much (SD, full range).
MIN_TEXTURE_SD = 10.0
#: A block is unchanged when its pixels moved over the frames by at most this on average (the
#: largest minus the smallest level of each pixel, full range: compression noise) ...
MAX_STILL_RANGE = 4.0
#: ... and changed when by more than this.
MIN_CHANGE_RANGE = 8.0
#: The picture under an overlay moved when this share of its other textured blocks changed.
MIN_CHANGED_SHARE = 0.8
#: The changed part moved as one when this share of its corners agree on one transform...
MIN_AGREEING_SHARE = 0.5
#: ... at least this many ...
MIN_AGREEING = 12
#: ... and that transform moves the unchanged blocks by more than this (px).
MIN_CAMERA_MOVE_PX = 2.0
#: An overlay holds at least this many unchanged textured blocks.
MIN_OVERLAY_BLOCKS = 4
#: Overlays cover at most this share of the picture's blocks (else the camera stood still in
#: front of a scene of which a part moved: a window, a screen, a crowd).
MAX_OVERLAY_SHARE = 0.15


def static_overlays(
    planes: Sequence[np.ndarray], limited_range: bool = False, picture: Box | None = None
) -> list[Box]:
    """Boxes of static overlays, from a few frames spread over a second or so.

    Parameters
    ----------
    planes : sequence of ndarray, shape (height, width), uint8
        Luma planes as displayed, all of one size, the first the earliest.
    limited_range : bool
        Whether the planes are in video range (16-235); the levels above are full range.
    picture : tuple of int, optional
        The active picture ``(x, y, w, h)`` (inside bars); the whole frame when None.

    Returns
    -------
    list of tuple of int
        ``(x, y, w, h)`` in frame pixels of each overlay (its blocks, grown by one block);
        empty when the picture did not move under still blocks, or when the still part is too
        large to be graphics.

    """
    if len(planes) < 2:
        return []
    stack = np.stack([np.asarray(p) for p in planes])
    height, width = stack.shape[1:]
    x0, y0, w, h = picture or (0, 0, width, height)
    rows, cols = h // BLOCK, w // BLOCK
    if rows < 2 or cols < 2:
        return []
    crop = stack[:, y0 : y0 + rows * BLOCK, x0 : x0 + cols * BLOCK]
    scale = 255.0 / 219.0 if limited_range else 1.0
    spread = crop.max(axis=0) - crop.min(axis=0) if len(crop) > 2 else cv2.absdiff(*crop)
    change = _block_mean(spread, rows, cols) * scale
    first = crop[0].astype(np.float32) * scale
    variance = _block_mean(first**2, rows, cols) - _block_mean(first, rows, cols) ** 2
    texture = np.sqrt(np.maximum(variance, 0.0))
    textured = texture >= MIN_TEXTURE_SD
    still = textured & (change <= MAX_STILL_RANGE)
    others = textured & ~still
    if not still.any() or others.sum() < 4:
        return []
    if (change[others] > MIN_CHANGE_RANGE).mean() < MIN_CHANGED_SHARE:
        return []
    if still.sum() > MAX_OVERLAY_SHARE * rows * cols:
        return []
    changed = np.kron(others & (change > MIN_CHANGE_RANGE), np.ones((BLOCK, BLOCK), np.uint8))
    centres = (np.argwhere(still)[:, ::-1] + 0.5) * BLOCK
    if not _moved_as_one(crop[0], crop[-1], changed.astype(np.uint8), centres):
        return []
    grown = cv2.dilate(still.astype(np.uint8), np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    blocks = np.bincount(labels[still], minlength=count)
    boxes = []
    for label in range(1, count):
        if blocks[label] < MIN_OVERLAY_BLOCKS:
            continue  # a block or two at an edge: compression, not graphics
        left, top, cells_w, cells_h = (int(v) for v in stats[label, :4])
        boxes.append((x0 + left * BLOCK, y0 + top * BLOCK, cells_w * BLOCK, cells_h * BLOCK))
    return boxes


def _moved_as_one(
    first: np.ndarray, last: np.ndarray, where: np.ndarray, still: np.ndarray
) -> bool:
    """Whether the changed part of the picture moved as a camera moves it.

    Corners of ``first`` inside ``where`` are followed to ``last`` (OpenCV's pyramidal
    Lucas-Kanade: motions of tens of pixels); they must agree on one similarity transform
    (RANSAC, 1.5 px) that moves the ``still`` places by more than :data:`MIN_CAMERA_MOVE_PX`.
    """
    corners = cv2.goodFeaturesToTrack(
        first, maxCorners=300, qualityLevel=0.001, minDistance=8, mask=where, blockSize=7
    )
    if corners is None or len(corners) < MIN_AGREEING:
        return False
    found, status, _ = cv2.calcOpticalFlowPyrLK(
        first, last, corners, None, winSize=(21, 21), maxLevel=4
    )
    ok = status.reshape(-1).astype(bool)
    if ok.sum() < MIN_AGREEING:
        return False
    matrix, inliers = cv2.estimateAffinePartial2D(
        corners[ok], found[ok], method=cv2.RANSAC, ransacReprojThreshold=1.5
    )
    if matrix is None or inliers is None:
        return False
    agreeing = int(inliers.sum())
    if agreeing < MIN_AGREEING or agreeing < MIN_AGREEING_SHARE * len(corners):
        return False
    moved = still @ matrix[:, :2].T + matrix[:, 2] - still
    return bool(np.median(np.hypot(moved[:, 0], moved[:, 1])) > MIN_CAMERA_MOVE_PX)


def _block_mean(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Mean of each ``BLOCK`` x ``BLOCK`` block of an image ``rows * BLOCK`` x ``cols * BLOCK``."""
    # area interpolation by a whole factor is the blocks' mean (OpenCV: a few ms at 1080p)
    return cv2.resize(image.astype(np.float32), (cols, rows), interpolation=cv2.INTER_AREA)


def overlays_note(boxes: list[Box]) -> str:
    """The note on the source that says where the overlays are."""
    where = ", ".join(f"{w}x{h} at ({x}, {y})" for x, y, w, h in boxes)
    plural = "overlay" if len(boxes) == 1 else "overlays"
    return (
        f"static {plural} (a logo, caption or clock burnt into the picture: {where}): left out "
        "of the camera's background and of the regions' points"
    )
