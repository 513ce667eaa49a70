"""Read video with exact container timestamps, rotation applied, one frame at a time.

The stream facts (:mod:`~tremorscope.video.probe`) and frame types
(:mod:`~tremorscope.video.frame`) are importable from here too.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from tremorscope.errors import InputError
from tremorscope.video.container import (
    _AV_ERRORS,
    _TRUNCATED,
    MAX_BAD_PACKETS,
    _count,
    _decode,
    _DecodeLog,
    _no_frame_problem,
    _no_video_problem,
    _open,
    _reason,
    _video_stream,
)
from tremorscope.video.deinterlace import deinterlaced
from tremorscope.video.frame import (
    Frame,
    GrayImage,
    _frame_rotation,
    _frame_time,
    as_gray_image,
    luma,
    rotate,
)
from tremorscope.video.probe import VideoInfo, _declared_frames, _declared_seconds, probe_video

__all__ = [
    "REORDER_DEPTH",
    "STOPPED_EARLY",
    "VFR_JITTER",
    "Frame",
    "GrayImage",
    "VideoInfo",
    "as_gray_image",
    "is_variable_rate",
    "iter_frames",
    "luma",
    "probe_video",
    "rotate",
]

#: Frame intervals varying by more than this share of their median make the video VFR.
VFR_JITTER = 0.02
#: Frames held back to put timestamps attached in decoding order back in presentation order.
REORDER_DEPTH = 8
#: How the note on a stream that ended before its end begins; the analysis reports the note
#: that begins so as the source's ``decode_error`` (and the command line exits with code 2).
STOPPED_EARLY = "decoding stopped early"
#: Container families whose frame count may include frames an edit list hides (a clip trimmed
#: without re-encoding): their declared duration, not their count, says where the video ends.
_EDIT_LIST_FORMATS = ("mov", "mp4")


def iter_frames(
    path: str | Path, info: VideoInfo | None = None, threads: int = 0
) -> Iterator[Frame]:
    """Decode frames one at a time with their exact presentation times.

    Parameters
    ----------
    path : str or Path
        The video file.
    info : VideoInfo, optional
        Result of :func:`probe_video` (read again when not given).
    threads : int
        Decoder threads (0: FFmpeg chooses). One thread costs about a third less CPU per frame
        than FFmpeg's frame threads, the better choice when other work fills the other core.

    Yields
    ------
    Frame
        Frames in presentation order with times from the container, starting at 0 s (put back
        in presentation order where a container attaches them in decoding order, as AVI does).
        An interlaced stream (``info.interlacing``) is deinterlaced, one picture per frame
        with the frame's own time (:mod:`~tremorscope.video.deinterlace`), and a note says so;
        progressive frames are read as decoded.

    Raises
    ------
    InputError
        When the file cannot be opened or decodes no frame at all. Damaged data part way is
        skipped (or ends the iteration) and recorded as a note in ``info.notes``.

    """
    path = Path(path)
    info = info or probe_video(path)
    container = _open(path)
    log = _DecodeLog()
    index = 0
    last_t = 0.0
    corrupt: list[float] = []
    size_changes: list[str] = []
    repeated = 0
    try:
        stream = _video_stream(container)
        if stream is None:
            raise InputError(path, _no_video_problem(container))
        declared = _declared_frames(stream)
        stream.thread_type = "AUTO"
        stream.thread_count = threads
        t0 = None
        last_t = -np.inf
        shape = None
        timed = _retimed(_decode(container, stream, log), info.fps)
        if info.interlacing is not None:
            timed = deinterlaced(timed, info.interlacing, threads)
        try:
            for frame, t in timed:
                if t0 is None:
                    t0 = t
                t -= t0
                if t <= last_t:  # repeated timestamp: keep time increasing
                    repeated += 1
                    t = last_t + 1e-6
                last_t = t
                rotation = _frame_rotation(frame, info.rotation)
                plane, limited = luma(frame)
                gray = rotate(plane, rotation)
                if frame.is_corrupt:
                    corrupt.append(t)
                if shape is not None and gray.shape != shape:
                    size_changes.append(f"{shape[1]}x{shape[0]} to {gray.shape[1]}x{gray.shape[0]}")
                shape = gray.shape
                yield Frame(index, t, gray, frame, rotation, limited)
                index += 1
        except _AV_ERRORS as exc:
            if index == 0:
                raise InputError(path, f"no decodable video frame ({_reason(exc)})") from None
            log.read_error = log.read_error or _reason(exc)
        if index == 0:
            raise InputError(path, _no_frame_problem(log, int(stream.frames or 0)))
        notes = log.notes()
        if info.interlacing is not None:
            notes.append(info.interlacing.note)
        if corrupt:
            notes.append(
                f"{_count(len(corrupt), 'frame')} decoded with errors from {corrupt[0]:.2f} s: "
                "pictures there may be garbled (damaged file)"
            )
        if repeated:
            notes.append(
                f"{_count(repeated, 'frame')} with a repeated timestamp: "
                "each moved 1 microsecond after the previous frame"
            )
        if size_changes:
            changes = _count(len(size_changes), "time")
            notes.append(f"frame size changes {changes} (first {size_changes[0]})")
        by_count = not any(name in _EDIT_LIST_FORMATS for name in container.format.name.split(","))
        step = 1.0 / info.fps if info.fps > 0 else 0.0
        stop = _stop_note(
            _Ending(index, last_t + step, step, log, info.cut_at_byte is not None),
            declared,
            _declared_seconds(stream),
            by_count,
        )
        if stop is not None:
            notes.append(stop)
        for note in notes:
            if note not in info.notes:
                info.notes.append(note)
    finally:
        container.close()


@dataclass
class _Ending:
    """How decoding ended: what it reached, and what went wrong on the way."""

    decoded: int
    end_s: float
    step_s: float
    log: _DecodeLog
    cut_off: bool


def _stop_note(ending: _Ending, frames: int, seconds: float | None, by_count: bool) -> str | None:
    """The note on a video that ends before the file says it does, or None when it does not.

    Parameters
    ----------
    ending : _Ending
        Frames decoded, where the last one ends (s), the frame interval (s), the decode log,
        and whether the file is cut off inside its last MP4 box.
    frames : int
        Frame count the file declares (0 if unknown).
    seconds : float or None
        Duration of the video stream the file declares (s), if it does.
    by_count : bool
        Whether a frame count short of the declared one means frames are missing. Not so in
        MP4/MOV, where it may count frames an edit list hides: there the duration decides.

    Returns
    -------
    str or None
        Beginning :data:`STOPPED_EARLY`, saying how far decoding got and why.

    """
    reached = f"up to {ending.end_s:.2f} s"
    if seconds and seconds > ending.end_s:
        reached += f" of {seconds:.2f} s"
    missing = bool(frames) and ending.decoded < frames - max(2, 0.02 * frames)
    if seconds and not (by_count and frames):
        missing = ending.end_s < seconds - max(2 * ending.step_s, 0.02 * seconds)
    log = ending.log
    failed = f", reading failed ({log.read_error})" if log.read_error else ""
    if missing and frames:
        what = f"only {ending.decoded} of the {frames} frames the file declares were decoded"
        what += f" ({reached}{failed})"
    elif missing:
        what = (
            f"the video ends at {ending.end_s:.2f} s of the {seconds:.2f} s the file declares "
            f"({_count(ending.decoded, 'frame')} decoded{failed})"
        )
    elif log.gave_up:
        what = f"{MAX_BAD_PACKETS} undecodable packets in a row ({reached})"
    elif log.read_error:
        what = f"reading failed {reached} ({log.read_error})"
    elif ending.cut_off:
        what = f"the video data ends inside the file's last box ({reached})"
    else:
        return None
    cause = "the file is damaged" if log.gave_up else _TRUNCATED
    if not ending.cut_off and not log.gave_up:
        cause += " or damaged"
    return f"{STOPPED_EARLY}: {what}: {cause}"


def _retimed(
    frames: Iterator[av.VideoFrame], fps: float, depth: int = REORDER_DEPTH
) -> Iterator[tuple[av.VideoFrame, float]]:
    """Frames with their presentation times in seconds, put in order.

    Decoders return frames in presentation order but some containers (AVI, raw streams) give
    the timestamps of B-frame streams in decoding order, attached to the wrong frames. The set of
    timestamps is still right, so each frame gets the smallest timestamp not yet used among the
    next ``depth`` frames: a no-op when timestamps already increase. Frames without any timestamp
    follow the previous one by ``1 / fps``.
    """
    step = 1.0 / fps if fps > 0 else 1.0
    pending: deque[av.VideoFrame] = deque()
    times: list[float] = []
    latest = None
    for frame in frames:
        t = _frame_time(frame)
        if t is None:
            t = latest + step if latest is not None else 0.0
        latest = t if latest is None else max(latest, t)
        heapq.heappush(times, t)
        pending.append(frame)
        if len(pending) > depth:
            yield pending.popleft(), heapq.heappop(times)
    while pending:
        yield pending.popleft(), heapq.heappop(times)


def is_variable_rate(times: np.ndarray) -> bool:
    """Whether frame intervals vary by more than :data:`VFR_JITTER` of their median."""
    steps = np.diff(np.asarray(times, dtype=float))
    steps = steps[steps > 0]
    if steps.size < 2:
        return False
    median = float(np.median(steps))
    return bool(np.percentile(np.abs(steps - median), 95) > VFR_JITTER * median)
