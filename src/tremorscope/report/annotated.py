"""The annotated video: the source footage with what was measured drawn on every frame.

Every measured region (each person's body parts, the given regions) is drawn as a box that
follows the region, coloured by its finding (tremor-like red, voluntary-like blue, camera grey,
nothing thin and neutral) and labelled with its rhythm; the label is filled while the rhythm is
present (inside one of its episodes). Twitches flash on their region. A strip at the bottom
shows the last few seconds of each rhythmic region's displacement along its main direction.
The video is read once, one frame at a time, and written as H.264 with the source's timestamps.

The drawing only presents the analysis: it computes no metric of its own.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import av.error
import cv2
import numpy as np
from scipy.ndimage import median_filter

from tremorscope.errors import InputError
from tremorscope.report.kinds import KIND_LABELS, kind_of
from tremorscope.results import Analysis, Finding, QualityFlag, RegionKey, Tracks
from tremorscope.video import iter_frames, probe_video
from tremorscope.video.writer import FALLBACK_TIME_BASE, H264Writer, output_size

RGB = tuple[int, int, int]

#: Colours (RGB) of the finding kinds, and of twitches and text.
COLOURS: dict[str, RGB] = {
    "tremor": (235, 40, 40),
    "transmitted": (245, 150, 150),
    "voluntary": (45, 125, 255),
    "camera": (165, 165, 165),
    "undetermined": (190, 120, 210),
    "none": (225, 225, 215),
    "twitch": (255, 205, 0),
}
#: Legend wording of each kind: the report's labels (a region drawn ``none`` shows no rhythm).
LEGEND_TEXT = {**KIND_LABELS, "none": "no rhythm"}
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)

#: Seconds of displacement shown in the trace strip.
TRACE_SPAN_S = 3.0
#: Most regions shown in the trace strip (tremor-like first, then the largest).
MAX_TRACES = 4
#: Running-median window of the traces, in periods of the region's rhythm: long enough to
#: leave the rhythm whole, short enough to remove slower movement.
DRIFT_WINDOW_PERIODS = 3.0
#: A trace's lane spans +- this many times the rhythm's RMS amplitude (larger excursions
#: are clipped): a sinusoid of that amplitude fills about half the lane.
TRACE_RANGE_RMS = 2.8
#: How long (s) a twitch stays flashed after its end, so that it is seen at any frame rate.
TWITCH_AFTERGLOW_S = 0.25
#: The "camera motion compensated" note shows when the camera moved at least this far (px).
CAMERA_SHIFT_SHOWN_PX = 0.5
#: File name endings of the containers the annotated video can be written in.
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
#: libx264 preset: speed matters more than size for a viewing copy.
PRESET = "superfast"

#: What encoding and writing raise when the output cannot be written (a full disk).
_WRITE_ERRORS = (av.error.FFmpegError, OSError, ValueError)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
#: Cap height (px) of ``_FONT`` at scale 1.
_FONT_CAP_PX = 22.0


# --------------------------------------------------------------------------------------------
# Sizes for a frame height


@dataclass(frozen=True)
class Style:
    """Sizes of everything drawn, scaled to the frame height.

    Attributes
    ----------
    text_px : int
        Cap height of text, pixels.
    font_scale : float
        OpenCV font scale giving ``text_px``.
    text_thickness : int
        Stroke of text.
    outline : int
        Extra stroke of the dark outline around text.
    line : int
        Box line for a region with a rhythm.
    thin : int
        Box line for a region without one.
    pad : int
        Padding around labels and between elements.
    lane : int
        Height of one lane of the trace strip.

    """

    text_px: int
    font_scale: float
    text_thickness: int
    outline: int
    line: int
    thin: int
    pad: int
    lane: int


def style_for_height(height: int) -> Style:
    """Sizes of text, lines and the trace strip for frames ``height`` pixels high.

    Text is about 1/34 of the height (at least 10 px, so that a 144-line frame stays readable),
    lines about 1/300 of it (at least 2 px for boxes with a rhythm).

    Parameters
    ----------
    height : int
        Frame height in pixels.

    Returns
    -------
    Style

    """
    text_px = max(10, round(height / 34))
    return Style(
        text_px=text_px,
        font_scale=text_px / _FONT_CAP_PX,
        text_thickness=max(1, round(text_px / 14)),
        outline=max(1, round(text_px / 10)),
        line=max(2, round(height / 300)),
        thin=max(1, round(height / 720)),
        pad=max(2, round(text_px / 4)),
        lane=max(round(2.6 * text_px), round(height / 14)),
    )


# --------------------------------------------------------------------------------------------
# What to draw, prepared once from the analysis


@dataclass
class RegionMark:
    """One measured region and how it is drawn.

    Attributes
    ----------
    column : int
        Its column in ``Tracks.position``.
    person : int or None
        Person id, None for a given region.
    short_name : str
        ``"P1 right hand"`` or the region's name.
    size : tuple of float
        Box width and height, pixels.
    kind : str
        ``tremor``, ``transmitted``, ``voluntary``, ``camera`` or ``none``.
    label : str
        Text next to the box.
    episodes : list of (float, float)
        When the rhythm is present (the label is filled then), seconds.
    twitches : list of (float, float)
        When a twitch is flashed, seconds.

    """

    column: int
    person: int | None
    short_name: str
    size: tuple[float, float]
    kind: str
    label: str
    episodes: list[tuple[float, float]] = field(default_factory=list)
    twitches: list[tuple[float, float]] = field(default_factory=list)

    @property
    def colour(self) -> RGB:
        """The colour of its kind."""
        return COLOURS[self.kind]


@dataclass
class Trace:
    """One line of the trace strip: a region's displacement along its main direction.

    Attributes
    ----------
    mark : RegionMark
        The region.
    values : ndarray, shape (n_frames,)
        Displacement (px) from its running median, NaN where not measured.
    scale_px : float
        Displacement drawn at the edge of the lane.

    """

    mark: RegionMark
    values: np.ndarray
    scale_px: float


@dataclass
class Overlay:
    """Everything drawn on the frames, prepared from an analysis.

    Attributes
    ----------
    times : ndarray, shape (n_frames,)
        Frame times of the analysis, seconds.
    centres : ndarray, shape (n_frames, n_regions, 2)
        Region centres on the footage (camera motion put back), pixels.
    marks : list of RegionMark
        The regions.
    traces : list of Trace
        The lines of the trace strip.
    camera_note : str
        Shown while the camera's motion is being removed ("" for none).
    camera_measured : ndarray of bool, shape (n_frames,)
        Frames in which it was.
    legend : list of str
        Kinds shown in the legend.
    style : Style
        Sizes for the frame height.

    """

    times: np.ndarray
    centres: np.ndarray
    marks: list[RegionMark]
    traces: list[Trace]
    camera_note: str
    camera_measured: np.ndarray
    legend: list[str]
    style: Style


def finding_kind(finding: Finding | None) -> str:
    """How a finding is drawn: ``tremor``, ``transmitted``, ``voluntary``, ``camera`` or ``none``.

    Parameters
    ----------
    finding : Finding or None
        A region's finding.

    Returns
    -------
    str

    """
    kind = kind_of(finding)
    if kind == "twitch" or finding is None or not finding.rhythmic.detected:
        return "none"  # twitches are drawn as events, not as the region's colour
    return kind if finding.rhythmic.frequency_hz is not None else "none"


def amplitude_text(finding: Finding) -> str:
    """The RMS amplitude of a finding, in cm when a scale is known, else in its own unit."""
    r = finding.rhythmic
    if r.amplitude_cm is not None:
        return f"{r.amplitude_cm:.2g} cm"
    if r.amplitude is None:
        return ""
    return f"{r.amplitude:.2g} {r.amplitude_unit}"


def region_label(short_name: str, finding: Finding | None, kind: str) -> str:
    """The label next to a region's box, e.g. ``"P1 right hand 5.1 Hz 0.3 cm"``.

    Parameters
    ----------
    short_name : str
        ``"P1 right hand"`` or a region's name.
    finding : Finding or None
        Its finding.
    kind : str
        From :func:`finding_kind`.

    Returns
    -------
    str

    """
    if kind == "none" or finding is None:
        return short_name
    hz = f"{finding.rhythmic.frequency_hz:.1f} Hz"
    if kind == "tremor":
        return " ".join(filter(None, [short_name, hz, amplitude_text(finding)]))
    return f"{short_name} {LEGEND_TEXT[kind]} {hz}"


def twitch_spans(finding: Finding | None) -> list[tuple[float, float]]:
    """When each twitch of a finding is flashed: its duration plus a short afterglow."""
    if finding is None:
        return []
    return [
        (e.t - e.duration_s / 2, e.t + e.duration_s / 2 + TWITCH_AFTERGLOW_S)
        for e in finding.twitches.events
    ]


def region_marks(analysis: Analysis, keys: Sequence[RegionKey]) -> list[RegionMark]:
    """The drawable regions among the tracked regions ``keys``.

    Parameters
    ----------
    analysis : Analysis
        A video analysis.
    keys : sequence of RegionKey
        ``Tracks.keys``.

    Returns
    -------
    list of RegionMark
        One per region whose person or given region (and its box) is in the analysis.

    """
    people = {p.id: p for p in analysis.people}
    regions = {r.name: r for r in analysis.regions}
    marks = []
    for column, key in enumerate(keys):
        part = key.part
        if key.owner == "region" and part in regions:
            person_id, short_name = None, part
            box, finding = regions[part].box, regions[part].finding
        elif key.person in people and part in people[key.person].part_boxes:
            person = people[key.person]
            person_id, short_name = person.id, f"P{person.id} {part.replace('_', ' ')}"
            box, finding = person.part_boxes[part], person.body_parts.get(part)
        else:
            continue
        kind = finding_kind(finding)
        marks.append(
            RegionMark(
                column=column,
                person=person_id,
                short_name=short_name,
                size=(float(box[2]), float(box[3])),
                kind=kind,
                label=region_label(short_name, finding, kind),
                episodes=list(finding.rhythmic.episodes) if kind != "none" else [],
                twitches=twitch_spans(finding),
            )
        )
    return marks


def footage_centres(tracks: Tracks) -> np.ndarray:
    """Region centres on the footage: the tracks plus the camera's shift they had removed.

    The camera's shift is the one at the frame centre (its rotation and zoom are small over a
    reference chunk); where it was not measured nothing was removed, so nothing is added.

    Parameters
    ----------
    tracks : Tracks
        The analysis' tracks.

    Returns
    -------
    ndarray, shape (n_frames, n_regions, 2)

    """
    camera = np.nan_to_num(np.asarray(tracks.camera, dtype=float), nan=0.0)
    return np.asarray(tracks.position, dtype=float) + camera[:, None, :]


def finite_runs(valid: np.ndarray, breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Start and end (exclusive) of every run of True in ``valid``, also split at ``breaks``.

    Parameters
    ----------
    valid : ndarray of bool, shape (n,)
        Which samples are usable.
    breaks : sequence of int
        Indices where a new run starts regardless (shot cuts).

    Returns
    -------
    list of (int, int)

    """
    n = valid.size
    changes = np.flatnonzero(np.diff(valid.astype(np.int8))) + 1
    bounds = sorted({0, n, *changes.tolist(), *(int(b) for b in breaks if 0 < b < n)})
    return [(a, b) for a, b in itertools.pairwise(bounds) if valid[a]]


