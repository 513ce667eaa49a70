"""Figures of the HTML report: plots as inline SVG (matplotlib) and key frames as JPEG (OpenCV).

Everything here presents a result. The spectra and band-limited traces are recomputed for
display from the same per-frame tracks, with the analysis' own code
(:mod:`tremorscope.analysis.spectral` and :mod:`tremorscope.analysis.rhythm`), so they show
what the analysis saw. Plots are drawn on :class:`matplotlib.figure.Figure` objects directly
(no pyplot, no global backend, no display needed).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.engine import MIN_PIECE_S
from tremorscope.analysis.spectral import (
    HANN_ENBW_BINS,
    aperiodic_background,
    bandpass,
    highpass,
    peak_threshold,
    welch_spectrum,
)
from tremorscope.config import AnalysisConfig
from tremorscope.results import Box, WindowRow
from tremorscope.signals.model import SignalGroup, UniformSignal
from tremorscope.signals.uniform import to_uniform

# Okabe-Ito colours: told apart with every common colour-vision deficiency.
BLUE, VERMILLION, ORANGE = "#0072B2", "#D55E00", "#E69F00"
SKY, GREEN, PURPLE, GREY = "#56B4E9", "#009E73", "#CC79A7", "#6B7280"
INK = "#1D2433"
#: Colour of each kind of rhythm, in plots and on the page.
KIND_COLOURS = {
    "tremor": VERMILLION,
    "voluntary": BLUE,
    "camera": GREY,
    "transmitted": ORANGE,
    "undetermined": SKY,
    "twitch": PURPLE,
}
#: Plot styling shared by every figure (text stays text in the SVG: searchable, small).
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tremorscope",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.edgecolor": "#9AA3B2",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E8EE",
    "grid.linewidth": 0.6,
    "xtick.color": "#4B5563",
    "ytick.color": "#4B5563",
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "lines.linewidth": 1.1,
}
#: Above this many samples a series is reduced to per-pixel minima and maxima for drawing.
MAX_PLOT_POINTS = 3000
#: Width of the JPEG key frames and height of the person thumbnails, pixels.
KEY_FRAME_WIDTH, THUMBNAIL_HEIGHT = 720, 180


# --------------------------------------------------------------------------- SVG output


def figure_to_svg(fig: Figure, prefix: str, title: str) -> str:
    """Serialise a figure as SVG markup that can be placed inline in HTML.

    Parameters
    ----------
    fig : Figure
        The figure.
    prefix : str
        Prefix for every element id, unique in the page (inline SVGs share one id space).
    title : str
        Accessible name of the figure (``aria-label``); escaped here.

    Returns
    -------
    str
        One ``<svg>`` element: no XML prolog, no namespaces or metadata that point elsewhere,
        scaling to the width of its container.

    """
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    markup = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", markup)
    markup = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', markup)
    markup = markup.replace('href="#', f'href="#{prefix}-').replace("url(#", f"url(#{prefix}-")
    label = html.escape(title, quote=True)
    return re.sub(
        r'<svg\s+width="[^"]*"\s+height="[^"]*"',
        f'<svg role="img" aria-label="{label}" width="100%" preserveAspectRatio="xMidYMid meet"',
        markup,
        count=1,
    )


def plain_text(text: str) -> str:
    """Text shown as typed in a plot: dollar signs would start matplotlib's maths mode."""
    return text.replace("$", r"\$")


def new_figure(width_in: float, height_in: float, rows: int = 1, **grid: float) -> Figure:
    """A figure with ``rows`` stacked axes sharing the time axis, in the report's style."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        fig.subplots(rows, 1, sharex=True, squeeze=False, gridspec_kw=grid or None)
    return fig


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


# --------------------------------------------------------------------------- series


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


def direction_words(direction: Sequence[float] | None) -> str:
    """A direction in the picture in words: side to side, up and down, or diagonal."""
    if direction is None or len(direction) != 2 or not np.any(direction):
        return "no main direction"
    # image y points down: flip it so that angles read as on paper
    angle = float(np.degrees(np.arctan2(-direction[1], direction[0]))) % 180.0
    if angle < 20 or angle > 160:
        return "side to side"
    if 70 < angle < 110:
        return "up and down"
    rising = "rising to the right" if angle < 90 else "rising to the left"
    return f"diagonal, {min(angle, 180 - angle):.0f}° from horizontal, {rising}"


@dataclass
class DisplaySignal:
    """One region's track on a uniform grid, in the contiguous pieces the analysis uses.

    Attributes
    ----------
    uniform : UniformSignal
        The track resampled as the analysis resamples it.
    pieces : list of (int, int)
        Index ranges of the pieces long enough to analyse.
    config : AnalysisConfig
        Settings the analysis used.

    """

    uniform: UniformSignal
    pieces: list[tuple[int, int]]
    config: AnalysisConfig = field(default_factory=AnalysisConfig)

    @property
    def rate_hz(self) -> float:
        """Sampling rate of the grid."""
        return self.uniform.rate_hz

    @property
    def band_high_hz(self) -> float:
        """Upper edge of the analysed band (capped by the sampling rate)."""
        c = self.config
        return min(c.band_high_hz, c.nyquist_margin * self.rate_hz / 2.0)

    def highpassed(self) -> list[np.ndarray]:
        """Each piece after the analysis' high-pass."""
        fs, cut = self.rate_hz, self.config.highpass_hz
        return [highpass(self.uniform.values[a:b], fs, cut) for a, b in self.pieces]

    def piece_times(self) -> list[np.ndarray]:
        """Time of every sample of each piece, seconds."""
        return [self.uniform.time_s[a:b] for a, b in self.pieces]


