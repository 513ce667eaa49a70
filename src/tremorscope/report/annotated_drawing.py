"""Drawing the annotated video's overlay on one frame with OpenCV.

The region boxes and their labels (placed where they cover no earlier label), twitch flashes
and person tags, the trace strip at the bottom, and the legend, time and camera note at the
top. What is drawn comes prepared in an :class:`~tremorscope.report.annotated_marks.Overlay`.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from tremorscope.report.annotated_marks import Overlay, RegionMark, Trace, finite_runs
from tremorscope.report.annotated_style import (
    BLACK,
    COLOURS,
    FONT,
    LEGEND_TEXT,
    RGB,
    WHITE,
    Style,
)

#: Seconds of displacement shown in the trace strip.
TRACE_SPAN_S = 3.0

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def _inside(t: float, spans: Sequence[tuple[float, float]]) -> bool:
    return any(a <= t <= b for a, b in spans)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_size(text: str, style: Style) -> tuple[int, int]:
    """Width and height (px) of a label's box: the text with padding and outline."""
    (w, h), base = cv2.getTextSize(text, FONT, style.font_scale, style.text_thickness)
    return w + 2 * style.pad, h + base + 2 * style.pad


def put_text(
    image: np.ndarray, text: str, corner: tuple[int, int], style: Style, colour: RGB
) -> None:
    """Text with a dark outline (legible on any footage); its label box starts at ``corner``.

    The outline is the text drawn in black around its place (a thicker stroke would also
    widen the letter spacing of OpenCV's fonts).
    """
    (_, h), _ = cv2.getTextSize(text, FONT, style.font_scale, style.text_thickness)
    x, y = corner[0] + style.pad, corner[1] + style.pad + h
    o = style.outline
    for dx, dy in ((-o, -o), (o, -o), (-o, o), (o, o), (0, -o), (0, o), (-o, 0), (o, 0)):
        _text(image, text, (x + dx, y + dy), style, BLACK)
    _text(image, text, (x, y), style, colour)


def _text(image: np.ndarray, text: str, origin: tuple[int, int], style: Style, ink: RGB) -> None:
    cv2.putText(image, text, origin, FONT, style.font_scale, ink, style.text_thickness, cv2.LINE_AA)


def draw_label(
    image: np.ndarray, text: str, rect: Rect, style: Style, colour: RGB, filled: bool
) -> None:
    """A label in ``rect``: filled with ``colour`` (dark or light text), or outlined text."""
    if not filled:
        put_text(image, text, rect[:2], style, colour)
        return
    cv2.rectangle(image, rect[:2], (rect[2] - 1, rect[3] - 1), colour, -1)
    ink = BLACK if sum(colour) > 450 else WHITE
    (_, h), _ = cv2.getTextSize(text, FONT, style.font_scale, style.text_thickness)
    _text(image, text, (rect[0] + style.pad, rect[1] + style.pad + h), style, ink)


def place_label(
    size: tuple[int, int],
    anchors: Sequence[tuple[int, int]],
    taken: list[Rect],
    frame: tuple[int, int],
) -> Rect:
    """Where a label goes: the first free spot among ``anchors``, else the first one.

    A spot is free when the label fits in the frame there without covering an earlier label;
    when none is, the first anchor is moved into the frame.

    Parameters
    ----------
    size : tuple of int
        Label width and height.
    anchors : sequence of (int, int)
        Candidate top-left corners, best first.
    taken : list of Rect
        Areas already used; the chosen one is appended.
    frame : tuple of int
        Frame width and usable height.

    Returns
    -------
    Rect

    """
    w, h = size
    width, height = frame
    candidates = []
    for x, y in anchors:
        x = int(min(max(x, 0), max(width - w, 0)))
        rect = (x, int(y), x + w, int(y) + h)
        if y >= 0 and y + h <= height and not any(_overlaps(rect, r) for r in taken):
            taken.append(rect)
            return rect
        candidates.append(rect)
    x, y, _, _ = candidates[0]
    y = int(min(max(y, 0), max(height - h, 0)))
    rect = (x, y, x + w, y + h)
    taken.append(rect)
    return rect


