"""Interlaced video: whether a stream is, and FFmpeg's deinterlacer on its frames.

An interlaced frame holds two fields, the even and the odd lines, filmed a field period apart
(20 ms in 50i, 16.7 ms in 60i): where something moves, the lines comb. The deinterlacer
(FFmpeg's ``bwdif`` through PyAV's filter graph) makes one full picture of each frame, from its
first field and the fields around it, so the frame count and every frame's timestamp stay as
the container gives them. Progressive video never goes through a filter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import av.filter
import numpy as np

#: FFmpeg's deinterlacer (Bob Weaver, motion adaptive; cheaper per frame than ``yadif`` here).
FILTER = "bwdif"
#: FFmpeg's ``AVFieldOrder`` (``codec_context.field_order``) to the field shown first; 0
#: (unknown) and 1 (progressive) say nothing of interlacing. ``TB`` codes the top field
#: first but shows the bottom one first, ``BT`` the other way round.
_FIRST_SHOWN = {2: "top", 3: "bottom", 4: "bottom", 5: "top"}
#: The filter's time base where a frame carries none (its times are not used).
_NO_TIME_BASE = Fraction(1, 1000)


@dataclass(frozen=True)
class Interlacing:
    """How a stream is interlaced, and so how it is deinterlaced.

    Attributes
    ----------
    first_field : {"top", "bottom", "auto"}
        The field shown first; ``"auto"`` follows each frame's own flag.
    flagged_frames : bool
        The frames say they are interlaced: only frames flagged so are deinterlaced (a stream
        that mixes interlaced and progressive frames keeps the progressive ones as they are).
        Otherwise the stream says so and every frame is deinterlaced.

    """

    first_field: str
    flagged_frames: bool

    @property
    def note(self) -> str:
        """The note on the source that says so."""
        order = "field order per frame" if self.first_field == "auto" else self.first_field
        order += " field first" if self.first_field != "auto" else ""
        return f"deinterlaced ({order}; FFmpeg {FILTER}, one picture per frame)"

    def filter_options(self) -> str:
        """The filter's options: one picture per frame, the field order, which frames."""
        parity = {"top": "tff", "bottom": "bff"}.get(self.first_field, "auto")
        frames = "interlaced" if self.flagged_frames else "all"
        return f"mode=send_frame:parity={parity}:deint={frames}"


def interlacing(field_order: int, first_frame_interlaced: bool) -> Interlacing | None:
    """Whether a stream is interlaced, from its field order and its first frame.

    Parameters
    ----------
    field_order : int
        The codec context's ``field_order`` (FFmpeg's ``AVFieldOrder``: 0 unknown,
        1 progressive, 2-5 interlaced).
    first_frame_interlaced : bool
        The first decoded frame's ``interlaced_frame`` flag.

    Returns
    -------
    Interlacing or None
        None for progressive video (neither says interlaced).

    """
    first = _FIRST_SHOWN.get(int(field_order))
    if first is None and not first_frame_interlaced:
        return None
    return Interlacing(first or "auto", bool(first_frame_interlaced))


class Deinterlacer:
    """FFmpeg's deinterlacer on a stream's frames, one picture out for each frame in.

    The filter holds one frame back (it looks at the next frame's fields), so a frame comes
    out after the next one goes in, and the last one when the input ends (:meth:`flush`).
    Frames keep their properties (picture type, display rotation, colour range, timestamps).

    Parameters
    ----------
    how : Interlacing
        The stream's interlacing.
    threads : int
        Threads of the filter graph (0: FFmpeg chooses).

    """

    def __init__(self, how: Interlacing, threads: int = 0) -> None:
        self.how = how
        self.threads = threads
        self._graph: av.filter.Graph | None = None
        self._shape: tuple[int, int, str] | None = None

    def push(self, frame: av.VideoFrame) -> list[av.VideoFrame]:
        """Give the filter a frame; returns the pictures that are ready (none or one)."""
        shape = (frame.width, frame.height, frame.format.name)
        ready = []
        if self._graph is None or shape != self._shape:
            ready = self.flush()  # a new size or format: a new graph (the old one emptied)
            self._graph = self._new_graph(frame)
            self._shape = shape
        self._graph.vpush(frame)
        return ready + self._pull()

    def flush(self) -> list[av.VideoFrame]:
        """The pictures still held, once the input has ended."""
        if self._graph is None:
            return []
        self._graph.vpush(None)
        ready = self._pull()
        self._graph = None
        return ready

    def _new_graph(self, frame: av.VideoFrame) -> av.filter.Graph:
        graph = av.filter.Graph()
        graph.threads = self.threads
        source = graph.add_buffer(
            width=frame.width,
            height=frame.height,
            format=frame.format.name,
            time_base=frame.time_base or _NO_TIME_BASE,
        )
        deinterlace = graph.add(FILTER, self.how.filter_options())
        sink = graph.add("buffersink")
        source.link_to(deinterlace)
        deinterlace.link_to(sink)
        graph.configure()
        return graph

    def _pull(self) -> list[av.VideoFrame]:
        assert self._graph is not None
        ready = []
        while True:
            try:
                ready.append(self._graph.vpull())
            except (av.BlockingIOError, av.EOFError):
                return ready


def deinterlaced(
    frames: Iterator[tuple[av.VideoFrame, float]], how: Interlacing, threads: int = 0
) -> Iterator[tuple[av.VideoFrame, float]]:
    """Frames deinterlaced, each with the time it came with.

    Parameters
    ----------
    frames : iterator of (av.VideoFrame, float)
        Decoded frames in presentation order with their times (s).
    how : Interlacing
        The stream's interlacing.
    threads : int
        Threads of the filter (0: FFmpeg chooses).

    Yields
    ------
    (av.VideoFrame, float)
        One deinterlaced picture per frame, in order, each with its frame's time: the
        container's timestamps are kept whatever the filter does with its own.

    """
    times: deque[float] = deque()
    filter_ = Deinterlacer(how, threads)
    for frame, t in frames:
        times.append(t)
        for picture in filter_.push(frame):
            yield picture, times.popleft()
    for picture in filter_.flush():
        yield picture, times.popleft()


def one_field(image: np.ndarray, first_field: str = "top") -> np.ndarray:
    """A frame seen on its own (a still from a seek) made of its first field only.

    The deinterlacer needs the frames around one to tell moving parts from still ones; a frame
    shown alone keeps the lines of the field shown first and fills the others from the lines
    above and below (``"auto"`` takes the top field).

    Parameters
    ----------
    image : ndarray, shape (height, width) or (height, width, channels), uint8
        The frame as decoded (not rotated).
    first_field : {"top", "bottom", "auto"}
        The field shown first.

    Returns
    -------
    ndarray
        Same shape and type.

    """
    out = image.copy()
    rows = image.shape[0]
    start = 0 if first_field == "bottom" else 1  # the lines of the other field
    for row in range(start, rows, 2):
        above = image[row - 1] if row > 0 else image[row + 1]
        below = image[row + 1] if row + 1 < rows else above
        out[row] = ((above.astype(np.uint16) + below + 1) // 2).astype(image.dtype)
    return out