def detrended_displacement(
    position: np.ndarray,
    direction: Sequence[float] | None,
    window: int,
    breaks: Sequence[int] = (),
) -> np.ndarray:
    """A region's displacement from its running median, along its main direction.

    Parameters
    ----------
    position : ndarray, shape (n_frames, 2)
        The region's centre per frame (NaN where not measured).
    direction : sequence of float or None
        Unit vector ``(x, y)`` of the rhythm; None (or not 2-D) for the main direction of the
        detrended motion itself.
    window : int
        Running-median length in frames (odd).
    breaks : sequence of int
        Frames where the series restarts (shot cuts): no median spans them.

    Returns
    -------
    ndarray, shape (n_frames,)
        NaN where the position is NaN.

    """
    residual = np.full(position.shape, np.nan)
    for a, b in finite_runs(np.isfinite(position).all(axis=1), breaks):
        piece = position[a:b]
        residual[a:b] = piece - median_filter(piece, size=(window, 1), mode="nearest")
    if direction is not None and len(direction) == 2:
        unit = np.asarray(direction, dtype=float)
    else:
        unit = main_direction(residual)
    return residual @ (unit / max(float(np.hypot(*unit)), 1e-12))


def main_direction(residual: np.ndarray) -> np.ndarray:
    """Unit vector of the largest variance of ``(n, 2)`` motion (x axis when there is none)."""
    ok = residual[np.isfinite(residual).all(axis=1)]
    if len(ok) < 2:
        return np.array([1.0, 0.0])
    _, vectors = np.linalg.eigh(np.cov(ok.T))
    return vectors[:, -1]


