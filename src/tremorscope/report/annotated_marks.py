"""What the annotated video shows, prepared once from the analysis.

Which regions are drawn, in which kind's colour and with which label (:func:`region_marks`,
:func:`finding_kind`, :func:`region_label`), where their boxes are on the footage, which regions
get a line in the trace strip and that line's displacement and scale (:func:`rhythm_traces`),
the camera note and the legend: all gathered in an :class:`Overlay` by
:func:`prepare_overlay`. Nothing here draws; it computes no metric of its own either.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter

from tremorscope.report.annotated_style import COLOURS, LEGEND_TEXT, RGB, Style, style_for_height
from tremorscope.report.kinds import kind_of
from tremorscope.results import Analysis, Finding, QualityFlag, RegionKey, Tracks

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
