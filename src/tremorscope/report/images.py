"""Pictures for the report: video frames with region boxes drawn, thumbnails, inline JPEG.

Frames are RGB arrays (as decoded by :func:`tremorscope.video.frames_at`); drawing and
encoding use OpenCV.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from tremorscope.results import Box

#: Width of the JPEG key frames and height of the person thumbnails, pixels.
KEY_FRAME_WIDTH, THUMBNAIL_HEIGHT = 720, 180


@dataclass
class LabelledBox:
    """A box to draw on a key frame: x, y, w, h in displayed-frame pixels."""

    label: str
    box: Box
    highlight: bool = False
    label_inside: bool = False


def _scaled(item: LabelledBox, factor: float, shift: tuple[int, int] = (0, 0)) -> LabelledBox:
    x, y, w, h = item.box
    box = (
        round((x - shift[0]) * factor),
        round((y - shift[1]) * factor),
        round(w * factor),
        round(h * factor),
    )
    return LabelledBox(item.label, box, item.highlight, item.label_inside)


def union_box(boxes: Sequence[Box]) -> Box:
    """The smallest box holding all the given boxes."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def draw_boxes(image: np.ndarray, boxes: Sequence[LabelledBox], labels: bool = True) -> np.ndarray:
    """Draw labelled boxes on an RGB image (a copy); the highlighted ones thicker, in vermillion.

    Parameters
    ----------
    image : ndarray, shape (h, w, 3)
        RGB image.
    boxes : sequence of LabelledBox
        Boxes in the image's pixels.
    labels : bool
        Write each box's label above it.

    Returns
    -------
    ndarray
        The annotated copy.

    """
    out = np.ascontiguousarray(image.copy())
    height, width = out.shape[:2]
    scale = max(0.45, min(width, height) / 700)
    ordered = sorted(boxes, key=lambda b: b.highlight)  # highlighted boxes drawn last, on top
    for item in ordered:
        x, y, w, h = item.box
        colour = (213, 94, 0) if item.highlight else (86, 180, 233)
        thickness = max(2, round(3 * scale)) if item.highlight else max(1, round(2 * scale))
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thickness, cv2.LINE_AA)
        if labels and item.label:
            _draw_label(out, item, colour, scale)
    return out


def _draw_label(image: np.ndarray, item: LabelledBox, colour: tuple, scale: float) -> None:
    font = cv2.FONT_HERSHEY_SIMPLEX
    text, (bx, by, bw, _) = item.label, item.box
    (tw, th), base = cv2.getTextSize(text, font, 0.55 * scale * 1.4, 1)
    if item.label_inside:  # top right, inside: clear of the labels of boxes within it
        x = int(np.clip(bx + bw - tw - 6, 0, max(image.shape[1] - tw - 6, 0)))
        y = max(by, 0)
    else:
        x = int(np.clip(bx, 0, max(image.shape[1] - tw - 6, 0)))
        y = by - th - base - 6
        y = y if y >= 0 else by  # no room above: inside the box
    cv2.rectangle(image, (x, y), (x + tw + 6, y + th + base + 6), colour, -1)
    cv2.putText(
        image,
        text,
        (x + 3, y + th + 3),
        font,
        0.55 * scale * 1.4,
        (255, 255, 255),
        max(1, round(scale)),
        cv2.LINE_AA,
    )


def key_frame(image: np.ndarray, boxes: Sequence[LabelledBox], width: int = KEY_FRAME_WIDTH):
    """A frame reduced to ``width`` pixels (never enlarged) with the boxes drawn on it."""
    factor = min(1.0, width / image.shape[1])
    small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return draw_boxes(small, [_scaled(b, factor) for b in boxes])


def thumbnail(
    image: np.ndarray, box: Box, inner: Sequence[LabelledBox], height: int = THUMBNAIL_HEIGHT
) -> np.ndarray:
    """The part of a frame around ``box`` and the inner boxes (grown by 15 %), ``height`` tall.

    Parameters
    ----------
    image : ndarray, shape (h, w, 3)
        The RGB frame.
    box : Box
        What to show (a person's box); it is widened to hold every inner box.
    inner : sequence of LabelledBox
        Boxes drawn, unlabelled (too small to read).
    height : int
        Height of the result, pixels.

    Returns
    -------
    ndarray
        The thumbnail.

    """
    x, y, w, h = union_box([box, *(b.box for b in inner)])
    grow_x, grow_y = round(0.15 * w), round(0.15 * h)
    x0, y0 = max(0, x - grow_x), max(0, y - grow_y)
    x1 = min(image.shape[1], x + w + grow_x)
    y1 = min(image.shape[0], y + h + grow_y)
    if x1 - x0 < 2 or y1 - y0 < 2:
        x0, y0, x1, y1 = 0, 0, image.shape[1], image.shape[0]
    crop = image[y0:y1, x0:x1]
    factor = height / crop.shape[0]
    resized = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return draw_boxes(resized, [_scaled(b, factor, (x0, y0)) for b in inner], labels=False)


def jpeg_data_uri(image: np.ndarray, quality: int = 85) -> str:
    """An RGB image as a ``data:image/jpeg;base64,...`` URI, for an inline ``<img>``."""
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ValueError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