def _trace_order(finding: Finding, kind: str) -> tuple[int, float]:
    priority = ["tremor", "undetermined", "voluntary", "camera", "transmitted"].index(kind)
    return priority, -(finding.rhythmic.amplitude or 0.0)


def rhythm_traces(analysis: Analysis, marks: Sequence[RegionMark]) -> list[Trace]:
    """The trace-strip lines: regions with a detected rhythm, tremor-like ones first.

    Each line is the region's position as analysed (camera motion removed) minus its running
    median over :data:`DRIFT_WINDOW_PERIODS` periods of its rhythm, along the rhythm's
    direction.

    Parameters
    ----------
    analysis : Analysis
        The analysis (for the findings, the frame times and the shot cuts).
    marks : sequence of RegionMark
        The drawable regions.

    Returns
    -------
    list of Trace
        At most :data:`MAX_TRACES`.

    """
    tracks = analysis.require_tracks()
    findings = {g.key: g.finding for g in analysis.groups if g.key is not None}
    step = float(np.median(np.diff(tracks.time_s))) if len(tracks.time_s) > 1 else 1 / 30
    breaks = [s.start_frame for s in analysis.source.shots]
    chosen = []
    for mark in marks:
        finding = findings.get(tracks.keys[mark.column])
        if mark.kind != "none" and finding is not None:
            chosen.append((_trace_order(finding, mark.kind), mark, finding))
    chosen.sort(key=lambda item: item[0])
    traces = []
    for _, mark, finding in chosen[:MAX_TRACES]:
        r = finding.rhythmic
        window = 2 * round(DRIFT_WINDOW_PERIODS / r.frequency_hz / step / 2) + 1
        values = detrended_displacement(
            tracks.position[:, mark.column], r.direction, window, breaks
        )
        own_size = r.amplitude_unit == "px" and not finding.quality.has(QualityFlag.ARTICULATED)
        traces.append(Trace(mark, values, trace_range(values, r.amplitude if own_size else None)))
    return traces