def display_signal(
    time_s: np.ndarray,
    position: np.ndarray,
    cut_times: Sequence[float],
    config: AnalysisConfig | None = None,
) -> DisplaySignal | None:
    """Put a region's (n, 2) pixel track on the analysis' uniform grid, split at cuts and gaps.

    Returns
    -------
    DisplaySignal or None
        None when no stretch of at least :data:`~tremorscope.analysis.engine.MIN_PIECE_S` is
        valid.

    """
    config = config or AnalysisConfig()
    if len(time_s) < 2:
        return None
    group = SignalGroup("display", ["x", "y"], np.asarray(position, float), "position", "px")
    uniform = to_uniform(group, np.asarray(time_s, float), config.max_gap_s, list(cut_times))
    if uniform.time_s.size == 0:
        return None
    fs = uniform.rate_hz
    pieces = [(a, b) for a, b in uniform.segments if (b - a) / fs >= MIN_PIECE_S]
    return DisplaySignal(uniform, pieces, config) if pieces else None


@dataclass
class DisplaySpectrum:
    """A Welch spectrum with its aperiodic background and significance level, for display.

    Attributes
    ----------
    freqs, power, background : ndarray
        Frequencies (Hz), power summed over axes (unit^2/Hz) and the fitted background.
    threshold : float
        Ratio over the background that noise alone passes with the analysis' false-alarm
        chance.
    band_hz : (float, float)
        The analysed band.

    """

    freqs: np.ndarray
    power: np.ndarray
    background: np.ndarray
    threshold: float
    band_hz: tuple[float, float]


def display_spectrum(signal: DisplaySignal) -> DisplaySpectrum:
    """The spectrum the analysis computes for this signal: high-pass, Welch, background.

    Parameters
    ----------
    signal : DisplaySignal
        The region's track on the uniform grid.

    Returns
    -------
    DisplaySpectrum

    """
    c = signal.config
    band = (c.band_low_hz, signal.band_high_hz)
    spectrum = welch_spectrum(signal.highpassed(), signal.rate_hz, c.welch_segment_s)
    background = aperiodic_background(spectrum.freqs, spectrum.power, *band, spectrum.dof)
    n_independent = (band[1] - band[0]) / (spectrum.resolution_hz * HANN_ENBW_BINS)
    threshold = peak_threshold(spectrum.dof, n_independent, c.false_alarm, c.min_peak_ratio)
    return DisplaySpectrum(spectrum.freqs, spectrum.power, background, threshold, band)


def isolated_rhythm(
    signal: DisplaySignal, frequency_hz: float
) -> tuple[list[np.ndarray], tuple[float, float]]:
    """The rhythm band-limited around ``frequency_hz`` and projected on its main direction.

    Returns
    -------
    pieces : list of ndarray
        The projected rhythm, per piece (aligned with :meth:`DisplaySignal.piece_times`).
    band_hz : (float, float)
        The pass band used (the analysis' own, :func:`~tremorscope.analysis.rhythm.rhythm_band`).

    """
    band = rh.rhythm_band(frequency_hz, signal.rate_hz, signal.config.highpass_hz)
    trace = rh.isolate_rhythm(signal.highpassed(), signal.rate_hz, band)
    return trace.projected, band


def movement_magnitude(signal: DisplaySignal) -> list[np.ndarray]:
    """Size of the band-limited movement per sample: what twitches are detected on."""
    fs, c = signal.rate_hz, signal.config
    return [
        np.linalg.norm(bandpass(piece, fs, c.highpass_hz, signal.band_high_hz), axis=1)
        for piece in signal.highpassed()
    ]


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
    signal : DisplaySignal or None
        The same track on the analysis' grid, for the band-limited panel.
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
    signal: DisplaySignal | None
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
    if data.signal is None:
        ax.text(0.5, 0.5, "too short to filter", transform=ax.transAxes, ha="center", color=GREY)
        return
    times = data.signal.piece_times()
    if data.frequency_hz is not None:
        values, band = isolated_rhythm(data.signal, data.frequency_hz)
        _plot_pieces(ax, times, values, color=VERMILLION, lw=1.0)
        ax.set_ylabel("rhythm (px)")
        ax.set_title(
            f"The rhythm alone: band-pass {band[0]:.1f}-{band[1]:.1f} Hz, along its direction",
            loc="left",
        )
    else:
        _plot_pieces(ax, times, movement_magnitude(data.signal), color=PURPLE, lw=1.0)
        if data.twitch_threshold is not None:
            ax.axhline(data.twitch_threshold, color=INK, ls=":", lw=1.0, label="twitch level")
            ax.legend(loc="upper right")
        ax.set_ylabel("movement (px)")
        ax.set_title("Size of the band-limited movement (what twitches are found on)", loc="left")
    _mark_twitches(ax, data.twitch_times, label=False)


def spectrum_figure(
    spectrum: DisplaySpectrum,
    frequency_hz: float | None,
    frequency_ci_hz: tuple[float, float] | None,
    unit: str = "px",
) -> Figure:
    """Power spectrum with its background, the significance level, the band and the peak.

    Parameters
    ----------
    spectrum : DisplaySpectrum
        From :func:`display_spectrum`.
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


# --------------------------------------------------------------------------- video frames


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
