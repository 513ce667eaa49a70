"""The self-contained HTML report: summary first, then each finding, rating items, methods.

One file that works offline: inline CSS, figures embedded (inline SVG plots, base64 JPEG key
frames), no external reference, no JavaScript library. A few lines of inline script count the
figures the browser actually rendered (``data-figures-rendered`` on ``<body>``, next to
``data-figures-expected``), so that a test can check that every figure is present.

This module assembles the page: the header, the four sections (the summary and the findings
in detail come from :mod:`~tremorscope.report.html_summary` and
:mod:`~tremorscope.report.html_findings`; the rating items and the methods are here), the
footer, and the style sheet and script kept as package data in ``assets/``. The words come
from :mod:`~tremorscope.report.words`.

Every text taken from the analysis is escaped with :func:`html.escape`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np

from tremorscope.report.figures import camera_figure
from tremorscope.report.html_findings import findings_html
from tremorscope.report.html_summary import summary_html
from tremorscope.report.items import cut_times, detail_items
from tremorscope.report.keyframes import decode_frames
from tremorscope.report.markup import FigureBook, facts_table, html_table, text_list
from tremorscope.report.markup import escape as _e
from tremorscope.report.words import (
    MDS_UPDRS_CITATION,
    after_first_sentence,
    asymmetry_words,
    camera_rhythm_words,
    compression_words,
    flag_meaning,
    limits_list,
    settings_of,
)
from tremorscope.results import Analysis, Asymmetry, RatingItem

# --------------------------------------------------------------------------- header


def header_html(analysis: Analysis) -> str:
    """Title, file and the disclaimer, shown first."""
    src = analysis.source
    kind = "video" if src.kind == "video" else "sensor recording"
    return (
        '<header class="top"><h1>Involuntary movement report</h1>'
        f'<div class="sub">{_e(kind)}: <b>{_e(Path(src.path).name)}</b> · '
        f"{src.duration_s:.1f} s · tremorscope {_e(analysis.tool.version)}</div>"
        '<nav class="toc"><a href="#summary">Summary</a><a href="#findings">Findings</a>'
        '<a href="#ratings">Rating items</a><a href="#methods">Methods and quality</a></nav>'
        "</header>"
        '<div class="disclaimer" role="note"><strong>This is a measurement, not a diagnosis.'
        f"</strong> {_e(after_first_sentence(analysis.disclaimer))} Only a clinician can "
        "interpret it.</div>"
    )


# --------------------------------------------------------------------------- rating items


def rating_row(item: RatingItem) -> list[str]:
    """One row of the rating table (escaped cells)."""
    if item.assessable and item.score is not None:
        score = f"<b>{item.score}</b>"
        low_high = f"{item.score_range[0]}–{item.score_range[1]}" if item.score_range else "-"
        detail = _e(item.evidence)
    else:
        score, low_high = "not assessable", "-"
        detail = _e(item.reason or item.evidence)
    return [_e(item.item), _e(item.label), score, low_high, detail, _e(item.caveat)]


def asymmetry_row(a: Asymmetry) -> list[str]:
    """One row of the asymmetry table (escaped cells)."""
    index = "-" if a.index is None else f"{a.index:+.2f}"
    words = asymmetry_words(a.index)
    left = "-" if a.left is None else f"{a.left:.3g} {a.unit}"
    right = "-" if a.right is None else f"{a.right:.3g} {a.unit}"
    return [_e(a.pair), _e(f"{index} {words}".strip()), _e(left), _e(right), _e(a.note)]


def ratings_html(analysis: Analysis) -> str:
    """Section 3: the MDS-UPDRS-style estimates and the left-right asymmetry, per person."""
    parts = [
        '<section id="ratings"><h2>Rating items</h2>',
        "<p>Estimates of MDS-UPDRS part III tremor items (3.15 postural tremor, 3.17 rest tremor "
        "amplitude, 3.18 constancy of rest tremor) from the measurement, with the scores the "
        "measurement's interval allows. They come from video, not from the examination the scale "
        "prescribes, and do not replace it.</p>",
    ]
    if not analysis.people:
        parts.append("<p>Not computed: rating items are estimated per person from video.</p>")
    for person in analysis.people:
        parts.append(f"<h3>Person {person.id}</h3>")
        if person.ratings:
            parts.append(
                html_table(
                    ("Item", "Label", "Score", "Range", "Evidence or reason", "Caveat"),
                    [rating_row(r) for r in person.ratings],
                )
            )
        else:
            parts.append("<p>Rating items: not computed.</p>")
        if person.asymmetry:
            parts.append(
                "<h4>Left against right</h4><p class='muted'>Index (left - right) / (left + "
                "right) of the tremor size: -1 right only, 0 equal, +1 left only.</p>"
                + html_table(
                    ("Pair", "Index", "Left", "Right", "Note"),
                    [asymmetry_row(a) for a in person.asymmetry],
                )
            )
        else:
            parts.append("<p>Asymmetry: not computed.</p>")
    parts.append(f'<p class="muted">Scale: {_e(MDS_UPDRS_CITATION)}</p></section>')
    return "".join(parts)


# --------------------------------------------------------------------------- methods


def source_facts(analysis: Analysis) -> str:
    """The source file's facts."""
    src = analysis.source
    rows = [("File", f"<code>{_e(src.path)}</code>"), ("Duration", _e(f"{src.duration_s:.2f} s"))]
    if src.kind == "video":
        low_bits_per_pixel = settings_of(analysis)["low_bits_per_pixel"]
        vfr = ", variable frame rate" if src.variable_frame_rate else ""
        shots = "; ".join(
            f"{s.index + 1}: {s.start_s:.2f}–{s.end_s:.2f} s ({s.n_frames} frames)"
            for s in src.shots
        )
        rows += [
            ("Resolution", _e(f"{src.width} x {src.height} px as displayed")),
            ("Frame rate", _e(f"{src.fps or 0:.4g} frames per second{vfr}")),
            ("Frames decoded", _e(src.frame_count)),
            ("Codec", _e(src.codec or "unknown")),
            (
                "Compression",
                _e(compression_words(src.bits_per_pixel, heavy_below=low_bits_per_pixel)),
            ),
            ("Rotation applied", _e(f"{src.rotation or 0}°")),
            ("Shots", _e(f"{len(src.shots)} ({shots})")),
            ("Timing", _e(src.time_source or "-")),
        ]
        if src.transitions:
            spans = "; ".join(f"{t.start_s:.2f}–{t.end_s:.2f} s" for t in src.transitions)
            rows.append(("Transitions (not measured)", _e(spans)))
        if src.decode_error:
            rows.append(("Decoding stopped", _e(src.decode_error)))
    else:
        groups = "; ".join(
            f"{g.name}: {', '.join(g.channels)} ({g.kind}, {g.unit})" for g in analysis.groups
        )
        rows += [
            ("Sampling rate", _e(f"{src.sample_rate_hz or 0:.4g} Hz")),
            ("Samples", _e(src.n_samples)),
            ("Time", _e(src.time_source or "-")),
            ("Sensors (groups)", _e(groups)),
        ]
    rows.append(("Notes", text_list(src.notes) or "none"))
    return facts_table(rows)