def trace_range(values: np.ndarray, amplitude_px: float | None) -> float:
    """Displacement (px) at the edge of a trace's lane.

    Parameters
    ----------
    values : ndarray
        The trace (NaN where not measured).
    amplitude_px : float or None
        RMS amplitude of the region's rhythm, when it is the region's own displacement in
        pixels (not the fingers' articulation).

    Returns
    -------
    float
        :data:`TRACE_RANGE_RMS` times the amplitude; without one, the trace's 99th percentile
        of absolute displacement (at least 0.001 px).

    """
    if amplitude_px:
        return max(TRACE_RANGE_RMS * amplitude_px, 1e-3)
    finite = np.abs(values[np.isfinite(values)])
    return max(float(np.percentile(finite, 99)) if finite.size else 0.0, 1e-3)


def camera_note(analysis: Analysis) -> str:
    """What to say while the camera's motion is being removed ("" when it hardly moved)."""
    camera = analysis.camera
    if camera is None or (camera.max_shift_px or 0.0) < CAMERA_SHIFT_SHOWN_PX:
        return ""
    note = "camera motion compensated"
    if camera.finding is not None and camera.finding.rhythmic.detected:
        note += f" ({camera.finding.rhythmic.frequency_hz:.1f} Hz shake)"
    return note


def prepare_overlay(analysis: Analysis, height: int) -> Overlay:
    """Everything to draw, from a video analysis, for frames ``height`` pixels high.

    Parameters
    ----------
    analysis : Analysis
        A video analysis holding its tracks (``analysis.tracks``).
    height : int
        Frame height in pixels.

    Returns
    -------
    Overlay

    Raises
    ------
    ValueError
        When the analysis holds no tracks (a sensor analysis, or one read back from JSON).

    """
    tracks = analysis.require_tracks()
    centres = footage_centres(tracks)
    marks = region_marks(analysis, tracks.keys)
    kinds = {m.kind for m in marks}
    legend = [
        k
        for k in ("tremor", "undetermined", "transmitted", "voluntary", "camera", "none")
        if k in kinds
    ]
    if any(m.twitches for m in marks):
        legend.append("twitch")
    return Overlay(
        times=np.asarray(tracks.time_s, dtype=float),
        centres=centres,
        marks=marks,
        traces=rhythm_traces(analysis, marks),
        camera_note=camera_note(analysis),
        camera_measured=np.isfinite(tracks.camera).all(axis=1),
        legend=legend,
        style=style_for_height(height),
    )


