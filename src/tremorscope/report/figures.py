"""The report's plots: displacement trace, spectrum, timeline, sensor windows, camera shift.

Each builder takes the numbers to show and returns a :class:`matplotlib.figure.Figure` in the
report's style (:mod:`tremorscope.report.plot_style`). The band-limited series and the
spectra are those the analysis judged (:class:`tremorscope.results.JudgedSignal`): nothing
here recomputes the analysis.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from tremorscope.report.plot_style import (
    BLUE,
    GREEN,
    GREY,
    INK,
    KIND_COLOURS,
    ORANGE,
    PURPLE,
    SKY,
    STYLE,
    VERMILLION,
    new_figure,
    plain_text,
)
from tremorscope.results import JudgedSignal, WindowRow

#: Above this many samples a series is reduced to per-pixel minima and maxima for drawing.
MAX_PLOT_POINTS = 3000


def offset_from_median(position: np.ndarray) -> np.ndarray:
    """Positions (n, 2) minus their median over time, NaN kept; zeros when nothing is finite."""
    if not np.isfinite(position).any():
        return np.full_like(position, np.nan, dtype=float)
    return position - np.nanmedian(position, axis=0)


def project_on_direction(
    offset: np.ndarray, direction: Sequence[float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Split (n, 2) offsets into the part along ``direction`` and the part across it.

    Without a direction, the picture's x and y are returned.
    """
    if direction is None or len(direction) != 2 or not np.any(direction):
        return offset[:, 0], offset[:, 1]
    d = np.asarray(direction, float) / np.linalg.norm(direction)
    across = np.array([-d[1], d[0]])
    return offset @ d, offset @ across