def box_rect(centre: np.ndarray, size: tuple[float, float]) -> Rect:
    """Integer corners of a box of ``size`` centred on ``centre``."""
    x0 = round(float(centre[0]) - size[0] / 2)
    y0 = round(float(centre[1]) - size[1] / 2)
    return x0, y0, x0 + round(size[0]), y0 + round(size[1])


def draw_regions(
    image: np.ndarray, overlay: Overlay, row: int, t: float, taken: list[Rect], usable_h: int
) -> None:
    """Boxes, labels, twitch flashes and person tags of one frame (analysis row ``row``)."""
    style = overlay.style
    frame = (image.shape[1], usable_h)
    drawn: list[tuple[RegionMark, Rect]] = []
    for mark in overlay.marks:
        centre = overlay.centres[row, mark.column]
        if not np.all(np.isfinite(centre)):
            continue
        rect = box_rect(centre, mark.size)
        line = style.thin if mark.kind == "none" else style.line
        cv2.rectangle(image, rect[:2], (rect[2] - 1, rect[3] - 1), mark.colour, line)
        if _inside(t, mark.twitches):
            grow = 2 * style.line
            outer = (rect[0] - grow, rect[1] - grow), (rect[2] - 1 + grow, rect[3] - 1 + grow)
            cv2.rectangle(image, *outer, COLOURS["twitch"], 2 * style.line)
        drawn.append((mark, rect))
    for person in sorted({m.person for m, _ in drawn if m.person is not None}):
        rects = [r for m, r in drawn if m.person == person]
        tag = f"P{person}"
        size = text_size(tag, style)
        x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
        spot = place_label(size, [(x0, y0 - size[1]), (x0, y0)], taken, frame)
        draw_label(image, tag, spot, style, WHITE, filled=True)
    for mark, rect in drawn:
        twitching = _inside(t, mark.twitches)
        text = f"{mark.label} twitch" if twitching else mark.label
        size = text_size(text, style)
        anchors = [(rect[0], rect[3]), (rect[0], rect[1] - size[1]), (rect[0], rect[1])]
        spot = place_label(size, anchors, taken, frame)
        lit = mark.kind != "none" and _inside(t, mark.episodes)
        colour = COLOURS["twitch"] if twitching else mark.colour
        draw_label(image, text, spot, style, colour, filled=lit or twitching)


def _line_height(style: Style) -> int:
    return text_size("Ag", style)[1]


def strip_height(overlay: Overlay, height: int) -> int:
    """Height (px) of the trace strip at the bottom of the frame: 0 without traces.

    Each lane is at least two lines of text high; the strip at most 30 % of the frame.
    """
    if not overlay.traces:
        return 0
    lane = max(overlay.style.lane, 2 * _line_height(overlay.style))
    return min(len(overlay.traces) * lane, round(0.3 * height)) + 2 * overlay.style.pad


def lane_label(trace: Trace, style: Style, lane_h: int) -> list[str]:
    """The lines naming a lane: the region, and the displacement at the lane's edge."""
    scale = f"+-{trace.scale_px:.2g} px"
    if lane_h >= 2 * _line_height(style):
        return [trace.mark.short_name, scale]
    return [f"{trace.mark.short_name} {scale}"]