# --------------------------------------------------------------------------------------------
# Drawing one frame


Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def _inside(t: float, spans: Sequence[tuple[float, float]]) -> bool:
    return any(a <= t <= b for a, b in spans)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_size(text: str, style: Style) -> tuple[int, int]:
    """Width and height (px) of a label's box: the text with padding and outline."""
    (w, h), base = cv2.getTextSize(text, _FONT, style.font_scale, style.text_thickness)
    return w + 2 * style.pad, h + base + 2 * style.pad


def put_text(
    image: np.ndarray, text: str, corner: tuple[int, int], style: Style, colour: RGB
) -> None:
    """Text with a dark outline (legible on any footage); its label box starts at ``corner``.

    The outline is the text drawn in black around its place (a thicker stroke would also
    widen the letter spacing of OpenCV's fonts).
    """
    (_, h), _ = cv2.getTextSize(text, _FONT, style.font_scale, style.text_thickness)
    x, y = corner[0] + style.pad, corner[1] + style.pad + h
    o = style.outline
    for dx, dy in ((-o, -o), (o, -o), (-o, o), (o, o), (0, -o), (0, o), (-o, 0), (o, 0)):
        _text(image, text, (x + dx, y + dy), style, BLACK)
    _text(image, text, (x, y), style, colour)


def _text(image: np.ndarray, text: str, origin: tuple[int, int], style: Style, ink: RGB) -> None:
    cv2.putText(
        image, text, origin, _FONT, style.font_scale, ink, style.text_thickness, cv2.LINE_AA
    )


def draw_label(
    image: np.ndarray, text: str, rect: Rect, style: Style, colour: RGB, filled: bool
) -> None:
    """A label in ``rect``: filled with ``colour`` (dark or light text), or outlined text."""
    if not filled:
        put_text(image, text, rect[:2], style, colour)
        return
    cv2.rectangle(image, rect[:2], (rect[2] - 1, rect[3] - 1), colour, -1)
    ink = BLACK if sum(colour) > 450 else WHITE
    (_, h), _ = cv2.getTextSize(text, _FONT, style.font_scale, style.text_thickness)
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


def track_row(times: np.ndarray, index: int, t: float) -> int | None:
    """The analysis row of the frame decoded ``index``-th at time ``t`` (None if none matches).

    Parameters
    ----------
    times : ndarray, shape (n,)
        Frame times of the analysis.
    index : int
        Decoding index of the frame.
    t : float
        Its time, seconds.

    Returns
    -------
    int or None
        ``index`` when its time agrees, else the nearest time within half a frame.

    """
    if times.size == 0:
        return None
    tolerance = 0.5 * float(np.median(np.diff(times))) if times.size > 1 else 1e-3
    if index < times.size and abs(times[index] - t) <= tolerance:
        return index
    nearest = int(np.clip(np.searchsorted(times, t), 1, times.size - 1)) if times.size > 1 else 0
    if nearest > 0 and abs(times[nearest - 1] - t) < abs(times[nearest] - t):
        nearest -= 1
    return nearest if abs(times[nearest] - t) <= tolerance else None


def annotate_frame(image: np.ndarray, overlay: Overlay, index: int, t: float) -> np.ndarray:
    """Draw the overlay of the frame decoded ``index``-th at time ``t`` on ``image`` (in place).

    Parameters
    ----------
    image : ndarray, shape (height, width, 3), uint8
        The RGB frame, writeable and contiguous.
    overlay : Overlay
        From :func:`prepare_overlay`.
    index : int
        Decoding index.
    t : float
        Presentation time, seconds.

    Returns
    -------
    ndarray
        ``image``.

    """
    height = image.shape[0]
    row = track_row(overlay.times, index, t)
    top = height - strip_height(overlay, height)
    taken: list[Rect] = []
    draw_header(image, overlay, row, t, taken)
    if row is not None:
        draw_regions(image, overlay, row, t, taken, top)
        draw_strip(image, overlay, row, t, top)
    return image


# --------------------------------------------------------------------------------------------
# The video


