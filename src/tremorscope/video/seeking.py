"""The frames shown at given times (a report's key frames), seeking where that saves decoding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from tremorscope.video.container import _AV_ERRORS, _open, _video_stream
from tremorscope.video.deinterlace import one_field
from tremorscope.video.frame import _frame_rotation, _frame_time, rotate
from tremorscope.video.probe import VideoInfo, probe_video
from tremorscope.video.reader import iter_frames

#: A wanted frame further ahead than this (seconds) is reached by seeking to the key frame
#: before it, not by decoding everything in between.
SEEK_AHEAD_S = 10.0
#: Containers whose timestamps may come in decoding order (see :func:`_retimed`): never seeked.
_UNORDERED_FORMATS = ("avi", "h264", "hevc", "mpeg", "mpegvideo", "m4v")


def frames_at(
    path: str | Path, times: Sequence[float], info: VideoInfo | None = None
) -> dict[float, np.ndarray]:
    """The frames shown at given times, seeking ahead where that saves decoding.

    For each time, the first frame at or after it (times as :func:`iter_frames` gives them,
    from the first frame), the last frame for times past the end. Times more than
    :data:`SEEK_AHEAD_S` ahead of the decoder are reached by seeking to the key frame before
    them: a report's few frames of an hour-long video cost seconds, not a full decode (an
    interlaced frame found so is shown from its first field). Where a
    seek cannot be trusted (no timestamps, a container that may give them in decoding order, a
    seek that lands past the time), the frames are decoded in one pass from the start instead.

    Parameters
    ----------
    path : str or Path
        The video file.
    times : sequence of float
        Wanted times in seconds.
    info : VideoInfo, optional
        Result of :func:`probe_video` (read again when not given).

    Returns
    -------
    dict
        Each wanted time to the RGB frame (height, width, 3) shown then, rotated for display.

    Raises
    ------
    InputError
        When the file cannot be read as a video.

    """
    path = Path(path)
    info = info or probe_video(path)
    wanted = sorted(set(float(t) for t in times))
    found: dict[float, np.ndarray] = {}
    if wanted:
        try:
            found = _frames_by_seeking(path, wanted, info)
        except (_SeekUntrustedError, *_AV_ERRORS):
            found = {}
    missing = [t for t in wanted if t not in found]
    if missing:
        found.update(_frames_in_one_pass(path, missing, info))
    return found


class _SeekUntrustedError(Exception):
    """A seek landed somewhere other than where it was sent: decode from the start instead."""


def _frames_in_one_pass(
    path: Path, wanted: list[float], info: VideoInfo
) -> dict[float, np.ndarray]:
    found: dict[float, np.ndarray] = {}
    last = None
    for frame in iter_frames(path, info):
        while wanted and frame.t >= wanted[0] - 1e-9:
            found[wanted.pop(0)] = frame.rgb()
        if not wanted:
            return found
        last = frame
    if last is not None:
        image = last.rgb()
        found.update({t: image for t in wanted})
    return found


def _frames_by_seeking(path: Path, wanted: list[float], info: VideoInfo) -> dict[float, np.ndarray]:
    """:func:`frames_at` by seeking; :class:`_SeekUntrustedError` where a seek is not trusted."""
    container = _open(path)
    try:
        if any(name in _UNORDERED_FORMATS for name in container.format.name.split(",")):
            raise _SeekUntrustedError
        stream = _video_stream(container)
        if stream is None or stream.time_base is None:
            raise _SeekUntrustedError
        frames = container.decode(stream)
        first = next(frames, None)
        t0 = _frame_time(first) if first is not None else None
        if t0 is None:
            raise _SeekUntrustedError
        current, now = first, 0.0
        found: dict[float, np.ndarray] = {}
        for target in wanted:
            if target - now > SEEK_AHEAD_S:
                container.seek(int((t0 + target) / stream.time_base), stream=stream)
                frames = container.decode(stream)
                current = next(frames, None)
                now = _seconds_after(current, t0)
                if now > target + 1e-9:  # landed past the time: the index cannot be trusted
                    raise _SeekUntrustedError
            while now < target - 1e-9:
                following = next(frames, None)
                if following is None:
                    break
                current, now = following, _seconds_after(following, t0)
            image = current.to_ndarray(format="rgb24")
            if info.interlacing is not None:  # its first field (the frames around unread)
                image = one_field(image, info.interlacing.first_field)
            found[target] = rotate(image, _frame_rotation(current, info.rotation))
        return found
    finally:
        container.close()


def _seconds_after(frame: av.VideoFrame | None, t0: float) -> float:
    t = _frame_time(frame) if frame is not None else None
    if t is None:
        raise _SeekUntrustedError
    return t - t0
