"""Black bars around the picture (letterbox, pillarbox): where the active picture is.

Footage made for another shape is shown with bars: a wide film in a 4:3 or 16:9 frame gets
bars above and below (letterbox), a 4:3 programme in a 16:9 frame bars left and right
(pillarbox), both at once in some re-broadcasts. The bars never move: points on their edges
would tell the camera estimate that the camera stood still, and a region reaching into them
would hold still pixels. They are found once, on a few frames of the first second: rows (then
columns) from each edge that are dark and flat in every sampled frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[int, int, int, int]

#: A bar is at least this share of the frame's side (thinner dark edges are not bars).
MIN_BAR_SHARE = 0.02
#: The active picture is at least this share of each side (else the samples were black).
MIN_PICTURE_SHARE = 0.33


def picture_box(
    planes: Sequence[np.ndarray],
    limited_range: bool = False,
    max_level: float = 40.0,
    tolerance: float = 12.0,
) -> Box | None:
    """The active picture inside black bars, from a few frames.

    A row belongs to a bar when every pixel of it, in every sampled frame, is dark (at most
    ``max_level``) and within ``tolerance`` of every other: bars are flat and never change,
    while even a dark scene has texture and changes. Rows are taken from the top and the bottom
    edge inwards while they are bars, then columns from the left and right within the rows
    left. Bars come in pairs (top and bottom, left and right), each at least
    :data:`MIN_BAR_SHARE` of its side; one alone is ignored (they may differ in size: a
    caption in one of them ends it early).

    Parameters
    ----------
    planes : sequence of ndarray, shape (height, width), uint8
        Luma planes of frames spread over some time (as displayed), all of one size.
    limited_range : bool
        Whether the planes are in video range (16-235); the levels below are full range.
    max_level : float
        Brightest grey level of a bar (full range, 0-255).
    tolerance : float
        Largest spread of grey levels within a bar's row or column over all frames (full
        range).

    Returns
    -------
    tuple of int or None
        ``(x, y, w, h)`` of the active picture in pixels; None when there are no bars (or the
        frames are dark all over, which says nothing).

    """
    if not planes:
        return None
    stack = np.stack([np.asarray(p) for p in planes])
    _, height, width = stack.shape
    scale = 219.0 / 255.0 if limited_range else 1.0
    brightest = (16.0 if limited_range else 0.0) + max_level * scale
    spread = tolerance * scale
    top, bottom = _bar_ends(stack.max(axis=(0, 2)), stack.min(axis=(0, 2)), brightest, spread)
    inside = stack[:, top : height - bottom]
    if inside.shape[1] == 0:
        return None
    left, right = _bar_ends(inside.max(axis=(0, 1)), inside.min(axis=(0, 1)), brightest, spread)
    top, bottom = _pair(top, bottom, MIN_BAR_SHARE * height)
    left, right = _pair(left, right, MIN_BAR_SHARE * width)
    w, h = width - left - right, height - top - bottom
    if w < MIN_PICTURE_SHARE * width or h < MIN_PICTURE_SHARE * height:
        return None
    if (w, h) == (width, height):
        return None
    return left, top, w, h


def _pair(start: int, end: int, least: float) -> tuple[int, int]:
    """Bars at both ends of a side, or none at all.

    A dark flat strip along one edge only (the bottom of a dark caption box, a shadow) is not
    a letterbox.
    """
    if start >= least and end >= least:
        return start, end
    return 0, 0


def _bar_ends(
    highest: np.ndarray, lowest: np.ndarray, brightest: float, spread: float
) -> tuple[int, int]:
    """How many lines from the start and from the end of a side are bars.

    ``highest`` and ``lowest`` are each line's brightest and darkest level over all frames.
    """
    bar = (highest.astype(float) <= brightest) & (highest.astype(float) - lowest <= spread)
    start = int(np.argmin(bar)) if not bar.all() else bar.size
    end = int(np.argmin(bar[::-1])) if not bar.all() else bar.size
    return start, end


def bars_note(box: Box, width: int, height: int) -> str:
    """The note on the source that says where the bars and the picture are."""
    x, y, w, h = box
    sides = {
        "top": y,
        "bottom": height - y - h,
        "left": x,
        "right": width - x - w,
    }
    kind = {
        (True, False): "letterboxed",
        (False, True): "pillarboxed",
        (True, True): "letterboxed and pillarboxed",
    }[(sides["top"] + sides["bottom"] > 0, sides["left"] + sides["right"] > 0)]
    bars = ", ".join(f"{side} {px} px" for side, px in sides.items() if px)
    return (
        f"{kind} (black bars: {bars}): the active picture is {w}x{h} at ({x}, {y}); the "
        "camera's background, the regions and the shot cuts use it only"
    )
