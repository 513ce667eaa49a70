"""The annotated video: the source footage with what was measured drawn on every frame.

Every measured region (each person's body parts, the given regions) is drawn as a box that
follows the region, coloured by its finding (tremor-like red, voluntary-like blue, camera grey,
nothing thin and neutral) and labelled with its rhythm; the label is filled while the rhythm is
present (inside one of its episodes). Twitches flash on their region. A strip at the bottom
shows the last few seconds of each rhythmic region's displacement along its main direction.
The video is read once, one frame at a time, and written as H.264 with the source's timestamps.

The drawing only presents the analysis: it computes no metric of its own.

This module reads the frames, draws on each (:func:`annotate_frame`) and writes them. What is
drawn is prepared in :mod:`tremorscope.report.annotated_marks`, drawn with OpenCV by
:mod:`tremorscope.report.annotated_drawing`, in the colours and sizes of
:mod:`tremorscope.report.annotated_style`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.error
import cv2
import numpy as np

from tremorscope.errors import InputError
from tremorscope.report.annotated_drawing import (
    Rect,
    draw_header,
    draw_regions,
    draw_strip,
    strip_height,
)
from tremorscope.report.annotated_marks import Overlay, prepare_overlay
from tremorscope.results import Analysis
from tremorscope.video import iter_frames, probe_video
from tremorscope.video.writer import FALLBACK_TIME_BASE, H264Writer, output_size

#: File name endings of the containers the annotated video can be written in.
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
#: libx264 preset: speed matters more than size for a viewing copy.
PRESET = "superfast"

#: What encoding and writing raise when the output cannot be written (a full disk).
_WRITE_ERRORS = (av.error.FFmpegError, OSError, ValueError)


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
        From :func:`~tremorscope.report.annotated_marks.prepare_overlay`.
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