def _writable_frame(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """A contiguous, writeable copy of the frame at the output size (odd edges dropped)."""
    if rgb.shape[0] < height or rgb.shape[1] < width:
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.array(rgb[:height, :width], order="C", copy=True)


def _annotated_frames(
    video: Path, overlay: Overlay, width: int, height: int
) -> Iterator[tuple[np.ndarray, float]]:
    for frame in iter_frames(video):
        image = _writable_frame(frame.rgb(), width, height)
        yield annotate_frame(image, overlay, frame.index, frame.t), frame.t


def write_annotated_video(
    video: str | Path,
    analysis: Analysis,
    out: str | Path,
    progress: Callable[[int], None] | None = None,
    crf: int = 23,
) -> Path:
    """Write the video with what was measured drawn on every frame.

    Each measured region is a box that follows it (its tracked centre with the camera's motion
    put back, its median size), coloured by its finding: tremor-like red, passed on from another
    part light red, voluntary-like blue, camera grey, no rhythm thin and neutral. Its label
    (``"P1 right hand 5.1 Hz 0.3 cm"``) is filled while the rhythm is present; twitches flash
    on their region; a tag names each person. At the bottom, the last 3 s of displacement of
    the regions with a rhythm (as analysed, camera motion removed: from its running median,
    along its direction, each scaled to its own size); at the top the time, a legend and, when
    the camera moved, a note that its motion was removed. Sizes follow the frame height.

    The source is read once, a frame at a time, and encoded with libx264 (yuv420p) at the
    source's timestamps (on a 90 kHz clock: exact for the usual time bases, within 6 us
    otherwise, and at least one tick apart). An odd last row or column is dropped, as H.264
    needs even sizes.

    Parameters
    ----------
    video : str or Path
        The analysed video.
    analysis : Analysis
        Its analysis by :func:`tremorscope.analyze_video` (it holds the per-frame tracks).
    out : str or Path
        The annotated video to write (``.mp4``, ``.mov`` or ``.mkv``); missing folders are
        made.
    progress : callable, optional
        Called with the number of frames written so far.
    crf : int
        libx264 constant rate factor (0-51; 23 the default, 18 near lossless).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    InputError
        When the video cannot be read or is not the analysed one (another frame size), or
        ``out`` cannot be written (or is the video itself).
    ValueError
        When ``crf`` is out of range, or the analysis has no tracks.

    """
    video, out = Path(video), Path(out)
    if not 0 <= int(crf) <= 51:
        raise ValueError(f"crf must be between 0 and 51, not {crf}")
    info = probe_video(video)
    problem = output_problem(out, video)
    if problem:
        raise InputError(out, problem)
    analysed = (analysis.source.width, analysis.source.height)
    if None not in analysed and analysed != (info.width, info.height):
        raise InputError(
            video,
            f"the analysis is of a {analysed[0]}x{analysed[1]} video, this one is "
            f"{info.width}x{info.height}",
        )
    width, height = output_size(info.width, info.height, None)
    overlay = prepare_overlay(analysis, height)
    rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    writer = H264Writer(
        out, width, height, rate, FALLBACK_TIME_BASE, int(crf), PRESET, rgb_to_yuv="opencv"
    )
    last_pts = -1
    try:
        for image, t in _annotated_frames(video, overlay, width, height):
            last_pts = max(round(t / FALLBACK_TIME_BASE), last_pts + 1)
            _write(writer, out, image, last_pts)
            if progress is not None:
                progress(writer.n)
        _finish(writer, out)
    except BaseException:
        _close_quietly(writer)
        out.unlink(missing_ok=True)
        raise
    return out


def output_problem(out: Path, video: Path) -> str | None:
    """Why the annotated video cannot be written to ``out``, or None when it looks fine.

    Parameters
    ----------
    out : Path
        The file to write.
    video : Path
        The source video.

    Returns
    -------
    str or None
        The problem in a few words; failures only writing can reveal (no permission, a full
        disk) are left to the writer.

    """
    if out.resolve() == video.resolve():
        return "the annotated video would overwrite the source"
    if out.is_dir():
        return "is a folder: give a file name ending in .mp4"
    if out.suffix.lower() not in VIDEO_SUFFIXES:
        endings = f"{', '.join(VIDEO_SUFFIXES[:-1])} or {VIDEO_SUFFIXES[-1]}"
        return f"give a file name ending in {endings}"
    folder = next((p for p in out.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    return None


def _write(writer: H264Writer, out: Path, image: np.ndarray, pts: int) -> None:
    try:
        writer.write(image, pts)
    except _WRITE_ERRORS as exc:
        raise InputError(out, f"cannot write the video ({exc})") from None


def _finish(writer: H264Writer, out: Path) -> None:
    try:
        writer.close()
    except _WRITE_ERRORS as exc:
        raise InputError(out, f"cannot write the video ({exc})") from None


def _close_quietly(writer: H264Writer) -> None:
    with contextlib.suppress(Exception):  # the first error is the one to report
        writer.close()