def trace_points(
    times: np.ndarray, values: np.ndarray, t: float, scale_px: float, lane: Rect
) -> list[np.ndarray]:
    """Polylines (x, y in 1/16 px) of a trace's last :data:`TRACE_SPAN_S` seconds in ``lane``.

    Parameters
    ----------
    times : ndarray, shape (n,)
        Frame times.
    values : ndarray, shape (n,)
        Displacement per frame (NaN breaks the line).
    t : float
        The current time: the right edge of the lane.
    scale_px : float
        Displacement drawn at the lane's top (and, negative, its bottom).
    lane : Rect
        Where to draw.

    Returns
    -------
    list of ndarray, shape (m, 2), int32
        One polyline per unbroken stretch of at least two points.

    """
    a = int(np.searchsorted(times, t - TRACE_SPAN_S))
    b = int(np.searchsorted(times, t, side="right"))
    x0, y0, x1, y1 = lane
    xs = x0 + (times[a:b] - (t - TRACE_SPAN_S)) / TRACE_SPAN_S * (x1 - 1 - x0)
    half = (y1 - y0) / 2 - 1
    ys = (y0 + y1) / 2 - np.clip(values[a:b] / scale_px, -1.0, 1.0) * half
    points = np.column_stack([xs, ys])
    lines = []
    for start, end in finite_runs(np.isfinite(points).all(axis=1)):
        if end - start >= 2:
            lines.append(np.rint(points[start:end] * 16).astype(np.int32))
    return lines


def draw_strip(image: np.ndarray, overlay: Overlay, row: int, t: float, top: int) -> None:
    """The trace strip from row ``top`` down: one darkened lane per trace with its line."""
    if not overlay.traces:
        return
    style = overlay.style
    height, width = image.shape[:2]
    image[top:] = cv2.convertScaleAbs(image[top:], alpha=0.3)
    lane_h = (height - top - 2 * style.pad) // len(overlay.traces)
    labels = [lane_label(trace, style, lane_h) for trace in overlay.traces]
    column = max(text_size(line, style)[0] for lines in labels for line in lines)
    line_h = _line_height(style)
    times = overlay.times[: row + 1]
    for i, (trace, lines) in enumerate(zip(overlay.traces, labels, strict=True)):
        y0 = top + style.pad + i * lane_h
        lane = (column + style.pad, y0, width - style.pad, y0 + lane_h)
        middle = y0 + lane_h // 2
        cv2.line(image, (lane[0], middle), (lane[2] - 1, middle), (90, 90, 90), 1)
        for line in trace_points(times, trace.values[: row + 1], t, trace.scale_px, lane):
            cv2.polylines(image, [line], False, trace.mark.colour, style.line, cv2.LINE_AA, 4)
        y = y0 + (lane_h - len(lines) * line_h) // 2
        for j, text in enumerate(lines):
            put_text(image, text, (0, y + j * line_h), style, trace.mark.colour)
    span = f"last {TRACE_SPAN_S:g} s"
    w, h = text_size(span, style)
    spot = (column + style.pad, top + style.pad, column + style.pad + w, top + style.pad + h)
    draw_label(image, span, spot, style, (40, 40, 40), filled=True)


def draw_header(
    image: np.ndarray, overlay: Overlay, row: int | None, t: float, taken: list[Rect]
) -> None:
    """The legend at the top right, the time and the camera note at the top left.

    The left lines move below the legend where they would run into it.
    """
    style = overlay.style
    width, height = image.shape[1], image.shape[0]
    y = 0
    for kind in overlay.legend:
        text = LEGEND_TEXT[kind]
        w, h = text_size(text, style)
        x = width - w - style.pad
        side = style.text_px
        swatch_y = y + (h - side) // 2
        cv2.rectangle(image, (x - side, swatch_y), (x - 1, swatch_y + side - 1), COLOURS[kind], -1)
        put_text(image, text, (x, y), style, WHITE)
        taken.append((x - side - style.pad, y, width, y + h))
        y += h
    lines = [f"t {t:.2f} s"]
    if overlay.camera_note and row is not None and overlay.camera_measured[row]:
        lines.append(overlay.camera_note)
    y = 0
    for text in lines:
        size = text_size(text, style)
        below = max([r[3] for r in taken if r[1] < y + size[1]] + [y])
        spot = place_label(size, [(0, y), (0, below)], taken, (width, height))
        put_text(image, text, spot[:2], style, WHITE)
        y = spot[3]
