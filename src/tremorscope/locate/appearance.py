"""What a person looks like: colours of hair, clothing and legs, to know them again after a cut.

Each body zone (head with hair, torso, thighs, shins) placed by the pose landmarks gives a
colour histogram (hue, saturation and value) of the person's own pixels (the pose model's
segmentation, where it gives one). Colour histograms do not depend on how large the person is in
the picture, so a close-up and a wide shot of one person look alike, while two people in
different clothes do not. Two descriptions are compared zone by zone over the zones both show
(Bhattacharyya distance: 0 identical, 1 nothing in common).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tremorscope.locate.pose import PersonPose

#: Hue, saturation and value bins of a zone's histogram.
BINS = (12, 4, 4)
#: A zone needs this many of the person's pixels to be described.
MIN_ZONE_PIXELS = 150
#: Landmarks placing each zone (indices of mediapipe's pose landmarks).
ZONES: dict[str, tuple[int, ...]] = {
    "head": (0, 2, 5, 7, 8),
    "torso": (11, 12, 23, 24),
    "thighs": (23, 24, 25, 26),
    "shins": (25, 26, 27, 28),
}
#: A zone's landmarks count as seen above this visibility.
ZONE_VISIBLE = 0.6
#: Pixels examined in a zone at most (the zone is subsampled beyond).
MAX_ZONE_PIXELS = 4000


@dataclass(frozen=True)
class Appearance:
    """Colour histograms of a person's zones in one frame.

    Attributes
    ----------
    zones : dict
        Zone name to its normalised histogram (float32, sums to 1).

    """

    zones: dict[str, np.ndarray]


def _zone_box(pose: PersonPose, zone: str, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box of one zone, in pixels ``(x0, y0, x1, y1)``, inside the frame (may be empty)."""
    height, width = shape
    pts = pose.points[list(ZONES[zone])]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if zone == "head":  # from the top of the hair to the chin: the ears' distance up and down
        side = max(x1 - x0, 1.0)
        y0, y1 = y0 - 0.9 * side, y1 + 0.5 * side
        x0, x1 = x0 - 0.1 * side, x1 + 0.1 * side
    else:  # the inner part, clear of the edges and of what lies beside the limbs
        pad_x = 0.15 * (x1 - x0) if zone == "torso" else -0.15 * max(x1 - x0, 1.0)
        pad_y = 0.1 * (y1 - y0)
        x0, x1, y0, y1 = x0 + pad_x, x1 - pad_x, y0 + pad_y, y1 - pad_y
    return (
        int(np.clip(x0, 0, width)),
        int(np.clip(y0, 0, height)),
        int(np.clip(x1, 0, width)),
        int(np.clip(y1, 0, height)),
    )


def describe(rgb: np.ndarray, pose: PersonPose) -> Appearance:
    """Colour histograms of a person's zones that the pose shows.

    Parameters
    ----------
    rgb : ndarray, shape (height, width, 3), uint8
        The frame.
    pose : PersonPose
        The person's landmarks (and segmentation mask, if any).

    Returns
    -------
    Appearance
        Possibly without zones (nothing of the person seen well enough).

    """
    shape = rgb.shape[:2]
    zones: dict[str, np.ndarray] = {}
    for zone, marks in ZONES.items():
        if not (pose.visibility[list(marks)] > ZONE_VISIBLE).all():
            continue
        x0, y0, x1, y1 = _zone_box(pose, zone, shape)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        step = max(1, int(np.sqrt((x1 - x0) * (y1 - y0) / MAX_ZONE_PIXELS)))
        pixels = rgb[y0:y1:step, x0:x1:step]
        mask = None
        if pose.mask is not None:
            mask = pose.mask[y0:y1:step, x0:x1:step].astype(np.uint8)
            if int(mask.sum()) < MIN_ZONE_PIXELS // (step * step) + 1:
                continue
        elif pixels.shape[0] * pixels.shape[1] * step * step < MIN_ZONE_PIXELS:
            continue
        hsv = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1, 2], mask, list(BINS), [0, 180, 0, 256, 0, 256])
        total = float(hist.sum())
        if total > 0:
            zones[zone] = (hist / total).astype(np.float32)
    return Appearance(zones)


def distance(a: Appearance, b: Appearance) -> float | None:
    """How unlike two descriptions are, 0-1, over the zones both show (None: no zone shared).

    Parameters
    ----------
    a, b : Appearance
        Two descriptions.

    Returns
    -------
    float or None
        Mean Bhattacharyya distance of the shared zones.

    """
    shared = [z for z in a.zones if z in b.zones]
    if not shared:
        return None
    return float(
        np.mean(
            [cv2.compareHist(a.zones[z], b.zones[z], cv2.HISTCMP_BHATTACHARYYA) for z in shared]
        )
    )