def camera_html(analysis: Analysis, book: FigureBook) -> str:
    """How the camera's own motion was measured and removed."""
    cam = analysis.camera
    if cam is None:
        return ""
    rows = [
        ("Compensated", _e(f"in {100 * cam.compensated_share:.0f} % of the video")),
        ("Largest shift", _e("-" if cam.max_shift_px is None else f"{cam.max_shift_px:.2f} px")),
        (
            "Zoom range",
            _e(
                "-"
                if cam.zoom_range is None
                else f"{cam.zoom_range[0]:.3f}–{cam.zoom_range[1]:.3f}"
            ),
        ),
        ("Camera rhythm", _e(camera_rhythm_words(cam.finding))),
    ]
    text = (
        "<h3>Camera</h3><p>Corners on the background (outside every person) give the camera's "
        "shift, rotation and zoom in each frame; their effect is subtracted from every region "
        "before it is measured. A rhythm the camera itself shows is reported as camera motion, "
        "never as tremor.</p>" + facts_table(rows)
    )
    tracks = analysis.tracks
    if tracks is not None and np.isfinite(tracks.camera).any():
        text += book.plot(
            "camera",
            camera_figure(tracks.time_s, tracks.camera, cut_times(analysis)),
            "The camera's own shift at the frame centre, measured on the background and removed "
            "from every region.",
            "Camera shift over time",
        )
    return text


def flags_table(analysis: Analysis) -> str:
    """Every quality flag raised anywhere, explained, with where it was raised."""
    where: dict[str, list[str]] = {}
    for group in analysis.groups:
        for flag in group.finding.quality.flags:
            where.setdefault(flag, []).append(group.name)
    if not where:
        return "<p>No quality flag was raised.</p>"
    rows = [
        [
            f"<code>{_e(flag)}</code>",
            _e(flag_meaning(flag, analysis)),
            _e(", ".join(names)),
        ]
        for flag, names in sorted(where.items())
    ]
    return html_table(("Flag", "Meaning", "Where"), rows)


