"""Body-part regions placed from pose landmarks."""

from __future__ import annotations

import numpy as np

from tremorscope.locate.pose import LANDMARK_NAMES, Box, PersonPose, in_frame

_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}

#: Landmarks that place each body part; the first ones must be seen.
BODY_PARTS: dict[str, tuple[str, ...]] = {
    "head": ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right"),
    "left_hand": ("left_wrist", "left_index", "left_pinky", "left_thumb"),
    "right_hand": ("right_wrist", "right_index", "right_pinky", "right_thumb"),
    "left_knee": ("left_knee",),
    "right_knee": ("right_knee",),
    "left_foot": ("left_ankle", "left_heel", "left_foot_index"),
    "right_foot": ("right_ankle", "right_heel", "right_foot_index"),
}
#: Region side as a share of the person's body scale (about the torso length).
PART_SIZE = {
    "head": 0.55,
    "left_hand": 0.4,
    "right_hand": 0.4,
    "left_knee": 0.3,
    "right_knee": 0.3,
    "left_foot": 0.4,
    "right_foot": 0.4,
}
#: Smallest region side in pixels: below it too few pixels carry texture.
MIN_SIDE = 12


def grow_box(box: Box, factor: float, shape: tuple[int, int]) -> Box:
    """The box scaled by ``factor`` about its centre, clipped to the frame.

    Parameters
    ----------
    box : tuple of int
        ``(x, y, w, h)``.
    factor : float
        Scale of width and height.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``.

    """
    x, y, w, h = box
    height, width = shape
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = max(0, round(cx - w * factor / 2)), max(0, round(cy - h * factor / 2))
    x1, y1 = min(width, round(cx + w * factor / 2)), min(height, round(cy + h * factor / 2))
    return x0, y0, x1 - x0, y1 - y0


def shoulder_width(pose: PersonPose) -> float | None:
    """Distance between the shoulder landmarks in pixels, or None unless both are seen."""
    a, b = _INDEX["left_shoulder"], _INDEX["right_shoulder"]
    if not (pose.visible[a] and pose.visible[b]):
        return None
    return float(np.linalg.norm(pose.points[a] - pose.points[b]))


def torso_centre(pose: PersonPose) -> np.ndarray | None:
    """Centre of the seen shoulders and hips (px), which moves only when the whole body does.

    Returns None when neither shoulder nor hip is seen.
    """
    marks = [_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    seen = [i for i in marks if pose.visible[i]]
    if not seen:
        return None
    return pose.points[seen].mean(axis=0)


def body_scale(pose: PersonPose) -> float | None:
    """A length in pixels that scales with the person: torso, shoulders, or head.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one person.

    Returns
    -------
    float or None
        Torso length (shoulder centre to hip centre) when seen; else 1.5 x shoulder width; else
        3 x the ear-to-ear distance; None when none of these is seen.

    """
    p, seen = pose.points, pose.visible

    def both(a: str, b: str) -> bool:
        return bool(seen[_INDEX[a]] and seen[_INDEX[b]])

    def mid(a: str, b: str) -> np.ndarray:
        return (p[_INDEX[a]] + p[_INDEX[b]]) / 2

    def dist(a: str, b: str) -> float:
        return float(np.linalg.norm(p[_INDEX[a]] - p[_INDEX[b]]))

    if both("left_shoulder", "right_shoulder") and both("left_hip", "right_hip"):
        torso = float(
            np.linalg.norm(mid("left_shoulder", "right_shoulder") - mid("left_hip", "right_hip"))
        )
        return max(torso, 1.2 * dist("left_shoulder", "right_shoulder"))
    if both("left_shoulder", "right_shoulder"):
        return 1.5 * dist("left_shoulder", "right_shoulder")
    if both("left_ear", "right_ear"):
        return 3.0 * dist("left_ear", "right_ear")
    return None


def part_regions(pose: PersonPose, shape: tuple[int, int]) -> dict[str, Box]:
    """A square region around each body part whose landmarks are seen in the picture.

    A landmark counts when the model sees it (visibility over
    :data:`tremorscope.locate.pose.VISIBLE`) and it lies inside the frame: the model also
    places, with high visibility, parts it guesses beyond the picture's edge. (mediapipe's
    legacy pose API gives no per-landmark presence.)

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one person.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    dict
        Body-part name to ``(x, y, w, h)``, for the parts whose first landmark is seen in the
        frame and whose region is large enough; placed on that part's landmarks seen in the
        frame.

    """
    scale = body_scale(pose)
    if scale is None:
        return {}
    height, width = shape
    usable = pose.visible & in_frame(pose.points, shape)
    regions: dict[str, Box] = {}
    for part, names in BODY_PARTS.items():
        idx = [_INDEX[n] for n in names]
        if not usable[idx[0]]:
            continue
        seen = [i for i in idx if usable[i]]
        centre = pose.points[seen].mean(axis=0)
        spread = np.ptp(pose.points[seen], axis=0).max() if len(seen) > 1 else 0.0
        side = max(PART_SIZE[part] * scale, 1.3 * spread)
        x0 = round(np.clip(centre[0] - side / 2, 0, width - 1))
        y0 = round(np.clip(centre[1] - side / 2, 0, height - 1))
        x1 = round(np.clip(centre[0] + side / 2, x0 + 1, width))
        y1 = round(np.clip(centre[1] + side / 2, y0 + 1, height))
        if min(x1 - x0, y1 - y0) >= MIN_SIDE:
            regions[part] = (x0, y0, x1 - x0, y1 - y0)
    return regions


#: A region of which less than this share lies in the picture (the rest in a bar) is not placed.
MIN_REGION_IN_PICTURE = 0.25


def clip_to_picture(box: Box, picture: Box | None) -> Box | None:
    """A region cut to the active picture inside black bars (None: too little of it there).

    Parameters
    ----------
    box : tuple of int
        The region ``(x, y, w, h)`` in frame pixels.
    picture : tuple of int or None
        The active picture; None for the whole frame (the region is returned as it is).

    Returns
    -------
    tuple of int or None
        The part of the region in the picture; None when that is less than
        :data:`MIN_REGION_IN_PICTURE` of it.

    """
    if picture is None:
        return box
    x, y, w, h = box
    px, py, pw, ph = picture
    left, top = max(x, px), max(y, py)
    right, bottom = min(x + w, px + pw), min(y + h, py + ph)
    if right <= left or bottom <= top:
        return None
    if (right - left) * (bottom - top) < MIN_REGION_IN_PICTURE * w * h:
        return None
    return left, top, right - left, bottom - top