def decimate_for_display(
    t: np.ndarray, y: np.ndarray, max_points: int = MAX_PLOT_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a long series to the minimum and maximum of each of ``max_points / 2`` bins.

    The envelope of a fast oscillation is kept (plain subsampling would alias it); NaN stays
    NaN so gaps stay visible.
    """
    if t.size <= max_points:
        return t, y
    bins = max_points // 2
    edges = np.linspace(0, t.size, bins + 1).astype(int)
    out_t, out_y = [], []
    for a, b in itertools.pairwise(edges):
        chunk = y[a:b]
        if not np.isfinite(chunk).any():
            out_t += [t[a]]
            out_y += [np.nan]
            continue
        lo, hi = int(np.nanargmin(chunk)), int(np.nanargmax(chunk))
        for k in sorted({lo, hi}):
            out_t.append(t[a + k])
            out_y.append(chunk[k])
    return np.asarray(out_t), np.asarray(out_y)


# --------------------------------------------------------------------------- plot helpers


def _shade_episodes(ax, episodes: Sequence[tuple[float, float]], label: str | None) -> None:
    for k, (a, b) in enumerate(episodes):
        ax.axvspan(a, b, color=ORANGE, alpha=0.16, lw=0, label=label if k == 0 else None)


def _mark_cuts(ax, cut_times: Sequence[float], label: bool) -> None:
    for k, t in enumerate(cut_times):
        ax.axvline(t, color=INK, ls="--", lw=1.0, label="shot cut" if label and k == 0 else None)


def _mark_twitches(ax, times: Sequence[float], label: bool) -> None:
    if not times:
        return
    ax.scatter(
        list(times),
        [0.96] * len(times),
        marker="v",
        s=42,
        color=PURPLE,
        transform=ax.get_xaxis_transform(),
        zorder=5,
        label="twitch" if label else None,
        clip_on=False,
    )


def _plot_pieces(ax, times: list[np.ndarray], values: list[np.ndarray], **style) -> None:
    label = style.pop("label", None)
    for k, (t, y) in enumerate(zip(times, values, strict=True)):
        t_plot, y_plot = decimate_for_display(t, y)
        ax.plot(t_plot, y_plot, label=label if k == 0 else None, **style)


def _add_cm_axis(ax, px_per_cm: float | None) -> None:
    if not px_per_cm:
        return
    secondary = ax.secondary_yaxis(
        "right", functions=(lambda px: px / px_per_cm, lambda cm: cm * px_per_cm)
    )
    secondary.set_ylabel("cm (estimated)")


# --------------------------------------------------------------------------- plots


@dataclass
class TraceInput:
    """What the displacement figure of one region shows.

    Attributes
    ----------
    time_s : ndarray
        Frame times.
    offset : ndarray, shape (n, 2)
        Position minus its median, pixels.
    direction : list of float or None
        The rhythm's main direction (x, y); None to show x and y.
    judged : JudgedSignal or None
        What the analysis judged for the finding, for the band-limited panel.
    frequency_hz : float or None
        The rhythm's frequency: the lower panel shows the rhythm isolated around it; without
        it, the band-limited movement size that twitches are detected on.
    episodes : list of (float, float)
        When the rhythm was present.
    twitch_times : list of float
        When twitches peaked.
    twitch_threshold : float or None
        Level a twitch must exceed (pixels).
    cut_times : list of float
        Shot cuts.
    px_per_cm : float or None
        Scale for a centimetre axis.

    """

    time_s: np.ndarray
    offset: np.ndarray
    direction: list[float] | None
    judged: JudgedSignal | None
    frequency_hz: float | None
    episodes: list[tuple[float, float]]
    twitch_times: list[float]
    twitch_threshold: float | None
    cut_times: list[float]
    px_per_cm: float | None = None


def trace_figure(data: TraceInput) -> Figure:
    """Displacement over time along and across the rhythm, and the band-limited movement below.

    Parameters
    ----------
    data : TraceInput
        The series and what to mark on them.

    Returns
    -------
    Figure

    """
    fig = new_figure(10.5, 4.6, rows=2, height_ratios=[1.35, 1.0])
    top, bottom = fig.axes
    along, across = project_on_direction(data.offset, data.direction)
    has_direction = data.direction is not None
    names = ("along the rhythm", "across it") if has_direction else ("x (right +)", "y (down +)")
    with mpl.rc_context(STYLE):
        _shade_episodes(top, data.episodes, "rhythm present")
        for values, colour, name in ((across, SKY, names[1]), (along, BLUE, names[0])):
            t_plot, y_plot = decimate_for_display(data.time_s, values)
            top.plot(t_plot, y_plot, color=colour, label=name, lw=1.0 if colour == SKY else 1.2)
        _mark_cuts(top, data.cut_times, label=True)
        _mark_twitches(top, data.twitch_times, label=True)
        top.set_ylabel("displacement (px)")
        top.set_title("Position of the region minus its median (camera motion removed)", loc="left")
        _add_cm_axis(top, data.px_per_cm)
        top.legend(loc="upper right", ncol=5, bbox_to_anchor=(1.0, 1.25))
        _lower_panel(bottom, data)
        bottom.set_xlabel("time (s)")
        end = float(data.time_s[-1]) if data.time_s.size else 1.0
        bottom.set_xlim(0.0, max(end, 1e-3))
    return fig


def _lower_panel(ax, data: TraceInput) -> None:
    _shade_episodes(ax, data.episodes, None)
    _mark_cuts(ax, data.cut_times, label=False)
    judged = data.judged
    if judged is None or not judged.time_s:
        ax.text(0.5, 0.5, "too short to filter", transform=ax.transAxes, ha="center", color=GREY)
        return
    times = judged.time_s
    if data.frequency_hz is not None and judged.rhythm is not None and judged.rhythm_band_hz:
        band = judged.rhythm_band_hz
        _plot_pieces(ax, times, judged.rhythm, color=VERMILLION, lw=1.0)
        ax.set_ylabel("rhythm (px)")
        ax.set_title(
            f"The rhythm alone: band-pass {band[0]:.1f}-{band[1]:.1f} Hz, along its direction",
            loc="left",
        )
    else:
        _plot_pieces(ax, times, judged.movement, color=PURPLE, lw=1.0)
        if data.twitch_threshold is not None:
            ax.axhline(data.twitch_threshold, color=INK, ls=":", lw=1.0, label="twitch level")
            ax.legend(loc="upper right")
        ax.set_ylabel("movement (px)")
        ax.set_title("Size of the band-limited movement (what twitches are found on)", loc="left")
    _mark_twitches(ax, data.twitch_times, label=False)


def spectrum_figure(
    spectrum: JudgedSignal,
    frequency_hz: float | None,
    frequency_ci_hz: tuple[float, float] | None,
    unit: str = "px",
) -> Figure:
    """Power spectrum with its background, the significance level, the band and the peak.

    Parameters
    ----------
    spectrum : JudgedSignal
        What the analysis judged: its Welch spectrum, background, threshold and band.
    frequency_hz : float or None
        The reported rhythm (None: nothing to mark).
    frequency_ci_hz : (float, float) or None
        Its 95 % interval.
    unit : str
        Unit of the signal (power is in unit squared per hertz).

    Returns
    -------
    Figure

    """
    fig = new_figure(5.6, 3.7)
    (ax,) = fig.axes
    lo, hi = spectrum.band_hz
    shown = (spectrum.freqs > 0) & (spectrum.freqs <= min(hi + 2.0, spectrum.freqs[-1]))
    f, p = spectrum.freqs[shown], spectrum.power[shown]
    with mpl.rc_context(STYLE):
        ax.axvspan(lo, hi, color=SKY, alpha=0.10, lw=0, label=f"analysed band {lo:.0f}-{hi:.1f} Hz")
        ax.semilogy(f, p, color=INK, lw=1.2, label="spectrum")
        inside = (f >= lo) & (f <= hi)
        background = spectrum.background[shown][inside]
        ax.semilogy(f[inside], background, color=GREY, ls="--", lw=1.0, label="background")
        level = background * spectrum.threshold
        ax.semilogy(f[inside], level, color=GREEN, ls=":", lw=1.3, label="significance level")
        if frequency_hz is not None:
            _mark_peak(ax, f, p, frequency_hz, frequency_ci_hz)
        ax.set_xlabel("frequency (Hz)")
        ax.set_ylabel(f"power ({unit}²/Hz)")
        ax.set_xlim(0, f[-1] if f.size else hi)
        ax.set_ylim(*_power_limits(p[f >= 0.75 * lo], level))
        ax.legend(loc="upper right", fontsize=7.5)
    return fig


def _power_limits(power: np.ndarray, level: np.ndarray) -> tuple[float, float]:
    """Log-axis limits that frame the band of interest, not the large power below it."""
    values = np.concatenate([power, level])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 1e-6, 1.0
    return float(values.min()) / 2.0, float(values.max()) * 4.0


def _mark_peak(
    ax, f: np.ndarray, p: np.ndarray, frequency_hz: float, ci: tuple[float, float] | None
) -> None:
    if ci is not None:
        ax.axvspan(*ci, color=VERMILLION, alpha=0.22, lw=0, label="95 % interval")
    height = float(np.interp(frequency_hz, f, p)) if f.size else 1.0
    ax.plot([frequency_hz], [height], "o", color=VERMILLION, ms=6, zorder=5)
    ax.annotate(
        f"{frequency_hz:.2f} Hz",
        (frequency_hz, height),
        xytext=(8, 4),
        textcoords="offset points",
        color=VERMILLION,
        fontweight="bold",
    )


@dataclass
class TimelineRow:
    """One row of a timeline: a body part, region or sensor group.

    Attributes
    ----------
    label : str
        Row name.
    kind : str
        ``tremor``, ``voluntary``, ``camera``, ``transmitted`` or ``none``: the colour.
    episodes : list of (float, float)
        When a rhythm was present.
    twitch_times : list of float
        When twitches peaked.
    highlight : bool
        The row of the finding the figure belongs to (drawn in bold).

    """

    label: str
    kind: str
    episodes: list[tuple[float, float]]
    twitch_times: list[float]
    highlight: bool = False


def timeline_figure(
    rows: list[TimelineRow], duration_s: float, cut_times: Sequence[float] = ()
) -> Figure:
    """Episodes (bars coloured by kind) and twitches (marks) of several rows over time.

    Parameters
    ----------
    rows : list of TimelineRow
        Top to bottom.
    duration_s : float
        Length of the recording.
    cut_times : sequence of float
        Shot cuts.

    Returns
    -------
    Figure

    """
    fig = new_figure(10.5, 1.25 + 0.36 * max(len(rows), 1))
    (ax,) = fig.axes
    kinds_used: dict[str, None] = {}
    with mpl.rc_context(STYLE):
        for i, row in enumerate(rows):
            y = len(rows) - 1 - i
            colour = KIND_COLOURS.get(row.kind, GREY)
            spans = [(a, b - a) for a, b in row.episodes]
            if spans:
                ax.broken_barh(
                    spans, (y - 0.3, 0.6), color=colour, alpha=0.9 if row.highlight else 0.65, lw=0
                )
                kinds_used[row.kind] = None
            if row.twitch_times:
                ax.plot(
                    row.twitch_times, [y] * len(row.twitch_times), "|", ms=14, mew=2.2, color=PURPLE
                )
                kinds_used["twitch"] = None
        _mark_cuts(ax, cut_times, label=False)
        ax.set_yticks(range(len(rows)), [plain_text(r.label) for r in reversed(rows)])
        for tick, row in zip(ax.get_yticklabels(), reversed(rows), strict=True):
            tick.set_fontweight("bold" if row.highlight else "normal")
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlim(0, max(duration_s, 1e-3))
        ax.set_xlabel("time (s)")
        ax.grid(axis="y", visible=False)
        _timeline_legend(ax, list(kinds_used), bool(cut_times))
    return fig


def _timeline_legend(ax, kinds: list[str], cuts: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    names = {
        "tremor": "tremor-like rhythm",
        "voluntary": "voluntary-like movement",
        "camera": "camera motion",
        "transmitted": "passed on from elsewhere",
        "undetermined": "undetermined kind",
    }
    handles = [Patch(color=KIND_COLOURS[k], label=names[k]) for k in kinds if k in names]
    if "twitch" in kinds:
        handles.append(
            Line2D([], [], marker="|", ls="", ms=12, mew=2, color=PURPLE, label="twitch")
        )
    if cuts:
        handles.append(Line2D([], [], color=INK, ls="--", label="shot cut"))
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles))


def windows_figure(
    windows: list[WindowRow],
    unit: str,
    frequency_hz: float | None,
    frequency_ci_hz: tuple[float, float] | None,
    episodes: list[tuple[float, float]],
    twitch_times: list[float],
) -> Figure:
    """Per-window peak frequency and rhythm size over time (sensor recordings).

    Parameters
    ----------
    windows : list of WindowRow
        The group's sliding windows.
    unit : str
        Unit of ``rhythm_rms``.
    frequency_hz, frequency_ci_hz : float or None, (float, float) or None
        The whole-record frequency and its interval, drawn as a reference.
    episodes : list of (float, float)
        When the rhythm was present (shaded).
    twitch_times : list of float
        When twitches peaked.

    Returns
    -------
    Figure

    """
    fig = new_figure(10.5, 4.4, rows=2)
    top, bottom = fig.axes
    centres = np.array([(w.t_start + w.t_end) / 2 for w in windows])
    peaks = np.array([np.nan if w.peak_hz is None else w.peak_hz for w in windows])
    sizes = np.array([np.nan if w.rhythm_rms is None else w.rhythm_rms for w in windows])
    with mpl.rc_context(STYLE):
        for ax in (top, bottom):
            _shade_episodes(ax, episodes, "rhythm present" if ax is top else None)
        if frequency_ci_hz is not None:
            top.axhspan(
                *frequency_ci_hz,
                color=VERMILLION,
                alpha=0.15,
                lw=0,
                label="95 % interval (whole record)",
            )
        if frequency_hz is not None:
            top.axhline(frequency_hz, color=VERMILLION, lw=1.0, label=f"{frequency_hz:.2f} Hz")
        top.plot(centres, peaks, "o-", color=BLUE, ms=3.5, lw=0.8, label="peak per 4 s window")
        top.set_ylabel("peak frequency (Hz)")
        top.legend(loc="upper right", ncol=4, bbox_to_anchor=(1.0, 1.25))
        bottom.plot(centres, sizes, "o-", color=INK, ms=3.0, lw=0.9)
        _mark_twitches(bottom, twitch_times, label=False)
        bottom.set_ylabel(f"rhythm RMS ({unit})")
        bottom.set_xlabel("time (s), window centre")
        if windows:
            bottom.set_xlim(0, max(w.t_end for w in windows))
    return fig


def camera_figure(time_s: np.ndarray, camera: np.ndarray, cut_times: Sequence[float]) -> Figure:
    """The camera's own shift at the frame centre over time (removed from every region)."""
    fig = new_figure(10.5, 2.6)
    (ax,) = fig.axes
    with mpl.rc_context(STYLE):
        for k, (name, colour) in enumerate((("x (right +)", BLUE), ("y (down +)", SKY))):
            t_plot, y_plot = decimate_for_display(time_s, camera[:, k])
            ax.plot(t_plot, y_plot, color=colour, label=name)
        _mark_cuts(ax, cut_times, label=True)
        ax.set_ylabel("camera shift (px)")
        ax.set_xlabel("time (s)")
        if time_s.size:
            ax.set_xlim(0, max(float(time_s[-1]), 1e-3))
        ax.legend(loc="upper right", ncol=3)
    return fig