def methods_html(analysis: Analysis, book: FigureBook) -> str:
    """Section 4: source facts, camera, speed, quality flags, versions, limits."""
    proc = analysis.processing
    speed = (
        f"<p>{proc.frames} frames analysed in {proc.elapsed_s:.1f} s "
        f"({proc.frames_per_s:.1f} frames per second).</p>"
        if proc
        else ""
    )
    return (
        '<section id="methods"><h2>Methods and quality</h2><h3>Source</h3>'
        + source_facts(analysis)
        + camera_html(analysis, book)
        + (f"<h3>Processing</h3>{speed}" if speed else "")
        + "<h3>Quality flags</h3>"
        + flags_table(analysis)
        + "<h3>Limits</h3>"
        + text_list(limits_list(analysis))
        + "<h3>How it was measured</h3><p>Each region's position (video) or each sensor's "
        "vector is high-passed at 1 Hz; its Welch spectrum is compared with the fitted "
        "aperiodic background; a significant peak is characterised (frequency and its 95 % "
        "interval from cycle-by-cycle frequencies, size while present, direction, episodes); "
        "twitches are brief excursions far above the noise and the local movement level; the "
        "rhythm is compared with known tremor types by frequency, stability and condition. "
        "The full description is in the README.</p>"
        + "<h3>Versions</h3>"
        + facts_table(
            [
                ("Tool", _e(f"{analysis.tool.name} {analysis.tool.version}")),
                ("Result schema", _e(analysis.schema_version)),
            ]
        )
        + "</section>"
    )


# --------------------------------------------------------------------------- the page


def page_asset(name: str) -> str:
    """The text of one of the page's assets, kept as package data in ``report/assets/``.

    Parameters
    ----------
    name : str
        File name: ``report.css`` or ``report.js``.

    Returns
    -------
    str
        The file's text, as it is inlined into the page.

    """
    return files("tremorscope.report").joinpath("assets", name).read_text(encoding="utf-8")


#: The page's style sheet, inlined in ``<style>`` (on a line of its own).
CSS = "\n" + page_asset("report.css")
#: Counts the figures the browser rendered (images decoded, SVGs laid out) after load.
FIGURE_SCRIPT = "\n" + page_asset("report.js")


def render_html_report(analysis: Analysis, video: str | Path | None = None) -> str:
    """The report as one HTML document (a string).

    Parameters
    ----------
    analysis : Analysis
        A video or sensor analysis.
    video : str or Path, optional
        The analysed video, to show key frames (decoded once, streaming, up to the last frame
        shown). Without it a video report has no key frames and says so.

    Returns
    -------
    str
        The document: inline CSS, inline SVG plots, base64 JPEG frames, no external reference.

    """
    items = detail_items(analysis)
    frames, frame_note = decode_frames(analysis, items, video)
    book = FigureBook()
    body = (
        header_html(analysis)
        + summary_html(analysis, items, frames, frame_note, book)
        + findings_html(analysis, items, frames, frame_note, book)
        + ratings_html(analysis)
        + methods_html(analysis, book)
    )
    footer = (
        f"<footer>Written by {_e(analysis.tool.name)} {_e(analysis.tool.version)} (result schema "
        f"{_e(analysis.schema_version)}). Self-contained: this file needs no network. "
        f"{_e(analysis.disclaimer)}</footer>"
    )
    title = f"tremorscope report: {Path(analysis.source.path).name}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head>"
        f'<body data-figures-expected="{book.count}" data-figures-rendered="0">'
        f"<main>{body}{footer}</main><script>{FIGURE_SCRIPT}</script></body></html>\n"
    )


def write_html_report(
    analysis: Analysis, path: str | Path, video: str | Path | None = None
) -> Path:
    """Write a self-contained HTML report of an analysis.

    The report opens with a plain summary (who, which body part, what, how fast, how large,
    how much of the time, the closest signature, how sure, what limits it, and that it is a
    measurement, not a diagnosis), then shows each finding with its key frame, displacement
    trace, spectrum and timeline, the rating items, and the methods and quality notes. It
    works offline: CSS, plots (SVG) and frames (JPEG) are inline.

    Parameters
    ----------
    analysis : Analysis
        Result of :func:`tremorscope.analyze_video` or :func:`tremorscope.analyze_signal`.
        Traces and spectra need its per-frame tracks (``analysis.tracks``), which a result
        read back from JSON does not have; the report then says so.
    path : str or Path
        Output file (``.html``).
    video : str or Path, optional
        The analysed video, for key frames and thumbnails.

    Returns
    -------
    Path
        ``path``.

    """
    path = Path(path)
    path.write_text(render_html_report(analysis, video), encoding="utf-8")
    return path
